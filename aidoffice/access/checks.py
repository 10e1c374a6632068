"""Who is acting and what they may do, checked in the core services (not only by hiding buttons).

The signed-in user travels in `session.info["user"]` as a `Principal` (plain values, safe to share
between threads and sessions); `session.info["actor"]` is their login name, so the audit trail names
them. A service starts with `require(session, "students.edit")`; a query over students applies
`scope_students(session, query)` so a head teacher sees only their own classes.

Open mode: while a database has no accounts at all, every check passes and the actor is the operating
system's login — the way the program worked before accounts existed, so a single clerk who never
sets up accounts is not locked out of their own data. Once one account exists, a session without a
signed-in user may do nothing that needs a permission."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from aidoffice.access.roles import Role, role_book
from aidoffice.db.models import AuditEntry, Student, User
from aidoffice.domain.grades import make_grade
from aidoffice.errors import AidofficeError

if TYPE_CHECKING:
    from sqlalchemy import Select

    from aidoffice.db.engine import Database

ClassKey = tuple[int, str]  # (grade number, class name): (7, "1班")


class PermissionDenied(AidofficeError):
    """The signed-in user's role does not allow this (exit status 1 in the CLI)."""

    def __init__(self, message: str, permission: str | None = None):
        self.permission = permission
        super().__init__(message)


@dataclass(frozen=True)
class Principal:
    """The signed-in user as plain values."""

    id: int
    login: str
    display_name: str
    role_code: str
    classes: frozenset[ClassKey] = frozenset()

    @property
    def role(self) -> Role:
        return role_book().role(self.role_code)

    def allows(self, permission: str) -> bool:
        return self.role.allows(permission)

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.login}，{self.role.name}）"

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(user.id, user.login, user.display_name, user.role, frozenset(classes_of(user)))


def classes_of(user: User) -> set[ClassKey]:
    return {(int(g), str(c)) for g, c in (user.classes or [])}


def class_label(key: ClassKey) -> str:
    grade, class_name = key
    try:
        return f"{make_grade(grade).name}{class_name}"
    except Exception:  # a grade the domain no longer knows still deserves a readable message
        return f"{grade}年级{class_name}"


# ---- the acting user -------------------------------------------------------------------------------


def current_user(session: Session) -> Principal | None:
    return session.info.get("user")


def act_as(session: Session, user: Principal | None) -> None:
    """Make `user` the actor of this session (for a session opened before sign-in)."""
    if user is None:
        session.info.pop("user", None)
        return
    session.info["user"] = user
    session.info["actor"] = user.login


def bind_user(db: Database, user: Principal | None) -> None:
    """Every session the database opens from now on acts as `user` (after sign-in; None after
    sign-out). The GUI calls this once the sign-in dialog succeeds; the CLI after `--user`."""
    info = dict(db.sessions.kw.get("info") or {})
    if user is None:
        info.pop("user", None)
    else:
        info["user"] = user
    db.sessions.configure(info=info)


def bound_user(db: Database) -> Principal | None:
    """The account `bind_user` made this database's sessions act as, if any."""
    return (db.sessions.kw.get("info") or {}).get("user")


def accounts_exist(session: Session) -> bool:
    cached = session.info.get("_accounts_exist")
    if cached is None:
        # accounts all deleted by hand must not open the database to everyone: the trail remembers
        cached = bool(session.scalar(select(exists().select_from(User)))) or accounts_recorded(session)
        session.info["_accounts_exist"] = cached
    return cached


def accounts_recorded(source: Connection | Session) -> bool:
    """Whether the sealed trail has ever created an account: a database whose accounts were all
    deleted by hand must not fall back to open mode (where everyone may do everything)."""
    conn = source.connection() if isinstance(source, Session) else source
    return (
        conn.execute(
            select(AuditEntry.id)
            .where(
                AuditEntry.entity == "app_user",
                AuditEntry.action == "user_add",
                AuditEntry.chain_seq.is_not(None),
            )
            .limit(1)
        ).first()
        is not None
    )


