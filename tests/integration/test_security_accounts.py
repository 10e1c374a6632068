"""Accounts, sign-in and permissions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from aidoffice.access.checks import (
    PermissionDenied,
    Principal,
    act_as,
    bind_user,
    class_scope,
    require,
    require_student,
    scope_students,
)
from aidoffice.db.models import AuditEntry, Student, User
from aidoffice.errors import AidofficeError, ValidationError
from aidoffice.ledgers.students import add_student
from aidoffice.safety import accounts
from aidoffice.safety.accounts import SignInFailed, authenticate, create_user, sign_in
from tests.factories import student

ADMIN_PW = "Mountain-2026"
CLERK_PW = "River-2026x"


def _admin(db) -> Principal:
    with db.unit_of_work() as s:
        create_user(s, "zhang", "张主任", ADMIN_PW, "admin")
    return sign_in(db, "zhang", ADMIN_PW)


def _add(db, admin: Principal, login: str, role: str, classes=None, password: str = CLERK_PW) -> None:
    with db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, login, login, password, role, classes, must_change_password=False)


def test_the_first_account_must_be_an_administrator(db):
    """First run creates the administrator; a clerk first would leave nobody able to manage accounts."""
    with pytest.raises(AidofficeError, match="第一个账户必须是管理员"), db.unit_of_work() as s:
        create_user(s, "li", "李老师", CLERK_PW, "clerk")
    _admin(db)
    with db.reading() as s:
        assert s.scalars(select(User.login)).all() == ["zhang"]


def test_without_accounts_everything_is_allowed_and_with_one_nothing_is_anonymous(db):
    """Open mode keeps a lone clerk's existing setup working; once accounts exist, a session nobody
    signed into may do nothing that needs a permission."""
    with db.unit_of_work() as s:
        assert require(s, "students.edit") is None
    _admin(db)
    with pytest.raises(PermissionDenied, match="请先登录"), db.unit_of_work() as s:
        require(s, "students.view")


def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(db):
    """The message must not tell an outsider which logins exist."""
    _admin(db)
    with pytest.raises(SignInFailed) as wrong:
        sign_in(db, "zhang", "not-the-password1")
    with pytest.raises(SignInFailed) as unknown:
        sign_in(db, "nobody", "not-the-password1")
    assert str(wrong.value) == str(unknown.value)
    assert "登录名或密码不正确" in str(wrong.value)
    with pytest.raises(SignInFailed):  # a password typed into the login box must not stay in the trail
        sign_in(db, "Secret-horse-42", "x")
    with db.reading() as s:
        notes = s.scalars(select(AuditEntry.note).where(AuditEntry.action == "sign_in_failed")).all()
    assert "Secret-horse-42".lower() not in " ".join(notes).lower()
    assert any("没有这个登录名（“se…”，15 个字符）" in n for n in notes), notes


@pytest.mark.real_password_hashing
def test_an_unknown_login_costs_one_full_password_check_and_loading_accounts_hashes_nothing(db, monkeypatch):
    """The stand-in hash an unknown login is checked against has the real hashes' cost (memory,
    passes, lanes), so timing does not tell which logins exist; and loading the accounts module no
    longer hashes anything (it cost every command 0.2 s and 64 MiB)."""
    import subprocess
    import sys

    assert accounts._DUMMY_HASH.startswith("$argon2id$")
    # the program's cost (the rest of the suite hashes quickly: tests/conftest.py)
    assert (accounts._hasher.memory_cost, accounts._hasher.time_cost) == (65536, 3)
    assert accounts._hasher.parallelism == 4
    assert accounts._hasher.check_needs_rehash(accounts._DUMMY_HASH) is False
    probe = (
        "import argon2\n"
        "def refuse(*a, **k): raise SystemExit('hashed at import')\n"
        "argon2.PasswordHasher.hash = refuse\n"
        "import aidoffice.safety.accounts\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    _admin(db)
    checked = []
    real = accounts._hasher

    class Watching:
        def verify(self, hashed, password):  # type: ignore[no-untyped-def]
            checked.append(hashed)
            return real.verify(hashed, password)

    monkeypatch.setattr(accounts, "_hasher", Watching())
    with pytest.raises(SignInFailed):
        sign_in(db, "nobody", "not-the-password1")
    assert checked == [accounts._DUMMY_HASH]


@pytest.mark.real_password_hashing
def test_a_password_hashed_at_a_lower_cost_is_rehashed_at_the_programs_cost_when_its_owner_signs_in(
    db,
):
    """An account made by an older version (or by the suite's quick hasher) gets the program's cost the
    next time its owner signs in with the right password, and the trail says so."""
    from tests.conftest import QUICK_HASHER

    real, accounts._hasher = accounts._hasher, QUICK_HASHER
    try:
        _admin(db)
    finally:
        accounts._hasher = real
    with db.reading() as s:
        assert ",t=1," in s.scalars(select(User.password_hash)).one()
    assert sign_in(db, "zhang", ADMIN_PW).login == "zhang"
    with db.reading() as s:
        upgraded = s.scalars(select(User.password_hash)).one()
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert actions.count("user_rehash") == 1
    assert sign_in(db, "zhang", ADMIN_PW).login == "zhang"  # the new hash checks, and is not redone
    with db.reading() as s:
        assert s.scalars(select(AuditEntry.action)).all().count("user_rehash") == 1


def test_five_failures_lock_the_account_even_against_the_right_password(db):
    """Guessing passwords must slow down; a locked account refuses the right password until the wait
    is over, and the wait doubles with each further failure."""
    _admin(db)
    now = datetime(2026, 11, 27, 10, 0)
    for _ in range(accounts.LOCK_AFTER):
        with db.sessions() as s, pytest.raises(SignInFailed):
            try:
                authenticate(s, "zhang", "wrong-password1", now=now)
            finally:
                s.commit()
    with db.sessions() as s:
        user = s.scalars(select(User).where(User.login == "zhang")).one()
        assert user.locked_until == now + timedelta(seconds=30)
        with pytest.raises(SignInFailed):
            authenticate(s, "zhang", ADMIN_PW, now=now + timedelta(seconds=10))
        assert authenticate(s, "zhang", ADMIN_PW, now=now + timedelta(seconds=31)).login == "zhang"
    assert accounts.lock_time(accounts.LOCK_AFTER + 1) == timedelta(seconds=60)
    assert accounts.lock_time(50) == accounts.LONGEST_LOCK


def test_an_administrator_unlocks_a_locked_account(db):
    """A clerk locked out before a deadline must not wait half an hour."""
    admin = _admin(db)
    _add(db, admin, "li", "clerk")
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(SignInFailed):
            sign_in(db, "li", "wrong-password1")
    with pytest.raises(SignInFailed):
        sign_in(db, "li", CLERK_PW)
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.set_active(s, "li", True)
    assert sign_in(db, "li", CLERK_PW).login == "li"


def test_a_reset_password_must_be_changed_at_the_next_sign_in(db):
    """A password the administrator knows must not stay the owner's password."""
    admin = _admin(db)
    _add(db, admin, "li", "clerk")
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.reset_password(s, "li", "Temp-pass-1")
    with pytest.raises(accounts.PasswordChangeRequired, match="users passwd"):
        sign_in(db, "li", "Temp-pass-1")
    with db.unit_of_work() as s:
        accounts.change_password(s, "li", "Temp-pass-1", "Mine-at-last-2")
    assert sign_in(db, "li", "Mine-at-last-2").login == "li"
    with pytest.raises(SignInFailed):
        sign_in(db, "li", "Temp-pass-1")


def test_weak_passwords_are_refused_with_the_rule(db):
    """An account guarding children's data needs a real password; the refusal must state the rule to meet."""
    with pytest.raises(ValidationError, match="至少 8 个字符"), db.unit_of_work() as s:
        create_user(s, "zhang", "张主任", "abc1", "admin")
    for weak in (
        "12345678",
        "password",
        "        ",
        "--------",
        "中文密码就是这样",
        "abc\u0661\u0662\u0663\u0664\u0665",
    ):
        with pytest.raises(ValidationError, match="请同时使用字母和数字"), db.unit_of_work() as s:
            create_user(s, "zhang", "张主任", weak, "admin")
    for guessable in ("a1      ", "aaaaaaa1", "a1a1a1a1", "a0000000", "password1", "Abc12345"):
        with pytest.raises(ValidationError, match="太容易被猜到"), db.unit_of_work() as s:
            create_user(s, "zhang", "张主任", guessable, "admin")


def test_a_class_given_to_an_account_that_is_not_limited_by_class_is_refused(db):
    """Dropped silently, the administrator would believe the county account limited to one class."""
    admin = _admin(db)
    with pytest.raises(ValidationError, match="不需要登记班级"), db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, "xian", "县中心", "County-2026", "county_viewer", [(7, "1班")])


