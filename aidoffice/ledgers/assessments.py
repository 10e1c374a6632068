"""家庭经济困难学生认定: the school's own decision, per student and school year, of how hard-pressed
the family is (特别困难 / 比较困难 / 一般困难 / 不困难), with the date and who decided.

An assessment is one more dated source of group facts: it is filed as a GroupMembership of source
ASSESSMENT (group hardship_special / hardship_relative / hardship_general, known on the decision date,
labelled with its school year), so eligibility reads it through `group_facts` like any other fact.
An assessment counts for its own school year only (`facts_for_school_year`): a family's situation is
assessed again every autumn. Entered on the student form (`record_assessment`) or imported from the
workbook the school fills each autumn (`aidoffice.importing.assessments`, an import kind)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.models import GroupMembership, HardshipAssessment, SourceKind, Student
from aidoffice.domain.policies import GroupFact
from aidoffice.domain.terms import InvalidTerm
from aidoffice.domain.terms import Term as TermValue
from aidoffice.domain.text import strip_all_spaces
from aidoffice.errors import FieldProblem, NotFound, ValidationError
from aidoffice.sheets.cleaning import text

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
