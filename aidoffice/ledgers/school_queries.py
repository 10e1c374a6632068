"""The school's details as the screens show them (plain values; the current term read, never made)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aidoffice.ledgers.school import get_school
from aidoffice.ledgers.term_queries import read_current_term


@dataclass(frozen=True)
class SchoolInfo:
    name: str
    code: str
    county: str
    term: str  # the current term's code


def school_info(session: Session) -> SchoolInfo | None:
    """None before the first-run set-up."""
    school = get_school(session)
    if school is None:
        return None
    return SchoolInfo(school.name, school.code or "", school.county or "", read_current_term(session).code)
