"""Accounts (账户): creating them, signing in, lock-out, password change and reset, and the settings
that go with them (idle sign-out, single-clerk mode).

Passwords are hashed with argon2id (argon2-cffi). A failed sign-in never says whether the login
exists. After `LOCK_AFTER` failures in a row an account waits, 30 s the first time and twice as long
each further time (at most 30 minutes); an administrator can unlock it at once. Every change to an
account is written to the audit trail as a described event (never the hash)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import (
    ClassKey,
    Principal,
    accounts_exist,
    accounts_recorded,
    act_as,
    class_label,
    current_user,
    require,
)
from aidoffice.access.roles import role_book
from aidoffice.db.audit import actor_of
from aidoffice.db.models import AppSetting, AuditEntry, User
from aidoffice.domain.grades import InvalidGrade, parse_class, parse_grade
from aidoffice.errors import AidofficeError, FieldProblem, ValidationError
from aidoffice.safety.sealed import (
    SINGLE_CLERK_KEY,
    account_problems,
    password_digest,
    single_clerk_from_trail,
)

LOCK_AFTER = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=30)
MIN_PASSWORD = 8
DEFAULT_IDLE_MINUTES = 15
_LOGIN = re.compile(r"^[A-Za-z0-9_.\-\u3400-\u9fff]{2,40}$")

_hasher = PasswordHasher()  # argon2id, 64 MiB, t=3: ~50 ms on a clerk's PC
# verified when the login does not exist, so a wrong login costs the same time as a wrong password;
# written out (hashing it at import cost every command 0.2 s and 64 MiB), with the hasher's parameters
# (tests/integration/test_accounts.py checks they stay the same)
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$C+JEurvj7Uo4C7y11MTuyA$Xsw1W7ahdvTxyHltMllA4woHBEPjYFXk/Jdw/3BoGIo"
)


class SignInFailed(AidofficeError):
    """Wrong login, wrong password, locked or disabled account: one message for all, so nobody learns
    which logins exist."""

    def __init__(self) -> None:
        super().__init__(
            f"登录名或密码不正确。连续输错 {LOCK_AFTER} 次后需要等待一段时间才能再试；"
            "忘记密码请联系管理员重置。"
        )


class AccountLocked(SignInFailed):
    """The right password for an account that is locked out: only someone who knows the password
    learns that it is locked, and for how long (the wrong password keeps the one message for all)."""

    def __init__(self, login: str, until: datetime, now: datetime) -> None:
        self.login, self.until = login, until
        self.seconds = max(1, math.ceil((until - now).total_seconds()))
        wait = f"{self.seconds} 秒" if self.seconds < 120 else f"约 {math.ceil(self.seconds / 60)} 分钟"
        AidofficeError.__init__(
            self,
            f"账户“{login}”因连续输错密码已被锁定，密码正确也要等锁定结束：还需等待{wait}"
            f"（{until:%H:%M:%S} 解除）。着急时请管理员在“账户管理”中启用（解锁），"
            f"或运行 aidoffice users unlock {login}。",
        )


class AccountNotExplained(SignInFailed):
    """The password was right, but the account's role or classes are not what the sealed audit trail
    says they should be: someone changed them outside the program. Refused until an administrator
    sets them again (which records them)."""

    def __init__(self, login: str, why: str) -> None:
        AidofficeError.__init__(
            self,
            f"{why}。为安全起见，这个账户现在不能登录。请管理员运行“aidoffice check”（或在“检查数据库”中）查看，"
            f"并在“账户管理”中重新设置“{login}”的角色和班级（命令行：aidoffice --user 管理员 users set {login} "
            "--role 角色 [--class 班级]；会记入操作记录）后再登录。",
        )


class PasswordChangeRequired(AidofficeError):
    def __init__(self, login: str) -> None:
        self.login = login
        super().__init__(
            f"账户“{login}”需要先修改密码（首次登录或管理员重置后）。"
            f"命令行：aidoffice --user {login} users passwd"
        )


@dataclass(frozen=True)
class AccountInfo:
    """One account as the user-management page and `users list` show it (no hash)."""

    id: int
    login: str
    display_name: str
    role: str  # the Chinese role name
    role_code: str
    classes: tuple[str, ...]  # 七年级1班 …
    active: bool
    locked_until: datetime | None
    must_change_password: bool
    last_sign_in: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "display_name": self.display_name,
            "role": self.role_code,
            "role_name": self.role,
            "classes": list(self.classes),
            "active": self.active,
            "locked_until": self.locked_until.isoformat(timespec="seconds") if self.locked_until else None,
            "must_change_password": self.must_change_password,
            "last_sign_in": self.last_sign_in.isoformat(timespec="seconds") if self.last_sign_in else None,
        }


# ---- small helpers -----------------------------------------------------------------------------------


def normalize_login(login: str) -> str:
    return (login or "").strip().lower()


# the first guesses of anyone trying an office PC, whatever the rules above let through
_COMMON_PASSWORDS = {
    "password1", "password123", "passw0rd", "abc12345", "abcd1234", "a1234567", "a12345678", "12345678a",
    "qwer1234", "qwerty123", "1qaz2wsx", "admin123", "admin1234", "zxcv1234", "asdf1234", "aa123456",
    "woaini1314", "abc123456", "iloveyou1", "test1234", "ziyuan123", "zizhu123",
}  # fmt: skip


PASSWORD_RULES = (
    f"密码要求：至少 {MIN_PASSWORD} 个字符，同时使用字母和数字（可再加符号）；"
    "不能是常见密码或字符大多重复，不能包含登录名。"
)  # shown under every password field before saving, in the words check_password_rules refuses with


def check_password_rules(password: str, login: str = "") -> None:
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("密码", f"至少 {MIN_PASSWORD} 个字符"))
    elif not (any(ch.isalpha() for ch in password) and any(ch.isascii() and ch.isdigit() for ch in password)):
        problems.append(FieldProblem("密码", "请同时使用字母和数字（可再加符号）"))
    elif len(set(password.lower().replace(" ", ""))) < 5 or password.lower() in _COMMON_PASSWORDS:
        problems.append(FieldProblem("密码", "太容易被猜到（字符重复太多或是常见密码），请换一个"))
    if login and normalize_login(login) in password.lower():
        problems.append(FieldProblem("密码", "不能包含登录名"))
    if problems:
        raise ValidationError(problems)


def parse_classes(texts: list[str] | tuple[str, ...]) -> list[ClassKey]:
    """“七年级1班”、“初一/2班”、“7,3” → [(7, "1班"), …] for a head teacher's account."""
    out: list[ClassKey] = []
    for raw in texts:
        text = raw.strip()
        if not text:
            continue
        m = re.fullmatch(r"(.+?)\s*[/／,，\s]\s*(.+)", text) or re.fullmatch(
            r"(.+?(?:年级|班|年))(\d+班?)", text
        )
        try:
            if not m:
                raise InvalidGrade(text)
            grade = parse_grade(m[1])
            class_name = parse_class(m[2])
        except (InvalidGrade, ValueError):
            raise ValidationError(
                [FieldProblem("班级", f"“{text}”看不懂，请写作“七年级1班”或“七年级/1班”")]
            ) from None
        key = (grade.number, class_name)
        if key not in out:
            out.append(key)
    return out


