"""Importing a village household list (户籍台账: 乡镇, 村, 户编号, 户主, 成员 …) into the household
ledger. Households are matched by village and 户编号 (else by the head's name); members by ID number.
Members enrolled in this school are linked to their student record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from aidoffice.db.models import Household, HouseholdMember, Student, Township, Village
from aidoffice.importing.people import fill_down_households, read_person
from aidoffice.importing.report import Action, ImportReport, Missing, Repeats
from aidoffice.importing.rows import DataRow
from aidoffice.ledgers.villages import get_or_create_village
from aidoffice.sheets.cleaning import text
from aidoffice.sheets.headers import field_label

_HEAD_WORDS = ("户主", "本人")
_MEMBER_FIELDS = ("name", "relation", "sex", "birth_date", "school_name", "schooling")


@dataclass
class _Planned:
    row: int
    town: str
    village: str
    household_no: str | None
    head_name: str
    member: dict[str, Any]
    member_id: int | None


@dataclass
class HouseholdsPlan:
    """What importing a village household list writes."""

    rows: list[_Planned] = field(default_factory=list)
    households: dict[tuple[int, str], Household] = field(default_factory=dict)  # as loaded by the plan


def _household_key(household_no: str | None, head: str) -> str:
    return f"no:{household_no}" if household_no else f"head:{head}"


def plan_households(session: Session, report: ImportReport, rows: Iterable[DataRow], today: date) -> None:
    rows = fill_down_households(rows)
    villages = {
        (t, v): vid
        for vid, v, t in session.execute(
            select(Village.id, Village.name, Township.name).join(Township, Village.township_id == Township.id)
        )
    }
    payload = HouseholdsPlan()
    payload.households = {
        (h.village_id, _household_key(h.household_no, h.head_name)): h
        for h in session.scalars(select(Household))
    }
    # the members' households and villages come in the same query: the 不在新名册中 list names them
    members = {
        m.person_key: m
        for m in session.scalars(
            select(HouseholdMember).options(
                joinedload(HouseholdMember.household)
                .joinedload(Household.village)
                .joinedload(Village.township)
            )
        )
        if m.person_key
    }
    repeats: Repeats[_Planned] = Repeats("证件号")
    covered: set[int] = set()
    in_file: set[str] = set()
    for r in rows:
        out = r.outcome()
        report.outcomes.append(out)
        c = r.cells
        town, village = text(c.get("township")), text(c.get("village"))
        household_no = text(c.get("household_no")) or None
        head = "".join(text(c.get("head_name")).split())
        relation = text(c.get("relation")) or None
        person = read_person(r, report, out, today)
        for f, value in (("township", town), ("village", village)):
            if not value:
                out.refuse(f"{field_label(f)}为空，请补填（同一户的行可以只在第一行填写）")
        if not household_no and not head:
            if relation and any(w in relation for w in _HEAD_WORDS) and person is not None:
                head = person.name
            else:
                out.refuse("户编号和户主姓名都为空，无法知道此人属于哪一户")
        if person is None or out.action is Action.REFUSED:
            if person is not None:
                in_file.add(person.id_number)
            continue
        in_file.add(person.id_number)
        vid = villages.get((town, village))
        if vid is not None:
            covered.add(vid)
        member = {
            "name": person.name,
            "id_number": person.id_number,
            "person_key": person.id_number,
            "relation": relation,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "school_name": text(c.get("school_name")) or None,
            "schooling": text(c.get("schooling")) or None,
        }
        old = members.get(person.id_number)
        planned = _Planned(r.number, town, village, household_no, head, member, old.id if old else None)
        repeats.add(person.id_number, out, planned)
        if old is None:
            continue
        current = (
            payload.households.get((vid, _household_key(household_no, head))) if vid is not None else None
        )
        hid = current.id if current is not None else None
        changes = [
            f"{field_label(f) if f != 'name' else '姓名'}：{getattr(old, f) or '空'} → {member[f]}"
            for f in _MEMBER_FIELDS
            if member[f] is not None and member[f] != getattr(old, f)
        ]
        if hid != old.household_id:
            changes.append(f"户：改为 {town}{village} {household_no or head}")
        out.action = Action.UPDATED if changes else Action.UNCHANGED
        out.changes = changes
    # the same person twice: the later row is kept, the kept row names every row
    payload.rows = repeats.settle(report, "证件号")
    report.plan = payload
    report.missing_label = "不在新名册中"
    for m in members.values():
        if m.person_key not in in_file and m.household.village_id in covered:
            hh = m.household
            report.missing.append(
                Missing(
                    key=m.person_key or "",
                    name=m.name,
                    where=f"{hh.village.township.name}{hh.village.name} {hh.household_no or hh.head_name}",
                    note="台账中有此人，但新名册中没有；如已迁出或去世，请在户籍台账中处理",
                )
            )


def apply_households(session: Session, report: ImportReport[HouseholdsPlan], batch_id: int | None) -> None:
    payload = report.plan
    assert payload is not None
    villages: dict[tuple[str, str], Village] = {}
    households = payload.households
    students = dict(session.execute(select(Student.person_key, Student.id)).all())
    linked: dict[int, int] = {}  # student id → the village of the household that names the child
    for p in payload.rows:
        village = villages.get((p.town, p.village))
        if village is None:
            village = villages[(p.town, p.village)] = get_or_create_village(session, p.town, p.village)
        key = (village.id, _household_key(p.household_no, p.head_name))
        household = households.get(key)
        if household is None:
            household = households[key] = Household(
                village_id=village.id, household_no=p.household_no, head_name=p.head_name, batch_id=batch_id
            )
            session.add(household)
            session.flush()
        is_head = p.member["relation"] and any(w in p.member["relation"] for w in _HEAD_WORDS)
        if is_head and household.head_id_number != p.member["id_number"]:
            household.head_id_number = p.member["id_number"]
        member = session.get(HouseholdMember, p.member_id) if p.member_id else None
        if member is None:
            member = HouseholdMember(household_id=household.id, batch_id=batch_id, **p.member)
            session.add(member)
        else:
            for f, value in p.member.items():
                if value is not None and getattr(member, f) != value:
                    setattr(member, f, value)
            if member.household_id != household.id:
                member.household_id = household.id
        student_id = students.get(p.member["person_key"])
        if student_id is not None and member.student_id != student_id:
            member.student_id = student_id
        if student_id is not None:
            linked[student_id] = village.id
    # the village roster places a child: the student's village is the household's
    for chunk in [list(linked)[i : i + 500] for i in range(0, len(linked), 500)]:
        for student in session.scalars(select(Student).where(Student.id.in_(chunk))):
            if student.village_id != linked[student.id]:
                student.village_id = linked[student.id]
    session.flush()
