"""The audit trail's hash chain: each entry's `chain_hash` covers its content and the previous entry's
hash, so an entry edited or deleted behind the app's back (with an SQLite editor, or SQL on the
server) breaks the chain at that point, and `check` names the first entry that no longer fits.

Sealing happens at commit (a `before_commit` listener): the entries this transaction wrote — marked
with its `pending` token, see `models._audit_pending` — get the next sequence numbers and their hashes.
On PostgreSQL an advisory lock held until commit serializes sealing, so two clerks committing at the
same moment cannot fork the chain; on SQLite the transaction already holds the write lock. A row
inserted directly with SQL carries no token, is never sealed, and `check` reports it.

What this does not do: it has no secret key, so someone who edits the database *and* recomputes every
later hash goes undetected; the chain head is also kept in `app_setting` (and in each backup), which
catches the commoner case of entries simply deleted from the end."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from aidoffice.db.audit import record_bulk, record_flush
from aidoffice.db.models import AppSetting, AuditEntry

CHAIN_VERSION = 1
GENESIS = "0" * 64
HEAD_KEY = "audit_chain_head"
_PG_LOCK = 0x61696463  # "aidc": the advisory lock that serializes sealing on PostgreSQL

_t = AuditEntry.__table__
CONTENT = (_t.c.id, _t.c.at, _t.c.actor, _t.c.action, _t.c.entity, _t.c.entity_id, _t.c.before, _t.c.after, _t.c.note, _t.c.batch_id)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def shown_time(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)[:16].replace("T", " ")


def entry_digest(prev_hash: str, seq: int, row: Any) -> str:
    """The hash of one entry: its content as read back from the database (so what `check` reads is
    what was hashed), its place in the chain and the previous hash."""
    payload = [
        CHAIN_VERSION,
        seq,
        row.id,
        _plain(row.at),
        row.actor,
        row.action,
        row.entity,
        row.entity_id,
        row.before,
        row.after,
        row.note,
        row.batch_id,
        prev_hash,
    ]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def stored_head(conn: Connection | Session) -> dict | None:
    settings = AppSetting.__table__
    value = conn.execute(select(settings.c.value).where(settings.c.key == HEAD_KEY)).scalar()
    return value if isinstance(value, dict) else None


def chain_head(conn: Connection) -> tuple[int, str]:
    """Where the next entry links on: the head stored at the last seal (so entries deleted from the end
    leave a gap the next entry makes visible), or the newest sealed entry when none is stored."""
    stored = stored_head(conn)
    if stored and isinstance(stored.get("seq"), int) and isinstance(stored.get("hash"), str):
        return stored["seq"], stored["hash"]
    row = conn.execute(
        select(_t.c.chain_seq, _t.c.chain_hash)
        .where(_t.c.chain_seq.is_not(None))
        .order_by(_t.c.chain_seq.desc())
        .limit(1)
    ).first()
    return (row.chain_seq, row.chain_hash) if row else (0, GENESIS)


def _seal(conn: Connection, condition: Any) -> int:
    """Seal the unsealed entries matching `condition`, in id order; the number sealed."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    rows = conn.execute(select(*CONTENT).where(condition, _t.c.chain_seq.is_(None)).order_by(_t.c.id)).all()
    if not rows:
        return 0
    seq, prev = chain_head(conn)
    updates = []
    for row in rows:
        seq += 1
        prev = entry_digest(prev, seq, row)
        updates.append({"b_id": row.id, "b_seq": seq, "b_hash": prev})
    conn.execute(
        update(_t)
        .where(_t.c.id == bindparam("b_id"))
        .values(chain_seq=bindparam("b_seq"), chain_hash=bindparam("b_hash"), pending=None),
        updates,
    )
    head = {"seq": seq, "hash": prev}
    settings = AppSetting.__table__
    done = conn.execute(update(settings).where(settings.c.key == HEAD_KEY).values(value=head))
    if not done.rowcount:
        conn.execute(settings.insert().values(key=HEAD_KEY, value=head))
    return len(rows)


def seal_pending(conn: Connection) -> int:
    """Seal what this connection's transaction wrote (called at commit)."""
    token = conn.info.get("audit_pending")
    if token is None:
        return 0
    return _seal(conn, _t.c.pending == token)


def seal_legacy(conn: Connection) -> int:
    """Seal entries written before the chain existed (the migration that adds it calls this)."""
    return _seal(conn, _t.c.pending.is_(None))


def _seal_on_commit(session: Session) -> None:
    # before_commit runs before the commit's own final flush: flush first so every entry is sealed
    session.flush()
    if not session.in_transaction():
        return
    conn = session.connection()
    if "audit_pending" in conn.info:
        seal_pending(conn)
        conn.info.pop("audit_pending", None)


def _forget_token_on_rollback(conn: Connection) -> None:
    conn.info.pop("audit_pending", None)


def _forget_token_on_commit(conn: Connection) -> None:
    conn.info.pop("audit_pending", None)


def _actor_is_the_user(session: Session, _transaction: Any, _connection: Any) -> None:
    # unit_of_work(actor=…) fills in the operating-system login; a signed-in user (aidoffice.access's
    # bind_user) overrides it so the audit trail names the account, whoever opened the session
    user = session.info.get("user")
    if user is not None:
        session.info["actor"] = user.login


def install(sessions: sessionmaker, engine: Engine) -> None:
    """Every listener that writes or seals audit rows, on this database's own session factory and engine
    (never the global `Session` class): the signed-in actor, an entry per flush and per bulk statement,
    the chain sealed at commit."""
    event.listen(sessions, "after_begin", _actor_is_the_user)
    event.listen(sessions, "after_flush", record_flush)
    event.listen(sessions, "do_orm_execute", record_bulk)
    event.listen(sessions, "before_commit", _seal_on_commit)
    event.listen(engine, "rollback", _forget_token_on_rollback)
    event.listen(engine, "commit", _forget_token_on_commit)
