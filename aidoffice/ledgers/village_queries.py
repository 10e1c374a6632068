"""What the village ledger's screen opens with, as plain values the CLI and the GUI can both use: the
summary tree for the current term (read, never written: `ledgers.term_queries`), the school's age range,
whether the served villages are confirmed, and the school's students who live outside them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aidoffice.ledgers.places import Outside, served_confirmed, students_outside
from aidoffice.ledgers.school import require_school
from aidoffice.ledgers.term_queries import CurrentTerm, read_current_term
from aidoffice.ledgers.villages import TownshipSummary, school_age, village_tree


@dataclass(frozen=True)
class VillageOverview:
    tree: list[TownshipSummary]
    term: CurrentTerm
    ages: tuple[int, int]
    served_confirmed: bool
    outside: Outside


def village_overview(session: Session) -> VillageOverview:
    term = read_current_term(session)
    ages = school_age(require_school(session))
    return VillageOverview(
        village_tree(session, term, ages), term, ages, served_confirmed(session), students_outside(session)
    )
