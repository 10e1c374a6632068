"""The hardship-assessment workbook (认定表) as an import kind: 姓名, 身份证件号 or 全国学籍号, 认定级别,
认定时间, 认定人, 认定原因 …, each row recorded as `ledgers.assessments.record_assessment` would. It goes
through the one import pipeline (`importing.service`): read, header, screening, plan, apply. Columns
the file lacks come from the options (the school year defaults to today's)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.models import HardshipAssessment, Student
from aidoffice.domain.idnumber import id_from_student_no, normalize_student_no
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import InputRefused
from aidoffice.importing.report import Action, ImportReport, Outcome, Repeats
from aidoffice.importing.rows import DataRow
from aidoffice.ledgers.assessments import LEVEL_NAMES, check_school_year, parse_level, record_assessment
from aidoffice.progress import Progress, no_progress
from aidoffice.sheets.cleaning import CleaningError, parse_date, read_id_cell, text
from aidoffice.sheets.readers import Table


@dataclass
class _Planned:
    row: int
    student_id: int
    school_year: str
    level: str
    decided_on: date
    decided_by: str
    note: str | None


@dataclass
class AssessmentsPlan:
    items: list[_Planned]
    today: date


def plan_assessments(
    session: Session,
    report: ImportReport,
    rows: Iterable[DataRow],
    *,
    school_year: str | None,
    decided_on: date | None,
    decided_by: str | None,
    today: date,
) -> None:
    fields = report.layout.fields
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
    report.payload = AssessmentsPlan(planned, today)


def apply_assessments(session: Session, report: ImportReport[AssessmentsPlan], batch_id: int | None) -> None:
    plan = report.payload
    for p in plan.items:
        record_assessment(
            session, p.student_id, p.school_year, p.level, p.decided_on, p.decided_by, p.note,
            batch_id=batch_id, today=plan.today,
        )  # fmt: skip


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
) -> ImportReport:
    """The assessment workbook through `run_import`, in the caller's transaction: all or nothing."""
    from aidoffice.importing.service import ImportOptions, run_import

    options = ImportOptions(
        "assessments",
        sheet=sheet,
        today=today,
        school_year=school_year,
        decided_on=decided_on,
        decided_by=decided_by,
    )
    return run_import(session, path, options, dry_run=dry_run, progress=progress, table=table)
