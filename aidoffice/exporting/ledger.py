"""The two ledgers as workbooks: 学籍台账 (one row per student) and 户籍台账 (village summary and one
row per school-age child by household).

Each walks one streamed query (memory flat in the rows, cost linear in them), shows sensitive fields
through `aidoffice.privacy` (masked unless the full numbers were asked for), writes cells through
`sheets.cells` (no formula from a user's text, no control character), and records the export in
the audit trail; the file appears under its name only when that record commits."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aidoffice.access.checks import allowed, require, scope_students
from aidoffice.db.audit import record
from aidoffice.db.models import (
    STATUS_NAMES,
    Award,
    GroupMembership,
    PriorityGroup,
    Student,
    award_stands,
)
from aidoffice.domain.grades import STAGES, make_grade
from aidoffice.domain.idnumber import age_on
from aidoffice.files import check_target, publish_on_commit, temp_beside
from aidoffice.ledgers.school import require_school
from aidoffice.ledgers.student_queries import StudentFilter, groups_of, page_query
from aidoffice.ledgers.term_queries import read_current_term
from aidoffice.ledgers.villages import LISTED, STUDENTS, school_age, village_books, village_tree
from aidoffice.privacy import Field, Level, show, shower
from aidoffice.progress import Progress, Throttled, no_progress
from aidoffice.sheets.workbook import Column, StandardWorkbook

CHUNK = 2000

SCHOOL_COLUMNS = [
    Column("序号", 6),
    Column("姓名", 10),
    Column("性别", 5),
    Column("身份证件号", 21, text=True),
    Column("全国学籍号", 22, text=True),
    Column("出生日期", 11),
    Column("学段", 6),
    Column("年级", 8),
    Column("班级", 7),
    Column("学生状态", 8),
    Column("住宿情况", 8),
    Column("户籍乡镇", 10),
    Column("户籍村", 10),
    Column("监护人", 10),
    Column("联系电话", 13, text=True),
    Column("重点群体", 22),
    Column("本学期资助金额", 12, number_format="#,##0.00"),
]
VILLAGE_COLUMNS = [
    Column("乡镇", 10),
    Column("村", 10),
    Column("户编号", 11, text=True),
    Column("户主", 9),
    Column("姓名", 10),
    Column("与户主关系", 9),
    Column("性别", 5),
    Column("身份证件号", 21, text=True),
    Column("年龄", 5),
    Column("就读学校及年级", 26),
    Column("重点群体儿童", 9),
    Column("所属群体", 22),
    Column("本学期是否受助", 10),
]
GROUP_NOTES = {STUDENTS: "（未对应到户，按学籍户口所在地）", LISTED: "（部门名单，未在户籍台账中）"}
SUMMARY_COLUMNS = [
    Column("乡镇", 10),
    Column("村", 12),
    Column("户数", 8),
    Column("学龄儿童", 9),
    Column("在本校就读", 10),
    Column("重点群体儿童", 12),
    Column("本学期受助", 10),
    Column("在外就读（已核实）", 12),
]


@dataclass
class ExportResult:
    path: str
    rows: int
    masked: bool = False  # numbers masked (asked for, or the account may not export full ones)
    masked_for_role: bool = False  # full numbers were asked for, the account may not: masked instead


def stream(session: Session, query: Select, chunk: int = CHUNK) -> Iterator[Sequence[Any]]:
    """The query's rows in chunks, read as they are needed (a server-side cursor on PostgreSQL). Run
    on the session's connection as a Core statement: the rows are plain columns, and the ORM's
    per-row bookkeeping cost a tenth of the export."""
    result = session.connection().execute(query.execution_options(stream_results=True, max_row_buffer=chunk))
    yield from result.partitions(chunk)


def active_group_names(session: Session) -> dict[str, tuple[str, ...]]:
    """Every person's active group names, in the catalogue's order, in one streamed query. Built
    straight into shared tuples (most people have one group), so it stays small beside the rows."""
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    out: dict[str, tuple[str, ...]] = {}
    key, names = None, []
    query = (
        select(GroupMembership.person_key, PriorityGroup.name)
        .join(PriorityGroup, PriorityGroup.code == GroupMembership.group_code)
        .where(GroupMembership.active.is_(True))
        .order_by(GroupMembership.person_key, PriorityGroup.sort_order)
    )
    for rows in stream(session, query, 20_000):
        for person, name in rows:
            if person != key:
                if key is not None:
                    out[key] = shared.setdefault(t := tuple(names), t)
                key, names = person, []
            if name not in names:
                names.append(name)
    if key is not None:
        out[key] = shared.setdefault(t := tuple(names), t)
    return out


def _export(
    session: Session,
    out: str | Path,
    entity: str,
    what: str,
    full: bool,
    fill: Callable[[StandardWorkbook], int],
    purpose: str | None = None,
) -> ExportResult:
    """Record who exported what (flushed first: a database that cannot record refuses the export),
    fill the workbook into a temporary file, and publish it when the record commits."""
    target = check_target(out, (".xlsx",))
    entry = record(
        session,
        "export",
        entity,
        f"导出{what}到 {target.name}"
        + (
            (f"（含完整证件号，用途：{purpose}）" if purpose else "（含完整证件号，未说明用途）")
            if full
            else ""
        ),
        {"file": str(target), "full_id_numbers": full} | ({"purpose": purpose} if purpose else {}),
    )
    session.flush()
    with StandardWorkbook() as book:
        rows = fill(book)
        entry.after = {**(entry.after or {}), "rows": rows}
        tmp = temp_beside(target)
        try:
            book.save(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    publish_on_commit(session, tmp, target)
    return ExportResult(str(target), rows)


def _require_export(session: Session, mask: bool) -> bool:
    """Exporting needs export.ledger; full ID, 学籍 and phone numbers need export.full_ids as well. An
    account without it (a county viewer) exports the masked ledger, as the manual says: True when the
    export is to be masked."""
    require(session, "export.ledger")
    return mask or not allowed(session, "export.full_ids")


def export_school_ledger(
    session: Session,
    out: str | Path,
    *,
    mask: bool = False,
    purpose: str | None = None,
    progress: Progress = no_progress,
) -> ExportResult:
    asked_full = not mask
    mask = _require_export(session, mask)
    school = require_school(session)
    term = read_current_term(session)
    level = Level.MASKED if mask else Level.FULL
    total = session.scalar(scope_students(session, select(func.count()).select_from(Student))) or 0
    report = Throttled(progress, total, CHUNK, "导出学籍台账")
    # the term's amounts joined to the stream: one aggregate, not a subquery per student, nor a dict
    amounts = (
        select(Award.student_id.label("student_id"), func.sum(Award.amount).label("amount"))
        .where(Award.term_id == term.id, award_stands())
        .group_by(Award.student_id)
        .subquery()
    )
    # the birth date as its ISO text: no date object made only to be formatted back
    query = scope_students(
        session,
        page_query(StudentFilter(), "grade", birth_as_text=True)
        .add_columns(amounts.c.amount)
        .outerjoin(amounts, amounts.c.student_id == Student.id),
    )
    groups = active_group_names(session)
    grade_names: dict[tuple[int, str], str] = {}
    id_of, no_of, birth_of, phone_of = (
        shower(f, level) for f in (Field.ID_NUMBER, Field.STUDENT_NO, Field.BIRTH_DATE, Field.PHONE)
    )
    status_names = {s: STATUS_NAMES[s] for s in STATUS_NAMES}

    def fill(book: StandardWorkbook) -> int:
        ws = book.sheet("学籍台账", f"{school.name} 学籍台账（{term.code}）", SCHOOL_COLUMNS)
        append = ws.append
        n = 0
        for rows in stream(session, query):
            for (_sid, name, sex, id_number, student_no, grade_no, stage, class_name, status, boarding, town,
                 village, guardian, phone, birth, key, amount) in rows:  # fmt: skip
                n += 1
                grade = grade_names.get((grade_no, stage))
                if grade is None:
                    grade = grade_names[(grade_no, stage)] = make_grade(grade_no, stage == "vocational").name
                names = groups.get(key)
                append(
                    [
                        n, name, sex, id_of(id_number), no_of(student_no), birth_of(birth), STAGES.get(stage, stage),
                        grade, class_name, status_names[status], "住校" if boarding else "走读", town, village,
                        guardian, phone_of(phone), "、".join(names) if names else None,
                        float(amount) if amount else None,
                    ]
                )  # fmt: skip
            report(n)
        return n

    result = _export(
        session, out, "student", "学籍台账", not mask, fill, (purpose or "").strip()[:100] or None
    )
    result.masked, result.masked_for_role = mask, mask and asked_full
    progress(result.rows, result.rows, "完成")
    return result


def export_village_ledger(
    session: Session,
    out: str | Path,
    *,
    mask: bool = False,
    purpose: str | None = None,
    progress: Progress = no_progress,
) -> ExportResult:
    asked_full = not mask
    mask = _require_export(session, mask)
    require(session, "villages.view")
    school = require_school(session)
    term = read_current_term(session)
    ages = school_age(school)
    level = Level.MASKED if mask else Level.FULL
    tree = village_tree(session, term, ages)
    books = village_books(session, term, ages)
    total = sum(v.children for t in tree for v in t.villages)
    report = Throttled(progress, total, CHUNK, "导出户籍台账")

    def fill(book: StandardWorkbook) -> int:
        summary = book.sheet(
            "村汇总", f"{school.name} 户籍台账 村汇总（{term.code}，{ages[0]}—{ages[1]}岁）", SUMMARY_COLUMNS
        )
        for town in tree:
            for v in town.villages:
                summary.append(
                    [
                        town.name,
                        v.name,
                        v.households,
                        v.children,
                        v.in_school,
                        v.priority,
                        v.aided,
                        v.elsewhere,
                    ]
                )
        ws = book.sheet("学龄儿童", f"{school.name} 户籍台账 学龄儿童名单（{term.code}）", VILLAGE_COLUMNS)
        n = 0
        for b in books:
            people = [(g, p) for g in b.groups for p in g.people if p.school_age]
            groups = groups_of(session, [p.key for _g, p in people if p.key])
            for g, p in people:
                n += 1
                if p.student is not None:
                    school_text = p.student.describe()
                else:
                    school_text = p.school_name or p.schooling or "未登记"
                household = g.kind == "household"
                ws.append(
                    [
                        b.township,
                        b.name,
                        g.household_no if household else None,
                        g.head_name if household else GROUP_NOTES[g.kind],
                        p.name,
                        p.relation,
                        p.sex,
                        show(Field.ID_NUMBER, p.id_number, level),
                        age_on(p.birth_date, term.starts_on) if p.birth_date else None,
                        school_text,
                        "是" if p.priority else "否",  # what the 村汇总 sheet counts
                        "、".join(groups.get(p.key or "", ())) or None,  # also 留守, 随迁 …
                        ("是" if p.aided else "否") if p.student is not None else None,
                    ]
                )
                report(n)
        return n

    result = _export(
        session,
        out,
        "household",
        "户籍台账（学龄儿童）",
        not mask,
        fill,
        (purpose or "").strip()[:100] or None,
    )
    result.masked, result.masked_for_role = mask, mask and asked_full
    progress(result.rows, result.rows, "完成")
    return result
