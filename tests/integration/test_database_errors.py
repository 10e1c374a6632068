"""Database failures the user's machine causes get their own Chinese advice, never a row's values, and
never leave anything half-written — each provoked for real where that is safe, mocked where not."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import event, func, select, text

from aidoffice.db import errors
from aidoffice.db.engine import Database
from aidoffice.db.models import Student
from aidoffice.ledgers.students import add_student
from tests.factories import an_id, student


def _count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Student)) or 0


@pytest.fixture
def sqlite_db(school_db):
    if school_db.dialect != "sqlite":
        pytest.skip("an SQLite file case")
    return school_db


def test_a_read_only_database_says_so_and_writes_nothing(sqlite_db):
    """A database on a read-only share must be called read-only, not a bug, and leave no half-done import."""
    ro = Database(sqlite_db.url)
    # the tests run as root, which ignores file modes; query_only makes SQLite answer SQLITE_READONLY
    event.listen(ro.engine, "connect", lambda conn, _r: conn.execute("PRAGMA query_only=1"))
    ro.engine.dispose()
    with pytest.raises(errors.ReadOnlyDatabase, match="只读"), ro.unit_of_work() as s:
        add_student(s, 1, student("王小明"))
    ro.dispose()
    assert _count(sqlite_db) == 0


def test_a_lock_held_by_another_program_is_explained_after_the_wait(sqlite_db):
    """Another copy of the program (or a clerk's second window) holds the write lock."""
    other = sqlite3.connect(sqlite_db.engine.url.database)
    other.execute("BEGIN IMMEDIATE")
    busy = Database(sqlite_db.url, busy_timeout_ms=100)
    try:
        with pytest.raises(errors.DatabaseBusy, match="占用"), busy.unit_of_work() as s:
            add_student(s, 1, student("王小明"))
    finally:
        other.rollback()
        other.close()
        busy.dispose()
    assert _count(sqlite_db) == 0


def _fail_with(db: Database, name: str, message: str):  # type: ignore[no-untyped-def]
    """Make the next statement fail as SQLite does when the disk breaks (unsafe to provoke for real)."""

    def boom(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT"):
            exc = sqlite3.OperationalError(message)
            exc.sqlite_errorname = name  # type: ignore[attr-defined]
            raise exc

    event.listen(db.engine, "before_cursor_execute", boom)
    return boom


@pytest.mark.parametrize(
    ("name", "message", "kind", "advice"),
    [
        ("SQLITE_FULL", "database or disk is full", errors.DiskFull, "磁盘空间已满"),
        ("SQLITE_IOERR_WRITE", "disk I/O error", errors.DiskIOError, "读写磁盘时出错"),
        ("SQLITE_CORRUPT", "database disk image is malformed", errors.DatabaseCorrupt, "已损坏"),
    ],
)
def test_disk_failures_get_their_own_advice(sqlite_db, name, message, kind, advice):
    """A full or failing disk needs advice about the disk, not "unexpected error", and nothing half-written."""
    hook = _fail_with(sqlite_db, name, message)
    try:
        with pytest.raises(kind, match=advice), sqlite_db.unit_of_work() as s:
            add_student(s, 1, student("王小明"))
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", hook)
    assert _count(sqlite_db) == 0


def test_a_file_that_is_not_a_database_is_refused_at_open(tmp_path):
    """Choosing a wrong file as the database must be refused at once, saying it is not ours."""
    path = tmp_path / "学生名单.db"
    path.write_text("这不是数据库，是一封信。" * 200, "utf-8")
    with pytest.raises(errors.NotADatabase, match=r"无法打开数据库.*不是本程序的数据库"):
        Database(str(path))


def test_a_damaged_database_file_is_called_damaged(sqlite_db, tmp_path):
    """A damaged file must be called damaged, with the way to check and restore, not a generic crash."""
    path = sqlite_db.engine.url.database
    sqlite_db.dispose()
    with open(path, "rb") as fh:
        data = bytearray(fh.read())
    for page in range(1, len(data) // 4096):
        data[page * 4096 : page * 4096 + 100] = b"\xa5" * 100
    with open(path, "wb") as fh:
        fh.write(bytes(data))
    with pytest.raises(errors.DatabaseCorrupt, match=r"已损坏.*从最近的备份恢复"):
        broken = Database(path)
        with broken.reading() as s:
            s.scalar(select(func.count()).select_from(Student))


def test_a_database_from_a_newer_program_asks_for_an_upgrade(sqlite_db):
    """An older copy of the program must not write into a newer database; the clerk is told to upgrade."""
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(errors.NewerDatabase, match="请升级程序") as err:
        Database(sqlite_db.url)
    assert "9999" in str(err.value)


def test_two_writers_of_the_same_student_conflict_without_echoing_values(school_db):
    """What two simultaneous imports produce: a unique clash. The message must not carry the ID."""
    number = an_id(date(2013, 5, 3))
    with school_db.unit_of_work() as s:
        add_student(s, 1, student("王小明", id_number=number))
    row = {
        "school_id": 1, "person_key": number, "id_number": number, "name": "王小明", "name_pinyin": "wangxiaoming",
        "name_initials": "wxm", "stage": "junior", "grade": 7, "class_name": "1班",
    }  # fmt: skip
    with pytest.raises(errors.WriteConflict) as err, school_db.unit_of_work() as s:
        s.execute(Student.__table__.insert(), [row])
    assert number not in str(err.value)
    # the server's own words (PostgreSQL: "Key (id_number)=(…) already exists") reach only the log,
    # and the log masks them
    import logging

    from aidoffice.logs import ScrubbingFormatter

    record = logging.LogRecord(
        "t", logging.ERROR, __file__, 1, "import failed", (), (type(err.value), err.value, err.tb)
    )
    logged = ScrubbingFormatter().format(record)
    assert "WriteConflict" in logged and number not in logged
    assert _count(school_db) == 1


@pytest.mark.postgres
def test_a_lost_postgresql_connection_is_a_network_problem(pg_database):
    """The server ends our session mid-job (as a restart or a dropped network would)."""
    from tests.conftest import PG_URL  # noqa: F401  (the fixture skips without it)

    admin = pg_database.engine.connect()
    with pytest.raises(errors.ConnectionLost, match="连接中断"), pg_database.unit_of_work() as s:
        pid = s.scalar(text("SELECT pg_backend_pid()"))
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.commit()
        s.execute(text("SELECT 1"))
    admin.close()
    with pg_database.reading() as s:  # the pool recovers for the next job
        assert s.scalar(text("SELECT 1")) == 1
