"""What the `aidoffice` command says when the database or the program fails: a Chinese reason, the
right exit status, and never a full ID number on screen or in the log."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

from aidoffice.domain.idnumber import make_id
from aidoffice.privacy import find_sensitive
from tests.e2e.cli import last_json, run


def test_a_database_from_a_newer_program_exits_1_asking_for_an_upgrade(tmp_path):
    """A PC with an older program must not write into a newer database; the clerk is told to upgrade."""
    db = str(tmp_path / "o.db")
    assert run("init", "--school", "测试学校", home=tmp_path, db=db).returncode == 0
    import sqlite3

    with sqlite3.connect(db) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    r = run("--json", "export", "ledger", "school", "--out", str(tmp_path / "x.xlsx"), home=tmp_path, db=db)
    assert r.returncode == 1, r.stderr
    assert "请升级程序" in last_json(r)["error"] and "Traceback" not in r.stderr


def test_a_file_that_is_not_a_database_exits_1(tmp_path):
    """Pointing --db at some other file must be refused with a reason saying it is not our database."""
    bogus = tmp_path / "名单.xlsx"
    bogus.write_bytes(b"PK\x03\x04" + os.urandom(3000))
    r = run("init", "--school", "x", home=tmp_path, db=str(bogus))
    assert r.returncode == 1 and "不是本程序的数据库" in r.stderr


def test_an_unexpected_error_masks_ids_on_screen_and_in_a_private_log(tmp_path):
    """A bug whose message carries an ID (or an SQL error echoing a row) must not print or log it."""
    number = make_id("130624", date(2013, 5, 3), 11)
    code = (
        "import sys, aidoffice.cli as cli\n"
        f"def boom(args): raise ValueError('row with id_number={number} phone=13912345678 failed')\n"
        "cli.COMMANDS['init'] = boom\n"
        "sys.exit(cli.main(['--json', 'init', '--school', 'x']))\n"
    )
    env = {**os.environ, "AIDOFFICE_HOME": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 3
    assert "发生意外错误" in r.stderr and "aidoffice.log" in r.stderr
    assert not find_sensitive(r.stderr) and not find_sensitive(r.stdout)
    log = Path(tmp_path) / "logs" / "aidoffice.log"
    text = log.read_text("utf-8")
    assert "ValueError" in text and number[:6] in text and not find_sensitive(text)
    if os.name == "posix":
        assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_control_characters_in_a_message_do_not_reach_the_terminal(tmp_path):
    """An escape sequence typed into a file (clear screen, recolour) is shown as a mark, not obeyed."""
    code = (
        "import sys, aidoffice.cli as cli\n"
        "from aidoffice.errors import InputRefused\n"
        "def refuse(args): raise InputRefused('班级“\\x1b[2J\\x1b[31m1班\\u202e”不可识别')\n"
        "cli.COMMANDS['init'] = refuse\n"
        "sys.exit(cli.main(['init', '--school', 'x']))\n"
    )
    env = {**os.environ, "AIDOFFICE_HOME": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1 and "1班" in r.stderr
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr


def test_an_export_never_overwrites_the_database_or_a_backup(tmp_path):
    """Typing the database's own name after --out must not destroy the office's data, not even a backup's."""
    db = tmp_path / "office.db"
    assert run("init", "--school", "测试学校", home=tmp_path, db=str(db)).returncode == 0
    before = db.read_bytes()[:16]
    r = run("audit", "--out", str(db), home=tmp_path, db=str(db))
    assert r.returncode in (1, 2) and "Traceback" not in r.stderr
    disguised = tmp_path / "office.xlsx"
    disguised.write_bytes(db.read_bytes())
    for args in (["audit", "--out", str(disguised)], ["export", "ledger", "school", "--out", str(disguised)]):
        r = run(*args, home=tmp_path, db=str(db))
        assert r.returncode == 1 and "不能被覆盖" in r.stderr, r.stderr
    assert db.read_bytes()[:16] == before == disguised.read_bytes()[:16]
    live = tmp_path / "office.aidbak"  # the database itself, named like a backup
    db.rename(live)
    r = run("backup", "--out", str(live), home=tmp_path, db=str(live))
    assert r.returncode == 1 and "不能被覆盖" in r.stderr, r.stderr
    assert run("check", home=tmp_path, db=str(live)).returncode == 0


