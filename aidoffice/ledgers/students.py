"""学籍台账 writes: adding, editing, transferring out, marking dropouts, linking to a household.

Every change goes through these functions inside a unit of work; the audit listener records it. The
rules live in `student_rules`, the queries in `student_queries`."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require, require_class, require_student
from aidoffice.db.models import (
    STATUS_NAMES,
    GroupMembership,
    Household,
    HouseholdMember,
    SourceKind,
    Student,
    StudentStatus,
)
from aidoffice.domain.grades import make_grade
from aidoffice.domain.idnumber import person_key
from aidoffice.domain.pinyin import initials_key, pinyin_key, sort_key
from aidoffice.errors import FieldProblem, NotFound, ValidationError
from aidoffice.ledgers.places import link_student_place
from aidoffice.ledgers.student_rules import (
    ROSTER_LABEL,
    StudentInput,
    check_student_values,
    clean_student,
)

__all__ = ["ROSTER_LABEL", "StudentInput", "check_student_values", "clean_student"]  # used by the importer


def validate_student(
    session: Session, data: StudentInput, *, student_id: int | None = None, today: date | None = None
) -> dict[str, Any]:
    """Check a record against the rules and the ledger and return the cleaned column values; raise
    ValidationError listing every problem."""
    v, problems = clean_student(data, today)
    id_number, student_no, name = v["id_number"], v["student_no"], v["name"]
    key = person_key(id_number, student_no)
    if key:
        clash_conditions = [Student.person_key == key]
        if id_number:
            clash_conditions.append(Student.id_number == id_number)
        if student_no:
            clash_conditions.append(Student.student_no == student_no)
        q = select(Student).where(or_(*clash_conditions))
        if student_id is not None:
            q = q.where(Student.id != student_id)
        other = session.scalars(q.limit(1)).first()
        if other is not None:
            problems.append(
                FieldProblem(
                    "身份证件号",
                    f"已登记在学生“{other.name}”（{make_grade(other.grade, other.stage == 'vocational').name}"
                    f"{other.class_name}）名下，同一证件号不能登记两次",
                )
            )
    if problems:
        raise ValidationError(problems)
    v["name_pinyin"] = pinyin_key(name)
    v["name_sort"] = sort_key(name)
    v["name_initials"] = initials_key(name)
    return v


def roster_membership(key: str, group: str, today: date) -> GroupMembership:
    """A flag of the 学籍 export or the student form: this student is in `group`, as of `today`."""
    return GroupMembership(
        person_key=key,
        group_code=group,
        source_kind=SourceKind.ROSTER,
        source_label=ROSTER_LABEL,
        known_on=today,
        active=True,
    )


def _set_roster_groups(session: Session, key: str, groups: set[str], today: date) -> None:
    existing = {
        m.group_code: m
        for m in session.scalars(
            select(GroupMembership).where(
                GroupMembership.person_key == key, GroupMembership.source_kind == SourceKind.ROSTER
            )
        )
    }
    for code in groups - existing.keys():
        session.add(roster_membership(key, code, today))
    for code in existing.keys() - groups:
        session.delete(existing[code])


def add_student(session: Session, school_id: int, data: StudentInput, today: date | None = None) -> Student:
    require(session, "students.edit")
    today = today or clock.today()
    values = validate_student(session, data, today=today)
    require_class(session, "students.edit", values["grade"], values["class_name"])
    student = Student(school_id=school_id, status=StudentStatus.ENROLLED, **values)
    session.add(student)
    link_student_place(session, student)
    if data.roster_groups:
        _set_roster_groups(session, values["person_key"], set(data.roster_groups), today)
    session.flush()
    return student


def get_student(session: Session, student_id: int) -> Student:
    """One student, for a role that may view students (a head teacher: of their own classes)."""
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(f"找不到编号为 {student_id} 的学生，可能已被他人删除，请刷新。")
    require_student(session, "students.view", student)
    return student


def update_student(
    session: Session, student_id: int, data: StudentInput, today: date | None = None
) -> Student:
    today = today or clock.today()
    student = get_student(session, student_id)
    require_student(session, "students.edit", student)
    values = validate_student(session, data, student_id=student_id, today=today)
    require_class(session, "students.edit", values["grade"], values["class_name"])
    old_key = student.person_key
    for name, value in values.items():
        if getattr(student, name) != value:
            setattr(student, name, value)
    link_student_place(session, student)
    if old_key != student.person_key:
        rekey_student(session, student, old_key)
        from aidoffice.ledgers.assessments import sync_assessment_facts  # the assessments follow too

        sync_assessment_facts(session, student)
    if data.roster_groups is not None:
        _set_roster_groups(session, student.person_key, set(data.roster_groups), today)
    session.flush()
    return student


def rekey_student(session: Session, student: Student, old_key: str) -> None:
    """The student's identity changed (an ID number replaced a temporary student number): the roster
    flags and household links follow; outside lists keep the number they were given."""
    for m in session.scalars(
        select(GroupMembership).where(
            GroupMembership.person_key == old_key, GroupMembership.source_kind == SourceKind.ROSTER
        )
    ):
        m.person_key = student.person_key
    for link in student.household_links:
        link.person_key = student.person_key
        link.id_number = student.id_number


def _change_status(
    session: Session,
    student_id: int,
    status: StudentStatus,
    on: date | None,
    note: str | None,
    allowed_from: set[StudentStatus],
) -> Student:
    student = get_student(session, student_id)
    require_student(session, "students.edit", student)
    if student.status not in allowed_from:
        raise ValidationError(
            [
                FieldProblem(
                    "学生状态",
                    f"{student.name}当前为“{STATUS_NAMES[student.status]}”，不能改为“{STATUS_NAMES[status]}”",
                )
            ]
        )
    student.status = status
    student.status_changed_on = on or clock.today()
    student.status_note = (note or "").strip() or None
    session.flush()
    return student


def transfer_out(
    session: Session,
    student_id: int,
    on: date | None = None,
    destination: str | None = None,
    *,
    from_dropout: bool = False,
) -> Student:
    """转出: the student stays in the ledger with status 转出, the date and where to. A dropout is
    brought back first — unless the dropout case closes because the child enrolled at another school
    with its confirmation (`from_dropout`, 控辍保学 结案“转学”)."""
    note = f"转往：{destination.strip()}" if destination and destination.strip() else None
    allowed = {StudentStatus.ENROLLED, StudentStatus.SUSPENDED}
    return _change_status(
        session,
        student_id,
        StudentStatus.TRANSFERRED_OUT,
        on,
        note,
        allowed | {StudentStatus.DROPPED_OUT} if from_dropout else allowed,
    )


def suspend(session: Session, student_id: int, on: date | None = None, note: str | None = None) -> Student:
    """休学 (因病缓学 with a certificate): the student keeps the school's record and is not out of school."""
    return _change_status(
        session,
        student_id,
        StudentStatus.SUSPENDED,
        on,
        note,
        {StudentStatus.ENROLLED, StudentStatus.DROPPED_OUT},
    )