# ---- checks ------------------------------------------------------------------------------------------


def allowed(session: Session, permission: str) -> bool:
    """Whether the acting user may do `permission` (for greying out a button; services call require)."""
    user = current_user(session)
    if user is None:
        return not accounts_exist(session)
    return user.allows(permission)


def require(session: Session, permission: str) -> Principal | None:
    """Raise PermissionDenied unless the acting user may do `permission`. Returns the user (None in
    open mode)."""
    user = current_user(session)
    if user is None:
        if not accounts_exist(session):
            return None
        raise PermissionDenied(
            "此数据库已启用账户，请先登录。命令行请加 --user 登录名（密码在提示时输入，"
            "或放在环境变量 AIDOFFICE_PASSWORD 中）。",
            permission,
        )
    if not user.allows(permission):
        what = role_book().label(permission)
        raise PermissionDenied(
            f"您的账户{user.label}没有“{what}”的权限。如需办理，请联系管理员。", permission
        )
    return user


def class_scope(session: Session) -> set[ClassKey] | None:
    """None: every class; otherwise the (grade, class) pairs the acting head teacher owns (may be
    empty: a head teacher with no class on their account sees nobody)."""
    user = current_user(session)
    if user is None or not user.role.own_classes_only:
        return None
    return set(user.classes)


def scope_condition(session: Session, grade_col: Any = None, class_col: Any = None) -> Any:
    """A WHERE condition limiting rows to the acting user's classes, or None for everybody."""
    scope = class_scope(session)
    if scope is None:
        return None
    grade_col = Student.grade if grade_col is None else grade_col
    class_col = Student.class_name if class_col is None else class_col
    if not scope:
        return false()
    return or_(*(and_(grade_col == g, class_col == c) for g, c in sorted(scope)))


def scope_students(session: Session, query: Select) -> Select:
    """`query` (over Student) limited to the acting user's classes."""
    condition = scope_condition(session)
    return query if condition is None else query.where(condition)


def require_class(session: Session, permission: str, grade: int, class_name: str) -> Principal | None:
    """require(permission) and, for a head teacher, that the class is one of theirs."""
    user = require(session, permission)
    scope = class_scope(session)
    if scope is not None and (grade, class_name) not in scope:
        assert user is not None
        raise PermissionDenied(
            f"您的账户{user.label}只能处理本班学生，{class_label((grade, class_name))}不是您登记的班级。",
            permission,
        )
    return user


def require_student(session: Session, permission: str, student: Student) -> Principal | None:
    return require_class(session, permission, student.grade, student.class_name)


def classes_text(scope: Iterable[ClassKey]) -> str:
    return "、".join(class_label(k) for k in sorted(scope)) or "（账户上没有登记班级）"


def require_scope(
    session: Session, permission: str, grade: int | None, class_name: str | None
) -> Principal | None:
    """require(permission) for a batch over the whole school, a grade or one class (letters, slips
    lists): a head teacher must name one of their own classes — a grade or the whole school would
    reach other teachers' children."""
    user = require(session, permission)
    scope = class_scope(session)
    if scope is None:
        return user
    assert user is not None
    if grade is None or class_name is None:
        raise PermissionDenied(
            f"您的账户{user.label}只能处理本班学生，请选择年级和班级（您登记的班级：{classes_text(scope)}），"
            "不能按全校或整个年级生成。",
            permission,
        )
    return require_class(session, permission, grade, class_name)


def require_whole_school(session: Session, permission: str, what: str) -> Principal | None:
    """require(permission) for a document that lists the whole school (the public notice, the
    inspection pack): a head teacher, who sees only their own classes, may not make it."""
    user = require(session, permission)
    if class_scope(session) is not None:
        assert user is not None
        raise PermissionDenied(
            f"您的账户{user.label}只能处理本班学生；{what}涉及全校学生，请由资助专干或管理员生成。",
            permission,
        )
    return user