def _audit(session: Session, action: str, user: User | None, note: str, details: dict | None = None) -> None:
    """An account event in the audit trail (entity app_user)."""
    session.add(
        AuditEntry(
            at=clock.now(),
            actor=actor_of(session),
            action=action,
            entity="app_user",
            entity_id=user.id if user is not None else None,
            before=None,
            after=details,
            note=note[:200],
            batch_id=session.info.get("batch_id"),
        )
    )


def _find(session: Session, login: str) -> User | None:
    return session.scalars(select(User).where(User.login == normalize_login(login))).first()


def _get(session: Session, login: str) -> User:
    user = _find(session, login)
    if user is None:
        raise AidofficeError(f"没有登录名为“{login}”的账户。")
    return user


def info_of(user: User) -> AccountInfo:
    role = role_book().roles.get(user.role)
    return AccountInfo(
        user.id,
        user.login,
        user.display_name,
        role.name if role else user.role,
        user.role,
        tuple(class_label((int(g), str(c))) for g, c in (user.classes or [])),
        user.active,
        user.locked_until,
        user.must_change_password,
        user.last_sign_in,
    )


# ---- managing accounts ---------------------------------------------------------------------------------


def create_user(
    session: Session,
    login: str,
    display_name: str,
    password: str,
    role: str,
    classes: list[ClassKey] | None = None,
    *,
    must_change_password: bool | None = None,
) -> User:
    """Add an account. The very first account of a database must be an administrator and may be
    created by anyone (first run); after that only an administrator may add accounts."""
    first = not _any_user(session) and not accounts_recorded(session)
    if first:
        if role_book().find(role).code != "admin":
            raise AidofficeError("第一个账户必须是管理员（admin），请先建立管理员账户。")
    else:
        require(session, "users.manage")
    role_obj = role_book().find(role)
    login_n = normalize_login(login)
    problems = []
    if not _LOGIN.match(login_n):
        problems.append(FieldProblem("登录名", "2—40 个字符，可用字母、数字、汉字和 _ . -"))
    elif _find(session, login_n) is not None:
        problems.append(FieldProblem("登录名", f"“{login_n}”已被使用"))
    display_name = (display_name or "").strip() or login_n
    if len(display_name) > 50:
        problems.append(FieldProblem("姓名", "不能超过 50 个字"))
    classes = list(classes or [])
    if role_obj.own_classes_only and not classes:
        problems.append(FieldProblem("班级", f"{role_obj.name}账户需要登记所带的班级，如“七年级1班”"))
    if classes and not role_obj.own_classes_only:
        # dropped silently, the clerk would believe the account limited to that class
        problems.append(
            FieldProblem("班级", f"{role_obj.name}账户不按班级限制，不需要登记班级；只有班主任需要")
        )
    if problems:
        raise ValidationError(problems)
    check_password_rules(password, login_n)
    user = User(
        login=login_n,
        display_name=display_name,
        password_hash=_hasher.hash(password),
        role=role_obj.code,
        classes=[[g, c] for g, c in classes] if role_obj.own_classes_only else [],
        failed_attempts=0,
        active=True,
        # an account someone else set up gets a password only its owner should know
        must_change_password=(not first) if must_change_password is None else must_change_password,
    )
    session.add(user)
    session.flush()
    session.info["_accounts_exist"] = True
    _audit(
        session,
        "user_add",
        user,
        f"建立账户“{login_n}”（{display_name}，{role_obj.name}）" + ("，首个管理员" if first else ""),
        {
            "login": login_n,
            "role": role_obj.code,
            "classes": user.classes,
            "pw": password_digest(user.password_hash),
        },
    )
    return user


