"""The safety commands run as a clerk or a county script runs them: accounts, refusals by role,
backup and restore, check."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from aidoffice.privacy import find_sensitive
from tests.e2e.cli import last_json, run
from tests.e2e.conftest import ADMIN_PW, TEACHER_PW


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
    wrong = run("--user", "wang", "slips", "status", home=home, db=db, password="Not-it-123")
    unknown = run("--user", "nobody", "slips", "status", home=home, db=db, password="Not-it-123")
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
    assert run("--user", "wang", "slips", "status", home=home, db=db, password=TEACHER_PW).returncode == 1
    assert (
        run("--user", "zhang", "users", "unlock", "wang", home=home, db=db, password=ADMIN_PW).returncode == 0
    )
    assert run("--user", "wang", "slips", "status", home=home, db=db, password=TEACHER_PW).returncode == 0


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
    from sqlalchemy import create_engine, text

    from aidoffice.db.engine import normalize_url

    engine = create_engine(normalize_url(db))
    with engine.connect() as conn:  # the trail names the administrator, not the computer's login
        actors = conn.execute(text("SELECT actor FROM audit_entry WHERE action = 'restore'")).scalars().all()
    engine.dispose()
    assert actors == ["zhang"]


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


def test_a_head_teacher_prints_their_own_class_and_not_another_class_nor_the_roster(office, tmp_path):
    """The same refusals as in the window: another class's letters, the whole school's, and the roster
    (with its full numbers) end with exit status 1 and the reason in Chinese; nothing is written."""
    home, db = office
    mine = tmp_path / "本班.pdf"
    r = run("--json", "--user", "wang", "letters", "policy", "--grade", "七年级", "--class", "1班",
            "--out", str(mine), home=home, db=db, password=TEACHER_PW)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert last_json(r)["letters"] > 0 and mine.exists()
    refusals = [
        (["letters", "policy", "--grade", "七年级", "--class", "2班"], "七年级2班不是您登记的班级"),
        (["letters", "aid"], "请选择年级和班级"),
        (["notice"], "受助学生公示涉及全校学生"),
    ]
    for n, (args, reason) in enumerate(refusals):
        out = tmp_path / f"other{n}.pdf"
        r = run("--user", "wang", *args, "--out", str(out), home=home, db=db, password=TEACHER_PW)
        assert r.returncode == 1 and reason in r.stderr, (args, r.stderr)
        assert not out.exists()
    out = tmp_path / "花名册.xlsx"
    r = run("--json", "--user", "wang", "export", "roster", "--policy", "义务教育家庭经济困难学生生活补助",
            "--term", "2026-2027-1", "--out", str(out), home=home, db=db, password=TEACHER_PW)  # fmt: skip
    assert r.returncode == 1 and "没有“按县模板导出花名册”的权限" in last_json(r)["error"]
    assert not out.exists()
    r = run("--json", "--user", "wang", "slips", "status", home=home, db=db, password=TEACHER_PW)
    assert r.returncode == 0 and [c["class"] for c in last_json(r)["classes"]] == ["七年级1班"]


def test_a_county_viewer_reads_and_consolidates_but_cannot_write_anything(office, tmp_path):
    """Every command that would change the school's data is refused with the right it lacks; the data
    is the same afterwards."""
    from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, school_file, write_xlsx

    home, db = office
    r = run("--user", "zhang", "users", "add", "county", "--name", "县资助中心", "--role", "县级查看",
            home=home, db=db, password=ADMIN_PW, AIDOFFICE_NEW_PASSWORD="Temporary-1")  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run("--user", "county", "users", "passwd", home=home, db=db, password="Temporary-1",
            AIDOFFICE_NEW_PASSWORD="Prefecture-9")  # fmt: skip
    assert r.returncode == 0, r.stderr

    def county(*args: str, **env: str) -> subprocess.CompletedProcess:
        return run("--user", "county", *args, home=home, db=db, password="Prefecture-9", **env)

    def counts() -> tuple:
        with sqlite3.connect(db) as con:
            return tuple(
                con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("student", "award", "slip", "app_user", "school", "class_session")
            )

    before = counts()
    students = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *enrollment_rows(3)])
    refused = [
        (["import", "students", str(students)], "导入名单"),
        (["demo", "--students", "5"], "生成演示数据"),
        (["init", "--school", "别的学校"], "学校信息"),
        (["letters", "policy", "--grade", "七年级", "--class", "1班", "--out", str(tmp_path / "a.pdf")], "打印告知书"),
        (["poster", "--out", str(tmp_path / "p.pdf")], "打印告知书"),
        (["slips", "receive", "ABCDE-FGHJK"], "登记回执"),
        (["export", "roster", "--policy", "义务教育家庭经济困难学生生活补助", "--term", "2026-2027-1", "--confirm",
          "--out", str(tmp_path / "r.xlsx")], "按县模板导出花名册"),
        (["users", "add", "x1", "--role", "clerk"], "管理账户"),
        (["backup", "--out", str(tmp_path / "b.aidbak")], "备份数据库"),
    ]  # fmt: skip
    for args, right in refused:
        r = county(*args, AIDOFFICE_NEW_PASSWORD="Whatever-123")
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert f"没有“{right}" in r.stderr, (args, r.stderr)
    assert counts() == before
    assert not any((tmp_path / n).exists() for n in ("a.pdf", "p.pdf", "r.xlsx", "b.aidbak"))

    r = county("--json", "export", "ledger", "school", "--mask", "--out", str(tmp_path / "台账.xlsx"))
    assert r.returncode == 0, r.stderr
    a = school_file(
        tmp_path / "甲校.xlsx", "甲校", [("王一", "130624201305030014", 750, "6228480000000000011")]
    )
    b = school_file(
        tmp_path / "乙校.xlsx", "乙校", [("李一", "130624201305030022", 750, "6228480000000000021")]
    )
    r = county("--json", "consolidate", str(a), str(b), "--out", str(tmp_path / "汇总.xlsx"))
    assert r.returncode == 0, r.stderr
    assert last_json(r)["rows"] == 2
    with sqlite3.connect(db) as con:  # the trail names the county account, not the computer's login
        actors = con.execute(
            "SELECT actor FROM audit_entry WHERE entity IN ('consolidation', 'export')"
        ).fetchall()
    assert actors and {a for (a,) in actors} == {"county"}


def test_nobody_replaces_the_database_without_signing_in_as_an_administrator(office, tmp_path):
    """A restore swaps in another database with its own administrator: without a password, with an
    unknown login or as a head teacher it is refused and the school's data stays; only a file too
    damaged to open may be restored without signing in, and only while nothing else holds it."""
    from aidoffice.safety.locks import damaged_file_locks

    home, db = office
    evil = tmp_path / "evil.db"
    assert run("init", "--school", "别的学校", home=home, db=str(evil)).returncode == 0
    r = run(
        "users",
        "add",
        "boss",
        "--role",
        "admin",
        home=home,
        db=str(evil),
        AIDOFFICE_NEW_PASSWORD="Evil-Pass-777",
    )
    assert r.returncode == 0, r.stderr

    def school() -> str:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT name FROM school").fetchone()[0]

    ours = school()
    for login, password in (("wang", None), ("nobody", None), ("wang", TEACHER_PW), (None, None)):
        args = ("--user", login) if login else ()
        r = run(*args, "restore", str(evil), home=home, db=db, password=password)
        assert r.returncode == 1, (login, r.stdout, r.stderr)
        assert school() == ours, login
    r = run("--user", "zhang", "users", "list", home=home, db=db, password=ADMIN_PW)
    assert r.returncode == 0 and "boss" not in r.stdout

    good = tmp_path / "好的备份.aidbak"
    assert (
        run("--user", "zhang", "backup", "--out", str(good), home=home, db=db, password=ADMIN_PW).returncode
        == 0
    )
    Path(db).write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)  # damaged beyond opening
    with damaged_file_locks(db):  # another copy is restoring it
        r = run("restore", str(good), home=home, db=db)
        assert r.returncode == 1 and "已被另一个程序窗口打开" in r.stderr, r.stderr
    r = run("restore", str(good), home=home, db=db)
    assert r.returncode == 0, r.stderr
    assert school() == ours
    assert run("--user", "zhang", "check", home=home, db=db, password=ADMIN_PW).returncode == 0


def test_once_a_backup_password_is_set_the_command_encrypts_by_default(office, tmp_path):
    """After one encrypted backup, `backup` without --password is encrypted too (the password from the
    environment), refuses without a password rather than writing the data in the clear, and
    --no-password still makes a plain one."""
    home, db = office
    first = run("--json", "--user", "zhang", "backup", "--out", str(tmp_path / "a.aidbak"), "--password", home=home, db=db, password=ADMIN_PW,
                AIDOFFICE_BACKUP_PASSWORD="usb-stick-2026")  # fmt: skip
    assert first.returncode == 0, first.stderr
    r = run("--json", "--user", "zhang", "backup", "--out", str(tmp_path / "b.aidbak"), home=home, db=db, password=ADMIN_PW,
            AIDOFFICE_BACKUP_PASSWORD="usb-stick-2026")  # fmt: skip
    assert r.returncode == 0 and last_json(r)["encrypted"] is True, r.stderr
    r = run(
        "--user", "zhang", "backup", "--out", str(tmp_path / "c.aidbak"), home=home, db=db, password=ADMIN_PW
    )
    assert r.returncode == 1 and "--no-password" in r.stderr and not (tmp_path / "c.aidbak").exists()
    r = run(
        "--json",
        "--user",
        "zhang",
        "backup",
        "--out",
        str(tmp_path / "d.aidbak"),
        "--no-password",
        home=home,
        db=db,
        password=ADMIN_PW,
    )
    assert r.returncode == 0 and last_json(r)["encrypted"] is False, r.stderr


def test_users_add_without_a_role_gives_the_least_privileged_one(office):
    """`users add` with no --role: a head teacher (the least rights), who needs their class."""
    home, db = office
    r = run("--json", "--user", "zhang", "users", "add", "zhou", "--class", "七年级1班", home=home, db=db,
            password=ADMIN_PW, AIDOFFICE_NEW_PASSWORD="Temporary-7")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert last_json(r)["user"]["role"] == "head_teacher" and last_json(r)["user"]["classes"] == ["七年级1班"]
    r = run("--user", "zhang", "users", "add", "qian", home=home, db=db, password=ADMIN_PW,
            AIDOFFICE_NEW_PASSWORD="Temporary-7")  # fmt: skip
    assert r.returncode == 1 and "班级" in r.stderr


def test_the_right_password_during_a_lock_out_is_told_it_is_locked_and_for_how_long(office):
    """Issue 20 §4: the CLI answered the right password with “登录名或密码不正确” while the account was
    locked, and clerks went to have good passwords reset."""
    home, db = office
    for n in range(5):
        r = run("--user", "wang", "slips", "status", home=home, db=db, password=f"Not-it-{n}23")
        assert r.returncode == 1 and "登录名或密码不正确" in r.stderr
    r = run("--json", "--user", "wang", "slips", "status", home=home, db=db, password=TEACHER_PW)
    assert r.returncode == 1
    assert "已被锁定" in r.stderr and "还需等待" in r.stderr and "秒" in r.stderr
    assert "登录名或密码不正确" not in r.stderr and "已被锁定" in last_json(r)["error"]


def test_a_county_viewers_plain_ledger_export_is_masked_and_the_message_says_so(office, tmp_path):
    """The manual: a county viewer's ledger export is masked. A plain `export ledger` was refused without
    a word about --mask; now it exports masked and says why."""
    home, db = office
    r = run("--user", "zhang", "users", "add", "county", "--name", "县资助中心", "--role", "县级查看",
            home=home, db=db, password=ADMIN_PW, AIDOFFICE_NEW_PASSWORD="Temporary-1")  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run("--user", "county", "users", "passwd", home=home, db=db, password="Temporary-1",
            AIDOFFICE_NEW_PASSWORD="Prefecture-9")  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = tmp_path / "台账.xlsx"
    r = run("--json", "--user", "county", "export", "ledger", "school", "--out", str(out),
            home=home, db=db, password="Prefecture-9")  # fmt: skip
    assert r.returncode == 0, r.stderr
    result = last_json(r)
    assert result["masked"] is True and result["masked_for_role"] is True
    cells = [str(v) for ws in load_workbook(out) for row in ws.iter_rows(values_only=True) for v in row if v]
    assert not [c for c in cells if find_sensitive(c)] and result["rows"] == 200
    r = run("--user", "county", "export", "ledger", "school", "--out", str(tmp_path / "台账2.xlsx"),
            home=home, db=db, password="Prefecture-9")  # fmt: skip
    assert r.returncode == 0 and "没有导出完整证件号的权限，已按打码导出" in r.stdout


def test_a_head_teacher_asking_for_whole_ids_of_cases_is_told_they_stay_masked(office):
    """`cases list --full-ids` by a role that may not see whole numbers: the list comes masked, the
    message says why, and the trail records no export of whole numbers."""
    import sqlite3

    home, db = office
    r = run("--user", "wang", "--json", "cases", "list", "--full-ids", home=home, db=db, password=TEACHER_PW)
    assert r.returncode == 0, r.stderr
    assert last_json(r)["full_ids"] is False and not find_sensitive(r.stdout)
    r = run("--user", "wang", "cases", "list", "--full-ids", home=home, db=db, password=TEACHER_PW)
    assert "你的角色不能查看完整证件号，证件号已打码" in r.stdout
    with sqlite3.connect(db) as conn:
        assert not conn.execute(
            "SELECT count(*) FROM audit_entry WHERE entity = 'dropout_case' AND action = 'export'"
        ).fetchone()[0]
