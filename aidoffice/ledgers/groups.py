"""Group memberships as the facts eligibility reads: who is in which priority group, from which source
(roster flag, outside list, school assessment), since when, with which status."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.models import GroupMembership
from aidoffice.domain.policies import GroupFact

_CHUNK = 900  # under SQLite's bound-parameter limit


def _fact(m: tuple) -> GroupFact:  # type: ignore[type-arg]
    _key, group, kind, label, known_on, active, status = m
    return GroupFact(group, kind, label, known_on, bool(active), status)


def group_facts(session: Session, keys: Iterable[str] | None = None) -> dict[str, list[GroupFact]]:
    """Every membership (qualifying or lapsed) per person_key; all people when `keys` is None."""
    cols = (
        GroupMembership.person_key,
        GroupMembership.group_code,
        GroupMembership.source_kind,
        GroupMembership.source_label,
        GroupMembership.known_on,
        GroupMembership.active,
        GroupMembership.status,
    )
    out: dict[str, list[GroupFact]] = {}
    if keys is None:
        batches = [session.execute(select(*cols))]
    else:
        wanted = list(dict.fromkeys(k for k in keys if k))
        batches = [
            session.execute(select(*cols).where(GroupMembership.person_key.in_(wanted[i : i + _CHUNK])))
            for i in range(0, len(wanted), _CHUNK)
        ]
    for rows in batches:
        for row in rows:
            out.setdefault(row[0], []).append(_fact(tuple(row)))
    return out
