"""A need a family raised on a visit made a problem in the problem list (问题清单), so it is followed
up and ticked off (销号) like the comparison's findings. The problem's scope is "visit": no comparison
run looks at it again, so a re-run never closes it as “数据已更正”."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.casework.visits import require_own_family
from aidoffice.db.models import Household, HouseholdMember, Problem, ProblemNote, Student, Visit
from aidoffice.domain.text import typed_text
from aidoffice.errors import FieldProblem, NotFound, ValidationError
from aidoffice.privacy import free_text
from aidoffice.reconcile.findings import Finding
from aidoffice.reconcile.problems import record_finding

KIND = "VISIT_NEED"
SCOPE = "visit"


def raise_need(session: Session, visit_id: int, text: str | None = None) -> Problem:
    """Make the needs of visit `visit_id` (or `text`, when given) a problem; the visit names it.
    A second call for the same visit returns the same problem."""
    require(session, "visits.record")
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"找不到编号为 {visit_id} 的走访记录，请刷新。")
    require_own_family(
        session,
        session.get(Household, visit.household_id) if visit.household_id else None,
        session.get(Student, visit.student_id) if visit.student_id else None,
    )
    if visit.problem_id is not None:
        existing = session.get(Problem, visit.problem_id)
        if existing is not None:
            return existing
    need = typed_text(text or visit.needs)
    if not need:
        raise ValidationError(
            [FieldProblem("反映的需求", "这次联系没有记录需求，请先填写需求再转入问题清单")]
        )
    student = session.get(Student, visit.student_id) if visit.student_id else None
    if student is None and visit.household_id:
        student = session.scalars(
            select(Student)
            .join(HouseholdMember, HouseholdMember.student_id == Student.id)
            .where(HouseholdMember.household_id == visit.household_id)
            .order_by(Student.id)
            .limit(1)
        ).first()
    person_key = student.person_key if student else f"household:{visit.household_id or 0}"
    finding = Finding(
        kind=KIND,
        person_key=person_key,
        name=(student.name if student else visit.family_name)[:50],
        detail=(
            f"{visit.visited_on:%Y-%m-%d} {visit.teacher}{visit.way}（{visit.family_name}家）："
            f"{free_text(need)}"
        ),
        id_number=student.id_number if student else None,
        student_id=student.id if student else None,
        scope=SCOPE,
        what=f"visit:{visit.id}",
        rank=1,
        grade=student.grade if student else None,
        class_name=student.class_name if student else None,
        evidence={"visit_id": visit.id, "teacher": visit.teacher, "way": visit.way},
    )
    problem = record_finding(session, finding)
    visit.problem_id = problem.id
    session.add(
        ProblemNote(
            problem_id=problem.id,
            at=clock.now(),
            actor=session.info.get("actor") or visit.recorded_by,
            action="note",
            text=f"由{visit.teacher}的{visit.way}记录转入",
        )
    )
    session.flush()
    return problem
