"""Shared fixtures. `db` runs a test on SQLite and on PostgreSQL (AIDOFFICE_TEST_PG_URL); without that
variable the PostgreSQL half is skipped and says so."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from aidoffice.db.engine import Database, normalize_url
from aidoffice.db.models import Base

PG_URL = os.environ.get("AIDOFFICE_TEST_PG_URL")


@pytest.fixture(scope="session", autouse=True)
def _data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Never touch the developer's own data folder."""
    home = tmp_path_factory.mktemp("aidoffice-home")
    old = os.environ.get("AIDOFFICE_HOME")
    os.environ["AIDOFFICE_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("AIDOFFICE_HOME", None)
    else:
        os.environ["AIDOFFICE_HOME"] = old


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    Database(str(path)).dispose()
    return path


def _worker_db_url(worker_id: str) -> str:
    base = make_url(normalize_url(PG_URL or ""))
    name = f"{base.database}_{worker_id}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[Database]:
    if not PG_URL:
        pytest.skip("PostgreSQL 测试已跳过：未设置 AIDOFFICE_TEST_PG_URL（.ci/run 会启动服务器并设置它）")
    database = Database(_worker_db_url(worker_id))
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def pg_cli_url(worker_id: str) -> str:
    """A separate PostgreSQL database for tests that run the `aidoffice` command on it."""
    if not PG_URL:
        pytest.skip("PostgreSQL 测试已跳过：未设置 AIDOFFICE_TEST_PG_URL（.ci/run 会启动服务器并设置它）")
    return _worker_db_url(worker_id + "_cli")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        database = Database(str(path))
        yield database
        database.dispose()
    else:
        database: Database = request.getfixturevalue("pg_database")
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield database


@pytest.fixture
def school_db(db: Database) -> Database:
    """A database with a school, the catalogue and the current term."""
    from aidoffice.ledgers.school import setup_school

    with db.unit_of_work(actor="测试员") as s:
        setup_school(s, "测试县第一中学", "3130624999", "测试县")
    return db
