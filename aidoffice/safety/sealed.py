"""Accounts, roles, class assignments and security settings as the sealed audit trail explains them.

Every change the program makes to an account (建立、修改角色或班级、停用、启用) or to a security setting
is an entry of the hash chain (`chain.py`). Replaying those entries, in chain order, gives the state
each account *should* be in; an `app_user` row that differs — a head teacher made an administrator,
given more classes or re-enabled with one SQL statement, an account inserted or deleted behind the
program's back — is a state the trail does not explain. Sign-in refuses such an account (with a
message saying why), `check` reports every one, and `restore` shows them before it replaces anything.

Only sealed entries count, and each is checked against its predecessor's stored hash, so an entry
added or edited by hand explains nothing. Someone who rewrites the trail and recomputes every later
hash is beyond this check (see chain.py; the automatic backups catch that case, `check.anchor_checks`).

Works on a Connection (a Session's, or a plain engine's over a backup file being restored)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, inspect, select
from sqlalchemy.orm import Session

from aidoffice.db.audit_chain import CONTENT, GENESIS, entry_digest
from aidoffice.db.models import AppSetting, AuditEntry, User

ACCOUNT_ACTIONS = (
    "user_add",
    "user_update",
    "user_lock",
    "user_unlock",
    "user_passwd",
    "user_reset",
    "user_rehash",
)
_PASSWORD_ACTIONS = ("user_passwd", "user_reset", "user_rehash")
SINGLE_CLERK_KEY = "single_clerk"  # the old database setting (single-clerk mode now lives on the PC)
_t = AuditEntry.__table__
_u = User.__table__
_s = AppSetting.__table__
_LEGACY_IDLE = re.compile(r"空闲自动退出时间：(\d+) → (\d+) 分钟")


@dataclass(frozen=True)
class AccountState:
    login: str
    role: str
    classes: frozenset[tuple[int, str]]
    active: bool
    password: str | None = None  # password_digest of the hash; None: not recorded (older entries)


def password_digest(password_hash: str) -> str:
    """What the trail keeps of a password hash: enough to see it replaced behind the program's back,
    nothing to guess the password with (the argon2 salt and hash stay in the users table)."""
    import hashlib

    return hashlib.sha256(f"aidoffice-password:{password_hash}".encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Unexplained:
    """One account (or setting) whose state the trail does not explain."""

    user_id: int | None
    login: str
    message: str  # Chinese, says what differs


def _classes(value: Any) -> frozenset[tuple[int, str]]:
    out = set()
    for item in value or []:
        try:
            grade, name = item
            out.add((int(grade), str(name)))
        except (TypeError, ValueError):
            out.add((-1, repr(item)))
    return frozenset(out)


def _conn(source: Connection | Session) -> Connection:
    return source.connection() if isinstance(source, Session) else source


def _genuine(conn: Connection, rows: list[Any]) -> list[Any]:
    """The rows whose hash is right for the entry sealed before them (an entry edited by hand, or its
    hash replaced, explains nothing)."""
    wanted = sorted({r.chain_seq - 1 for r in rows if r.chain_seq > 1})
    prev: dict[int, str] = {0: GENESIS}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        prev.update(
            conn.execute(select(_t.c.chain_seq, _t.c.chain_hash).where(_t.c.chain_seq.in_(chunk))).all()
        )
    return [
        r
        for r in rows
        if r.chain_seq - 1 in prev and entry_digest(prev[r.chain_seq - 1], r.chain_seq, r) == r.chain_hash
    ]


def _sealed(conn: Connection, *conditions: Any) -> list[Any]:
    """The genuine sealed entries matching `conditions` in chain order, then the entries this very
    transaction wrote through the program (sealed when it commits: an account created and set up in
    one transaction is explained within it)."""
    rows = conn.execute(
        select(*CONTENT, _t.c.chain_seq, _t.c.chain_hash)
        .where(_t.c.chain_seq.is_not(None), *conditions)
        .order_by(_t.c.chain_seq)
    ).all()
    out = _genuine(conn, rows)
    token = conn.info.get("audit_pending")
    if token is not None:
        out += conn.execute(
            select(*CONTENT, _t.c.chain_seq, _t.c.chain_hash)
            .where(_t.c.chain_seq.is_(None), _t.c.pending == token, *conditions)
            .order_by(_t.c.id)
        ).all()
    return out


def expected_accounts(source: Connection | Session, user_id: int | None = None) -> dict[int, AccountState]:
    """Each account's state as the sealed account entries leave it (by account id)."""
    conn = _conn(source)
    # by (action, entity_id) alone, so the index ix_audit_entry_action_entity serves it; these actions
    # are only ever written for accounts, and the entity is checked below
    conditions = [_t.c.action.in_(ACCOUNT_ACTIONS)]
    if user_id is not None:
        conditions.append(_t.c.entity_id == user_id)
    states: dict[int, AccountState] = {}
    for row in _sealed(conn, *conditions):
        details = row.after if isinstance(row.after, dict) else {}
        if row.entity_id is None or row.entity != "app_user":
            continue
        if row.action == "user_add":
            states[row.entity_id] = AccountState(
                str(details.get("login", "")),
                str(details.get("role", "")),
                _classes(details.get("classes")),
                True,
                details.get("pw") if isinstance(details.get("pw"), str) else None,
            )
            continue
        state = states.get(row.entity_id)
        if state is None:
            continue
        if row.action in _PASSWORD_ACTIONS:
            pw = details.get("pw")
            state = replace(state, password=pw if isinstance(pw, str) else None)
        elif row.action in ("user_lock", "user_unlock"):
            state = replace(state, active=row.action == "user_unlock")
        else:  # user_update: the whole state when recorded (since integrity), else what changed
            full = details.get("state") if isinstance(details.get("state"), dict) else None
            changed = full or (details.get("after") if isinstance(details.get("after"), dict) else {})
            state = replace(
                state,
                role=str(changed["role"]) if "role" in changed else state.role,
                classes=_classes(changed["classes"]) if "classes" in changed else state.classes,
                active=bool(changed["active"]) if "active" in changed else state.active,
            )
        states[row.entity_id] = state
    return states