def _any_user(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def list_users(session: Session) -> list[AccountInfo]:
    require(session, "users.manage")
    return [info_of(u) for u in session.scalars(select(User).order_by(User.login))]


def update_user(
    session: Session,
    login: str,
    *,
    display_name: str | None = None,
    role: str | None = None,
    classes: list[ClassKey] | None = None,
    active: bool | None = None,
) -> User:
    require(session, "users.manage")
    user = _get(session, login)
    was_unexplained = bool(account_problems(session, user.id))
    before = {
        "display_name": user.display_name,
        "role": user.role,
        "classes": user.classes,
        "active": user.active,
    }
    if display_name is not None and display_name.strip():
        user.display_name = display_name.strip()[:50]
    if role is not None:
        user.role = role_book().find(role).code
    if classes is not None:
        user.classes = [[g, c] for g, c in classes]
    if active is not None:
        user.active = active
    if role_book().role(user.role).own_classes_only and not user.classes:
        raise ValidationError([FieldProblem("班级", "班主任账户需要登记所带的班级")])
    _keep_an_administrator(session, user)
    after = {
        "display_name": user.display_name,
        "role": user.role,
        "classes": user.classes,
        "active": user.active,
    }
    changed = {k: v for k, v in after.items() if before[k] != v}
    session.flush()
    if changed or was_unexplained:
        # the whole state, so the trail alone says what this account may do (sealed.py replays it);
        # saving an account whose state was changed outside the program confirms what is now set
        note = f"修改账户“{user.login}”" if changed else f"管理员确认账户“{user.login}”的角色和班级"
        if was_unexplained:
            note += "（其角色或班级曾在程序之外被改动，已由管理员确认）"
        _audit(session, "user_update", user, note, {"before": before, "after": changed, "state": after})
    return user


def _keep_an_administrator(session: Session, changed: User) -> None:
    session.flush()
    admins = session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True))
    )
    if not admins:
        raise AidofficeError("至少要保留一个可用的管理员账户。")


