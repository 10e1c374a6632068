"""Backups and restore: consistent, verified first, equal row for row, across SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from aidoffice.db.engine import Database
from aidoffice.db.models import Base, OperationLock, Student, Township
from aidoffice.demo import generate
from aidoffice.errors import AidofficeError
from aidoffice.paths import settings_file
from aidoffice.safety import aidbak
from aidoffice.safety import backup as bk
from aidoffice.safety.chain import verify_chain
from aidoffice.safety.check import check_database


def _fill(db: Database, n: int = 120) -> None:
    with db.unit_of_work(actor="演示") as s:
        generate(s, n, seed=5)


def dump(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, in key order, as Python values: what “equal row for row” compares."""
    out = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name == OperationLock.__tablename__:
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def _without_backup_entries(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    # the source records “backup …” in its own audit trail after the copy, and the target “restore”
    return {k: v for k, v in rows.items() if k not in ("audit_entry", "app_setting")}


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template) -> Database:
    path = tmp_path / "office.db"
    shutil.copy(sqlite_template, path)
    database = Database(str(path))
    yield database
    database.dispose()


def test_a_restored_backup_equals_the_original_row_for_row(db, tmp_path):
    """The whole point of a backup: nothing lost, nothing changed, on either engine."""
    _fill(db)
    before = dump(db)
    out = bk.write_backup(db, tmp_path / "备份.aidbak")
    assert out.counts["student"] == 120 and out.size < out.database_size
    with db.unit_of_work() as s:  # a later mistake the backup must undo
        s.execute(text("DELETE FROM award"))
    restored, result = bk.restore(db, out.path)
    try:
        after = dump(restored)
        assert _without_backup_entries(after) == _without_backup_entries(before)
        # the audit entries of the backup's moment are all there, then the restore's own
        assert after["audit_entry"][: len(before["audit_entry"])] == before["audit_entry"]
        assert check_database(restored) == []
        assert result.kept_aside
    finally:
        if restored is not db:
            restored.dispose()


@pytest.mark.postgres
def test_a_school_moves_from_sqlite_to_a_server_and_back_row_for_row(tmp_path, sqlite_db, pg_database):
    """A county moves a school's data onto its server and back to a PC with the program's own files."""
    server = pg_database
    with server.engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    _fill(sqlite_db)
    original = dump(sqlite_db)
    first = bk.write_backup(sqlite_db, tmp_path / "pc.aidbak")

    server, _ = bk.restore(server, first.path)
    on_server = dump(server)
    assert _without_backup_entries(on_server) == _without_backup_entries(original)
    assert check_database(server) == []
    with server.unit_of_work() as s:  # ids keep counting after the copied rows
        s.execute(insert(Township), [{"name": "新乡"}])

    second = bk.write_backup(server, tmp_path / "server.aidbak", password="county-2026")
    pc = Database(str(tmp_path / "pc2.db"))
    pc, _ = bk.restore(pc, second.path, password="county-2026")
    try:
        back = dump(pc)
        assert _without_backup_entries(back) == _without_backup_entries(dump(server))
        assert back["student"] == original["student"]
        with pc.reading() as s:
            assert verify_chain(s) == []
    finally:
        pc.dispose()


def test_an_encrypted_backup_cannot_be_opened_without_its_password(sqlite_db, tmp_path):
    """A backup carried on a USB stick holds children's data; without the password it must reveal no name."""
    _fill(sqlite_db, 20)
    out = bk.write_backup(sqlite_db, tmp_path / "加密.aidbak", password="right-horse-9")
    raw = out.path.read_bytes()
    with sqlite3.connect(sqlite_db.url.split("///", 1)[1]) as con:
        name = con.execute("SELECT name FROM student LIMIT 1").fetchone()[0]
    assert name.encode() not in raw and b"SQLite format 3" not in raw
    with pytest.raises(aidbak.PasswordNeeded):
        bk.restore(sqlite_db, out.path)
    with pytest.raises(aidbak.WrongPassword, match="密码不正确"):
        bk.restore(sqlite_db, out.path, password="wrong-horse-9")
    restored, result = bk.restore(sqlite_db, out.path, password="right-horse-9")
    restored.dispose()
    assert result.header.encrypted and result.counts["student"] == 20


