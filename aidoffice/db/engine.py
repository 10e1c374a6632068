"""Opening a database: the embedded SQLite file (WAL, foreign keys on) or PostgreSQL (psycopg 3),
migrated to the current schema on open, with a unit of work for services."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

import aidoffice.db.audit  # noqa: F401  (registers the audit listeners)
from aidoffice.db.audit import default_actor
from aidoffice.errors import DatabaseUnavailable

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


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest migration. Revisions are numbered like their files (0002_….py → "0002"), which a
    test checks against Alembic's own view, so opening a current database never imports Alembic."""
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def schema_is_current(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError):
        return False
    return current == head_revision()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; cheap when it already is."""
    if not schema_is_current(engine):
        from alembic import command

        command.upgrade(alembic_config(engine), "head")


class Database:
    """An open, migrated database and its session factory."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = normalize_url(url)
        self.engine = make_engine(self.url)
        try:
            if migrate:
                upgrade(self.engine)
            else:
                with self.engine.connect():
                    pass
        except OperationalError as exc:
            raise DatabaseUnavailable(f"无法打开数据库（{self.display_url}）：{exc.orig}") from exc
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
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries only; objects stay readable after it closes."""
        session = self.sessions()
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
