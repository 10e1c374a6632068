"""A role raised with one SQL statement, seen from the command line (issue 20 §2): `--user` is refused
with the reason, `check` exits 1 naming the account, `restore` lists the backup's accounts and takes an
escalated one only with --anyway. On SQLite and PostgreSQL where the server allows it."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text

from aidoffice.db.engine import normalize_url
from tests.e2e.cli import last_json, run
from tests.e2e.conftest import ADMIN_PW, TEACHER_PW


def _raise_wang(db: str) -> None:
    if "://" in db:
        engine = create_engine(normalize_url(db))
        with engine.begin() as conn:
            conn.execute(text("UPDATE app_user SET role = 'admin', classes = '[]' WHERE login = 'wang'"))
        engine.dispose()
    else:
        with sqlite3.connect(db) as con:
            con.execute("UPDATE app_user SET role = 'admin', classes = '[]' WHERE login = 'wang'")


def test_a_head_teacher_made_administrator_by_sql_is_refused_and_check_names_it(any_office, tmp_path):
    home, db = any_office
    assert run("--user", "wang", "users", "list", home=home, db=db, password=TEACHER_PW).returncode == 1
    _raise_wang(db)
    r = run("--json", "--user", "wang", "users", "list", home=home, db=db, password=TEACHER_PW)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    error = last_json(r)["error"]
    assert "角色是“管理员”，记录中是“班主任”" in error and "aidoffice check" in error
    r = run("--json", "--user", "zhang", "check", home=home, db=db, password=ADMIN_PW)
    assert r.returncode == 1
    found = [p for p in last_json(r)["problems"] if p["kind"] == "accounts"]
    assert len(found) == 1 and "wang" in found[0]["message"]
    # the administrator sets the account back, recorded: wang signs in again, as a head teacher
    r = run("--json", "--user", "zhang", "users", "set", "wang", "--role", "班主任", "--class", "七年级1班",
            home=home, db=db, password=ADMIN_PW)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert last_json(r)["user"]["role"] == "head_teacher"
    r = run("--json", "--user", "wang", "users", "list", home=home, db=db, password=TEACHER_PW)
    assert r.returncode == 1 and "管理账户" in last_json(r)["error"]
    assert run("--user", "zhang", "check", home=home, db=db, password=ADMIN_PW).returncode == 0


def test_restore_lists_the_accounts_and_takes_an_escalated_backup_only_with_anyway(office, tmp_path):
    home, db = office
    forged = tmp_path / "别人给的.db"
    with sqlite3.connect(db) as src, sqlite3.connect(forged) as dst:
        src.backup(dst)
    _raise_wang(str(forged))
    r = run("--json", "--user", "zhang", "restore", str(forged), home=home, db=db, password=ADMIN_PW)
    assert r.returncode == 1, r.stderr
    error = last_json(r)["error"]
    assert "wang（管理员）" in error and "zhang（管理员）" in error and "--anyway" in error
    r = run("--user", "zhang", "restore", str(forged), "--anyway", home=home, db=db, password=ADMIN_PW)
    assert r.returncode == 0, r.stderr
    assert "备份中的账户：" in r.stdout and "不能登录" in r.stdout
    r = run("--json", "--user", "wang", "users", "list", home=home, db=db, password=TEACHER_PW)
    assert r.returncode == 1 and "记录中是“班主任”" in last_json(r)["error"]
