"""学籍台账 queries: filtered, searched and sorted lists of students for the table, the exports and
the choices of the filter bar. Tables fetch the ordered ids of a filter once and then rows by id (a
deep page costs what the first page costs)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from aidoffice.access.checks import require, scope_students
from aidoffice.db.models import (
    GroupMembership,
    PriorityGroup,
    SourceKind,
    Student,
    StudentStatus,
    Township,
    Village,
)
from aidoffice.domain.grades import parse_class
from aidoffice.domain.text import strip_all_spaces


@dataclass
class StudentFilter:
    grade: int | None = None
    class_name: str | None = None
    status: StudentStatus | None = None
    group: str | None = None  # a priority-group code
    township_id: int | None = None
    village_id: int | None = None
    boarding: bool | None = None
    search: str = ""


class StudentRow(NamedTuple):
    id: int
    name: str
    sex: str | None
    id_number: str | None
    student_no: str | None
    grade: int
    stage: str
    class_name: str
    status: StudentStatus
    boarding: bool
    township: str | None
    village: str | None
    guardian_name: str | None
    guardian_phone: str | None
    birth_date: date | None
    groups: tuple[str, ...] = ()


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix(column, prefix: str):  # type: ignore[no-untyped-def]
    """`column` starts with the lower-case ASCII `prefix`, as a range the column's index answers
    (LIKE 'zs%' scans every row on SQLite)."""
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def search_condition(text: str):  # type: ignore[no-untyped-def]
    """Digits: the end of the ID or student number. Letters: pinyin initials or full pinyin. Else: a
    part of the name."""
    text = strip_all_spaces(text)
    if not text:
        return None
    if re.fullmatch(r"[0-9xX]+", text):
        pattern = "%" + _like_escape(text.upper())
        return or_(
            Student.id_number.like(pattern, escape="\\"), Student.student_no.like(pattern, escape="\\")
        )
    if re.fullmatch(r"[A-Za-z]+", text):
        return or_(_prefix(Student.name_initials, text.lower()), _prefix(Student.name_pinyin, text.lower()))
    if re.fullmatch(r"[GJLgjl][0-9xX]+", text):
        return Student.student_no == text.upper()
    return Student.name.like("%" + _like_escape(text) + "%", escape="\\")


def active_group_members(group_code: str):  # type: ignore[no-untyped-def]
    return select(GroupMembership.person_key).where(
        GroupMembership.group_code == group_code, GroupMembership.active.is_(True)
    )


def filtered(f: StudentFilter) -> Select:
    q = select(Student.id)
    conds = []
    if f.grade is not None:
        conds.append(Student.grade == f.grade)
    if f.class_name:
        conds.append(Student.class_name == parse_class(f.class_name))
    if f.status is not None:
        conds.append(Student.status == f.status)
    if f.boarding is not None:
        conds.append(Student.boarding.is_(f.boarding))
    if f.village_id is not None:
        conds.append(Student.village_id == f.village_id)
    if f.township_id is not None:
        conds.append(Student.village_id.in_(select(Village.id).where(Village.township_id == f.township_id)))
    if f.group:
        if f.group == "*priority":
            priority_codes = select(PriorityGroup.code).where(PriorityGroup.priority.is_(True))
            conds.append(
                Student.person_key.in_(
                    select(GroupMembership.person_key).where(
                        GroupMembership.group_code.in_(priority_codes), GroupMembership.active.is_(True)
                    )
                )
            )
        else:
            conds.append(Student.person_key.in_(active_group_members(f.group)))
    if (cond := search_condition(f.search)) is not None:
        conds.append(cond)
    return q.where(and_(*conds)) if conds else q


SORTS: dict[str, tuple] = {
    "name": (Student.name_sort,),
    "sex": (Student.sex,),
    "id_number": (Student.id_number,),
    "student_no": (Student.student_no,),
    # length first, so 2班 comes before 10班
    "grade": (Student.grade, func.length(Student.class_name), Student.class_name),
    "class_name": (Student.grade, func.length(Student.class_name), Student.class_name),
    "status": (Student.status,),
    "boarding": (Student.boarding,),
    "village": (Township.name, Village.name),
    "guardian_name": (Student.guardian_name,),
    "guardian_phone": (Student.guardian_phone,),
    "birth_date": (Student.birth_date,),
}


def scoped(session: Session, f: StudentFilter) -> Select:
    """`filtered(f)` for the acting user: needs students.view; a head teacher's own classes only."""
    require(session, "students.view")
    return scope_students(session, filtered(f))


def count_students(session: Session, f: StudentFilter) -> int:
    return session.scalar(select(func.count()).select_from(scoped(session, f).subquery())) or 0


_ROW_COLUMNS = (
    Student.id,
    Student.name,
    Student.sex,
    Student.id_number,
    Student.student_no,
    Student.grade,
    Student.stage,
    Student.class_name,
    Student.status,
    Student.boarding,
    # the village the student is linked to; else the place as the 学籍 export wrote it (another county,
    # or a place that could not be split), so the table and the export show it as it is
    Township.name.label("township"),
    func.coalesce(Village.name, Student.hukou_address).label("village"),
    Student.guardian_name,
    Student.guardian_phone,
    Student.birth_date,
    Student.person_key,
)


_BIRTH = 14  # the position of Student.birth_date in _ROW_COLUMNS


def _order(sort: str, descending: bool) -> list:  # type: ignore[type-arg]
    keys = SORTS.get(sort, SORTS["grade"])
    order = [k.desc() if descending else k.asc() for k in keys]
    if sort != "name":
        order.append(Student.name_sort)
    order.append(Student.id)
    return order


