"""Shared fixtures. `db` runs a test on SQLite and on PostgreSQL (AIDOFFICE_TEST_PG_URL); without that
variable the PostgreSQL half is skipped and says so.

The clock: every test runs with the program's clock (`aidoffice.clock`) set to one day, never the wall
clock's. The day is `--today YYYY-MM-DD` (or AIDOFFICE_TODAY), else the wall clock's date at the start
of the run; a test that depends on a particular day says so with `@pytest.mark.today("2026-11-22")`.
Commands the tests start as separate processes see the same day (AIDOFFICE_TODAY is set for them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from aidoffice import clock
from aidoffice.db.engine import Database, normalize_url
from aidoffice.db.models import Base

PG_URL = os.environ.get("AIDOFFICE_TEST_PG_URL")
# the day given to the run, read before any test can set the variable for the commands it starts
RUN_DAY = os.environ.get(clock.ENV, "").strip()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        default=None,
        metavar="YYYY-MM-DD",
        help="run every test with the program's clock at this day (also AIDOFFICE_TODAY); default: the date the run starts",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "today(day): the test depends on the date; the clock is set to this day"
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"aidoffice clock: {suite_day_of(config).isoformat()}"


def suite_day_of(config: pytest.Config) -> date:
    given = config.getoption("--today") or RUN_DAY
    return clock.parse_day(given) if given else date.today()  # the run's one look at the wall clock


@pytest.fixture(scope="session")
def suite_day(pytestconfig: pytest.Config) -> date:
    return suite_day_of(pytestconfig)


@pytest.fixture(scope="session", autouse=True)
def _session_clock(suite_day: date) -> Iterator[date]:
    """Session fixtures (demo databases built once) already see the run's day."""
    clock.pin(suite_day)
    os.environ[clock.ENV] = suite_day.isoformat()
    yield suite_day
    clock.pin(None)


@pytest.fixture(autouse=True)
def clock_day(
    request: pytest.FixtureRequest, suite_day: date, monkeypatch: pytest.MonkeyPatch
) -> Iterator[date]:
    """The day the program's clock shows in this test (the test's `today` mark, else the run's day)."""
    marker = request.node.get_closest_marker("today")
    day = clock.parse_day(marker.args[0]) if marker else suite_day
    clock.pin(day)
    monkeypatch.setenv(clock.ENV, day.isoformat())
    yield day
    clock.pin(suite_day)


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


@pytest.fixture(autouse=True)
def _settings_restored(_data_home: Path) -> Iterator[None]:
    """A test that changes this PC's settings (a backup password set, how many backups to keep) leaves
    them as it found them for the next test."""
    from aidoffice.paths import settings_file

    path = settings_file()
    before = path.read_bytes() if path.exists() else None
    yield
    if before is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(before)


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
