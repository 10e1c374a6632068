"""Accounts, the audit trail, the database check and backups, as background operations for the sign-in
dialog, the pages 账户管理 and 操作记录, and the backup part of 设置.

Who is signed in is known without a query: `bind_user` keeps the principal in the session factory's
defaults, so `signed_in(ctx)` reads it from there; the services still check every call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from aidoffice.access.checks import ClassKey, Principal, act_as
from aidoffice.access.roles import role_book
from aidoffice.ledgers.student_search import StudentChoice, student_choices
from aidoffice.privacy import Level
from aidoffice.progress import Progress
from aidoffice.safety import accounts, aidbak, auditlog, backup
from aidoffice.safety.account_queries import (
    AccountsView,
    SignedIn,
    accounts_view,
    signed_in_view,
)
from aidoffice.safety.auditlog import AuditExport, AuditFilter, AuditRow
from aidoffice.safety.check import Problem, check_database
from aidoffice.safety.locks import exclusive_all
from ui.operations import AppContext, Changes
from ui.tasks import Task

USERS = Changes(users=True)


# ---- who is signed in -------------------------------------------------------------------------------


def signed_in(ctx: AppContext) -> Principal | None:
    """The user every session of this database acts as (None: open mode, no accounts)."""
    return (ctx.db.sessions.kw.get("info") or {}).get("user")


def may(ctx: AppContext, permission: str) -> bool:
    """Whether to offer an action (the service checks again). Open mode: everything."""
    user = signed_in(ctx)
    return user is None or user.allows(permission)


def own_classes_only(ctx: AppContext) -> bool:
    user = signed_in(ctx)
    return user is not None and user.role.own_classes_only


def _after_sign_in(db: Any, user: Principal) -> SignedIn:
    with db.reading() as s:
        return signed_in_view(s, user)


def sign_in(
    ctx: AppContext,
    parent: QWidget | None,
    login: str,
    password: str,
    success: Callable[[SignedIn], None],
    failure: Callable[[BaseException], None],
) -> Task:
    """Check a password (argon2 takes ~50 ms, a locked account the same) off the GUI thread; a failure
    is committed by the service itself, so the lock-out counts."""
    db = ctx.db

    def job(_p: Progress) -> SignedIn:
        user = accounts.sign_in(db, login, password, allow_password_change=True)
        return _after_sign_in(db, user)

    return ctx.background(parent, job, success, failure=failure)


def auto_sign_in(ctx: AppContext, parent: QWidget | None, success: Callable[[SignedIn | None], None]) -> Task:
    """The single-clerk administrator, if that mode is on."""
    db = ctx.db

    def job(_p: Progress) -> SignedIn | None:
        user = accounts.auto_sign_in(db)
        return None if user is None else _after_sign_in(db, user)

    return ctx.background(parent, job, success)


def change_password(
    ctx: AppContext,
    parent: QWidget | None,
    user: Principal,
    old: str,
    new: str,
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None],
) -> Task:
    def op(s: Session, _p: Progress) -> None:
        act_as(s, user)  # recorded as the account's owner, also before the window has bound them
        accounts.change_password(s, user.login, old, new)

    return ctx.write(parent, op, success, changes=USERS, failure=failure, note="修改密码")


def record_leaving(ctx: AppContext, user: Principal, action: str, note: str | None = None) -> Task:
    """Sign-out or idle lock, in the audit trail."""
    db = ctx.db
    return ctx.background(None, lambda _p: accounts.sign_out(db, user, note, action=action))


# ---- accounts (administrators) ---------------------------------------------------------------------


def load_accounts(ctx: AppContext, parent: QWidget, success: Callable[[AccountsView | None], None]) -> Task:
    """None in open mode (no accounts yet)."""
    return ctx.query(parent, lambda s, _p: accounts_view(s), success)


def roles() -> list[tuple[str, str, str, bool]]:
    """(code, Chinese name, description, own classes only) of every role (from the roles file)."""
    return [(r.code, r.name, r.description, r.own_classes_only) for r in role_book().roles.values()]


def least_role() -> str:
    """The role a new account starts with: the least privileged one (the roles file decides which)."""
    return role_book().least_privileged().code


def add_user(
    ctx: AppContext,
    parent: QWidget,
    login: str,
    name: str,
    password: str,
    role: str,
    classes: list[ClassKey],
    success: Callable[[accounts.AccountInfo], None],
    failure: Callable[[BaseException], None],
) -> Task:
    def op(s: Session, _p: Progress) -> accounts.AccountInfo:
        return accounts.info_of(accounts.create_user(s, login, name, password, role, classes))

    return ctx.write(parent, op, success, changes=USERS, failure=failure, note="建立账户")


def update_user(
    ctx: AppContext,
    parent: QWidget,
    login: str,
    name: str,
    role: str,
    classes: list[ClassKey],
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None],
) -> Task:
    def op(s: Session, _p: Progress) -> None:
        accounts.update_user(s, login, display_name=name, role=role, classes=classes)

    return ctx.write(parent, op, success, changes=USERS, failure=failure, note="修改账户")


def reset_password(
    ctx: AppContext,
    parent: QWidget,
    login: str,
    password: str,
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None],
) -> Task:
    return ctx.write(
        parent,
        lambda s, _p: accounts.reset_password(s, login, password) and None,
        success,
        changes=USERS,
        failure=failure,
        note="重置密码",
    )


def set_active(
    ctx: AppContext, parent: QWidget, login: str, active: bool, success: Callable[[Any], None]
) -> Task:
    return ctx.write(
        parent, lambda s, _p: accounts.set_active(s, login, active) and None, success, changes=USERS
    )


def set_single_clerk(
    ctx: AppContext, parent: QWidget, login: str | None, success: Callable[[Any], None]
) -> Task:
    return ctx.write(
        parent,
        lambda s, _p: accounts.set_single_clerk(s, login),
        success,
        changes=USERS | Changes(settings=True),
    )


def create_first_admin(
    ctx: AppContext,
    parent: QWidget | None,
    login: str,
    name: str,
    password: str,
    single_clerk: bool,
    success: Callable[[Principal], None],
    failure: Callable[[BaseException], None],
) -> Task:
    """The database's first account (an administrator), and single-clerk mode if chosen — in one
    transaction, recorded as the new administrator."""

    def op(s: Session, _p: Progress) -> Principal:
        user = accounts.create_user(s, login, name, password, "admin")
        principal = Principal.of(user)
        act_as(s, principal)
        if single_clerk:
            accounts.set_single_clerk(s, user.login)
        return principal

    return ctx.write(parent, op, success, changes=USERS, failure=failure, note="建立管理员账户")


# ---- settings of this page and the settings page --------------------------------------------------------


@dataclass(frozen=True)
class SafetySettings:
    idle_minutes: int
    backup_keep: int
    auto_backups: list[tuple[Path, datetime, int, str]]  # file, made, bytes, why
    database: str
    embedded: bool  # SQLite: automatic backups exist


def _auto_backups(db: Any) -> list[tuple[Path, datetime, int, str]]:
    """Newest first; the first backup of each day says so after its reason (kept for 30 days)."""
    out = []
    for entry in backup.auto_backups(db):
        try:
            size = entry.path.stat().st_size
        except OSError:
            continue
        why = entry.reason_label + ("（当日首份）" if entry.day_first else "")
        out.append((entry.path, entry.made, size, why))
    return out


def load_safety_settings(ctx: AppContext, parent: QWidget, success: Callable[[SafetySettings], None]) -> Task:
    db = ctx.db

    def op(s: Session, _p: Progress) -> SafetySettings:
        return SafetySettings(
            accounts.idle_minutes(s),
            backup.backup_keep(),
            _auto_backups(db),
            db.display_url,
            backup.sqlite_path(db) is not None,
        )

    return ctx.query(parent, op, success)


def set_idle_minutes(
    ctx: AppContext,
    parent: QWidget,
    minutes: int,
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None],
) -> Task:
    return ctx.write(
        parent,
        lambda s, _p: accounts.set_idle_minutes(s, minutes),
        success,
        changes=Changes(settings=True),
        failure=failure,
    )


def set_backup_keep(
    ctx: AppContext,
    parent: QWidget,
    keep: int,
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None],
) -> Task:
    return ctx.write(
        parent,
        lambda s, _p: backup.set_backup_keep(s, keep),
        success,
        changes=Changes(settings=True),
        failure=failure,
    )


# ---- backup and restore ---------------------------------------------------------------------------------


def make_backup(
    ctx: AppContext,
    parent: QWidget,
    out: str,
    password: str | None,
    success: Callable[[backup.BackupResult], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:
    db = ctx.db
    return ctx.background(
        parent,
        lambda p: backup.write_backup(db, out, password, p),
        success,
        label=parent.tr("正在备份…"),
        failure=failure,
    )


def backup_info(
    ctx: AppContext,
    parent: QWidget,
    path: str,
    success: Callable[[aidbak.BackupHeader | None], None],
    failure: Callable[[BaseException], None],
) -> Task:
    """What a backup file says about itself (None: a plain database file, an automatic backup)."""
    return ctx.background(parent, lambda _p: backup.backup_info(path), success, failure=failure)


def restore_backup(
    ctx: AppContext,
    parent: QWidget,
    path: str,
    password: str | None,
    success: Callable[[backup.RestoreResult], None],
    failure: Callable[[BaseException], None],
    anyway: bool = False,
) -> Task:
    """Verify and restore; the database this program has open is replaced, so the caller restarts
    the program afterwards (every page would otherwise show the old data). `anyway`: restore a
    backup whose audit trail is broken (BrokenTrail otherwise)."""
    db = ctx.db

    def job(p: Progress) -> backup.RestoreResult:
        ctx.writer.wait(60_000)  # a write in flight finishes before the file is replaced
        with exclusive_all(db, "restore"):
            restored, result = backup.restore(db, path, password, p, anyway=anyway)
        restored.dispose()
        return result

    return ctx.background(parent, job, success, label=parent.tr("正在检查并恢复备份…"), failure=failure)


# ---- the audit trail --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditChoices:
    actors: list[str]


def load_audit_choices(ctx: AppContext, parent: QWidget, success: Callable[[AuditChoices], None]) -> Task:
    return ctx.query(parent, lambda s, _p: AuditChoices(auditlog.actors(s)), success)


def load_audit_ids(
    ctx: AppContext, parent: QWidget, f: AuditFilter, success: Callable[[list[int]], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: auditlog.audit_ids(s, f), success)


def load_audit_rows(
    ctx: AppContext, parent: QWidget, ids: list[int], level: Level, success: Callable[[list[AuditRow]], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: auditlog.audit_rows(s, ids, level), success)


def export_audit(
    ctx: AppContext,
    parent: QWidget,
    f: AuditFilter,
    path: str,
    full: bool,
    success: Callable[[AuditExport], None],
) -> Task:
    return ctx.write(
        parent,
        lambda s, p: auditlog.export_audit(s, f, path, full=full, progress=p),
        success,
        changes=Changes(),
        label=parent.tr("正在导出操作记录…"),
        note="导出操作记录",
    )


def find_students(
    ctx: AppContext, parent: QWidget, text: str, success: Callable[[list[StudentChoice]], None]
) -> Task:
    """Students whose name, initials or ID match (as the ledger's search), for the audit filter; a
    student who has left still has a trail, so every status counts."""
    return ctx.query(parent, lambda s, _p: student_choices(s, text), success)


def run_check(ctx: AppContext, parent: QWidget, success: Callable[[list[Problem]], None]) -> Task:
    db = ctx.db
    return ctx.background(
        parent, lambda p: check_database(db, p), success, label=parent.tr("正在检查数据库…")
    )


def load_idle_minutes(ctx: AppContext, success: Callable[[int], None]) -> Task:
    """The idle-lock setting, read again after the settings changed."""
    return ctx.query(None, lambda s, _p: accounts.idle_minutes(s), success)
