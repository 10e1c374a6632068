"""What the comparison page and the problem list offer to choose from, as plain values (the CLI and the
GUI read the same): the terms (the current one read, never made), the kinds, grades, classes and
villages that occur in the list, the priority groups, the resolutions and each term's recoveries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from aidoffice.catalogue import load_catalogue
from aidoffice.ledgers.term_queries import term_choices
from aidoffice.reconcile.kinds import rules
from aidoffice.reconcile.problem_queries import filter_choices
from aidoffice.reconcile.problems import RecoverySummary, recovery_summaries


@dataclass(frozen=True)
class ProblemChoices:
    terms: list[str]  # codes, the newest first
    current: str
    kinds: list[str]
    grades: list[int]
    classes: list[str]
    villages: list[str]
    groups: list[tuple[str, str]]  # (code, name)
    resolutions: tuple[str, ...]
    recoveries: dict[str, RecoverySummary] = field(default_factory=dict)  # 收回 by term


def problem_choices(session: Session) -> ProblemChoices:
    found = filter_choices(session)
    terms = term_choices(session)
    return ProblemChoices(
        terms=terms.codes,
        current=terms.current,
        kinds=found["kinds"],
        grades=found["grades"],
        classes=found["classes"],
        villages=found["villages"],
        groups=[(code, g.name) for code, g in load_catalogue(session).groups.items()],
        resolutions=rules().resolutions,
        recoveries=recovery_summaries(session),
    )