def set_active(session: Session, login: str, active: bool) -> User:
    """lock (停用) / unlock (启用, also clears a lock-out)."""
    require(session, "users.manage")
    user = _get(session, login)
    me = current_user(session)
    if not active and me is not None and me.id == user.id:
        raise AidofficeError("不能停用自己正在使用的账户。")
    user.active = active
    if active:
        user.failed_attempts = 0
        user.locked_until = None
    _keep_an_administrator(session, user)
    _audit(
        session,
        "user_unlock" if active else "user_lock",
        user,
        f"{'启用' if active else '停用'}账户“{user.login}”",
        {"active": active},
    )
    return user


def change_password(session: Session, login: str, old_password: str, new_password: str) -> User:
    """The account's owner changes their password (they must know the old one)."""
    user = _find(session, login)
    if user is None or not user.active or not _verify(user, old_password):
        raise AidofficeError("原密码不正确。")
    check_password_rules(new_password, user.login)
    if new_password == old_password:
        raise ValidationError([FieldProblem("新密码", "不能与原密码相同")])
    user.password_hash = _hasher.hash(new_password)
    user.must_change_password = False
    user.failed_attempts = 0
    user.locked_until = None
    session.flush()
    _audit(
        session,
        "user_passwd",
        user,
        f"账户“{user.login}”修改了密码",
        {"pw": password_digest(user.password_hash)},
    )
    return user


def reset_password(session: Session, login: str, new_password: str) -> User:
    """An administrator sets a temporary password; the owner must change it at the next sign-in."""
    require(session, "users.manage")
    user = _get(session, login)
    check_password_rules(new_password, user.login)
    user.password_hash = _hasher.hash(new_password)
    me = current_user(session)
    user.must_change_password = me is None or me.id != user.id
    user.failed_attempts = 0
    user.locked_until = None
    session.flush()
    _audit(
        session,
        "user_reset",
        user,
        f"重置账户“{user.login}”的密码",
        {"pw": password_digest(user.password_hash)},
    )
    return user


# ---- signing in -------------------------------------------------------------------------------------------


