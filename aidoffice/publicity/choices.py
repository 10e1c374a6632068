"""What the letter form and the batches list offer, as plain values (the CLI and the GUI read the same):
the terms (the current one read, never made), the grades with their classes, a student of each stage
for the template preview (of the head teacher's own classes), the settings; the batches made so far."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.access.checks import scope_students
from aidoffice.db.models import PublicityBatch, Student, StudentStatus
from aidoffice.ledgers.student_queries import classes_by_grade
from aidoffice.ledgers.term_queries import term_choices
from aidoffice.publicity.common import MATERIAL_NAMES
from aidoffice.publicity.content import grade_name
from aidoffice.publicity.settings import PublicitySettings, read_settings


@dataclass(frozen=True)
class LetterChoices:
    terms: list[str]
    current: str
    grades: list[tuple[str, list[str]]]  # (年级 name, classes)
    sample_student: dict[str, int]  # stage → a student id of that stage (for the template preview)
    settings: PublicitySettings


def letter_choices(session: Session) -> LetterChoices:
    terms = term_choices(session)
    stages = dict(session.execute(select(Student.grade, Student.stage).distinct()).all())
    grades = [
        (grade_name(stages.get(g, "primary"), g), names)
        for g, names in sorted(classes_by_grade(session).items())
    ]
    sample: dict[str, int] = {}
    for stage, sid in session.execute(
        scope_students(  # a head teacher previews with a student of their own class
            session, select(Student.stage, Student.id).where(Student.status == StudentStatus.ENROLLED)
        ).order_by(Student.id)
    ):
        sample.setdefault(stage, sid)
    return LetterChoices(terms.codes, terms.current, grades, sample, read_settings(session))


@dataclass(frozen=True)
class BatchRow:
    id: int
    kind: str
    term: str
    scope: str
    actor: str
    at: str
    pages: int
    items: int
    file_name: str
    fingerprint: str


def recent_batches(session: Session, limit: int = 500) -> list[BatchRow]:
    """The batches made, the newest first."""
    rows = session.scalars(select(PublicityBatch).order_by(PublicityBatch.id.desc()).limit(limit))
    return [
        BatchRow(b.id, MATERIAL_NAMES.get(b.kind, b.kind), b.term_code or "", b.scope, b.actor,
                 f"{b.at:%Y-%m-%d %H:%M}", b.pages, b.items, b.file_name, b.fingerprint)
        for b in rows
    ]  # fmt: skip