def test_a_clerk_may_not_manage_accounts(db):
    """Permissions are checked in the core, not only by hiding the users page."""
    admin = _admin(db)
    _add(db, admin, "li", "clerk")
    li = sign_in(db, "li", CLERK_PW)
    with pytest.raises(PermissionDenied, match="管理账户") as denied, db.unit_of_work() as s:
        act_as(s, li)
        create_user(s, "wang", "王老师", "Teacher-123", "head_teacher", [(7, "1班")])
    assert "资助专干" in str(denied.value)


def test_the_last_administrator_cannot_be_disabled(db):
    """With no active administrator left, nobody could manage accounts or unlock a clerk ever again."""
    admin = _admin(db)
    _add(db, admin, "zhao", "admin")
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.set_active(s, "zhao", False)
    with pytest.raises(AidofficeError, match="至少要保留一个可用的管理员"), db.unit_of_work() as s:
        act_as(s, admin)
        accounts.update_user(s, "zhang", active=False)
    with pytest.raises(AidofficeError, match="至少要保留一个可用的管理员"), db.unit_of_work() as s:
        act_as(s, admin)
        accounts.update_user(s, "zhang", role="clerk")


def test_a_head_teacher_is_scoped_to_their_own_classes(school_db):
    """班主任 see and handle only the classes on their account."""
    db = school_db
    with db.unit_of_work() as s:
        mine = add_student(s, 1, student("王一", grade="七年级", class_name="1班")).id
        other = add_student(s, 1, student("李二", grade="七年级", class_name="2班")).id
    admin = _admin(db)
    _add(db, admin, "wang", "head_teacher", accounts.parse_classes(["七年级1班"]))
    wang = sign_in(db, "wang", CLERK_PW)
    with db.unit_of_work() as s:
        act_as(s, wang)
        assert class_scope(s) == {(7, "1班")}
        seen = s.scalars(scope_students(s, select(Student.name))).all()
        assert seen == ["王一"]
        require_student(s, "slips.register", s.get(Student, mine))
        with pytest.raises(PermissionDenied, match="七年级2班不是您登记的班级"):
            require_student(s, "slips.register", s.get(Student, other))
        with pytest.raises(PermissionDenied, match="导入名单"):
            require(s, "import.run")


