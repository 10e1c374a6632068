"""The policy catalogue and the priority groups, loaded from resources/policies/*.toml into the
database. Loading adds what is missing and leaves the office's own edits alone."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.models import Policy, PriorityGroup
from aidoffice.domain.money import parse_amount, split_annual
from aidoffice.paths import resources_dir


def policies_dir() -> Path:
    return resources_dir() / "policies"


def read_groups(path: Path | None = None) -> list[dict[str, Any]]:
    data = tomllib.loads((path or policies_dir() / "groups.toml").read_text("utf-8"))
    return data["group"]


def read_policies(path: Path | None = None) -> list[dict[str, Any]]:
    data = tomllib.loads((path or policies_dir() / "catalogue.toml").read_text("utf-8"))
    return data["policy"]


def load_catalogue(session: Session) -> tuple[int, int]:
    """Insert groups and policies not yet in the database; returns (groups added, policies added)."""
    have_groups = set(session.scalars(select(PriorityGroup.code)))
    added_groups = 0
    for order, g in enumerate(read_groups()):
        if g["code"] not in have_groups:
            session.add(
                PriorityGroup(
                    code=g["code"],
                    name=g["name"],
                    priority=bool(g.get("priority", True)),
                    sort_order=order,
                    description=g.get("description"),
                )
            )
            added_groups += 1
    have_policies = set(session.scalars(select(Policy.code)))
    added_policies = 0
    for p in read_policies():
        if p["code"] in have_policies:
            continue
        session.add(
            Policy(
                code=p["code"],
                name=p["name"],
                stage=p["stage"],
                boarding=p.get("boarding", "any"),
                eligible_groups=list(p.get("eligible_groups", [])),
                amount_rule={"amounts": p["amounts"]},
                letter_text=p.get("letter_text"),
            )
        )
        added_policies += 1
    session.flush()
    return added_groups, added_policies


@dataclass(frozen=True)
class Standard:
    """The amount rule of a policy in force on a date."""

    kind: str
    annual: Decimal | None
    per_day: Decimal | None
    tiers: dict[str, Decimal]

    def per_term(self, tier: str | None = None) -> Decimal | None:
        if self.kind == "fixed" and self.annual is not None:
            return split_annual(self.annual)
        if self.kind == "tiered":
            annual = self.tiers.get(tier) if tier else self.annual
            return split_annual(annual) if annual is not None else None
        return None


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def standard_on(policy: Policy, day: date) -> Standard | None:
    """The amount of `policy` valid on `day`, or None when no amount is in force then."""
    for amount in policy.amount_rule.get("amounts", []):
        start, end = _as_date(amount.get("from")), _as_date(amount.get("to"))
        if (start is None or start <= day) and (end is None or day <= end):
            tiers = {k: parse_amount(v) for k, v in amount.get("tiers", {}).items()}
            annual = amount.get("annual") or amount.get("average")
            return Standard(
                kind=amount["kind"],
                annual=parse_amount(annual) if annual is not None else None,
                per_day=parse_amount(amount["per_day"]) if "per_day" in amount else None,
                tiers=tiers,
            )
    return None
