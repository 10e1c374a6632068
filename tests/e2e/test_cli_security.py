"""The safety commands run as a clerk or a county script runs them: accounts, refusals by role,
backup and restore, check."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from aidoffice.privacy import find_sensitive

ADMIN_PW = "Mountain-2026"
TEACHER_PW = "Blackboard-7"


def run(
    *args: str, home: Path, db: str, password: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    e = {**os.environ, "AIDOFFICE_HOME": str(home), "PYTHONIOENCODING": "utf-8", **env}
    for key in ("AIDOFFICE_PASSWORD", "AIDOFFICE_NEW_PASSWORD", "AIDOFFICE_BACKUP_PASSWORD"):
        if key not in env:
            e.pop(key, None)
    if password:
        e["AIDOFFICE_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "aidoffice", "--db", db, *args],
        capture_output=True,
        text=True,
        env=e,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def last_json(r: subprocess.CompletedProcess) -> dict:
    return json.loads(r.stdout.strip().splitlines()[-1])


def _empty_server(url: str) -> None:
    """The command-line tests share one server database per worker: start and leave it empty (with
    accounts left in it, every later command-line test would be asked to sign in)."""
    from sqlalchemy import create_engine, text

    from aidoffice.db.engine import normalize_url

    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _build_office(home: Path, db: str) -> None:
    """A demo school with an administrator and a head teacher of 七年级1班."""
    assert run("demo", "--students", "200", home=home, db=db).returncode == 0
    r = run(
        "users",
        "add",
        "zhang",
        "--name",
        "张主任",
        "--role",
        "admin",
        home=home,
        db=db,
        AIDOFFICE_NEW_PASSWORD=ADMIN_PW,
    )
    assert r.returncode == 0, r.stderr
    r = run(
        "--user", "zhang", "users", "add", "wang", "--name", "王老师", "--role", "班主任", "--class", "七年级1班",
        home=home, db=db, password=ADMIN_PW, AIDOFFICE_NEW_PASSWORD="Temporary-1",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run(
        "--user",
        "wang",
        "users",
        "passwd",
        home=home,
        db=db,
        password="Temporary-1",
        AIDOFFICE_NEW_PASSWORD=TEACHER_PW,
    )
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def office_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("office")
    db = folder / "office.db"
    _build_office(folder, str(db))
    import sqlite3

    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def office(tmp_path, office_file):
    """The office on SQLite (a fresh copy for each test)."""
    db = tmp_path / "office.db"
    shutil.copy(office_file, db)
    return tmp_path, str(db)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_office(request, tmp_path, office_file):
    """The office on SQLite and on PostgreSQL, for the tests that matter most on both."""
    if request.param == "sqlite":
        return request.getfixturevalue("office")
    db = request.getfixturevalue("pg_cli_url")
    _empty_server(db)
    request.addfinalizer(lambda: _empty_server(db))
    _build_office(tmp_path, db)
    return tmp_path, db


def test_a_head_teacher_cannot_export_the_ledger_or_back_up(any_office, tmp_path):
    """Refused with exit status 1 and the reason in Chinese; nothing written."""
    home, db = any_office
    out = tmp_path / "全校.xlsx"
    r = run(
        "--json",
        "--user",
        "wang",
        "export",
        "ledger",
        "school",
        "--out",
        str(out),
        home=home,
        db=db,
        password=TEACHER_PW,
    )
    assert r.returncode == 1
    assert "没有“导出台账" in last_json(r)["error"] and "王老师" in r.stderr
    assert not out.exists()
    r = run(
        "--user", "wang", "backup", "--out", str(tmp_path / "x.aidbak"), home=home, db=db, password=TEACHER_PW
    )
    assert r.returncode == 1 and "备份数据库" in r.stderr


def test_without_signing_in_nothing_is_possible_once_accounts_exist(office, tmp_path):
    """Once accounts exist, a command run without --user must be refused and say how to sign in."""
    home, db = office
    r = run("export", "ledger", "school", "--out", str(tmp_path / "a.xlsx"), home=home, db=db)
    assert r.returncode == 1 and "请先登录" in r.stderr and "--user" in r.stderr


def test_a_wrong_password_is_refused_without_saying_whether_the_login_exists(office):
    """An outsider trying logins at the command line must not learn which ones exist."""
    home, db = office
    wrong = run("--user", "wang", "check", home=home, db=db, password="Not-it-123")
    unknown = run("--user", "nobody", "check", home=home, db=db, password="Not-it-123")
    assert wrong.returncode == unknown.returncode == 1
    assert wrong.stderr == unknown.stderr


def test_users_are_managed_by_the_administrator_only(office):
    """Only the administrator lists, locks and unlocks accounts; a locked head teacher cannot use the command."""
    home, db = office
    r = run("--user", "wang", "users", "list", home=home, db=db, password=TEACHER_PW)
    assert r.returncode == 1 and "管理账户" in r.stderr
    r = run("--json", "--user", "zhang", "users", "list", home=home, db=db, password=ADMIN_PW)
    users = {u["login"]: u for u in last_json(r)["users"]}
    assert users["wang"]["classes"] == ["七年级1班"] and users["wang"]["role_name"] == "班主任"
    assert (
        run("--user", "zhang", "users", "lock", "wang", home=home, db=db, password=ADMIN_PW).returncode == 0
    )
    assert run("--user", "wang", "check", home=home, db=db, password=TEACHER_PW).returncode == 1
    assert (
        run("--user", "zhang", "users", "unlock", "wang", home=home, db=db, password=ADMIN_PW).returncode == 0
    )
    assert run("--user", "wang", "check", home=home, db=db, password=TEACHER_PW).returncode == 0


def test_encrypted_backup_restore_and_check_from_the_command_line(any_office, tmp_path):
    """An administrator backs up with a password; the file cannot be restored without it; with it,
    everything is back and check passes."""
    home, db = any_office
    out = tmp_path / "备份.aidbak"
    r = run("--json", "--user", "zhang", "backup", "--out", str(out), "--password", home=home, db=db,
            password=ADMIN_PW, AIDOFFICE_BACKUP_PASSWORD="usb-stick-2026")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert last_json(r)["encrypted"] is True and last_json(r)["counts"]["student"] == 200
    r = run("--user", "zhang", "restore", str(out), home=home, db=db, password=ADMIN_PW)
    assert r.returncode == 1 and "已加密" in r.stderr
    r = run(
        "--user",
        "zhang",
        "restore",
        str(out),
        home=home,
        db=db,
        password=ADMIN_PW,
        AIDOFFICE_BACKUP_PASSWORD="wrong-pass-1",
    )
    assert r.returncode == 1 and "密码不正确" in r.stderr
    r = run("--json", "--user", "zhang", "restore", str(out), home=home, db=db, password=ADMIN_PW,
            AIDOFFICE_BACKUP_PASSWORD="usb-stick-2026")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert last_json(r)["counts"]["student"] == 200
    r = run("--json", "--user", "zhang", "check", home=home, db=db, password=ADMIN_PW)
    assert r.returncode == 0 and last_json(r) == {"ok": True, "problems": []}


def test_check_finds_a_tampered_audit_entry_and_exits_1(tmp_path):
    """Someone edits the trail with an SQLite editor to hide who changed a student."""
    db = str(tmp_path / "office.db")
    assert run("demo", "--students", "50", home=tmp_path, db=db).returncode == 0
    with sqlite3.connect(db) as con:
        con.execute("UPDATE audit_entry SET actor = '别人' WHERE id = 3")
    r = run("--json", "check", home=tmp_path, db=db)
    assert r.returncode == 1
    result = last_json(r)
    assert result["ok"] is False and "编号 3" in result["problems"][0]["message"]
    assert "发现 1 个问题" in run("check", home=tmp_path, db=db).stdout


def test_the_audit_export_masks_numbers_and_is_itself_recorded(office, tmp_path):
    """The trail goes to inspectors: IDs masked, taking it out leaves its own entry, and head teachers may not."""
    home, db = office
    out = tmp_path / "操作记录.xlsx"
    r = run("--json", "--user", "zhang", "audit", "--out", str(out), home=home, db=db, password=ADMIN_PW)
    assert r.returncode == 0, r.stderr
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:4] == ("编号", "时间", "操作人", "操作")
    assert any(row[2] == "zhang" and row[3] == "建立账户" for row in rows[2:])
    text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in rows)
    assert [kind for kind, _ in find_sensitive(text) if kind == "id_number"] == []
    again = tmp_path / "操作记录2.xlsx"
    r = run("--json", "--user", "zhang", "audit", "--out", str(again), home=home, db=db, password=ADMIN_PW)
    assert r.returncode == 0, r.stderr
    later = list(load_workbook(again).active.iter_rows(values_only=True))[2:]
    assert [row[2] for row in later if row[3] == "导出" and "导出操作记录" in (row[8] or "")] == ["zhang"]
    r = run(
        "--user", "wang", "audit", "--out", str(tmp_path / "b.xlsx"), home=home, db=db, password=TEACHER_PW
    )
    assert r.returncode == 1 and "操作记录" in r.stderr


def test_without_accounts_the_commands_work_as_before(tmp_path):
    """Offices that never set up accounts keep working; --user is refused with how to start."""
    db = str(tmp_path / "office.db")
    assert run("demo", "--students", "20", home=tmp_path, db=db).returncode == 0
    r = run("--json", "backup", "--out", str(tmp_path / "b.aidbak"), home=tmp_path, db=db)
    assert r.returncode == 0, r.stderr
    r = run("--user", "zhang", "check", home=tmp_path, db=db, password="x")
    assert r.returncode == 1 and "users add" in r.stderr
