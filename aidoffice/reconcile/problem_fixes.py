"""Fixing the cause from a problem (`fix_*`): through the audited services of the ledgers, closing the
problem with the matching resolution."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.models import (
    PriorityGroup,
    Problem,
    Student,
)
from aidoffice.domain.idnumber import InvalidIdNumber, normalize_id, parse_id
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import FieldProblem, ValidationError
from aidoffice.ledgers.assessments import LEVEL_NAMES, record_assessment, sync_assessment_facts
from aidoffice.ledgers.elsewhere import record_elsewhere
from aidoffice.ledgers.student_queries import roster_groups
from aidoffice.ledgers.student_rules import StudentInput
from aidoffice.ledgers.students import get_student, update_student
from aidoffice.privacy import mask_id
from aidoffice.reconcile.problem_actions import close_problem
from aidoffice.reconcile.problems import get_problem


def _student_of(session: Session, p: Problem, student_id: int | None) -> Student:
    sid = student_id or p.student_id
    if sid is None:
        raise ValidationError([FieldProblem("学生", "这个问题不涉及本校学籍台账中的学生")])
    return get_student(session, sid)


def fix_correct_id(
    session: Session,
    problem_id: int,
    new_id: str,
    *,
    student_id: int | None = None,
    who: str | None = None,
    note: str | None = None,
    today: date | None = None,
) -> Problem:
    """Correct the student's ID number (学籍台账) and close the problem as 已更正证件号. A 学籍号 of the
    form G + the old ID follows the new one; roster flags and assessment facts move with the key."""
    require(session, "students.edit")
    student = _student_of(session, get_problem(session, problem_id), student_id)
    old = student.id_number
    new = normalize_id(new_id)
    data = StudentInput.from_student(student)
    data.id_number = new
    try:  # sex and birth date read from the wrong number are read again from the right one
        was = parse_id(old) if old else None
    except InvalidIdNumber:
        was = None
    if was is not None:
        if data.sex == was.sex:
            data.sex = None
        if data.birth_date == was.birth_date:
            data.birth_date = None
    if student.student_no and old and student.student_no == "G" + old:
        data.student_no = "G" + new
    update_student(session, student.id, data, today)
    sync_assessment_facts(session, student)
    text = f"学籍台账中“{student.name}”的证件号由 {mask_id(old) or '（空）'} 更正为 {mask_id(new)}"
    return close_problem(
        session, problem_id, "已更正证件号", "；".join(filter(None, (text, note))), who, action="fix"
    )


def fix_record_elsewhere(
    session: Session,
    problem_id: int,
    school_name: str,
    verified_on: date,
    verified_by: str,
    *,
    place: str | None = None,
    note: str | None = None,
    who: str | None = None,
    today: date | None = None,
) -> Problem:
    """Record that the child studies at another school and close the problem as 已登记在外就读."""
    require(session, "households.edit")
    p = get_problem(session, problem_id)
    record_elsewhere(
        session,
        p.person_key,
        p.name,
        school_name,
        verified_on,
        verified_by,
        place=place,
        note=note,
        id_number=p.id_number,
        today=today,
    )
    text = f"核实在{school_name}就读（{place + '，' if place else ''}{verified_on:%Y-%m-%d}，{verified_by}）"
    return close_problem(session, problem_id, "已登记在外就读", text, who, action="fix")


def fix_add_assessment(
    session: Session,
    problem_id: int,
    level: str,
    decided_on: date,
    decided_by: str,
    *,
    school_year: str | None = None,
    note: str | None = None,
    who: str | None = None,
    today: date | None = None,
) -> Problem:
    """Record the school's hardship assessment the aid rests on and close the problem as 已补录认定."""
    require(session, "students.edit")
    p = get_problem(session, problem_id)
    student = _student_of(session, p, None)
    year = school_year or (TermValue.parse(p.scope).school_year if len(p.scope) == 11 else p.scope) or None
    if not year:
        year = TermValue.containing(today or clock.today()).school_year
    row = record_assessment(session, student.id, year, level, decided_on, decided_by, note, today=today)
    text = f"补录{year}学年认定：{LEVEL_NAMES[row.level]}（{decided_on:%Y-%m-%d}，{decided_by}）"
    return close_problem(session, problem_id, "已补录认定", text, who, action="fix")


# Groups a school records from a certificate it holds (the student form's flags); 脱贫、低保、特困 come
# only from the departments' lists (the national system accepts those flags only from confirmed lists).
SCHOOL_GROUPS = ("orphan", "no_carer", "disabled", "martyr")


def fix_add_roster_group(
    session: Session,
    problem_id: int,
    group_code: str,
    *,
    who: str | None = None,
    note: str | None = None,
    today: date | None = None,
) -> Problem:
    """Add the missing group to the student's record (孤儿, 残疾 … as the student form would) and close
    the problem as 已补登重点群体."""
    require(session, "students.edit")
    p = get_problem(session, problem_id)
    if group_code not in SCHOOL_GROUPS:
        raise ValidationError(
            [FieldProblem("重点群体", "脱贫家庭、监测对象、低保、特困等身份以相关部门的名单为准，请导入名单")]
        )
    student = _student_of(session, p, None)
    groups = roster_groups(session, student.person_key) | {group_code}
    update_student(session, student.id, StudentInput.from_student(student, roster_groups=groups), today)
    group = session.get(PriorityGroup, group_code)
    text = f"学籍台账中补登“{group.name if group else group_code}”"
    return close_problem(
        session, problem_id, "已补登重点群体", "；".join(filter(None, (text, note))), who, action="fix"
    )
