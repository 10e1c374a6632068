"""Opening a database: the embedded SQLite file (WAL, foreign keys on) or PostgreSQL (psycopg 3),
migrated to the current schema on open, with a unit of work for services."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError, SQLAlchemyError, StatementError
from sqlalchemy.orm import Session, sessionmaker

import aidoffice.db.audit
import aidoffice.security  # noqa: F401  (registers the audit chain's sealing and the signed-in actor)
from aidoffice.db.audit import default_actor
from aidoffice.db.errors import CannotConnect, NewerDatabase, translate

MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """`postgresql://…` and `postgres://…` mean psycopg 3; a bare path means an SQLite file."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve().as_posix()}"
    return url


def _private_file(path: Path) -> None:
    """A new database file is created readable by its owner only (SQLite gives its -wal and -shm
    files the same mode): it holds every child's ID number and bank account."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another program's lock before giving up


def make_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """`hide_parameters`: an error never carries the row's values (IDs, names, phones) into a message
    or the log."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

        def pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.close()

        event.listen(engine, "connect", pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def known_revisions() -> list[str]:
    """Revisions are numbered like their files (0002_….py → "0002"), which a test checks against
    Alembic's own view, so opening a current database never imports Alembic."""
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def head_revision() -> str:
    return known_revisions()[-1]


def schema_revision(engine: Engine) -> str | None:
    """The database's schema revision; None for a new (empty) database."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError) as exc:
            if "alembic_version" in str(exc.orig):
                return None
            raise


def schema_is_current(engine: Engine) -> bool:
    try:
        return schema_revision(engine) == head_revision()
    except (OperationalError, ProgrammingError):
        return False


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; cheap when it already is. A database made by a
    newer program is refused before anything touches it."""
    current = schema_revision(engine)
    if current == head_revision():
        return
    if current is not None and current not in known_revisions():
        raise NewerDatabase(detail=f"数据库版本 {current}，本程序最高支持 {head_revision()}")
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


class Database:
    """An open, migrated database and its session factory."""

    def __init__(self, url: str, *, migrate: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, busy_timeout_ms=busy_timeout_ms)
        try:
            if migrate:
                if (revision := schema_revision(self.engine)) is not None and revision != head_revision():
                    from aidoffice.security.backup import auto_backup

                    auto_backup(self.url, "upgrade")  # before any migration touches the clerk's data
                upgrade(self.engine)
            else:
                with self.engine.connect():
                    pass
        except NewerDatabase as exc:
            self.engine.dispose()
            raise NewerDatabase(self.display_url, exc.detail, opening=True) from None
        except (DBAPIError, StatementError) as exc:
            self.engine.dispose()
            problem = translate(exc, self.display_url, opening=True) or CannotConnect(
                self.display_url, opening=True
            )
            raise problem from exc
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def unit_of_work(self, actor: str | None = None, note: str | None = None) -> Iterator[Session]:
        """One use case, one transaction: commit at the end, roll back on any exception."""
        session = self.sessions()
        session.info["actor"] = actor or default_actor()
        if note:
            session.info["audit_note"] = note
        try:
            yield session
            session.commit()
        except BaseException as exc:
            with contextlib.suppress(SQLAlchemyError):
                session.rollback()  # may fail when the connection is gone: nothing was committed then
            problem = translate(exc) if isinstance(exc, DBAPIError | StatementError) else None
            if problem is not None:
                raise problem from exc
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries only; objects stay readable after it closes."""
        session = self.sessions()
        try:
            yield session
        except (DBAPIError, StatementError) as exc:
            problem = translate(exc)
            if problem is not None:
                raise problem from exc
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
