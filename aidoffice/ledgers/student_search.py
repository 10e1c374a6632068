"""Picking a student by name, initials or ID (the ledger's search), every status counted: a student who
has left still has a trail. The label carries the masked ID only (aidoffice.privacy)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aidoffice.db.models import Student
from aidoffice.domain.grades import make_grade
from aidoffice.ledgers.student_queries import StudentFilter, scoped
from aidoffice.privacy import mask_id


@dataclass(frozen=True)
class StudentChoice:
    id: int
    label: str  # 张三　七年级1班　1306**********0014


def student_choices(session: Session, text: str, limit: int = 50) -> list[StudentChoice]:
    q = scoped(session, StudentFilter(search=text)).with_only_columns(
        Student.id, Student.name, Student.grade, Student.stage, Student.class_name, Student.id_number
    )
    rows = session.execute(q.order_by(Student.name_sort, Student.id).limit(limit)).all()
    return [
        StudentChoice(
            r.id,
            f"{r.name}　{make_grade(r.grade, r.stage == 'vocational').name}{r.class_name}　{mask_id(r.id_number or '')}",
        )
        for r in rows
    ]
