"""The school's details as the screens show them (plain values; the current term read, never made)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.domain.terms import Term as TermValue
from aidoffice.ledgers.school import get_school
from aidoffice.ledgers.term_queries import read_current_term


@dataclass(frozen=True)
class SchoolInfo:
    name: str
    code: str
    county: str
    term: str  # the current term's code
    calendar_term: str = ""  # the code of the term today falls in (differs when the office has not moved on)

    @property
    def behind(self) -> bool:
        """The calendar has moved past the current term: the office should move on (设置 → 学期)."""
        return bool(self.calendar_term) and self.calendar_term > self.term


def school_info(session: Session) -> SchoolInfo | None:
    """None before the first-run set-up."""
    school = get_school(session)
    if school is None:
        return None
    calendar = TermValue.containing(clock.today()).code
    return SchoolInfo(
        school.name, school.code or "", school.county or "", read_current_term(session).code, calendar
    )
