"""The three dropout ledgers counties keep (控辍保学三本台账) and the monthly report:

- 适龄儿童花名册: every child of compulsory-school age of the villages the school serves (the household
  ledger and the school's own students registered there, and children opened by hand), and where each
  studies: this school (grade and class), another school (在外就读, as verified), out of school (an open
  case), or not yet known.
- 疑似辍学: the 四查三比对 — the comparison's 需核实去向 findings (户籍 vs 学籍, lists vs 学籍) still open,
  and students the ledger marks 辍学 or 休学 (学籍 vs 在校); each says whether a case is open.
- 辍学学生: the open cases with their plan, the people responsible and what has been done.
- 月报: per village, the month's figures for the township and the county.

Rows are plain tuples read with a few SELECTs (no ORM objects): the 50,000-student bench reads each in
well under a second. ID numbers go through aidoffice.privacy at the level asked for."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.casework.case_queries import attempts, class_words, scope_condition
from aidoffice.db.models import (
    STATUS_NAMES,
    CasePerson,
    CaseStatus,
    DropoutCase,
    Household,
    HouseholdMember,
    Problem,
    ProblemStatus,
    School,
    Student,
    StudentStatus,
    StudyElsewhere,
    Township,
    Village,
)
from aidoffice.domain.grades import STAGES
from aidoffice.ledgers.places import served_village_ids
from aidoffice.ledgers.villages import birth_bounds
from aidoffice.privacy import Field, Level, free_text, shower

DEFAULT_COMPULSORY_AGE = (6, 15)  # 义务教育适龄: school.settings["compulsory_age"] may say otherwise
_CHUNK = 900

ROLL_COLUMNS = (
    "序号",
    "乡镇",
    "村",
    "户主",
    "姓名",
    "性别",
    "身份证件号",
    "年龄",
    "应读学段",
    "就读学校",
    "年级班级",
    "就读状态",
)
SUSPECT_COLUMNS = ("序号", "乡镇", "村", "姓名", "身份证件号", "比对方式", "情况说明", "发现日期", "核实情况")
DROPOUT_COLUMNS = (
    "序号", "乡镇", "村", "姓名", "性别", "身份证件号", "年级班级", "辍学日期", "辍学原因", "责任人", "劝返方案",
    "劝返次数", "最近一次劝返", "是否上报", "下次跟进期限",
)  # fmt: skip
REPORT_COLUMNS = (
    "乡镇",
    "村",
    "适龄儿童",
    "本校在读",
    "在外就读",
    "疑似辍学",
    "辍学（劝返中）",
    "本月新增辍学",
    "本月劝返复学",
)

IN_SCHOOL, ELSEWHERE, OUT, UNKNOWN = "本校在读", "在外就读", "辍学（劝返中）", "去向未核实"


def compulsory_age(school: School | None) -> tuple[int, int]:
    value = (school.settings or {}).get("compulsory_age") if school else None
    return (int(value[0]), int(value[1])) if value else DEFAULT_COMPULSORY_AGE


def _stage_of(age: int) -> str:
    return STAGES["primary"] if age <= 11 else STAGES["junior"]


@dataclass
class DropoutLedgers:
    on: date
    roll: list[tuple[Any, ...]] = field(default_factory=list)
    suspects: list[tuple[Any, ...]] = field(default_factory=list)
    dropouts: list[tuple[Any, ...]] = field(default_factory=list)
    report: list[tuple[Any, ...]] = field(default_factory=list)
    month: str = ""

    def counts(self) -> dict[str, int]:
        return {"roll": len(self.roll), "suspects": len(self.suspects), "dropouts": len(self.dropouts)}


def _villages(session: Session) -> dict[int, tuple[str, str]]:
    served = served_village_ids(session)
    rows = session.execute(
        select(Village.id, Township.name, Village.name).join(Township, Township.id == Village.township_id)
    ).all()
    return {vid: (town, name) for vid, town, name in rows if vid in served}


def _open_cases(session: Session) -> dict[str, int]:
    return dict(
        session.execute(
            select(DropoutCase.person_key, DropoutCase.id).where(DropoutCase.status == CaseStatus.OPEN)
        ).all()
    )


def _age_at(day: date) -> Any:
    """Age on `day` from a birth date read as text (SQLite: YYYY-MM-DD) or as a date (PostgreSQL)."""
    md = (day.month, day.day)

    def age(born: Any) -> int:
        if born.__class__ is str:
            y, m, d = int(born[:4]), int(born[5:7]), int(born[8:10])
        else:
            y, m, d = born.year, born.month, born.day
        return day.year - y - ((m, d) > md)

    return age


def roll(session: Session, *, on: date | None = None, level: Level = Level.MASKED) -> list[tuple[Any, ...]]:
    """适龄儿童花名册, ordered by township, village, household and name. The big reads go through the
    connection with the birth date and status as stored (no date or enum object per row): 50,000
    children are read and joined in well under a second."""
    require(session, "cases.view")
    day = on or clock.today()
    school = session.scalars(select(School).order_by(School.id)).first()
    earliest, latest = birth_bounds(day, compulsory_age(school))
    villages = _villages(session)
    if not villages:
        return []
    school_name = school.name if school else "本校"
    vids = sorted(villages)
    show_id = shower(Field.ID_NUMBER, level)
    cases = _open_cases(session)
    elsewhere = dict(session.execute(select(StudyElsewhere.person_key, StudyElsewhere.school_name)).all())
    conn = session.connection()
    as_text = type_coerce(Student.birth_date, String)
    status_text = type_coerce(Student.status, String)
    children: dict[str, list[Any]] = {}
    students: dict[int, str] = {}
    for i in range(0, len(vids), _CHUNK):
        chunk = vids[i : i + _CHUNK]
        for sid, key, number, name, sex, born, grade, cls, status, vid in conn.execute(
            select(
                Student.id, Student.person_key, Student.id_number, Student.name, Student.sex, as_text,
                Student.grade, Student.class_name, status_text, Student.village_id,
            ).where(Student.village_id.in_(chunk), Student.birth_date.between(earliest, latest))
        ).all():  # fmt: skip
            students[sid] = key
            children[key] = [vid, "", name, sex, number, born, sid, grade, cls, status, None]
        for key, number, name, sex, born, vid, head, school_named, sid in conn.execute(
            select(
                HouseholdMember.person_key, HouseholdMember.id_number, HouseholdMember.name, HouseholdMember.sex,
                type_coerce(HouseholdMember.birth_date, String), Household.village_id, Household.head_name,
                HouseholdMember.school_name, HouseholdMember.student_id,
            )
            .join(Household, Household.id == HouseholdMember.household_id)
            .where(Household.village_id.in_(chunk), HouseholdMember.birth_date.between(earliest, latest))
        ).all():  # fmt: skip
            key = students.get(sid) or key or f"M:{name}:{vid}:{born}"
            row = children.get(key)
            if row is not None:
                row[1] = row[1] or head
                continue
            children[key] = [vid, head, name, sex, number, born, None, None, None, None, school_named]
    for key, number, name, sex, born, vid in session.execute(
        select(
            DropoutCase.person_key, DropoutCase.id_number, DropoutCase.name, DropoutCase.sex,
            DropoutCase.birth_date, DropoutCase.village_id,
        ).where(DropoutCase.status == CaseStatus.OPEN, DropoutCase.village_id.in_(vids))
    ):  # fmt: skip
        if key not in children and born is not None and earliest <= born <= latest:
            children[key] = [vid, "", name, sex, number, born, None, None, None, None, None]
    age_of = _age_at(day)
    at_school = {StudentStatus.ENROLLED.value: IN_SCHOOL, StudentStatus.SUSPENDED.value: "休学"}
    status_names = {k.value: v for k, v in STATUS_NAMES.items()}
    stages: dict[int, str] = {}
    classes: dict[tuple[Any, Any], str] = {}
    out = []
    for key, (vid, head, name, sex, number, born, sid, grade, cls, status, named) in children.items():
        town, village = villages[vid]
        age = age_of(born)
        if key in cases:
            where, state = (school_name if sid else named or ""), OUT
        elif sid is not None and status in at_school:
            where, state = school_name, at_school[status]
        elif key in elsewhere:
            where, state = elsewhere[key], ELSEWHERE
        elif sid is not None:
            where, state = school_name, status_names.get(status, status)
        else:
            where, state = (named or ""), UNKNOWN
        stage = stages.get(age)
        if stage is None:
            stage = stages[age] = _stage_of(age)
        label = ""
        if sid is not None:
            label = classes.get((grade, cls))
            if label is None:
                label = classes[(grade, cls)] = class_words(grade, cls)
        out.append(
            (
                town,
                village,
                head or "",
                name,
                sex or "",
                show_id(number) or "",
                age,
                stage,
                where,
                label,
                state,
            )
        )
    out.sort()
    return [(n, *r) for n, r in enumerate(out, 1)]


def _of_compulsory_age(session: Session, day: date) -> Any:
    """(ID number, birth date) → whether the child is of compulsory-school age on `day` (义务教育适龄,
    6–15 unless the school says otherwise): the dropout ledgers are about those children only; a
    finding about a child of 4 or of 17 stays in the problem list. Unknown birth: kept."""
    school = session.scalars(select(School).order_by(School.id)).first()
    earliest, latest = birth_bounds(day, compulsory_age(school))

    def check(number: str | None, born: Any = None) -> bool:
        if born is None and number and len(number) == 18 and number[:17].isdigit():
            try:
                born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            except ValueError:
                return True
        if born is None:
            return True
        if born.__class__ is str:
            born = date.fromisoformat(born[:10])
        return earliest <= born <= latest

    return check


def suspects(
    session: Session, *, level: Level = Level.MASKED, on: date | None = None
) -> list[tuple[Any, ...]]:
    """疑似辍学: open 需核实去向 findings, and students marked 辍学/休学, of compulsory-school age, with
    whether a case is open."""
    require(session, "cases.view")
    of_age = _of_compulsory_age(session, on or clock.today())
    show_id = shower(Field.ID_NUMBER, level)
    cases = _open_cases(session)
    places: dict[int, tuple[str, str]] = {}
    towns_of: dict[str, list[str]] = defaultdict(list)  # village name → the townships having one
    for vid, town, name in session.execute(
        select(Village.id, Township.name, Village.name).join(Township, Township.id == Village.township_id)
    ):
        places[vid] = (town, name)
        towns_of[name].append(town)
    out = []
    seen: set[str] = set()
    for key, number, name, village, detail, first_seen in session.execute(
        select(
            Problem.person_key, Problem.id_number, Problem.name, Problem.village, Problem.detail, Problem.first_seen_on
        ).where(Problem.kind == "NOT_ENROLLED", Problem.status != ProblemStatus.CLOSED)
    ):  # fmt: skip
        seen.add(key)
        if not of_age(number or key):
            continue
        how = "户籍与学籍比对" if "户籍台账" in (detail or "") else "部门名单与学籍比对"
        town = next((t for t in towns_of.get(village or "", ()) if (detail or "").startswith(t)), "")
        check = f"已立案（案件 {cases[key]}）" if key in cases else "待核实"
        # the comparison words its details with masked numbers only, as the problem list shows them
        out.append((town, village or "", name, show_id(number) or "", how, detail or "", first_seen, check))
    for key, number, name, status, changed, note, vid, town, village, born in session.execute(
        select(
            Student.person_key, Student.id_number, Student.name, Student.status, Student.status_changed_on,
            Student.status_note, Student.village_id, Student.hukou_township, Student.hukou_village,
            Student.birth_date,
        ).where(Student.status.in_([StudentStatus.DROPPED_OUT, StudentStatus.SUSPENDED]))
    ):  # fmt: skip
        if key in seen or not of_age(number, born):
            continue
        town, village = places.get(vid, (town or "", village or ""))
        what = f"学籍台账为{STATUS_NAMES[status]}" + (f"：{free_text(note, level)}" if note else "")
        check = f"已立案（案件 {cases[key]}）" if key in cases else "待核实"
        out.append((town, village, name, show_id(number) or "", "学籍与在校比对", what, changed, check))
    out.sort(key=lambda r: (r[7] != "待核实", r[0], r[1], r[2]))
    return [(n, *r) for n, r in enumerate(out, 1)]


def dropouts(
    session: Session, *, level: Level = Level.MASKED, on: date | None = None
) -> list[tuple[Any, ...]]:
    """辍学学生: the open cases, each with its plan, people and actions (a head teacher: own classes)."""
    require(session, "cases.view")
    show_id = shower(Field.ID_NUMBER, level)
    q = select(
        DropoutCase.id, DropoutCase.township, DropoutCase.village, DropoutCase.name, DropoutCase.sex,
        DropoutCase.id_number, DropoutCase.grade, DropoutCase.class_name, DropoutCase.left_on, DropoutCase.reason,
        DropoutCase.plan, DropoutCase.escalated_on, DropoutCase.next_due,
    ).where(DropoutCase.status == CaseStatus.OPEN)  # fmt: skip
    cond = scope_condition(session)
    if cond is not None:
        q = q.where(cond)
    conn = session.connection()  # plain rows: no ORM result processing
    rows = conn.execute(q).all()
    people: dict[int, list[str]] = defaultdict(list)
    is_open = and_(DropoutCase.id == CasePerson.case_id, DropoutCase.status == CaseStatus.OPEN)
    for cid, role, name in conn.execute(
        select(CasePerson.case_id, CasePerson.role, CasePerson.name)
        .join(DropoutCase, is_open)
        .order_by(CasePerson.id)
    ).all():
        people[cid].append(f"{role}：{name}")
    tries = attempts(session, [r[0] for r in rows])
    out = []
    for cid, town, village, name, sex, number, grade, cls, left, reason, plan, esc, due in rows:
        out.append(
            (town or "", village or "", name, sex or "", show_id(number) or "", class_words(grade, cls), left, reason,
             "；".join(people[cid]), free_text(plan, level), *tries.get(cid, (0, None)),
             f"已上报（{esc:%Y-%m-%d}）" if esc else "否", due)
        )  # fmt: skip
    out.sort(key=lambda r: (r[0], r[1], r[2]))
    return [(n, *r) for n, r in enumerate(out, 1)]


def monthly_report(
    session: Session, month: date | None = None, *, roll_rows: list[tuple[Any, ...]] | None = None
) -> list[tuple[Any, ...]]:
    """月报: per served village, the children and where they are, and the month's new and returned."""
    require(session, "cases.view")
    day = month or clock.today()
    first = day.replace(day=1)
    end = date.fromordinal(first.replace(day=28).toordinal() + 4).replace(day=1)  # the next month's first
    rows = roll_rows if roll_rows is not None else roll(session, on=day)
    tally: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in rows:
        key = (r[1], r[2])
        tally[key]["children"] += 1
        tally[key][r[11]] += 1
    of_age = _of_compulsory_age(session, day)
    for village, detail, number in session.execute(
        select(Problem.village, Problem.detail, func.coalesce(Problem.id_number, Problem.person_key)).where(
            Problem.kind == "NOT_ENROLLED", Problem.status != ProblemStatus.CLOSED
        )
    ):
        if not of_age(number):
            continue
        for key in tally:
            if key[1] == village and (detail or "").startswith(key[0]):
                tally[key]["suspect"] += 1
                break
    for town, village, opened_on, closed_on, outcome, status in session.execute(
        select(
            DropoutCase.township, DropoutCase.village, DropoutCase.opened_on, DropoutCase.closed_on,
            DropoutCase.outcome, DropoutCase.status,
        ).where(or_(DropoutCase.status == CaseStatus.OPEN, and_(DropoutCase.closed_on >= first)))
    ):  # fmt: skip
        key = (town or "", village or "")
        if key not in tally:
            continue
        if first <= opened_on < end:
            tally[key]["new"] += 1
        if status is CaseStatus.CLOSED and outcome == "复学" and closed_on and first <= closed_on < end:
            tally[key]["back"] += 1
    out = [
        (
            t,
            v,
            c["children"],
            c[IN_SCHOOL] + c["休学"],
            c[ELSEWHERE],
            c["suspect"],
            c[OUT],
            c["new"],
            c["back"],
        )
        for (t, v), c in sorted(tally.items())
    ]
    if out:
        out.append(("合计", "", *(sum(r[i] for r in out) for i in range(2, 9))))
    return out


def dropout_ledgers(
    session: Session, *, on: date | None = None, level: Level = Level.MASKED
) -> DropoutLedgers:
    day = on or clock.today()
    book = DropoutLedgers(on=day, month=f"{day.year}年{day.month}月")
    book.roll = roll(session, on=day, level=level)
    book.suspects = suspects(session, level=level, on=day)
    book.dropouts = dropouts(session, level=level, on=day)
    book.report = monthly_report(session, day, roll_rows=book.roll)
    return book