def test_the_data_folder_and_database_are_private_to_the_user(tmp_path):
    """Every child's ID and bank account is in the database: on a shared UOS/Kylin PC other users must
    not be able to read it, nor the temporary workbooks an export writes."""
    if os.name != "posix":
        return
    home = tmp_path / "home"
    assert run("init", "--school", "测试学校", home=home).returncode == 0
    assert run("demo", "--students", "30", home=home).returncode == 0
    assert run("export", "ledger", "school", "--out", str(tmp_path / "x.xlsx"), home=home).returncode == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "aidoffice.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "tmp").stat().st_mode) == 0o700
    # after a restore: the database, the copy kept aside and the automatic backups stay private too
    backup = tmp_path / "b.aidbak"
    assert run("backup", "--out", str(backup), home=home).returncode == 0
    stale = home / ".aidoffice-restore-999999-k3j"  # a restore killed a minute ago left a decrypted copy
    stale.mkdir()
    (stale / "restored.db").write_bytes(b"SQLite format 3\x00")
    assert run("restore", str(backup), home=home).returncode == 0
    kept = [
        *home.glob("aidoffice.before-restore-*.db"),
        *(home / "backups").rglob("*.db"),  # set aside by the restore, in a folder of their own
        home / "aidoffice.db",
    ]
    assert len(kept) >= 3
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in kept} == {p.name: "0o600" for p in kept}
    assert not stale.exists()


def test_what_a_killed_run_left_behind_is_cleared_on_the_next_run(tmp_path):
    """A SIGKILL skips every clean-up: the next run removes the stale temporary files (full of IDs)."""
    import time

    home = tmp_path / "home"
    assert run("init", "--school", "测试学校", home=home).returncode == 0
    old = time.time() - 7 * 3600
    leftover = home / "tmp" / "openpyxl.abc123"
    leftover.write_text("<row>130624201305030011</row>", "utf-8")
    beside = tmp_path / ".~学籍台账abc.xlsx"
    beside.write_bytes(b"half")
    for path in (leftover, beside):
        os.utime(path, (old, old))
    assert (
        run("export", "ledger", "school", "--out", str(tmp_path / "学籍台账.xlsx"), home=home).returncode == 0
    )
    assert not leftover.exists() and not beside.exists()
    assert (tmp_path / "学籍台账.xlsx").exists()


def test_import_messages_and_json_mask_id_numbers_as_the_screen_does(tmp_path):
    """A refused row's reason, a warning and the 可能已转出 list name people by their ID: on the terminal
    and in --json they are masked, as on screen; the clerk still sees which row and who."""
    from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_xlsx

    home, db = tmp_path / "home", str(tmp_path / "o.db")
    assert run("init", "--school", "阜平县城关中学", home=home, db=db).returncode == 0
    rows = enrollment_rows(6)
    assert (
        run(
            "import",
            "students",
            str(write_xlsx(tmp_path / "a.xlsx", [ENROLLMENT_HEADER, *rows])),
            home=home,
            db=db,
        ).returncode
        == 0
    )
    dup = [ENROLLMENT_HEADER, rows[0], rows[0], rows[0]]  # three copies of one student
    path = write_xlsx(tmp_path / "b.xlsx", dup)
    for args in (
        ["--json", "import", "students", str(path), "--dry-run"],
        ["import", "students", str(path), "--dry-run"],
    ):
        r = run(*args, home=home, db=db)
        assert r.returncode == 0, r.stderr
        assert not find_sensitive(r.stdout) and not find_sensitive(r.stderr)
    result = last_json(run("--json", "import", "students", str(path), "--dry-run", home=home, db=db))
    assert result["rejected"] and "3 次" in result["rejected"][0]["reason"]
    assert result["missing"] and all("*" in m["key"] for m in result["missing"])