def test_account_events_are_in_the_audit_trail_without_the_password_hash(db):
    """Who created which account and who signed in is traceable; the hash never leaves the users table."""
    admin = _admin(db)
    _add(db, admin, "li", "clerk")
    with pytest.raises(SignInFailed):
        sign_in(db, "li", "wrong-password1")
    with db.reading() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "app_user").order_by(AuditEntry.id)
        ).all()
        hashes = s.scalars(select(User.password_hash)).all()
    assert [e.action for e in entries] == ["user_add", "sign_in", "user_add", "sign_in_failed"]
    assert entries[2].actor == "zhang"
    text = repr([(e.before, e.after, e.note) for e in entries])
    assert not any(h in text or h.split("$")[-1] in text for h in hashes)


def test_a_bound_user_is_the_actor_of_every_change(school_db):
    """The audit trail names the account, not the PC's login, once someone signed in."""
    db = school_db
    admin = _admin(db)
    bind_user(db, admin)
    try:
        with db.unit_of_work() as s:
            sid = add_student(s, 1, student("王小明")).id
    finally:
        bind_user(db, None)
    with db.reading() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "student", AuditEntry.entity_id == sid)
        ).one()
    assert entry.actor == "zhang"


def test_single_clerk_mode_signs_in_without_a_password_and_says_so(db):
    """On a personal PC the administrator may skip the password; the trail records that choice. A
    server's database is shared by many PCs, so there it is refused: any PC would be administrator."""
    admin = _admin(db)
    assert accounts.auto_sign_in(db) is None
    if db.dialect != "sqlite":
        with pytest.raises(AidofficeError, match="单人模式只能用于本机数据库"), db.unit_of_work() as s:
            act_as(s, admin)
            accounts.set_single_clerk(s, "zhang")
        with db.unit_of_work() as s:  # even if the setting got there by other means
            accounts.put_setting(s, "single_clerk", "zhang")
        assert accounts.auto_sign_in(db) is None
        return
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.set_single_clerk(s, "zhang")
    assert accounts.auto_sign_in(db).login == "zhang"
    with db.reading() as s:
        notes = s.scalars(select(AuditEntry.note).where(AuditEntry.action.in_(["setting", "sign_in"]))).all()
    assert any("开启单人模式" in n for n in notes)
    assert any("自动登录（单人模式）" in n for n in notes)


def test_the_idle_sign_out_time_is_a_setting(db):
    """A shared office PC must sign out after an idle time the school chooses, not a fixed one."""
    admin = _admin(db)
    with db.unit_of_work() as s:
        assert accounts.idle_minutes(s) == accounts.DEFAULT_IDLE_MINUTES
        act_as(s, admin)
        accounts.set_idle_minutes(s, 5)
    with db.reading() as s:
        assert accounts.idle_minutes(s) == 5