def page_query(
    f: StudentFilter, sort: str = "grade", descending: bool = False, *, birth_as_text: bool = False
) -> Select:
    """Every column of the table's rows, filtered and sorted: the exporters stream it in one pass.
    `birth_as_text`: the birth date as 'YYYY-MM-DD' text rather than a date."""
    columns = list(_ROW_COLUMNS)
    if birth_as_text:
        columns[_BIRTH] = cast(Student.birth_date, String)
    query = select(*columns)
    conds = filtered(f).whereclause
    if conds is not None:  # the whole ledger needs no subquery of its own ids
        query = query.where(conds)
    return (
        query.outerjoin(Village, Village.id == Student.village_id)
        .outerjoin(Township, Township.id == Village.township_id)
        .order_by(*_order(sort, descending))
    )


def _ordered(session: Session, f: StudentFilter, sort: str, descending: bool) -> Select:
    q = scoped(session, f)
    if sort == "village":
        q = q.outerjoin(Village, Village.id == Student.village_id).outerjoin(
            Township, Township.id == Village.township_id
        )
    return q.order_by(*_order(sort, descending))


def ordered_ids(
    session: Session, f: StudentFilter, sort: str = "grade", descending: bool = False
) -> list[int]:
    """The ids of the students a filter selects, in display order: what a table fetches once. Run as
    a Core statement: the ORM's per-row work would triple the time for 100,000 plain integers."""
    return [row[0] for row in session.connection().execute(_ordered(session, f, sort, descending))]


def first_rows(
    session: Session, f: StudentFilter, sort: str = "grade", descending: bool = False, limit: int = 200
) -> tuple[int, list[StudentRow]]:
    """How many students the filter selects and the first `limit` rows: what a table paints first,
    while the whole id list is still on its way."""
    ids = [
        row[0] for row in session.connection().execute(_ordered(session, f, sort, descending).limit(limit))
    ]
    return count_students(session, f), rows_by_ids(session, ids)


def rows_by_ids(session: Session, ids: list[int]) -> list[StudentRow]:
    """The table rows of `ids`, in the order given (ids no longer in the ledger are left out)."""
    require(session, "students.view")
    if not ids:
        return []
    rows = session.execute(
        scope_students(
            session,
            select(*_ROW_COLUMNS)
            .outerjoin(Village, Village.id == Student.village_id)
            .outerjoin(Township, Township.id == Village.township_id)
            .where(Student.id.in_(ids)),
        )
    ).all()
    groups = groups_of(session, [r[-1] for r in rows])
    by_id = {r[0]: StudentRow(*r[:-1], groups=groups.get(r[-1], ())) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def groups_of(session: Session, keys: list[str]) -> dict[str, tuple[str, ...]]:
    """Active group names per person, priority groups first."""
    if not keys:
        return {}
    rows = session.execute(
        select(GroupMembership.person_key, PriorityGroup.name)
        .join(PriorityGroup, PriorityGroup.code == GroupMembership.group_code)
        .where(GroupMembership.person_key.in_(keys), GroupMembership.active.is_(True))
        .order_by(PriorityGroup.sort_order)
    )
    out: dict[str, list[str]] = {}
    for key, name in rows:
        names = out.setdefault(key, [])
        if name not in names:
            names.append(name)
    return {k: tuple(v) for k, v in out.items()}


def fetch_page(
    session: Session, f: StudentFilter, offset: int, limit: int, sort: str = "grade", descending: bool = False
) -> list[StudentRow]:
    """A slice of the sorted list (for scripts and tests; tables keep the id list and fetch by id)."""
    return rows_by_ids(session, ordered_ids(session, f, sort, descending)[offset : offset + limit])


@dataclass(frozen=True)
class FilterChoices:
    """What the filter bar of the student ledger offers."""

    classes: dict[int, list[str]]  # grade → class names in numeric order
    groups: list[tuple[str, str]]  # (code, name), in the catalogue's order
    villages: list[tuple[int, str, str]]  # (id, township, village)


def filter_choices(session: Session) -> FilterChoices:
    return FilterChoices(
        classes=classes_by_grade(session),
        groups=[
            (code, name)
            for code, name in session.execute(
                select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.sort_order)
            )
        ],
        villages=[
            (vid, town, name)
            for vid, town, name in session.execute(
                select(Village.id, Township.name, Village.name)
                .join(Township)
                .order_by(Township.name, Village.name)
            )
        ],
    )


def classes_by_grade(session: Session) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = session.execute(
        scope_students(session, select(Student.grade, Student.class_name).distinct().order_by(Student.grade))
    )
    for grade, class_name in rows:
        out.setdefault(grade, []).append(class_name)
    for names in out.values():
        names.sort(key=lambda n: (int(m[1]) if (m := re.match(r"(\d+)", n)) else 999, n))
    return out


def student_groups(session: Session, student: Student) -> list[tuple[str, str, SourceKind, str, date, bool]]:
    """Every membership of a student: (code, group name, source kind, source label, known on, active)."""
    rows = session.execute(
        select(GroupMembership, PriorityGroup.name)
        .join(PriorityGroup, PriorityGroup.code == GroupMembership.group_code)
        .where(GroupMembership.person_key == student.person_key)
        .order_by(PriorityGroup.sort_order)
    )
    return [(m.group_code, name, m.source_kind, m.source_label, m.known_on, m.active) for m, name in rows]


def roster_groups(session: Session, key: str) -> set[str]:
    return set(
        session.scalars(
            select(GroupMembership.group_code).where(
                GroupMembership.person_key == key, GroupMembership.source_kind == SourceKind.ROSTER
            )
        )
    )
