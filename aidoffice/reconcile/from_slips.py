"""What families answer on the 1222 letters' return slips, as findings:
- an objection on the aid letter's slip (受助告知书回执：有异议) — and a slip registered with one
  becomes a problem at once, without waiting for the next comparison;
- an application on the policy letter's slip (□符合、申请) from a family the school has not yet
  assessed this school year — the hardship assessment's to-do list (待认定).
Both stay while the data says so: an undone registration or a recorded assessment closes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.access.checks import require, scope_condition
from aidoffice.db.models import HardshipAssessment, Slip, Student, StudentStatus
from aidoffice.domain.pinyin import name_order
from aidoffice.domain.terms import Term as TermValue
from aidoffice.ledgers.school import ensure_term
from aidoffice.privacy import free_text
from aidoffice.reconcile.findings import Finding, side
from aidoffice.reconcile.matching import grade_label

NOTHING_WRITTEN = "家长在回执上勾选“有异议”（未写明内容），请联系家长核实"


def class_label(student: Student) -> str:
    return grade_label(student.grade, student.stage) + student.class_name


def _answered(session: Session, term: str, kind: str, answer: str) -> list[tuple[Slip, Student]]:
    """The returned slips of `kind` answered `answer` this term, of enrolled students the user sees."""
    require(session, "students.view")
    row = ensure_term(session, TermValue.parse(term))
    q = (
        select(Slip, Student)
        .join(Student, Student.id == Slip.student_id)
        .where(
            Slip.term_id == row.id,
            Student.status == StudentStatus.ENROLLED,
            Slip.kind == kind,
            Slip.answer == answer,
            Slip.received_at.is_not(None),
        )
    )
    mine = scope_condition(session)
    if mine is not None:
        q = q.where(mine)
    rows = [(slip, st) for slip, st in session.execute(q).all()]
    rows.sort(key=lambda r: (r[1].grade, r[1].class_name, name_order(r[1].name), r[0].kind))
    return rows


def _objection(student: Student, term: str, slip_code: str, **more: object) -> Finding:
    return Finding(
        kind="AID_OBJECTION",
        person_key=student.person_key,
        name=student.name,
        id_number=student.id_number,
        student_id=student.id,
        scope=term,
        what=slip_code,
        rank=1,
        grade=student.grade,
        class_name=student.class_name,
        **more,  # type: ignore[arg-type]
    )


def objection_identity(student: Student, term: str, slip_code: str) -> str:
    """The problem an objection on this slip became (to close it when the registration is undone)."""
    return _objection(student, term, slip_code, detail="").identity


def objection_finding(
    student: Student, term: str, slip_code: str, text: str | None, received_at: datetime
) -> Finding:
    # the parent's words as written, but with any ID, phone or card number in them masked: a finding's
    # text is printed in the problem list and `reconcile`'s detail
    said = free_text(text or NOTHING_WRITTEN)
    label = class_label(student)
    return _objection(
        student,
        term,
        slip_code,
        detail=f"{label} {student.name}：家长在受助告知书回执（{slip_code}）上提出异议：{said}",
        evidence={
            "left": side("学籍台账", student.name, student.id_number, label),
            "right": [
                side(
                    f"受助告知书回执 {slip_code}",
                    student.name,
                    None,
                    f"收回于 {received_at:%Y-%m-%d %H:%M}",
                    f"家长意见：{said}",
                )
            ],
            "columns": [["回执编号", slip_code, "text"], ["家长意见", said, "text"]],
        },
    )


def objection_findings(session: Session, term: str) -> list[Finding]:
    return [
        objection_finding(st, term, slip.code, slip.objection, slip.received_at)  # type: ignore[arg-type]
        for slip, st in _answered(session, term, "aid", "object")
    ]


def applicant_findings(session: Session, term: str) -> list[Finding]:
    """Families that applied on the policy letter's slip and have no assessment this school year."""
    year = TermValue.parse(term).school_year
    found = _answered(session, term, "policy", "apply")
    if not found:
        return []
    ids = {st.id for _, st in found}
    assessed = set(
        session.scalars(
            select(HardshipAssessment.student_id).where(
                HardshipAssessment.school_year == year, HardshipAssessment.student_id.in_(ids)
            )
        )
    )
    out = []
    for a, st in found:
        if st.id in assessed:
            continue
        out.append(
            Finding(
                kind="ASSESSMENT_PENDING",
                person_key=st.person_key,
                name=st.name,
                id_number=st.id_number,
                student_id=st.id,
                scope=year,
                what="slip",
                grade=st.grade,
                class_name=st.class_name,
                detail=f"{class_label(st)} {st.name}：家长在政策告知书回执（{a.code}）上勾选“符合、申请”，"
                f"{year}学年还没有家庭经济困难认定结果",
                evidence={
                    "left": side("学籍台账", st.name, st.id_number, class_label(st)),
                    "right": [
                        side(
                            f"政策告知书回执 {a.code}",
                            st.name,
                            None,
                            f"收回于 {a.received_at:%Y-%m-%d %H:%M}",
                            "家长勾选：符合、申请",
                        )
                    ],
                    "columns": [["回执编号", a.code, "text"]],
                },
            )
        )
    return out
