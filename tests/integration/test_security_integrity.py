"""Roles and settings that change unseen (issue 20 §2): accounts, roles, class assignments and security
settings are part of the sealed history; a state the trail does not explain is refused at sign-in,
reported by `check`, and shown by `restore`. Single-clerk mode lives on the computer. On SQLite and
PostgreSQL where the engine matters."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from sqlalchemy import delete, select, text, update

from aidoffice.access.checks import PermissionDenied, Principal, act_as, bind_user, require
from aidoffice.db.engine import Database
from aidoffice.db.models import AppSetting, AuditEntry, User
from aidoffice.errors import AidofficeError
from aidoffice.safety import accounts
from aidoffice.safety.accounts import AccountNotExplained, create_user, sign_in
from aidoffice.safety.check import check_database

ADMIN_PW = "Mountain-2026"
TEACHER_PW = "River-2026x"


def _office(db) -> Principal:
    """An administrator (zhang) and a head teacher of 七年级1班 (wang), made through the services."""
    with db.unit_of_work() as s:
        create_user(s, "zhang", "张主任", ADMIN_PW, "admin")
    admin = sign_in(db, "zhang", ADMIN_PW)
    with db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, "wang", "王老师", TEACHER_PW, "head_teacher", [(7, "1班")], must_change_password=False)
    return admin


def _check(db, admin: Principal) -> list[str]:
    bind_user(db, admin)
    try:
        return [p.message for p in check_database(db) if p.kind in ("accounts", "audit")]
    finally:
        bind_user(db, None)


def _sql(db, statement: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_untouched_office_signs_in_and_checks_clean(db):
    admin = _office(db)
    assert sign_in(db, "wang", TEACHER_PW).role_code == "head_teacher"
    assert _check(db, admin) == []


def test_a_head_teacher_made_administrator_with_sql_is_refused_and_reported(db):
    """UPDATE app_user SET role='admin': the password is right, the role is not what the trail says."""
    admin = _office(db)
    _sql(db, "UPDATE app_user SET role = 'admin' WHERE login = 'wang'")
    with pytest.raises(AccountNotExplained, match="角色是“管理员”，记录中是“班主任”") as refused:
        sign_in(db, "wang", TEACHER_PW)
    assert "aidoffice check" in str(refused.value)
    [problem] = _check(db, admin)
    assert "wang" in problem and "管理员" in problem
    with db.reading() as s:  # the refusal itself is in the trail
        notes = s.scalars(select(AuditEntry.note).where(AuditEntry.action == "sign_in_failed")).all()
    assert any("与操作记录不符" in n for n in notes)


def test_a_head_teacher_given_more_classes_with_sql_is_refused_and_reported(db):
    admin = _office(db)
    _sql(db, "UPDATE app_user SET classes = :c WHERE login = 'wang'", c=json.dumps([[7, "1班"], [8, "2班"]]))
    with pytest.raises(AccountNotExplained, match="所带班级"):
        sign_in(db, "wang", TEACHER_PW)
    [problem] = _check(db, admin)
    assert "八年级2班" in problem


def test_an_account_inserted_or_re_enabled_with_sql_is_refused(db):
    admin = _office(db)
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.set_active(s, "wang", False)
    _sql(db, "UPDATE app_user SET active = :t WHERE login = 'wang'", t=True)
    with pytest.raises(AccountNotExplained, match="记录中已停用"):
        sign_in(db, "wang", TEACHER_PW)
    with db.reading() as s:
        hashed = s.scalar(select(User.password_hash).where(User.login == "zhang"))
    _sql(
        db,
        "INSERT INTO app_user (login, display_name, password_hash, role, classes, failed_attempts, "
        "must_change_password, active) VALUES ('evil', 'x', :h, 'admin', '[]', 0, :f, :t)",
        h=hashed,
        f=False,
        t=True,
    )
    with pytest.raises(AccountNotExplained, match="没有建立记录"):
        sign_in(db, "evil", ADMIN_PW)
    problems = _check(db, admin)
    assert any("evil" in p for p in problems) and any("wang" in p for p in problems)


def test_a_password_hash_replaced_with_sql_is_refused_until_an_administrator_resets_it(db):
    """Copying a known hash over the administrator's (the classic way in): the right 'new' password
    is refused; the trail keeps only a digest of each hash, never the hash."""
    admin = _office(db)
    with db.reading() as s:
        known = s.scalar(select(User.password_hash).where(User.login == "wang"))
    _sql(db, "UPDATE app_user SET password_hash = :h WHERE login = 'zhang'", h=known)
    with pytest.raises(AccountNotExplained, match="密码不是在程序中设置的"):
        sign_in(db, "zhang", TEACHER_PW)
    assert any("zhang" in p and "密码" in p for p in _check(db, admin))
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.reset_password(s, "zhang", "New-Start-2026")
    assert sign_in(db, "zhang", "New-Start-2026").role_code == "admin"
    with db.reading() as s:
        trail = repr(s.execute(select(AuditEntry.before, AuditEntry.after, AuditEntry.note)).all())
        hashes = s.scalars(select(User.password_hash)).all()
    assert not any(h in trail or h.split("$")[-1] in trail for h in [*hashes, known])


def test_an_account_entry_edited_to_match_does_not_explain_the_role(db):
    """Editing the trail's own entry to say 'admin' as well breaks its seal: it explains nothing."""
    _office(db)
    _sql(db, "UPDATE app_user SET role = 'admin' WHERE login = 'wang'")
    with db.engine.begin() as conn:
        uid = conn.scalar(select(User.id).where(User.login == "wang"))
        conn.execute(
            update(AuditEntry)
            .where(
                AuditEntry.entity == "app_user", AuditEntry.action == "user_add", AuditEntry.entity_id == uid
            )
            .values(after={"login": "wang", "role": "admin", "classes": []})
        )
    _sql(db, "UPDATE app_user SET classes = '[]' WHERE login = 'wang'")
    with pytest.raises(AccountNotExplained):
        sign_in(db, "wang", TEACHER_PW)


