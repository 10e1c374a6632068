"""What the import form offers, as plain values: the priority groups (a list's default category) and the
policies (an award list's default policy)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.models import Policy, PriorityGroup


@dataclass(frozen=True)
class ImportChoices:
    groups: list[tuple[str, str]]  # (code, name) in the catalogue's order
    policies: list[tuple[str, str]]  # (code, name)


def import_choices(session: Session) -> ImportChoices:
    groups = session.execute(
        select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.sort_order)
    )
    policies = session.execute(select(Policy.code, Policy.name).order_by(Policy.id))
    return ImportChoices([(c, n) for c, n in groups], [(c, n) for c, n in policies])
