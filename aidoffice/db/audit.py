"""The audit trail (留痕), written by one mechanism for every session: a listener that sees each flush
and each bulk ORM statement, so no service has to remember to record what it changed.

Who is acting comes from `session.info["actor"]` (set by the unit of work); the batch a change belongs
to (an imported file, a demo fill) from `session.info["batch_id"]` (see `start_batch`)."""

from __future__ import annotations

import enum
import getpass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from aidoffice import clock
from aidoffice.db.models import Audited, AuditEntry, ImportBatch

_SKIP = {"updated_at", "created_at", "name_pinyin", "name_initials", "name_sort", "person_key", "version"}


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some Windows service accounts
        return "unknown"


def actor_of(session: Session) -> str:
    """Who the audit trail names for work done in `session`: the signed-in account when there is one
    (whether or not the session has touched the database yet), else the actor the unit of work was
    opened for, else the operating-system login."""
    user = session.info.get("user")
    if user is not None:
        return user.login
    return session.info.get("actor") or default_actor()


def _account(value: Any) -> Any:
    """Bank and 社保卡 accounts are kept in the trail as their last four digits and a short hash: a
    change stays visible and checkable, the number itself does not spread (ID numbers are kept whole:
    they are the identity every change is traced by, and the trail is for administrators only)."""
    if not value:
        return value
    import hashlib

    digest = hashlib.sha256(str(value).encode()).hexdigest()[:10]
    return f"****{str(value)[-4:]} #{digest}"


_MASKED = {"bank_account": _account}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _values(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    loaded = state.dict
    return {
        a.key: _MASKED.get(a.key, _plain)(loaded[a.key])
        for a in state.mapper.column_attrs
        if a.key in loaded and a.key not in _SKIP
    }


def _entry(session: Session, action: str, obj: Any, before: Any, after: Any, note: str | None = None) -> dict:
    return {
        "at": clock.now(),
        "actor": actor_of(session),
        "action": action,
        "entity": obj.__tablename__,
        "entity_id": getattr(obj, "id", None),
        "before": before,
        "after": after,
        "note": note or session.info.get("audit_note"),
        "batch_id": session.info.get("batch_id"),
    }


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _flush_context: Any) -> None:
    rows = []
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(_entry(session, "insert", obj, None, _values(obj)))
    for obj in session.dirty:
        if not isinstance(obj, Audited) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        before, after = {}, {}
        for attr in state.mapper.column_attrs:
            if attr.key in _SKIP:
                continue
            hist = state.attrs[attr.key].history
            if hist.added or hist.deleted:
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                if old != new:
                    show = _MASKED.get(attr.key, _plain)
                    before[attr.key], after[attr.key] = show(old), show(new)
        if after:
            rows.append(_entry(session, "update", obj, before, after))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(_entry(session, "delete", obj, _values(obj), None))
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


@event.listens_for(Session, "do_orm_execute")
def _record_bulk(state: ORMExecuteState) -> None:
    """Bulk inserts/updates/deletes bypass the flush; record one entry per statement."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, Audited):
        return
    params = state.parameters
    count = len(params) if isinstance(params, list) else 1
    action = "bulk_insert" if state.is_insert else "bulk_update" if state.is_update else "bulk_delete"
    session = state.session
    note = session.info.get("audit_note") or f"{count} 条"
    session.connection().execute(
        insert(AuditEntry.__table__),
        [
            {
                "at": clock.now(),
                "actor": actor_of(session),
                "action": action,
                "entity": mapper.class_.__tablename__,
                "entity_id": None,
                "before": None,
                "after": {"rows": count} if state.is_insert else {"statement": str(state.statement)[:500]},
                "note": note,
                "batch_id": session.info.get("batch_id"),
            }
        ],
    )


def record(session: Session, action: str, entity: str, note: str, details: dict | None = None) -> AuditEntry:
    """Record an event that changes no row but must be traceable (an export with full ID numbers)."""
    entry = AuditEntry(
        at=clock.now(),
        actor=actor_of(session),
        action=action,
        entity=entity,
        entity_id=None,
        before=None,
        after=details,
        note=note[:200],
        batch_id=session.info.get("batch_id"),
    )
    session.add(entry)
    return entry


def start_batch(
    session: Session,
    kind: str,
    *,
    file_name: str | None = None,
    fingerprint: str | None = None,
    sheet: str | None = None,
    note: str | None = None,
) -> ImportBatch:
    """Open a batch: rows the caller creates should carry its id (`batch_id`), and every audit entry
    written in this session from now on names it, so any imported or generated row can be traced to
    the file (and its SHA-256), the person and the time."""
    batch = ImportBatch(
        kind=kind,
        file_name=(file_name or None) and file_name[:200],
        fingerprint=fingerprint,
        sheet=sheet,
        actor=actor_of(session),
        at=clock.now(),
        rows=0,
        note=(note or None) and note[:200],
    )
    session.add(batch)
    session.flush()
    session.info["batch_id"] = batch.id
    return batch