def _verify(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def lock_time(failures: int) -> timedelta:
    """How long an account waits after `failures` wrong passwords in a row: nothing before
    LOCK_AFTER, then 30 s, 60 s, 120 s … up to 30 minutes."""
    if failures < LOCK_AFTER:
        return timedelta(0)
    return min(LONGEST_LOCK, FIRST_LOCK * (2 ** min(failures - LOCK_AFTER, 16)))


def authenticate(session: Session, login: str, password: str, now: datetime | None = None) -> User:
    """Check a login and password; the user, or SignInFailed. A failure is recorded in `session` (the
    failure count, the lock, an audit entry): the caller commits even when this raises — `sign_in`
    does — or the lock-out would never take effect."""
    now = now or clock.now()
    user = _find(session, login)
    if user is None:
        _hasher.verify(_DUMMY_HASH, "aidoffice-no-such-user")  # the same cost as a real check
        # a name no account has may be a password typed into the wrong box: the trail, which nobody
        # can delete, keeps only its first two characters and its length
        typed = normalize_login(login)
        shown = typed[:2] + "…" if len(typed) > 2 else typed
        _audit(session, "sign_in_failed", None, f"登录失败：没有这个登录名（“{shown}”，{len(typed)} 个字符）")
        raise SignInFailed()
    locked = user.locked_until is not None and user.locked_until > now
    ok = _verify(user, password)  # always: a locked account answers in the same time
    if ok and not locked and user.active:
        # the role and classes must be what the sealed trail says (nobody changed them with SQL)
        problems = account_problems(session, user.id)
        if problems:
            _audit(session, "sign_in_failed", user, f"登录被拒绝：“{user.login}”的账户与操作记录不符")
            raise AccountNotExplained(user.login, problems[0].message)
    if locked or not user.active or not ok:
        if not locked and user.active:
            user.failed_attempts += 1
            wait = lock_time(user.failed_attempts)
            if wait:
                user.locked_until = now + wait
        why = "账户已锁定" if locked else "账户已停用" if not user.active else "密码错误"
        session.flush()
        _audit(session, "sign_in_failed", user, f"登录失败：“{user.login}”，{why}")
        if locked and ok and user.active:
            raise AccountLocked(user.login, user.locked_until, now)  # type: ignore[arg-type]
        raise SignInFailed()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        _audit(
            session,
            "user_rehash",
            user,
            f"“{user.login}”登录时更新了密码的加密参数",
            {"pw": password_digest(user.password_hash)},
        )
    user.failed_attempts = 0
    user.locked_until = None
    user.last_sign_in = now
    session.flush()
    return user


def sign_in(db: Any, login: str, password: str, *, allow_password_change: bool = False) -> Principal:
    """Authenticate in a transaction of its own (a failure is committed too) and return the user.
    Raises PasswordChangeRequired for an account that must change its password first, unless the
    caller is about to do exactly that."""
    with db.sessions() as session:
        try:
            user = authenticate(session, login, password)
        except SignInFailed:
            session.commit()
            raise
        principal = Principal.of(user)
        act_as(session, principal)
        _audit(session, "sign_in", user, f"“{user.login}”登录（{principal.role.name}）")
        session.commit()
    if user.must_change_password and not allow_password_change:
        raise PasswordChangeRequired(principal.login)
    return principal


def sign_out(db: Any, user: Principal, note: str | None = None, *, action: str = "sign_out") -> None:
    """Record that `user` left: signed out (`sign_out`) or the screen was locked after idle time
    (`lock`; signing in again is recorded by sign_in)."""
    with db.sessions() as session:
        act_as(session, user)
        account = session.get(User, user.id)
        default = f"“{user.login}”退出登录" if action == "sign_out" else f"“{user.login}”的窗口已锁定"
        _audit(session, action, account, note or default)
        session.commit()


# ---- settings kept in the database ----------------------------------------------------------------------


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(AppSetting, key)
    return default if row is None else row.value


def put_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def idle_minutes(session: Session) -> int:
    """Sign out after this many idle minutes (0: never)."""
    value = get_setting(session, "idle_minutes", DEFAULT_IDLE_MINUTES)
    return value if isinstance(value, int) and value >= 0 else DEFAULT_IDLE_MINUTES


def set_idle_minutes(session: Session, minutes: int) -> None:
    require(session, "users.manage")
    if not 0 <= minutes <= 24 * 60:
        raise ValidationError([FieldProblem("自动退出时间", "应在 0（从不）到 1440 分钟之间")])
    old = idle_minutes(session)
    put_setting(session, "idle_minutes", minutes)
    _audit(
        session,
        "setting",
        None,
        f"空闲自动退出时间：{old} → {minutes} 分钟",
        {"key": "idle_minutes", "value": minutes},
    )


def _this_database(session_or_db: Any) -> str | None:
    """The key single-clerk mode is kept under in this computer's settings: the SQLite file's full
    path (None for a server database, where the mode is never allowed)."""
    bind = session_or_db.get_bind() if isinstance(session_or_db, Session) else session_or_db.engine
    if bind.dialect.name != "sqlite":
        return None
    name = bind.url.database
    if not name or name == ":memory:":
        return None
    from pathlib import Path

    return str(Path(name).resolve())


def _local_single_clerk() -> dict[str, str]:
    from aidoffice.paths import load_settings

    value = load_settings().get(SINGLE_CLERK_KEY)
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def _store_single_clerk(key: str, login: str | None) -> None:
    from aidoffice.paths import update_settings

    value = _local_single_clerk()
    if login is None:
        value.pop(key, None)
    else:
        value[key] = login
    update_settings(**{SINGLE_CLERK_KEY: value})


def single_clerk_login(session: Session) -> str | None:
    """The administrator who signs in without a password on this PC (单人模式), or None. Kept in this
    computer's settings (the data folder), never in the database: a backup restored on another PC
    does not bring it along, and a row added to the database cannot turn it on."""
    key = _this_database(session)
    return _local_single_clerk().get(key) if key else None


def set_single_clerk(session: Session, login: str | None) -> None:
    """Turn single-clerk mode on for `login` (an active administrator) or off (None), on this PC.
    Recorded in the audit trail, since from then on anyone at this PC acts as that administrator."""
    if accounts_exist(session):
        require(session, "users.manage")
    key = _this_database(session)
    if login is not None and key is None:
        raise AidofficeError(
            "单人模式只能用于本机数据库：服务器上的数据库由多台电脑共用，自动登录会让任何一台电脑不用密码就成为管理员。"
        )
    if login is None:
        if key is not None:
            _store_single_clerk(key, None)
        _audit(
            session,
            "setting",
            None,
            "关闭单人模式：以后打开程序需要登录",
            {"key": SINGLE_CLERK_KEY, "login": None},
        )
        return
    user = _get(session, login)
    if user.role != "admin" or not user.active:
        raise AidofficeError("单人模式只能用于一个可用的管理员账户。")
    if account_problems(session, user.id):
        raise AidofficeError(
            f"账户“{user.login}”的角色或班级与操作记录不符，不能用于单人模式。请先运行 aidoffice check。"
        )
    assert key is not None
    _audit(
        session,
        "setting",
        user,
        f"开启单人模式：打开程序时自动以“{user.login}”登录，不再询问密码（适合一人使用的电脑）",
        {"key": SINGLE_CLERK_KEY, "login": user.login},
    )
    session.flush()
    _store_single_clerk(key, user.login)


def _adopt_database_flag(session: Session, key: str) -> None:
    """A database from before single-clerk mode moved to the PC may still hold it as a row: the clerk
    who turned it on keeps it, on this computer, if the sealed trail says they did; a row the trail
    does not explain (added by hand) is dropped. Either way the row leaves the database."""
    row = session.get(AppSetting, SINGLE_CLERK_KEY)
    if row is None:
        return
    login = row.value if isinstance(row.value, str) else None
    session.delete(row)
    on = single_clerk_from_trail(session.connection())
    user = session.get(User, on) if on is not None else None
    if login and user is not None and user.login == login and key not in _local_single_clerk():
        _audit(
            session,
            "setting",
            user,
            f"单人模式（自动以“{login}”登录）改为保存在这台电脑上",
            {"key": SINGLE_CLERK_KEY, "login": login},
        )
        session.flush()
        _store_single_clerk(key, login)
    elif login:
        _audit(
            session,
            "setting",
            None,
            f"数据库中开启单人模式（“{login}”）的设置未被采用：操作记录中没有开启过，或已在这台电脑上设置",
            {"key": SINGLE_CLERK_KEY, "ignored": login},
        )


def auto_sign_in(db: Any) -> Principal | None:
    """The single-clerk administrator, if that mode is on for this database on this PC and the account
    is usable and what the trail says it is; the sign-in is recorded as such."""
    key = _this_database(db)
    if key is None:  # a server database is shared by many PCs: never without a password
        return None
    with db.sessions() as session:
        if session.get(AppSetting, SINGLE_CLERK_KEY) is not None:
            _adopt_database_flag(session, key)
            session.commit()
        login = _local_single_clerk().get(key)
        user = _find(session, login) if login else None
        if user is None or not user.active or user.role != "admin":
            return None
        if account_problems(session, user.id):
            return None  # the password dialog follows, and says why when the password is given
        principal = Principal.of(user)
        act_as(session, principal)
        user.last_sign_in = clock.now()
        _audit(session, "sign_in", user, f"“{user.login}”自动登录（单人模式）")
        session.commit()
        return principal
