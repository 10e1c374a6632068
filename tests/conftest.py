"""Shared fixtures. `db` runs a test on SQLite and on PostgreSQL (AIDOFFICE_TEST_PG_URL); without that
variable the PostgreSQL half is skipped and says so.

The clock: every test runs with the program's clock (`aidoffice.clock`) set to one day, never the wall
clock's. The day is `--today YYYY-MM-DD` (or AIDOFFICE_TODAY), else the wall clock's date at the start
of the run; a test that depends on a particular day says so with `@pytest.mark.today("2026-11-22")`.
Commands the tests start as separate processes see the same day (AIDOFFICE_TODAY is set for them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import make_url, text

from aidoffice import clock
from aidoffice.db.engine import Database
from aidoffice.db.models import Base
from aidoffice.safety import accounts

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
    _hashing(real=False)  # session fixtures (databases built once) create accounts too
    config.addinivalue_line(
        "markers",
        "real_password_hashing: the test uses the program's argon2 cost, not the suite's quick one",
    )
    config.addinivalue_line(
        "markers", "today(day): the test depends on the date; the clock is set to this day"
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"aidoffice clock: {suite_day_of(config).isoformat()}"


def suite_day_of(config: pytest.Config) -> date:
    given = config.getoption("--today") or RUN_DAY
    return clock.parse_day(given) if given else date.today()  # the run's one look at the wall clock


# argon2id at the program's cost (64 MiB, 3 passes, 4 lanes) takes ~0.2 s a hash or check here, and the
# suite signs in and creates accounts some thousand times: tests hash with 1 pass over 1 MiB instead, as
# Django's test settings use a quick hasher. The code run is the same (the same argon2id calls and
# checks); a test marked `real_password_hashing` gets the program's own hasher, and a test of that mark
# checks its cost. Processes the tests start use the program's hasher: they can check a quick hash (the
# parameters are in the hash) and would upgrade it at sign-in, as for any hash of older parameters.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
REAL_HASHER, REAL_DUMMY_HASH = accounts._hasher, accounts._DUMMY_HASH
QUICK_DUMMY_HASH = QUICK_HASHER.hash("aidoffice-no-such-user")


def _hashing(real: bool) -> None:
    accounts._hasher = REAL_HASHER if real else QUICK_HASHER
    accounts._DUMMY_HASH = REAL_DUMMY_HASH if real else QUICK_DUMMY_HASH


@pytest.fixture(autouse=True)
def _password_hashing(request: pytest.FixtureRequest) -> Iterator[None]:
    real = request.node.get_closest_marker("real_password_hashing") is not None
    _hashing(real)
    yield
    _hashing(False)


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
def _own_data_home(
    _data_home: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test has its own data folder (settings, automatic backups, logs): what one test sets on
    "this PC" (a backup password, how many backups to keep) is not there for the next, even when a
    background operation of the first writes it after the first has ended."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("AIDOFFICE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    Database(str(path)).dispose()
    return path


def _worker_db_url(worker_id: str) -> str:
    from tests.pg import fresh_pg_url

    return fresh_pg_url(worker_id)


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
        # named after the test: the automatic backups in the shared data folder are found by the
        # database's name, and copies of one snapshot share their first audit entry, so one test's
        # backups must not pass for another's (`check` compares the trail with them)
        path = tmp_path / f"{tmp_path.name}.db"
        shutil.copy(sqlite_template, path)
        database = Database(str(path))
        yield database
        database.dispose()
    else:
        database: Database = request.getfixturevalue("pg_database")
        with database.engine.begin() as conn:
            pg_empty(conn)
        yield database


def pg_empty(conn) -> None:  # type: ignore[no-untyped-def]
    """Every table emptied and every id counting from 1 again, as `TRUNCATE … RESTART IDENTITY` would
    leave them, in one round trip. DELETE is several times quicker on the tests' small tables
    (TRUNCATE gives each of the ~30 tables new files on disk: over a second per test here)."""
    conn.exec_driver_sql(_PG_EMPTY)


_PG_EMPTY = "".join(f'DELETE FROM public."{t.name}";' for t in reversed(Base.metadata.sorted_tables)) + (
    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public';"
)


class Snapshots:
    """Databases built once per session and copied into each test that wants one (`restore`): a demo
    school of 300 students takes seconds to generate and milliseconds to copy.

    A snapshot is keyed by its name and the day the clock shows (what a builder writes — the current
    term, the dates of the records — depends on the day). SQLite: the built file, copied over the
    test's own file. PostgreSQL: the built tables, kept in a schema of the worker's database and copied
    back into its tables with their sequences (the same result as `CREATE DATABASE … TEMPLATE` without
    reconnecting the session's engine)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: dict[tuple[str, date], Path] = {}
        self._pg: dict[tuple[str, date], str] = {}

    def restore(self, database: Database, name: str, build: Callable[[Database], object]) -> Database:
        """`database` (empty, as the `db` fixture hands it over) as `build` left it; `build` runs on
        it only the first time this name is asked for on this day. What was in `database` is replaced:
        a fixture that restores a snapshot built on another fixture's data asks for that fixture
        first (as `demo_db` asks for `school_db`), so that one cannot wipe it afterwards."""
        key = (name, clock.today())
        if database.dialect == "sqlite":
            self._sqlite_restore(database, key, build)
        else:
            self._pg_restore(database, key, build)
        return database

    def _sqlite_restore(self, database: Database, key: tuple[str, date], build: Callable) -> None:
        import sqlite3

        target = Path(make_url(database.url).database or "")
        saved = self._sqlite.get(key)
        if saved is None:
            build(database)
            saved = self.folder / f"{key[0]}-{key[1].isoformat()}.db"
            database.engine.dispose()
            with closing(sqlite3.connect(target)) as src, closing(sqlite3.connect(saved)) as dst:
                src.backup(dst)  # one consistent file, whatever the write-ahead log still holds
            self._sqlite[key] = saved
            return
        database.engine.dispose()  # no connection may see the file change under it
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(saved, target)

    def _pg_restore(self, database: Database, key: tuple[str, date], build: Callable) -> None:
        script = self._pg.get(key)
        if script is None:
            build(database)
            self._pg[key] = self._pg_save(database, f"snap_{len(self._pg)}")
            return
        with database.engine.begin() as conn:
            conn.exec_driver_sql(script)  # one round trip: empty, copy back, set the sequences

    @staticmethod
    def _pg_save(database: Database, schema: str) -> str:
        """Copy every table into `schema`; the SQL that puts them back."""
        tables = Base.metadata.sorted_tables
        with database.engine.begin() as conn:
            conn.exec_driver_sql(
                f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}";'
                + "".join(f'CREATE TABLE "{schema}"."{t.name}" AS TABLE public."{t.name}";' for t in tables)
            )
            sequences = (
                conn.execute(
                    text(
                        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"
                    )
                )
                .scalars()
                .all()
            )
            state = [
                (seq, *conn.exec_driver_sql(f"SELECT last_value, is_called FROM {seq}").one())
                for seq in sequences
            ]
        return (
            _PG_EMPTY
            + "".join(
                f'INSERT INTO public."{t.name}" OVERRIDING SYSTEM VALUE SELECT * FROM "{schema}"."{t.name}";'
                for t in tables
            )
            + "".join(
                f"SELECT setval('{seq}', {value}, {'true' if called else 'false'});"
                for seq, value, called in state
            )
        )


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Snapshots:
    return Snapshots(tmp_path_factory.mktemp("snapshots"))


@pytest.fixture
def school_db(db: Database, snapshots: Snapshots) -> Database:
    """A database with a school, the catalogue and the current term."""
    from tests.factories import a_school

    return snapshots.restore(db, "school", a_school)