def _role_name(code: str) -> str:
    from aidoffice.access.roles import role_book

    try:
        role = role_book().roles.get(code)
    except Exception:  # a broken roles file is reported elsewhere; the code still says which role
        role = None
    return role.name if role else code


def _classes_text(classes: frozenset[tuple[int, str]]) -> str:
    from aidoffice.access.checks import classes_text

    return classes_text(classes) if all(g >= 0 for g, _ in classes) else "（无法读取）"


def _differences(actual: AccountState, expected: AccountState) -> list[str]:
    out = []
    if actual.login != expected.login:
        out.append(f"登录名是“{actual.login}”，记录中是“{expected.login}”")
    if actual.role != expected.role:
        out.append(f"角色是“{_role_name(actual.role)}”，记录中是“{_role_name(expected.role)}”")
    if actual.classes != expected.classes:
        out.append(f"所带班级是 {_classes_text(actual.classes)}，记录中是 {_classes_text(expected.classes)}")
    if actual.active != expected.active:
        out.append("账户是可用的，记录中已停用" if actual.active else "账户已停用，记录中是可用的")
    if expected.password is not None and actual.password != expected.password:
        out.append("密码不是在程序中设置的（被人直接替换了）")
    return out


def _actual_rows(conn: Connection, user_id: int | None = None) -> list[Any]:
    query = select(_u.c.id, _u.c.login, _u.c.role, _u.c.classes, _u.c.active, _u.c.password_hash).order_by(
        _u.c.id
    )
    if user_id is not None:
        query = query.where(_u.c.id == user_id)
    return conn.execute(query).all()


