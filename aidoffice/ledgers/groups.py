"""Group memberships as the facts eligibility reads: who is in which priority group, from which source
(roster flag, outside list, school assessment), since when, with which status."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.models import GroupMembership, PersonLink
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
    _linked_facts(session, out, None if keys is None else set(wanted), cols)
    return out


def _linked_facts(
    session: Session, out: dict[str, list[GroupFact]], wanted: set[str] | None, cols: tuple
) -> None:
    """A department's list with the child's ID mistyped, sent back to be corrected (请更正): meanwhile
    that list's memberships under the mistyped number count for the number on the school's records."""
    query = select(PersonLink.from_key, PersonLink.to_key, PersonLink.source_label)
    links = [link for link in session.execute(query) if wanted is None or link.to_key in wanted]
    if not links:
        return
    by_from: dict[str, list[tuple[str, str]]] = {}
    for from_key, to_key, label in links:
        by_from.setdefault(from_key, []).append((to_key, label))
    keys = list(by_from)
    for i in range(0, len(keys), _CHUNK):
        for row in session.execute(select(*cols).where(GroupMembership.person_key.in_(keys[i : i + _CHUNK]))):
            fact = _fact(tuple(row))
            for to_key, label in by_from[row[0]]:
                if fact.source_label == label:
                    out.setdefault(to_key, []).append(fact)
