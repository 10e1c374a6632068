"""家庭经济困难学生认定: the school's own decision, per student and school year, of how hard-pressed
the family is (特别困难 / 比较困难 / 一般困难 / 不困难), with the date and who decided.

An assessment is one more dated source of group facts: it is filed as a GroupMembership of source
ASSESSMENT (group hardship_special / hardship_relative / hardship_general, known on the decision date,
labelled with its school year), so eligibility reads it through `group_facts` like any other fact.
An assessment counts for its own school year only (`facts_for_school_year`): a family's situation is
assessed again every autumn. Entered on the student form (`record_assessment`) or imported from the
workbook the school fills each autumn (`import_assessments`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.audit import record, start_batch
from aidoffice.db.models import GroupMembership, HardshipAssessment, SourceKind, Student
from aidoffice.domain.idnumber import id_from_student_no, normalize_student_no
from aidoffice.domain.policies import GroupFact
from aidoffice.domain.terms import InvalidTerm
from aidoffice.domain.terms import Term as TermValue
from aidoffice.domain.text import strip_all_spaces
from aidoffice.errors import FieldProblem, InputRefused, NotFound, ValidationError
from aidoffice.importing.report import Action, ImportReport, Outcome, Repeats
from aidoffice.importing.rows import data_rows, fill_merged
from aidoffice.importing.screening import screen_rows
from aidoffice.progress import Progress, no_progress
from aidoffice.sheets.cleaning import CleaningError, parse_date, read_id_cell, text
from aidoffice.sheets.headers import check_kind, find_layout
from aidoffice.sheets.kinds import ASSESSMENTS
from aidoffice.sheets.readers import Table, read_table

# 认定级别 as the national aid system names them → the group each one files (None: not difficult).
LEVELS: dict[str, tuple[str, str | None]] = {
    "special": ("特别困难", "hardship_special"),
    "relative": ("比较困难", "hardship_relative"),
    "general": ("一般困难", "hardship_general"),
    "none": ("不困难", None),
}
LEVEL_NAMES = {code: name for code, (name, _group) in LEVELS.items()}
LEVEL_GROUPS = {code: group for code, (_name, group) in LEVELS.items() if group}
_LABEL = "家庭经济困难认定（{year}学年）"
_LABEL_YEAR = re.compile(r"(\d{4}-\d{4})学年")
_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def assessment_label(school_year: str) -> str:
    """The source label of the group facts an assessment files: it names the school year."""
    return _LABEL.format(year=school_year)


def parse_level(value: object) -> str:
    """特别困难 / 比较困难 / 一般困难 / 不困难 in the spellings schools use → level code; raises
    ValueError with the Chinese reason. 特困 is refused: it is also the 特困供养 group."""
    s = strip_all_spaces(text(value))
    if not s:
        raise ValueError("认定级别为空")
    if s in LEVELS:
        return s
    if any(w in s for w in ("不困难", "非困难", "不属于", "无困难")) or s in ("否", "无", "不是"):
        return "none"
    if "特别" in s:
        return "special"
    if "比较" in s or s in ("较困难", "困难较大"):
        return "relative"
    if "一般" in s:
        return "general"
    raise ValueError(f"“{s}”不是认定级别，应为 特别困难、比较困难、一般困难 或 不困难")


def check_school_year(value: str) -> str:
    """`2026-2027` (also accepts `2026-2027学年` and a term code); raises ValueError."""
    s = strip_all_spaces(str(value or "")).removesuffix("学年").removesuffix("度")
    m = _YEAR.match(s)
    if m and int(m[2]) == int(m[1]) + 1:
        return s
    try:
        return TermValue.parse(s).school_year
    except InvalidTerm:
        raise ValueError(f"学年“{value}”应写作 2026-2027") from None


def facts_for_school_year(facts: Iterable[GroupFact], school_year: str) -> list[GroupFact]:
    """The facts that hold for `school_year`: an assessment of another school year is left out (a
    family is assessed again every autumn). Assessment facts whose label names no year are kept."""
    out = []
    for f in facts:
        if f.source_kind is SourceKind.ASSESSMENT:
            m = _LABEL_YEAR.search(f.source_label)
            if m and m[1] != school_year:
                continue
        out.append(f)
    return out


# ---- recording ---------------------------------------------------------------------------------


def record_assessment(
    session: Session,
    student_id: int,
    school_year: str,
    level: str,
    decided_on: date,
    decided_by: str,
    note: str | None = None,
    *,
    batch_id: int | None = None,
    today: date | None = None,
) -> HardshipAssessment:
    """Record (or change) the student's assessment for the school year; its group fact follows.
    Every change is an audited ORM write."""
    require(session, "students.edit")
    problems = []
    try:
        school_year = check_school_year(school_year)
    except ValueError as exc:
        problems.append(FieldProblem("学年", str(exc)))
    try:
        level = parse_level(level)
    except ValueError as exc:
        problems.append(FieldProblem("认定级别", str(exc)))
    decided_by = (decided_by or "").strip()
    if not decided_by:
        problems.append(FieldProblem("认定人", "不能为空，请写明由谁认定（如“学校资助工作领导小组”）"))
    if decided_on is None:
        problems.append(FieldProblem("认定时间", "不能为空"))
    elif decided_on > (today or clock.today()):
        problems.append(FieldProblem("认定时间", f"{decided_on:%Y-%m-%d} 晚于今天"))
    if problems:
        raise ValidationError(problems)
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(f"找不到编号为 {student_id} 的学生，可能已被他人删除，请刷新。")
    row = session.scalars(
        select(HardshipAssessment).where(
            HardshipAssessment.student_id == student_id, HardshipAssessment.school_year == school_year
        )
    ).first()
    values = {
        "level": level,
        "decided_on": decided_on,
        "decided_by": decided_by[:60],
        "note": (note or "").strip() or None,
    }
    if row is None:
        row = HardshipAssessment(
            student_id=student_id,
            person_key=student.person_key,
            school_year=school_year,
            batch_id=batch_id,
            **values,
        )
        session.add(row)
    else:
        for k, v in values.items():
            if getattr(row, k) != v:
                setattr(row, k, v)
    session.flush()
    sync_assessment_facts(session, student)
    return row


def sync_assessment_facts(session: Session, student: Student) -> None:
    """Make the ASSESSMENT group facts of a student exactly what the assessments say, under the
    student's current person key (a corrected ID number moves them)."""
    rows = list(
        session.scalars(select(HardshipAssessment).where(HardshipAssessment.student_id == student.id))
    )
    keys = {student.person_key, *(r.person_key for r in rows)}
    labels = {assessment_label(r.school_year): r for r in rows}
    existing = list(
        session.scalars(
            select(GroupMembership).where(
                GroupMembership.person_key.in_(keys),
                GroupMembership.source_kind == SourceKind.ASSESSMENT,
                GroupMembership.source_label.in_(list(labels)),
            )
        )
    )
    wanted = {
        (label, LEVEL_GROUPS[r.level]): r
        for label, r in labels.items()
        if LEVEL_GROUPS.get(r.level) is not None
    }
    kept = set()
    for m in existing:
        r = wanted.get((m.source_label, m.group_code))
        if r is None or m.person_key != student.person_key or (m.source_label, m.group_code) in kept:
            session.delete(m)
            continue
        kept.add((m.source_label, m.group_code))
        if m.known_on != r.decided_on:
            m.known_on = r.decided_on
        if m.status != LEVEL_NAMES[r.level]:
            m.status = LEVEL_NAMES[r.level]
        if not m.active:
            m.active = True
    session.flush()
    for (label, group), r in wanted.items():
        if (label, group) not in kept:
            session.add(
                GroupMembership(
                    person_key=student.person_key,
                    group_code=group,
                    source_kind=SourceKind.ASSESSMENT,
                    source_label=label,
                    known_on=r.decided_on,
                    status=LEVEL_NAMES[r.level],
                    active=True,
                    batch_id=r.batch_id,
                )
            )
    for r in rows:
        if r.person_key != student.person_key:
            r.person_key = student.person_key
    session.flush()


