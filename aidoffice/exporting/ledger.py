"""The two ledgers as workbooks: 学籍台账 (one row per student) and 户籍台账 (village summary and one
row per school-age child by household)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice.db.audit import record
from aidoffice.db.models import (
    STATUS_NAMES,
    Award,
    Household,
    HouseholdMember,
    Student,
    Township,
    Village,
)
from aidoffice.domain.grades import STAGES, make_grade
from aidoffice.domain.idnumber import age_on
from aidoffice.files import atomic_path, check_target
from aidoffice.ledgers.school import current_term, require_school
from aidoffice.ledgers.students import StudentFilter, groups_of, page_query
from aidoffice.ledgers.villages import birth_bounds, school_age, village_tree
from aidoffice.privacy import mask_id
from aidoffice.progress import Progress, Throttled, no_progress

SCHOOL_COLUMNS = [
    ("序号", 6),
    ("姓名", 10),
    ("性别", 5),
    ("身份证件号", 21),
    ("全国学籍号", 22),
    ("出生日期", 11),
    ("学段", 6),
    ("年级", 8),
    ("班级", 7),
    ("学生状态", 8),
    ("住宿情况", 8),
    ("户籍乡镇", 10),
    ("户籍村", 10),
    ("监护人", 10),
    ("联系电话", 13),
    ("重点群体", 22),
    ("本学期资助金额", 12),
]
VILLAGE_COLUMNS = [
    ("乡镇", 10),
    ("村", 10),
    ("户编号", 11),
    ("户主", 9),
    ("姓名", 10),
    ("与户主关系", 9),
    ("性别", 5),
    ("身份证件号", 21),
    ("年龄", 5),
    ("就读学校及年级", 26),
    ("重点群体", 22),
    ("本学期是否受助", 10),
]
SUMMARY_COLUMNS = [
    ("乡镇", 10),
    ("村", 12),
    ("户数", 8),
    ("学龄儿童", 9),
    ("在本校就读", 10),
    ("重点群体儿童", 12),
    ("本学期受助", 10),
]

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass
class ExportResult:
    path: str
    rows: int


def _sheet(wb: Workbook, title: str, heading: str, columns: list[tuple[str, int]]):  # type: ignore[no-untyped-def]
    ws = wb.create_sheet(title)
    for i, (_, width) in enumerate(columns):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A3"
    title_cell = WriteOnlyCell(ws, heading)
    title_cell.font = Font(bold=True, size=14)
    ws.append([title_cell])
    header = []
    for name, _ in columns:
        cell = WriteOnlyCell(ws, name)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    return ws


def _text(ws, value):  # type: ignore[no-untyped-def]
    """ID numbers as text, so Excel never turns them into 1.30624E+17."""
    cell = WriteOnlyCell(ws, value)
    cell.number_format = "@"
    return cell


def _save(
    session: Session,
    wb: Workbook,
    out: str | Path,
    entity: str,
    what: str,
    rows: int,
    mask: bool,
    progress: Progress,
) -> ExportResult:
    """Write the workbook into place and record who exported what, with or without full ID numbers."""
    with atomic_path(out) as tmp:
        wb.save(tmp)
    record(
        session,
        "export",
        entity,
        f"导出{what} {rows} 行到 {Path(out).name}",
        {"file": str(out), "rows": rows, "full_id_numbers": not mask},
    )
    progress(rows, rows, "完成")
    return ExportResult(str(out), rows)


def export_school_ledger(
    session: Session, out: str | Path, *, mask: bool = False, progress: Progress = no_progress
) -> ExportResult:
    check_target(out, (".xlsx",))
    school = require_school(session)
    term = current_term(session)
    total = session.scalar(select(func.count()).select_from(Student)) or 0
    report = Throttled(progress, total, 2000, "导出学籍台账")
    amounts = dict(
        session.execute(
            select(Award.student_id, func.sum(Award.amount))
            .where(Award.term_id == term.id)
            .group_by(Award.student_id)
        ).all()
    )
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "学籍台账", f"{school.name} 学籍台账（{term.code}）", SCHOOL_COLUMNS)
    n = 0
    batch = 2000
    query = page_query(StudentFilter(), "grade")
    while True:
        rows = session.execute(query.offset(n).limit(batch)).all()
        if not rows:
            break
        groups = groups_of(session, [r.person_key for r in rows])
        for r in rows:
            n += 1
            ident = mask_id(r.id_number) if mask else r.id_number
            ws.append(
                [
                    n,
                    r.name,
                    r.sex,
                    _text(ws, ident),
                    _text(ws, r.student_no),
                    r.birth_date.isoformat() if r.birth_date else None,
                    STAGES.get(r.stage, r.stage),
                    make_grade(r.grade, r.stage == "vocational").name,
                    r.class_name,
                    STATUS_NAMES[r.status],
                    "住校" if r.boarding else "走读",
                    r[10],
                    r[11],
                    r.guardian_name,
                    _text(ws, r.guardian_phone),
                    "、".join(groups.get(r.person_key, ())),
                    float(amounts.get(r.id, Decimal(0))) or None,
                ]
            )
            report(n)
    return _save(session, wb, out, "student", "学籍台账", n, mask, progress)


def export_village_ledger(
    session: Session, out: str | Path, *, mask: bool = False, progress: Progress = no_progress
) -> ExportResult:
    check_target(out, (".xlsx",))
    school = require_school(session)
    term = current_term(session)
    ages = school_age(school)
    tree = village_tree(session, term, ages)
    wb = Workbook(write_only=True)
    summary = _sheet(
        wb, "村汇总", f"{school.name} 户籍台账 村汇总（{term.code}，{ages[0]}—{ages[1]}岁）", SUMMARY_COLUMNS
    )
    for town in tree:
        for v in town.villages:
            summary.append([town.name, v.name, v.households, v.children, v.in_school, v.priority, v.aided])
    earliest, latest = birth_bounds(term.starts_on, ages)
    rows = session.execute(
        select(
            Township.name,
            Village.name,
            Household.household_no,
            Household.head_name,
            HouseholdMember,
            Student.grade,
            Student.stage,
            Student.class_name,
            Student.status,
            Student.id,
        )
        .join(Village, Village.township_id == Township.id)
        .join(Household, Household.village_id == Village.id)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .outerjoin(Student, Student.id == HouseholdMember.student_id)
        .where(HouseholdMember.birth_date >= earliest, HouseholdMember.birth_date <= latest)
        .order_by(
            Township.code,
            Township.name,
            Village.code,
            Village.name,
            Household.household_no,
            HouseholdMember.id,
        )
    ).all()
    aided = set(session.scalars(select(Award.student_id).where(Award.term_id == term.id)))
    groups = groups_of(session, [r[4].person_key for r in rows if r[4].person_key])
    ws = _sheet(wb, "学龄儿童", f"{school.name} 户籍台账 学龄儿童名单（{term.code}）", VILLAGE_COLUMNS)
    report = Throttled(progress, len(rows), 2000, "导出户籍台账")
    for n, (town, village, hh_no, head, m, grade, stage, class_name, status, sid) in enumerate(rows, 1):
        if sid is not None:
            school_text = f"本校 {make_grade(grade, stage == 'vocational').name}{class_name}"
            if status.value != "enrolled":
                school_text += f"（{STATUS_NAMES[status]}）"
        else:
            school_text = m.school_name or m.schooling or "未登记"
        ident = mask_id(m.id_number) if mask else m.id_number
        ws.append(
            [
                town,
                village,
                _text(ws, hh_no),
                head,
                m.name,
                m.relation,
                m.sex,
                _text(ws, ident),
                age_on(m.birth_date, term.starts_on),
                school_text,
                "、".join(groups.get(m.person_key or "", ())),
                ("是" if sid in aided else "否") if sid is not None else "",
            ]
        )
        report(n)
    return _save(session, wb, out, "household", "户籍台账（学龄儿童）", len(rows), mask, progress)
