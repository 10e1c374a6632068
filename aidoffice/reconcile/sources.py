"""Everything the comparison reads, in one pass per table, as plain tuples (no ORM objects: 50,000
students, 100,000 household members and 60,000 list rows must load in a second or two)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import String, exists, select, type_coerce
from sqlalchemy.orm import Session

from aidoffice.db.models import (
    Award,
    Household,
    HouseholdMember,
    ImportBatch,
    ListEntry,
    ListSnapshot,
    Recovery,
    RecoveryStatus,
    School,
    Student,
    StudentStatus,
    Township,
    Village,
)
from aidoffice.db.models import Term as TermRow
from aidoffice.domain.address import village_key as _village_key
from aidoffice.domain.policies import GroupFact
from aidoffice.ledgers.elsewhere import ElsewhereRow, elsewhere_for
from aidoffice.ledgers.groups import group_facts
from aidoffice.ledgers.places import PlaceIndex, served_village_ids


class StudentRec(NamedTuple):
    id: int
    person_key: str
    id_number: str | None
    student_no: str | None
    name: str
    birth_date: date | None
    stage: str
    grade: int
    class_name: str
    boarding: bool
    status: StudentStatus
    status_changed_on: date | None
    status_note: str | None
    enrolled_on: str | None
    village_id: int | None
    hukou_village: str | None


class MemberRec(NamedTuple):
    id: int
    name: str
    id_number: str | None
    birth_date: date | None
    student_id: int | None
    school_name: str | None
    schooling: str | None
    household_id: int
    village_id: int
    household_no: str | None
    head_name: str


class EntryRec(NamedTuple):
    id: int
    snapshot_id: int
    row: int
    id_number: str | None
    person_key: str
    name: str
    birth_date: date | None
    township: str | None
    village: str | None
    household_no: str | None
    group_code: str | None
    category: str | None
    status: str | None
    active: bool
    school_name: str | None
    schooling: str | None


class SnapshotRec(NamedTuple):
    id: int
    source_label: str
    list_kind: str
    known_on: date
    file_name: str


class AwardRec(NamedTuple):
    id: int
    student_id: int
    policy_id: int
    amount: Decimal
    paid_on: date | None
    batch: str | None
    batch_id: int | None
    batch_file: str | None


class VillageRec(NamedTuple):
    id: int
    name: str
    township: str


@dataclass
class Sources:
    students: list[StudentRec]
    members: list[MemberRec]
    snapshots: dict[int, SnapshotRec]  # the latest snapshot of each outside list
    entries: list[EntryRec]
    awards: list[AwardRec]  # of the term compared
    facts: dict[str, list[GroupFact]]
    villages: dict[int, VillageRec]
    elsewhere: dict[str, ElsewhereRow]
    counts: dict[str, int] = field(default_factory=dict)
    served: set[int] | None = None  # the villages the school serves (服务村); None: every village
    county: str | None = None  # the school's county: places elsewhere are in no village


def latest_snapshots(session: Session) -> dict[int, SnapshotRec]:
    """The newest snapshot of each source (by the list's own date, then by import order)."""
    best: dict[str, SnapshotRec] = {}
    order: dict[str, tuple[date, int]] = {}
    for row in session.execute(
        select(
            ListSnapshot.id,
            ListSnapshot.source_label,
            ListSnapshot.list_kind,
            ListSnapshot.known_on,
            ListSnapshot.file_name,
        )
    ):
        rec = SnapshotRec(*row)
        rank = (rec.known_on, rec.id)
        if rec.source_label not in order or rank > order[rec.source_label]:
            order[rec.source_label], best[rec.source_label] = rank, rec
    return {s.id: s for s in best.values()}


class _Days(dict):
    """Birth dates as SQLite hands them over (text), each distinct one read once: a district's
    200,000 records share a few thousand birthdays. PostgreSQL hands over dates already."""

    def __missing__(self, value: object) -> date | None:
        day = date.fromisoformat(value) if isinstance(value, str) else value
        self[value] = day
        return day  # type: ignore[return-value]


def _with_day(result: Any, index: int, make: Callable[..., Any], days: _Days) -> list[Any]:
    out = []
    for r in result.all():  # fetched in one call: iterating a result fetches row by row
        v = list(r)
        v[index] = days[v[index]]
        out.append(make(*v))
    return out


def _text(column: Any) -> Any:
    return type_coerce(column, String).label(column.key)


def load_sources(session: Session, term: TermRow) -> Sources:
    # Core statements on the session's connection: the ORM's per-row bookkeeping is not needed for
    # plain column tuples (a second of a 50,000-student district).
    conn = session.connection()
    school = session.scalars(select(School).order_by(School.id)).first()
    villages = {
        v_id: VillageRec(v_id, v_name, t_name)
        for v_id, v_name, t_name in session.execute(
            select(Village.id, Village.name, Township.name).join(Township, Township.id == Village.township_id)
        )
    }
    days = _Days()
    students = _with_day(
        conn.execute(
            select(
                Student.id,
                Student.person_key,
                Student.id_number,
                Student.student_no,
                Student.name,
                _text(Student.birth_date),
                Student.stage,
                Student.grade,
                Student.class_name,
                Student.boarding,
                Student.status,
                Student.status_changed_on,
                Student.status_note,
                Student.enrolled_on,
                Student.village_id,
                Student.hukou_village,
            ).order_by(Student.id)
        ),
        5,
        StudentRec,
        days,
    )
    members = _with_day(
        conn.execute(
            select(
                HouseholdMember.id,
                HouseholdMember.name,
                HouseholdMember.id_number,
                _text(HouseholdMember.birth_date),
                HouseholdMember.student_id,
                HouseholdMember.school_name,
                HouseholdMember.schooling,
                Household.id,
                Household.village_id,
                Household.household_no,
                Household.head_name,
            )
            .join(Household, Household.id == HouseholdMember.household_id)
            .order_by(HouseholdMember.id)
        ),
        3,
        MemberRec,
        days,
    )
    snapshots = latest_snapshots(session)
    entries = (
        _with_day(
            conn.execute(
                select(
                    ListEntry.id,
                    ListEntry.snapshot_id,
                    ListEntry.row,
                    ListEntry.id_number,
                    ListEntry.person_key,
                    ListEntry.name,
                    _text(ListEntry.birth_date),
                    ListEntry.township,
                    ListEntry.village,
                    ListEntry.household_no,
                    ListEntry.group_code,
                    ListEntry.category,
                    ListEntry.status,
                    ListEntry.active,
                    ListEntry.school_name,
                    ListEntry.schooling,
                )
                .where(ListEntry.snapshot_id.in_(list(snapshots)))
                .order_by(ListEntry.id)
            ),
            6,
            EntryRec,
            days,
        )
        if snapshots
        else []
    )
    awards = [
        AwardRec(*r)
        for r in conn.execute(
            select(
                Award.id,
                Award.student_id,
                Award.policy_id,
                Award.amount,
                Award.paid_on,
                Award.batch,
                Award.batch_id,
                ImportBatch.file_name,
            )
            .outerjoin(ImportBatch, ImportBatch.id == Award.batch_id)
            .where(Award.term_id == term.id)
            # money recovered (收回 recorded as done) is no longer aid; a recovery still to do is
            .where(~exists().where(Recovery.award_id == Award.id, Recovery.status == RecoveryStatus.DONE))
            .order_by(Award.id)
        ).all()
    ]
    facts = group_facts(session)
    return Sources(
        students=students,
        members=members,
        snapshots=snapshots,
        entries=entries,
        awards=awards,
        facts=facts,
        villages=villages,
        elsewhere=elsewhere_for(session),
        served=served_village_ids(session),
        county=school.county if school is not None else None,
        counts={
            "students": len(students),
            "household_members": len(members),
            "lists": len(snapshots),
            "list_rows": len(entries),
            "awards": len(awards),
        },
    )


@functools.lru_cache(maxsize=1 << 14)
def village_key(name: str | None) -> str:
    """How village names are compared: 黑崖沟, 黑崖沟村 and 黑崖沟村委会 are one village."""
    return _village_key(name)


class VillageIndex(PlaceIndex):
    """Places named in a list (乡镇 + 村, or 村 alone) → one of the villages given (ledgers.places)."""

    def __init__(self, villages: dict[int, VillageRec], county: str | None = None):
        super().__init__(((v.id, v.township, v.name) for v in villages.values()), county)