class AssessmentRow(NamedTuple):
    id: int
    school_year: str
    level: str
    level_name: str
    decided_on: date
    decided_by: str
    note: str | None


def assessments_of(session: Session, student_id: int) -> list[AssessmentRow]:
    """A student's assessments, the latest school year first (for the student form)."""
    return [
        AssessmentRow(r.id, r.school_year, r.level, LEVEL_NAMES[r.level], r.decided_on, r.decided_by, r.note)
        for r in session.scalars(
            select(HardshipAssessment)
            .where(HardshipAssessment.student_id == student_id)
            .order_by(HardshipAssessment.school_year.desc())
        )
    ]


# ---- importing the assessment workbook ------------------------------------------------------------


@dataclass
class _Planned:
    row: int
    student_id: int
    school_year: str
    level: str
    decided_on: date
    decided_by: str
    note: str | None


def import_assessments(
    session: Session,
    path: str | Path,
    *,
    school_year: str | None = None,
    decided_on: date | None = None,
    decided_by: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    today: date | None = None,
    progress: Progress = no_progress,
    table: Table | None = None,
    known: dict[str, str] | None = None,
) -> ImportReport:
    """Read the assessment workbook (姓名, 身份证件号 or 全国学籍号, 认定级别, 认定时间, 认定人, 认定原因 …)
    and record each row as `record_assessment` would, in the caller's transaction: all or nothing.
    Columns the file lacks come from the arguments (the school year defaults to today's)."""
    today = today or clock.today()
    require(session, "import.run")
    progress(0, 3, "正在读取文件")
    table = table if table is not None else read_table(path, sheet)
    layout = find_layout(table, ASSESSMENTS, known or {})  # known: columns the clerk placed (列对应)
    check_kind(layout, ASSESSMENTS, table)
    report = ImportReport(
        kind=ASSESSMENTS.code,
        kind_label=ASSESSMENTS.label,
        file=table.file,
        sheet=table.sheet,
        layout=layout,
        table=table,
    )
    report.notes.extend(layout.notes)
    for col in layout.unplaced:
        report.warn(None, col.header or None, f"{col.describe()}没有识别出是什么，未导入")
    fields = layout.fields
    level_field = "assessment_level" if "assessment_level" in fields else "category"
    try:
        default_year = (
            check_school_year(school_year) if school_year else TermValue.containing(today).school_year
        )
    except ValueError as exc:
        raise InputRefused(str(exc)) from None
    if "school_year" not in fields and not school_year:
        report.notes.append(f"文件中没有“学年”列，按 {default_year} 学年记录")
    if "assessed_on" not in fields:
        if decided_on is None:
            decided_on = today
        report.notes.append(f"文件中没有“认定时间”列，认定时间记为 {decided_on:%Y-%m-%d}")
    default_by = (decided_by or "").strip() or "学校资助工作领导小组"
    if "assessed_by" not in fields and not decided_by:
        report.notes.append(f"文件中没有“认定人”列，认定人记为“{default_by}”")
    fill_merged(table, layout.data_start)
    # the same screening every import gets: control characters removed, Excel errors named, lengths
    rows = list(screen_rows(data_rows(table, layout), report, "assessments"))
    if not rows:
        raise InputRefused(
            f"表头（第 {layout.header_row_numbers} 行）下面没有数据行。", file=table.file, sheet=table.sheet
        )
    progress(1, 3, "正在核对每一行")
    by_id: dict[str, tuple[int, str]] = {}
    by_no: dict[str, tuple[int, str]] = {}
    for sid, name, id_number, student_no in session.execute(
        select(Student.id, Student.name, Student.id_number, Student.student_no)
    ):
        if id_number:
            by_id[id_number] = (sid, name)
        if student_no:
            by_no[student_no] = (sid, name)
    existing = {(r.student_id, r.school_year): r for r in session.scalars(select(HardshipAssessment))}
    # the same student twice for one school year: the later row is kept (the rule of every import)
    repeats: Repeats[_Planned] = Repeats("学生")
    for r in rows:
        c = r.cells
        out = Outcome(r.number, Action.NEW, name="".join(text(c.get("name")).split()))
        report.outcomes.append(out)
        for problem in r.problems:
            out.refuse(problem)
        if r.problems:
            continue
        number, mangled = read_id_cell(c.get("id_number"))
        student_no = normalize_student_no(c.get("student_no")) or None
        if mangled:
            number = id_from_student_no(student_no) or ""
            if number:
                report.warn(r.number, "身份证件号", "Excel 把证件号存成了数字，已按全国学籍号恢复")
        found = by_id.get(number) or by_no.get(student_no or "")
        out.key = number or student_no or ""
        if found is None:
            out.refuse(
                "没有证件号或学籍号，无法找到学生"
                if not out.key
                else "学籍台账中没有这个证件号（或学籍号）的学生，请先导入学籍或核对号码"
            )
            continue
        sid, ledger_name = found
        if out.name and out.name != ledger_name:
            report.warn(r.number, "姓名", f"认定表写“{out.name}”，学籍台账中此证件号的学生是“{ledger_name}”")
        try:
            level = parse_level(c.get(level_field))
        except ValueError as exc:
            out.refuse(str(exc))
            continue
        try:
            year = (
                check_school_year(text(c.get("school_year"))) if text(c.get("school_year")) else default_year
            )
        except ValueError as exc:
            out.refuse(str(exc))
            continue
        try:
            when = parse_date(c.get("assessed_on")) or decided_on
        except CleaningError as exc:
            out.refuse(f"认定时间：{exc}")
            continue
        if when is None:
            out.refuse("认定时间为空")
            continue
        if when > today:
            out.refuse(f"认定时间 {when:%Y-%m-%d} 晚于今天")
            continue
        who = text(c.get("assessed_by")) or default_by
        note = "；".join(filter(None, (text(c.get("assessment_reason")), text(c.get("notes"))))) or None
        key = (sid, year)
        out.changes = [f"{year}学年 {LEVEL_NAMES[level]}（{when:%Y-%m-%d}，{who}）"]
        old = existing.get(key)
        if old is not None:
            same = (old.level, old.decided_on, old.decided_by, old.note) == (level, when, who, note)
            if same:
                out.action = Action.UNCHANGED
            else:
                out.action = Action.UPDATED
                out.changes = [
                    f"{year}学年：{LEVEL_NAMES[old.level]}（{old.decided_on:%Y-%m-%d}）→ "
                    f"{LEVEL_NAMES[level]}（{when:%Y-%m-%d}，{who}）"
                ]
        item = _Planned(r.number, sid, year, level, when, who, note)
        repeats.add(
            key,
            out,
            item if out.action is not Action.UNCHANGED else None,
            shown=f"{ledger_name}的{year}学年认定",
        )
    planned = repeats.settle(report, "认定级别")
    report.outcomes.sort(key=lambda o: o.row)
    report.payload = planned
    if dry_run:
        progress(3, 3, "核对完成")
        return report
    progress(2, 3, "正在写入")
    session.info["audit_note"] = f"导入{ASSESSMENTS.label}：{report.file}"[:200]
    batch = start_batch(session, "assessments", file_name=report.file, sheet=report.sheet)
    for p in planned:
        record_assessment(
            session, p.student_id, p.school_year, p.level, p.decided_on, p.decided_by, p.note,
            batch_id=batch.id, today=today,
        )  # fmt: skip
    batch.rows = len(planned)
    record(
        session,
        "import",
        ASSESSMENTS.code,
        f"导入{ASSESSMENTS.label}：{report.file}",
        {
            "file": report.file,
            "rows_read": report.rows_read,
            "written": len(planned),
            "rejected": len(report.rejected),
        },
    )
    session.flush()
    report.applied = True
    progress(3, 3, "导入完成")
    return report