def account_problems(source: Connection | Session, user_id: int | None = None) -> list[Unexplained]:
    """Every account (or just `user_id`) whose role, classes, login or being usable the sealed trail
    does not explain, and accounts the trail created that are gone."""
    conn = _conn(source)
    expected = expected_accounts(conn, user_id)
    out: list[Unexplained] = []
    seen = set()
    for row in _actual_rows(conn, user_id):
        seen.add(row.id)
        actual = AccountState(
            row.login,
            row.role,
            _classes(row.classes),
            bool(row.active),
            password_digest(row.password_hash or ""),
        )
        want = expected.get(row.id)
        if want is None:
            out.append(
                Unexplained(
                    row.id,
                    row.login,
                    f"账户“{row.login}”（{_role_name(row.role)}）在操作记录中没有建立记录：可能是在程序之外直接加进数据库的",
                )
            )
            continue
        diffs = _differences(actual, want)
        if diffs:
            out.append(
                Unexplained(
                    row.id,
                    row.login,
                    f"账户“{row.login}”的{'；'.join(diffs)}：可能是在程序之外被改动的",
                )
            )
    if user_id is None:
        for uid, want in expected.items():
            if uid not in seen:
                out.append(
                    Unexplained(
                        uid,
                        want.login,
                        f"账户“{want.login}”（{_role_name(want.role)}）已不在数据库中，但操作记录中没有删除它",
                    )
                )
    return out


# ---- security settings kept in the database ----------------------------------------------------------------


def expected_idle_minutes(conn: Connection) -> int | None:
    """The idle sign-out time the sealed `setting` entries leave (None: never set)."""
    value = None
    for row in _sealed(conn, _t.c.action == "setting"):
        details = row.after if isinstance(row.after, dict) else {}
        if details.get("key") == "idle_minutes" and isinstance(details.get("value"), int):
            value = details["value"]
        elif not details and row.note and (m := _LEGACY_IDLE.search(row.note)):
            value = int(m[2])  # written before the value was recorded as data
    return value


def single_clerk_from_trail(conn: Connection) -> int | None:
    """The account the sealed trail last turned single-clerk mode on for (None: off or never on)."""
    on = None
    for row in _sealed(conn, _t.c.action == "setting"):
        note = row.note or ""
        if note.startswith("开启单人模式"):
            on = row.entity_id
        elif note.startswith("关闭单人模式"):
            on = None
    return on


def setting_problems(source: Connection | Session) -> list[Unexplained]:
    conn = _conn(source)
    out = []
    values = dict(
        conn.execute(
            select(_s.c.key, _s.c.value).where(_s.c.key.in_(["idle_minutes", SINGLE_CLERK_KEY]))
        ).all()
    )
    if "idle_minutes" in values and values["idle_minutes"] != expected_idle_minutes(conn):
        out.append(
            Unexplained(
                None,
                "",
                f"空闲自动退出时间是 {values['idle_minutes']!r} 分钟，但操作记录中没有这样设置过：可能是在程序之外被改动的",
            )
        )
    login = values.get(SINGLE_CLERK_KEY)
    if login:
        on = single_clerk_from_trail(conn)
        owner = conn.execute(select(_u.c.login).where(_u.c.id == on)).scalar() if on is not None else None
        if owner != login:
            out.append(
                Unexplained(
                    None,
                    str(login),
                    f"数据库中有开启单人模式（自动以“{login}”登录）的设置，但操作记录中没有开启过：可能是在程序之外加进去的。"
                    "程序不会采用它",
                )
            )
    return out


def all_problems(source: Connection | Session) -> list[Unexplained]:
    return account_problems(source) + setting_problems(source)


def file_problems(conn: Connection) -> tuple[list[dict[str, Any]], list[str]]:
    """For a database file about to be restored: its accounts (login, role, classes, usable) and what
    the trail does not explain about them. A file from before accounts or the chain has neither."""
    tables = inspect(conn).get_table_names()
    if "app_user" not in tables or "audit_entry" not in tables:
        return [], []
    if "chain_hash" not in {c["name"] for c in inspect(conn).get_columns("audit_entry")}:
        return [], []
    accounts = [
        {
            "login": r.login,
            "role": r.role,
            "role_name": _role_name(r.role),
            "classes": sorted(f"{g}/{c}" for g, c in _classes(r.classes)),
            "classes_text": _classes_text(_classes(r.classes)) if r.classes else "",
            "active": bool(r.active),
        }
        for r in _actual_rows(conn)
    ]
    return accounts, [p.message for p in all_problems(conn)]
