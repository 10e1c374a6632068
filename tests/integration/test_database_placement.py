"""Where the database lives (issue 20 §3): a SQLite file on a network share is opened without WAL (its
shared-memory index is unsafe across PCs), and a PostgreSQL database not created as UTF8 is refused
with the command that makes a right one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import make_url

from aidoffice.db import engine as engine_mod
from aidoffice.db.engine import Database, network_share
from aidoffice.db.errors import NotUtf8Database
from tests.e2e.cli import last_json, run


def _journal(db: Database) -> str:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA journal_mode").scalar()


def test_a_database_on_a_local_disk_uses_wal(tmp_path):
    db = Database(str(tmp_path / "local.db"))
    try:
        assert _journal(db) == "wal"
    finally:
        db.dispose()


def test_a_database_on_a_network_share_is_opened_with_the_rollback_journal(tmp_path, monkeypatch):
    """Detected as a share (monkeypatched: the test machine has no cifs mount): no WAL, no -wal file."""
    monkeypatch.setattr(engine_mod, "network_share", lambda path: "cifs")
    db = Database(str(tmp_path / "share.db"))
    try:
        assert _journal(db) == "delete"
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert not Path(f"{tmp_path / 'share.db'}-wal").exists()
    finally:
        db.dispose()


def test_a_wal_database_moved_onto_a_share_is_switched_to_the_rollback_journal(tmp_path, monkeypatch):
    path = tmp_path / "moved.db"
    Database(str(path)).dispose()  # made on a local disk: WAL
    monkeypatch.setattr(engine_mod, "network_share", lambda p: "网络驱动器 Z:")
    db = Database(str(path))
    try:
        assert _journal(db) == "delete"
    finally:
        db.dispose()


def test_shares_are_recognised_by_path_and_by_mount_type(tmp_path):
    assert network_share(Path("//server/资助办/aidoffice.db")) == "网络共享路径"
    assert network_share(Path("\\\\server\\share\\aidoffice.db")) == "网络共享路径"
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda1 / ext4 rw 0 0\n"
        "//server/share /mnt/学校\\040盘 cifs rw 0 0\n"
        "server:/export /mnt/nfs nfs4 rw 0 0\n",
        "utf-8",
    )
    kind = engine_mod._linux_mount_type
    assert kind(Path("/mnt/学校 盘/资助/a.db"), str(mounts)) == "cifs"
    assert kind(Path("/mnt/nfs/a.db"), str(mounts)) == "nfs4"
    assert kind(Path("/mnt/nfsx/a.db"), str(mounts)) == "ext4"
    if os.name == "posix":
        assert network_share(tmp_path / "a.db") is None  # the test machine's own disk


def _ascii_url() -> str:
    base = os.environ.get("AIDOFFICE_TEST_PG_URL")
    if not base:
        pytest.skip("AIDOFFICE_TEST_PG_URL is not set: no PostgreSQL server for this test")
    url = make_url(base)
    return url.set(database=f"{url.database}_ascii").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_a_sql_ascii_postgresql_database_is_refused_with_the_createdb_advice(tmp_path):
    """`createdb -E SQL_ASCII -T template0 <name>_ascii` beforehand (see the brief); the app refuses it."""
    url = _ascii_url()
    try:
        with pytest.raises(NotUtf8Database) as refused:
            Database(url)
    except Exception as exc:  # the server has no such database: say how to make it
        if "does not exist" in str(exc) or "无法连接" in str(exc):
            pytest.skip(f"create it first: createdb -E SQL_ASCII -T template0 {make_url(url).database}")
        raise
    message = str(refused.value)
    assert "SQL_ASCII" in message and f"createdb -E UTF8 -T template0 -O {make_url(url).username}" in message
    r = run("--json", "init", "--school", "测试中学", home=tmp_path, db=url)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "createdb -E UTF8 -T template0" in last_json(r)["error"]
