"""The safety commands of the CLI (`backup`, `restore`, `check`, `audit`, `users …`) and signing in with
`--user`. `aidoffice.cli` routes them to `run`; `cli.common.open_db` calls `sign_in_for_cli`.

Passwords never go on the command line (they would stay in the shell history and show in the process
list): they are typed at a prompt, or given in an environment variable for scripts —
AIDOFFICE_PASSWORD (signing in), AIDOFFICE_NEW_PASSWORD (a new or reset password),
AIDOFFICE_BACKUP_PASSWORD (an encrypted backup)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from aidoffice.access.checks import accounts_exist, bind_user
from aidoffice.cli.common import ProgressBar, UsageError, open_db
from aidoffice.errors import AidofficeError

PASSWORD_ENV = "AIDOFFICE_PASSWORD"
NEW_PASSWORD_ENV = "AIDOFFICE_NEW_PASSWORD"
BACKUP_PASSWORD_ENV = "AIDOFFICE_BACKUP_PASSWORD"


def _ask(prompt: str, env: str, *, confirm: bool = False, why: str = "需要密码") -> str:
    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("再输入一次：") != first:
            raise AidofficeError("两次输入的密码不一致，请重新运行命令。")
        return first
    line = sys.stdin.readline().rstrip("\r\n") if sys.stdin is not None else ""
    if not line:
        raise AidofficeError(f"{why}：请在终端中运行以便输入，或把密码放在环境变量 {env} 中。")
    return line


def sign_in_for_cli(args: argparse.Namespace, db: Any) -> None:
    """Act as `--user` (password from the prompt or AIDOFFICE_PASSWORD); without --user, as the
    single-clerk administrator if that mode is on; otherwise as today (open mode until the database
    has accounts — the services then refuse what needs a permission)."""
    from aidoffice.safety.accounts import auto_sign_in, sign_in

    login = getattr(args, "user", None)
    if not login:
        with db.reading() as s:
            has_accounts = accounts_exist(s)
        if has_accounts:
            principal = auto_sign_in(db)
            if principal is not None:
                bind_user(db, principal)
        return
    with db.reading() as s:
        if not accounts_exist(s):
            raise AidofficeError(
                "此数据库还没有账户，不需要 --user。要启用账户，请先建立管理员："
                "aidoffice users add 登录名 --name 姓名 --role admin"
            )
    password = _ask(f"账户“{login}”的密码：", PASSWORD_ENV)
    changing = getattr(args, "command", None) == "users" and getattr(args, "what", None) == "passwd"
    principal = sign_in(db, login, password, allow_password_change=changing)
    bind_user(db, principal)
    args._password = password  # `users passwd` needs the old password it was signed in with


def run(args: argparse.Namespace) -> dict[str, Any]:
    handlers = {
        "backup": _backup,
        "restore": _restore,
        "check": _check,
        "audit": _audit,
        "users": _users,
    }
    return handlers[args.command](args)


def _backup(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.safety.aidbak import SUFFIX
    from aidoffice.safety.backup import encryption_default, write_backup

    if not args.out.lower().endswith(SUFFIX):
        raise UsageError(f"备份文件名应以 {SUFFIX} 结尾，如 --out 资助办备份-2026-11-27{SUFFIX}")
    plain = getattr(args, "no_password", False)
    if plain and args.password:
        raise UsageError("--password 与 --no-password 只能选一个")
    # encrypted by default once a backup password was set (or one is given in the environment)
    encrypt = not plain and (
        args.password or encryption_default() or bool(os.environ.get(BACKUP_PASSWORD_ENV))
    )
    password = (
        _ask(
            "备份密码（请牢记，忘记后无法恢复；不加密请加 --no-password）：",
            BACKUP_PASSWORD_ENV,
            confirm=True,
            why="已设置过备份密码，备份默认加密，需要密码（不加密请加 --no-password）",
        )
        if encrypt
        else None
    )
    if password is not None and len(password) < 8:
        raise AidofficeError("备份密码至少 8 个字符。")
    db = open_db(args)
    result = write_backup(db, args.out, password, ProgressBar())
    out = result.as_json()
    out["message"] = (
        f"已备份到 {result.path}（{result.size / 1e6:.1f} MB，数据库 {result.database_size / 1e6:.1f} MB，"
        f"用时 {result.seconds:.1f} 秒{'，已加密' if result.encrypted else ''}）"
    )
    return out


def _restore(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.db.errors import DatabaseCorrupt, NotADatabase
    from aidoffice.paths import configured_db_url
    from aidoffice.safety.aidbak import read_header
    from aidoffice.safety.backup import accounts_text, restore
    from aidoffice.safety.locks import damaged_file_locks, exclusive_all, instance_lock

    path = Path(args.file)
    header = read_header(path) if path.is_file() else None
    password = None
    if args.password or (header is not None and header.encrypted):
        password = _ask("备份密码：", BACKUP_PASSWORD_ENV, why="这个备份文件已加密，需要备份时设置的密码")
    try:
        db = open_db(args)
    except (DatabaseCorrupt, NotADatabase):
        # only a file too damaged to open names no one who could be asked: restoring is the remedy.
        # Anything else (no password, a wrong one, no right to restore) is refused like any command.
        db = configured_db_url(args.db)
    if isinstance(db, str):
        with damaged_file_locks(db):
            restored, result = restore(db, path, password, ProgressBar(), anyway=args.anyway)
    else:
        holder = instance_lock(db)
        try:
            with exclusive_all(db, "restore"):
                restored, result = restore(db, path, password, ProgressBar(), anyway=args.anyway)
        finally:
            holder.release()
    restored.dispose()
    out = result.as_json()
    what = result.header.describe() if result.header else "数据库文件"
    out["message"] = "\n".join(
        line
        for line in (
            f"已从备份恢复：{path}（{what}）",
            f"原数据库已另存为：{result.kept_aside}" if result.kept_aside else "",
            f"备份的数据库结构已从 {result.upgraded_from} 升级到最新" if result.upgraded_from else "",
            f"学生 {result.counts.get('student', 0)} 名，操作记录 {result.counts.get('audit_entry', 0)} 条",
            f"备份中的账户：{accounts_text(result.accounts)}" if result.accounts else "",
            *(
                [
                    f"注意：恢复的账户与操作记录不符（{len(result.account_problems)} 处），已按 --anyway 恢复；"
                    "这些账户在管理员重新设置前不能登录，运行 aidoffice check 查看详情"
                ]
                if result.account_problems
                else []
            ),
            *(
                [
                    f"注意：恢复的操作记录与封存时不一致（{len(result.trail_problems)} 处），"
                    "已按 --anyway 恢复；运行 aidoffice check 查看详情"
                ]
                if result.trail_problems
                else []
            ),
        )
        if line
    )
    return out


def _check(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.safety.check import check_database

    db = open_db(args)
    problems = check_database(db, ProgressBar())
    lines = (
        [f"发现 {len(problems)} 个问题："] + [f"  {p.message}" for p in problems]
        if problems
        else ["检查完毕，没有发现问题。"]
    )
    return {
        "ok": not problems,
        "problems": [p.as_json() for p in problems],
        "message": "\n".join(lines),
        "_exit": 1 if problems else 0,
    }


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"日期应写作 2026-11-22，而不是“{value}”") from None


def _audit(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.safety.auditlog import AuditFilter, export_audit

    f = AuditFilter(
        actor=args.actor,
        entity=args.entity,
        action=args.action,
        date_from=_date(args.date_from),
        date_to=_date(args.date_to),
    )
    db = open_db(args)
    with db.unit_of_work() as s:
        res = export_audit(s, f, args.out, full=args.full_ids, progress=ProgressBar())
    return {"out": res.path, "rows": res.rows, "message": f"已导出操作记录：{res.path}（{res.rows} 条）"}


def _users(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.safety import accounts

    db = open_db(args)
    what = args.what
    if what == "list":
        with db.unit_of_work() as s:
            users = accounts.list_users(s)
        lines = [
            f"{u.login:<16}{u.display_name:<10}{u.role:<8}"
            + ("，".join(u.classes) + " " if u.classes else "")
            + ("（已停用）" if not u.active else "")
            + ("（须修改密码）" if u.must_change_password else "")
            for u in users
        ]
        return {"users": [u.as_json() for u in users], "message": "\n".join(lines) or "还没有账户。"}
    if what == "add":
        from aidoffice.access.roles import role_book

        classes = accounts.parse_classes(args.classes)
        # no role given: the least privileged one, never more rights than asked for
        role = args.role or role_book().least_privileged().code
        password = _ask(f"新账户“{args.login}”的密码：", NEW_PASSWORD_ENV, confirm=True)
        with db.unit_of_work() as s:
            user = accounts.create_user(s, args.login, args.name or args.login, password, role, classes)
            info = accounts.info_of(user)
        msg = f"已建立账户“{info.login}”（{info.display_name}，{info.role}）"
        if info.must_change_password:
            msg += "；对方首次登录时须修改密码"
        return {"user": info.as_json(), "message": msg}
    if what == "set":
        from aidoffice.access.roles import role_book

        classes = accounts.parse_classes(args.classes) if args.classes is not None else None
        if classes is None and args.role and not role_book().find(args.role).own_classes_only:
            classes = []  # a role not limited to classes carries none
        with db.unit_of_work() as s:
            user = accounts.update_user(
                s, args.login, display_name=args.name, role=args.role, classes=classes
            )
            info = accounts.info_of(user)
        shown = f"{info.role}" + (f"，{'、'.join(info.classes)}" if info.classes else "")
        return {"user": info.as_json(), "message": f"账户“{info.login}”现在是：{shown}（已记入操作记录）。"}
    if what == "passwd":
        if not getattr(args, "user", None):
            raise UsageError("修改密码请加 --user 登录名")
        new = _ask("新密码：", NEW_PASSWORD_ENV, confirm=True)
        with db.unit_of_work() as s:
            accounts.change_password(s, args.user, args._password, new)
        return {"login": args.user, "message": "密码已修改。"}
    if what == "reset":
        new = _ask(f"“{args.login}”的临时密码：", NEW_PASSWORD_ENV, confirm=True)
        with db.unit_of_work() as s:
            accounts.reset_password(s, args.login, new)
        return {"login": args.login, "message": f"已重置“{args.login}”的密码，对方下次登录时须修改。"}
    if what in ("lock", "unlock"):
        with db.unit_of_work() as s:
            accounts.set_active(s, args.login, what == "unlock")
        return {
            "login": args.login,
            "active": what == "unlock",
            "message": f"已{'启用' if what == 'unlock' else '停用'}账户“{args.login}”。",
        }
    if what == "single-clerk":
        if args.off == bool(args.login):
            raise UsageError("写 users single-clerk 登录名 开启单人模式，或 users single-clerk --off 关闭")
        with db.unit_of_work() as s:
            accounts.set_single_clerk(s, None if args.off else args.login)
        return {
            "single_clerk": None if args.off else args.login,
            "message": "已关闭单人模式。"
            if args.off
            else f"已开启单人模式：以后不加 --user 时，程序自动以“{args.login}”（管理员）运行，不再询问密码。",
        }
    raise UsageError(f"未知的 users 子命令：{what}")