def test_a_backup_taken_while_another_clerk_writes_is_consistent(sqlite_db, tmp_path):
    """The online backup API copies one moment, even with a writer busy on the same file."""
    _fill(sqlite_db, 50)
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            with sqlite_db.unit_of_work() as s:
                s.execute(insert(Township), [{"name": f"写入中{i}-{j}"} for j in range(20)])
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        outs = [bk.write_backup(sqlite_db, tmp_path / f"b{i}.aidbak") for i in range(3)]
    finally:
        stop.set()
        t.join()
    for out in outs:
        with bk.opened_backup(out.path) as (plain, _header, _rev):
            copy = Database(str(plain))
            try:
                assert check_database(copy) == []
            finally:
                copy.dispose()


def test_restore_refuses_a_backup_from_a_newer_program(sqlite_db, tmp_path):
    """An old program must not open a database whose structure it does not know."""
    path = tmp_path / "newer.db"
    bk.copy_sqlite(Path(sqlite_db.url.split("///", 1)[1]), path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(aidbak.BackupRefused, match="更新版本的程序"):
        bk.restore(sqlite_db, path)


def test_restore_replaces_a_damaged_database_and_keeps_it_aside(tmp_path):
    """When the database itself is broken, restoring is the remedy; the broken file is kept."""
    good = Database(str(tmp_path / "good.db"))
    _fill(good, 10)
    out = bk.write_backup(good, tmp_path / "good.aidbak")
    good.dispose()
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    restored, result = bk.restore(str(broken), out.path)
    try:
        assert Path(result.kept_aside).read_bytes().startswith(b"SQLite format 3\x00\xff\xff")
        assert check_database(restored) == []
        with restored.reading() as s:
            assert len(s.scalars(select(Student.id)).all()) == 10
    finally:
        restored.dispose()


def test_automatic_backups_once_a_day_on_start_before_each_import_the_newest_and_days_first_kept(sqlite_db):
    """A clerk who never backs up still has today's copy and one before each import, without filling the disk."""
    settings_file().write_text('{"backup_keep": 3}', "utf-8")
    try:
        day = datetime(2026, 11, 27, 8, 0)
        assert bk.auto_backup(sqlite_db, "start", now=day) is not None
        assert bk.auto_backup(sqlite_db, "start", now=day + timedelta(hours=3)) is None
        assert bk.auto_backup(sqlite_db, "start", now=day + timedelta(days=1)) is not None
        for i in range(3):
            bk.auto_backup(sqlite_db, "import", now=day + timedelta(days=2, minutes=i))
        kept = bk.list_auto_backups(sqlite_db)
        # the newest three, and each day's first (kept for 30 days)
        assert [p.name.rsplit("-", 1)[-1] for p in kept] == ["import.db"] * 3 + ["start.db"] * 2
        restored, _ = bk.restore(sqlite_db, kept[0])
        restored.dispose()
        # the restore set the abandoned history's backups aside, in a folder of their own
        assert bk.list_auto_backups(sqlite_db) == []
        names = sorted(p.name for p in kept)
        asides = [
            p
            for p in bk.backups_dir().iterdir()
            if p.is_dir() and sorted(q.name for q in p.iterdir()) == names
        ]
        assert len(asides) == 1 and asides[0].name.startswith(
            f"{kept[0].name.split('-auto-')[0]}-before-restore-"
        )
    finally:
        settings_file().unlink()
        shutil.rmtree(bk.backups_dir(), ignore_errors=True)


def test_a_backup_is_written_whole_or_not_at_all(sqlite_db, tmp_path, monkeypatch):
    """A failure half-way leaves no file under the final name (a later restore would trust it)."""

    def broken_pack(*args, **kwargs):
        Path(args[1]).write_bytes(b"AIDOBAK\x00half")
        raise OSError("disk full")

    monkeypatch.setattr(bk, "pack", broken_pack)
    from aidoffice.files import DiskProblem

    with pytest.raises(DiskProblem, match=r"x\.aidbak"):  # said in Chinese, naming the file
        bk.write_backup(sqlite_db, tmp_path / "x.aidbak")
    assert list(tmp_path.glob("*.aidbak")) == [] and list(tmp_path.glob(".~*")) == []


def test_a_backup_needs_the_backup_permission(sqlite_db, tmp_path):
    """A county viewer may read the data but must not copy it out or overwrite it with a restore."""
    from aidoffice.access.checks import PermissionDenied, act_as
    from aidoffice.safety.accounts import create_user, sign_in

    with sqlite_db.unit_of_work() as s:
        create_user(s, "zhang", "张主任", "Mountain-2026", "admin")
    admin = sign_in(sqlite_db, "zhang", "Mountain-2026")
    with sqlite_db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, "view", "县里", "County-2026", "county_viewer", must_change_password=False)
    from aidoffice.access.checks import bind_user

    bind_user(sqlite_db, sign_in(sqlite_db, "view", "County-2026"))
    with pytest.raises(PermissionDenied, match="备份数据库"):
        bk.write_backup(sqlite_db, tmp_path / "x.aidbak")
    with pytest.raises(AidofficeError, match="从备份恢复"):
        bk.restore(sqlite_db, tmp_path / "x.aidbak")
    assert not (tmp_path / "x.aidbak").exists()


