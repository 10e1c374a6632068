"""What families answer on the 1222 letters' return slips, as findings:
- an objection on the aid letter's slip (受助告知书回执：有异议) — and a slip registered with one
  becomes a problem at once, without waiting for the next comparison;
- an application on the policy letter's slip (□符合、申请) from a family the school has not yet
  assessed this school year — the hardship assessment's to-do list (待认定).
Both stay while the data says so: an undone registration or a recorded assessment closes them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.models import HardshipAssessment, Student
from aidoffice.domain.terms import Term as TermValue
from aidoffice.privacy import free_text
from aidoffice.publicity.slips import Objection, applicants, objections
from aidoffice.reconcile.findings import Finding, side


def objection_finding(o: Objection, student: Student) -> Finding:
    # the parent's words as written, but with any ID, phone or card number in them masked: a finding's
    # text is printed in the problem list and `reconcile`'s detail
    said = free_text(o.text)
    return Finding(
        kind="AID_OBJECTION",
        person_key=student.person_key,
        name=student.name,
        id_number=student.id_number,
        student_id=student.id,
        scope=o.term,
        what=o.slip_code,
        rank=1,
        grade=student.grade,
        class_name=student.class_name,
        detail=f"{o.class_label} {student.name}：家长在受助告知书回执（{o.slip_code}）上提出异议：{said}",
        evidence={
            "left": side("学籍台账", student.name, student.id_number, o.class_label),
            "right": [
                side(
                    f"受助告知书回执 {o.slip_code}",
                    student.name,
                    None,
                    f"收回于 {o.received_at:%Y-%m-%d %H:%M}",
                    f"家长意见：{said}",
                )
            ],
            "columns": [["回执编号", o.slip_code, "text"], ["家长意见", said, "text"]],
        },
    )


def objection_findings(session: Session, term: str) -> list[Finding]:
    found = objections(session, term)
    if not found:
        return []
    students = {
        s.id: s for s in session.scalars(select(Student).where(Student.id.in_({o.student_id for o in found})))
    }
    return [objection_finding(o, students[o.student_id]) for o in found if o.student_id in students]


def applicant_findings(session: Session, term: str) -> list[Finding]:
    """Families that applied on the policy letter's slip and have no assessment this school year."""
    year = TermValue.parse(term).school_year
    found = [a for a in applicants(session, term) if a.received_at is not None]
    if not found:
        return []
    ids = {a.student_id for a in found}
    assessed = set(
        session.scalars(
            select(HardshipAssessment.student_id).where(
                HardshipAssessment.school_year == year, HardshipAssessment.student_id.in_(ids)
            )
        )
    )
    students = {s.id: s for s in session.scalars(select(Student).where(Student.id.in_(ids)))}
    out = []
    for a in found:
        st = students.get(a.student_id)
        if st is None or st.id in assessed:
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
                detail=f"{a.class_label} {st.name}：家长在政策告知书回执（{a.code}）上勾选“符合、申请”，"
                f"{year}学年还没有家庭经济困难认定结果",
                evidence={
                    "left": side("学籍台账", st.name, st.id_number, a.class_label),
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