def test_all_accounts_deleted_with_sql_do_not_open_the_database_to_everyone(db):
    admin = _office(db)
    _sql(db, "DELETE FROM app_user")
    with db.unit_of_work() as s:
        with pytest.raises(PermissionDenied, match="请先登录"):
            require(s, "users.manage")
        with pytest.raises(PermissionDenied):
            create_user(s, "new", "新管理员", ADMIN_PW, "admin")
    assert any("已不在数据库中" in p for p in _check(db, admin))


def test_an_administrator_confirming_the_account_lets_it_sign_in_again(db):
    admin = _office(db)
    _sql(db, "UPDATE app_user SET classes = :c WHERE login = 'wang'", c=json.dumps([[7, "1班"], [7, "2班"]]))
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.update_user(s, "wang", classes=[(7, "1班")])  # back to what it was: still recorded
    assert sign_in(db, "wang", TEACHER_PW).classes == frozenset({(7, "1班")})
    assert _check(db, admin) == []
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.update_user(s, "wang", role="clerk", classes=[])
    assert sign_in(db, "wang", TEACHER_PW).role_code == "clerk"
    assert _check(db, admin) == []


def test_the_idle_sign_out_time_changed_with_sql_is_reported(db):
    admin = _office(db)
    with db.unit_of_work() as s:
        act_as(s, admin)
        accounts.set_idle_minutes(s, 10)
    assert _check(db, admin) == []
    with db.engine.begin() as conn:
        conn.execute(update(AppSetting).where(AppSetting.key == "idle_minutes").values(value=0))
    assert any("空闲自动退出时间" in p for p in _check(db, admin))


# ---- single-clerk mode lives on the computer ----------------------------------------------------------


