"""What the roster page offers to choose from, as plain values: the paid policies (a policy family first,
split by stage and boarding by itself) and the current term (read, never made)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aidoffice.catalogue import load_catalogue
from aidoffice.ledgers.term_queries import read_current_term


@dataclass(frozen=True)
class RosterChoices:
    policies: list[tuple[str, str]]  # (what the combo shows, policy or family code)
    term: str  # the current term's code


def roster_choices(session: Session) -> RosterChoices:
    cat = load_catalogue(session)
    items = [(f"{f.name}（按学段和住宿自动分项）", f.code) for f in cat.families.values()]
    items += [(p.name, p.code) for p in cat.policies.values() if p.paid]
    return RosterChoices(items, read_current_term(session).code)