def test_a_backup_whose_trail_was_edited_is_refused_unless_the_administrator_insists(sqlite_db, tmp_path):
    """Someone copies the database, hides who deleted a child by editing the trail, and offers it as the
    backup: restoring it is refused with what was found; restored anyway, the restore says so in the
    trail and check still reports the edit."""
    _fill(sqlite_db, 20)
    path = tmp_path / "改过的.db"
    bk.copy_sqlite(Path(sqlite_db.url.split("///", 1)[1]), path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE audit_entry SET actor = '别人' WHERE id = 2")
    with sqlite_db.unit_of_work() as s:
        s.add(Township(name="恢复前才有的乡"))
    with pytest.raises(bk.BrokenTrail, match=r"操作记录与封存时不一致（操作记录编号 2.*--anyway"):
        bk.restore(sqlite_db, path)
    with sqlite_db.reading() as s:  # nothing replaced
        assert s.scalar(select(Township.id).where(Township.name == "恢复前才有的乡")) is not None
    restored, result = bk.restore(sqlite_db, path, anyway=True)
    try:
        assert len(result.trail_problems) == 1 and "编号 2" in result.trail_problems[0]
        with restored.reading() as s:
            assert s.scalar(select(Township.id).where(Township.name == "恢复前才有的乡")) is None
            note = s.scalar(text("SELECT note FROM audit_entry WHERE action = 'restore' ORDER BY id DESC"))
        assert "不一致，管理员确认仍然恢复" in note
        assert any("编号 2" in p.message for p in check_database(restored))
    finally:
        restored.dispose()


def test_a_restore_waits_for_no_import_and_an_import_waits_for_a_restore(db):
    """Replacing the database under a running import or letter batch would lose it or half-write it:
    the restore is refused while any runs, and each is refused while a restore runs, naming it."""
    from aidoffice.safety.locks import WRITING_OPERATIONS, OperationBusy, exclusive, exclusive_all

    for running, name in (("import", "导入"), ("letters", "告知书生成"), ("roster", "花名册确认")):
        with (
            exclusive(db, running, holder="张老师"),
            pytest.raises(OperationBusy, match=f"另一项{name}正在进行（张老师"),
            exclusive_all(db, "restore", holder="李老师"),
        ):
            pass
    with exclusive_all(db, "restore", holder="李老师"):
        for op in (*WRITING_OPERATIONS, "restore"):
            with (
                pytest.raises(OperationBusy, match="另一项恢复备份正在进行（李老师"),
                exclusive(db, op, holder="张老师"),
            ):
                pass
    with exclusive(db, "import", holder="张老师"):  # all free once the restore has finished
        pass


def test_a_backup_cut_short_is_refused_when_chosen_not_after_the_password(sqlite_db, tmp_path):
    """A copy to a USB stick interrupted half-way: the restore dialog says so at once, instead of showing
    the school and its students as if the file were whole."""
    _fill(sqlite_db, 20)
    for password in (None, "usb-stick-2026"):
        out = bk.write_backup(sqlite_db, tmp_path / f"备份{bool(password)}.aidbak", password=password).path
        assert bk.backup_info(out).counts["student"] == 20
        cut = tmp_path / f"截断{bool(password)}.aidbak"
        cut.write_bytes(out.read_bytes()[: out.stat().st_size - 100])
        with pytest.raises(aidbak.BackupRefused, match="不完整"):
            bk.backup_info(cut)


def test_backups_made_in_the_same_second_sort_in_the_order_they_were_made(sqlite_db):
    """An import, then a batch, then another import all in one second: the newest is listed first and
    survives pruning (the list used to put “…-import.db” above the later “…-import-2.db”)."""
    settings_file().write_text('{"backup_keep": 1}', "utf-8")
    try:
        moment = datetime(2026, 11, 27, 8, 0, 0)
        made = [bk.auto_backup(sqlite_db, reason, now=moment) for reason in ("import", "batch", "import")]
        assert len(set(made)) == 3
        # the newest (the one to keep) and the day's first (kept for 30 days)
        assert bk.list_auto_backups(sqlite_db) == [made[2], made[0]]
        assert not made[1].exists()
    finally:
        shutil.rmtree(bk.backups_dir(), ignore_errors=True)


def test_automatic_backups_keep_the_days_first_for_a_month_and_the_months_first_for_a_year(sqlite_db):
    """Keep-by-age: a mistake noticed three weeks or five months later can still be undone, while the
    many backups of one busy day do not pile up."""
    settings_file().write_text('{"backup_keep": 3}', "utf-8")
    today = datetime(2026, 12, 6, 8, 0)
    try:
        # one backup a day at 8:00 and one at 15:00, for the 400 days up to today
        for back in range(400, -1, -1):
            day = today - timedelta(days=back)
            bk.auto_backup(sqlite_db, "import", now=day)
            bk.auto_backup(sqlite_db, "import", now=day + timedelta(hours=7))
        kept = bk.auto_backups(sqlite_db)
        made = [a.made for a in kept]
        # the newest three, whatever they are
        assert made[:3] == [today + timedelta(hours=7), today, today - timedelta(days=1) + timedelta(hours=7)]
        days_firsts = {a.made for a in kept if a.day_first}
        for back in range(0, 31):  # the day's first of the last 30 days
            assert today - timedelta(days=back) in days_firsts, back
        assert today - timedelta(days=40) not in made
        months = {(m.year, m.month) for m in made}
        # the first of each month for a year (December 2025's, made on the 1st, is more than a year old)
        assert {(2026, m) for m in range(1, 13)} <= months
        assert min(made) >= today - timedelta(days=365)
        old = [m for m in made if m < today - timedelta(days=31)]
        assert old and all(m.day == 1 and m.hour == 8 for m in old)
        assert len(kept) < 3 + 31 + 13
    finally:
        shutil.rmtree(bk.backups_dir(), ignore_errors=True)


def test_the_days_first_backup_is_marked(sqlite_db):
    try:
        day = datetime(2026, 11, 27, 8, 0)
        first = bk.auto_backup(sqlite_db, "start", now=day)
        second = bk.auto_backup(sqlite_db, "import", now=day + timedelta(hours=2))
        next_day = bk.auto_backup(sqlite_db, "import", now=day + timedelta(days=1))
        marks = {a.path: a.day_first for a in bk.auto_backups(sqlite_db)}
        assert marks == {first: True, second: False, next_day: True}
    finally:
        shutil.rmtree(bk.backups_dir(), ignore_errors=True)


def test_once_a_backup_password_is_set_backups_are_encrypted_by_default(sqlite_db, tmp_path):
    from aidoffice.paths import update_settings

    update_settings(backup_encrypt=None)  # a PC on which no backup password was ever set
    assert bk.encryption_default() is False
    bk.write_backup(sqlite_db, tmp_path / "plain.aidbak")
    assert bk.encryption_default() is False
    bk.write_backup(sqlite_db, tmp_path / "locked.aidbak", password="usb-stick-2026")
    assert bk.encryption_default() is True