def test_an_inserted_single_clerk_row_turns_nothing_on(tmp_path):
    db = Database(str(tmp_path / "row.db"))
    try:
        admin = _office(db)
        with db.engine.begin() as conn:
            conn.execute(AppSetting.__table__.insert().values(key="single_clerk", value="zhang"))
        assert any("单人模式" in p for p in _check(db, admin))
        assert accounts.auto_sign_in(db) is None
        with db.reading() as s:  # dropped from the database, and the drop is recorded
            assert s.get(AppSetting, "single_clerk") is None
            notes = s.scalars(select(AuditEntry.note).where(AuditEntry.action == "setting")).all()
        assert any("未被采用" in n for n in notes)
        assert _check(db, admin) == []
    finally:
        db.dispose()


def test_single_clerk_mode_stays_on_this_computer_and_not_in_the_database(tmp_path):
    """Turned on here, it is not in the database: a copy of the file elsewhere (restored on another
    PC) asks for a password."""
    db = Database(str(tmp_path / "mine.db"))
    try:
        admin = _office(db)
        with db.unit_of_work() as s:
            act_as(s, admin)
            accounts.set_single_clerk(s, "zhang")
        assert accounts.auto_sign_in(db).login == "zhang"
        with db.reading() as s:
            assert s.get(AppSetting, "single_clerk") is None
        elsewhere = tmp_path / "other-pc"
        elsewhere.mkdir()
        db.dispose()
        shutil.copyfile(tmp_path / "mine.db", elsewhere / "mine.db")
        copy = Database(str(elsewhere / "mine.db"))
        try:
            assert accounts.auto_sign_in(copy) is None
        finally:
            copy.dispose()
        with db.unit_of_work() as s:
            act_as(s, admin)
            accounts.set_single_clerk(s, None)
        assert accounts.auto_sign_in(db) is None
    finally:
        db.dispose()


def test_an_existing_databases_single_clerk_flag_keeps_working_on_this_computer(tmp_path):
    """A database from before the move, where the clerk turned the mode on (recorded in the trail):
    the next start signs them in as before, and the flag moves from the database to this PC."""
    db = Database(str(tmp_path / "legacy.db"))
    try:
        admin = _office(db)
        with db.unit_of_work() as s:  # what the old set_single_clerk did
            act_as(s, admin)
            user = s.scalars(select(User).where(User.login == "zhang")).one()
            accounts._audit(s, "setting", user, "开启单人模式：打开程序时自动以“zhang”登录，不再询问密码")
            accounts.put_setting(s, "single_clerk", "zhang")
        assert accounts.auto_sign_in(db).login == "zhang"
        with db.reading() as s:
            assert s.get(AppSetting, "single_clerk") is None
            assert accounts.single_clerk_login(s) == "zhang"
        assert accounts.auto_sign_in(db).login == "zhang"
        assert _check(db, admin) == []
    finally:
        db.dispose()


def test_single_clerk_mode_is_refused_for_a_tampered_administrator(tmp_path):
    db = Database(str(tmp_path / "t.db"))
    try:
        admin = _office(db)
        with db.unit_of_work() as s:
            act_as(s, admin)
            accounts.set_single_clerk(s, "zhang")
        _sql(db, "UPDATE app_user SET role = 'admin', classes = '[]' WHERE login = 'wang'")
        with db.unit_of_work() as s:
            act_as(s, admin)
            with pytest.raises(AidofficeError, match="与操作记录不符"):
                accounts.set_single_clerk(s, "wang")
    finally:
        db.dispose()


# ---- restore --------------------------------------------------------------------------------------------