def mark_dropout(
    session: Session, student_id: int, on: date | None = None, reason: str | None = None
) -> Student:
    """辍学: recorded with date and reason, so the dropout case work (控辍保学) can start from it."""
    return _change_status(
        session,
        student_id,
        StudentStatus.DROPPED_OUT,
        on,
        reason,
        {StudentStatus.ENROLLED, StudentStatus.SUSPENDED},
    )


def reinstate(session: Session, student_id: int, on: date | None = None, note: str | None = None) -> Student:
    """复学 / undo a transfer: back to 在读."""
    return _change_status(
        session,
        student_id,
        StudentStatus.ENROLLED,
        on,
        note,
        {StudentStatus.DROPPED_OUT, StudentStatus.SUSPENDED, StudentStatus.TRANSFERRED_OUT},
    )


def link_to_household(
    session: Session, student_id: int, household_id: int, relation: str | None = None
) -> HouseholdMember:
    """Tie a student to a registered household: the member row for the child (made if missing)
    points at the student, and the student's village becomes the household's."""
    student = get_student(session, student_id)
    require_student(session, "students.edit", student)
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound(f"找不到编号为 {household_id} 的户。")
    member = session.scalars(
        select(HouseholdMember).where(
            HouseholdMember.household_id == household_id,
            or_(HouseholdMember.student_id == student_id, HouseholdMember.person_key == student.person_key),
        )
    ).first()
    for old in session.scalars(
        select(HouseholdMember).where(
            HouseholdMember.student_id == student_id, HouseholdMember.household_id != household_id
        )
    ):
        old.student_id = None
    if member is None:
        member = HouseholdMember(
            household_id=household_id,
            name=student.name,
            id_number=student.id_number,
            person_key=student.person_key,
            sex=student.sex,
            birth_date=student.birth_date,
            relation=relation,
        )
        session.add(member)
    member.student_id = student.id
    if relation:
        member.relation = relation
    student.village_id = household.village_id
    session.flush()
    return member