def test_restore_shows_the_accounts_and_refuses_an_escalated_role_unless_confirmed(tmp_path):
    from aidoffice.safety.backup import AccountsNotExplained, copy_sqlite, restore

    db = Database(str(tmp_path / "live.db"))
    admin = _office(db)
    backup = tmp_path / "拷来的.db"
    copy_sqlite(tmp_path / "live.db", backup)
    con = sqlite3.connect(backup)
    with con:
        con.execute("UPDATE app_user SET role = 'admin', classes = '[]' WHERE login = 'wang'")
        con.execute("INSERT INTO app_setting (key, value) VALUES ('single_clerk', '\"wang\"')")
    con.close()
    bind_user(db, admin)
    with pytest.raises(AccountsNotExplained, match="--anyway") as refused:
        restore(db, backup)
    message = str(refused.value)
    assert "wang（管理员）" in message and "zhang（管理员）" in message and "班主任" in message
    with db.reading() as s:  # nothing was replaced
        assert s.scalar(select(User.role).where(User.login == "wang")) == "head_teacher"
    restored, result = restore(db, backup, anyway=True)
    try:
        assert [a["login"] for a in result.accounts] == ["zhang", "wang"]
        assert result.account_problems and "wang" in result.account_problems[0]
        with pytest.raises(AccountNotExplained):
            sign_in(restored, "wang", TEACHER_PW)
        with restored.reading() as s:
            assert s.get(AppSetting, "single_clerk") is None  # the PC's choice never comes with a file
            notes = s.scalars(select(AuditEntry.note).where(AuditEntry.action == "restore")).all()
        assert any("账户与操作记录不符" in n for n in notes)
    finally:
        restored.dispose()


def test_an_untouched_backup_restores_and_lists_its_accounts(tmp_path):
    from aidoffice.safety.backup import restore, write_backup

    db = Database(str(tmp_path / "live.db"))
    admin = _office(db)
    bind_user(db, admin)
    write_backup(db, tmp_path / "b.aidbak")
    restored, result = restore(db, tmp_path / "b.aidbak")
    try:
        assert {(a["login"], a["role"]) for a in result.accounts} == {
            ("zhang", "admin"),
            ("wang", "head_teacher"),
        }
        assert result.account_problems == []
    finally:
        restored.dispose()


# ---- check and the automatic backups ------------------------------------------------------------------


def test_entries_deleted_inside_what_a_backup_covers_are_found_when_the_head_is_rewritten(tmp_path):
    """Entries deleted from the middle, the rest renumbered and resealed, the head rewritten: the chain
    holds, but the automatic backup knew a longer trail."""
    from aidoffice.db.audit_chain import GENESIS, HEAD_KEY, entry_digest
    from aidoffice.ledgers.school import setup_school
    from aidoffice.safety.backup import auto_backup, backups_dir

    db = Database(str(tmp_path / "anchor-gap.db"))
    try:
        with db.unit_of_work() as s:
            setup_school(s, "测试县第一中学", "3130624001", "测试县")
        for n in range(3):
            with db.unit_of_work() as s:
                setup_school(s, f"测试县第{n + 2}中学", "3130624001", "测试县")
        backup = auto_backup(db, "import")
        assert check_database(db) == []
        with db.engine.begin() as conn:
            last = conn.scalar(select(AuditEntry.chain_seq).order_by(AuditEntry.chain_seq.desc()).limit(1))
            conn.execute(delete(AuditEntry).where(AuditEntry.chain_seq.in_([2, 3])))
            prev, seq = GENESIS, 0
            rows = conn.execute(select(AuditEntry).order_by(AuditEntry.chain_seq)).all()
            conn.execute(update(AuditEntry).values(chain_seq=None))
            for row in rows:
                seq += 1
                prev = entry_digest(prev, seq, row)
                conn.execute(
                    update(AuditEntry).where(AuditEntry.id == row.id).values(chain_seq=seq, chain_hash=prev)
                )
            conn.execute(
                update(AppSetting).where(AppSetting.key == HEAD_KEY).values(value={"seq": seq, "hash": prev})
            )
        assert seq < last
        found = check_database(db)
        assert any(backup.name in p.message and "删除" in p.message for p in found), found
    finally:
        db.dispose()
        for p in backups_dir().glob("anchor-gap-auto-*"):
            p.unlink()
