"""Opening a database: the embedded SQLite file (WAL, foreign keys on) or PostgreSQL (psycopg 3),
migrated to the current schema on open, with a unit of work for services.

A SQLite file on a network share (a mapped drive or \\\\server\\share on Windows; a cifs/smb/nfs mount
on Linux) is opened with the classic rollback journal instead of WAL: WAL keeps its index in shared
memory that only works when every program using the file runs on one computer, and on a share two
PCs would each believe they own it and corrupt the file. The rollback journal uses only file locks.
Several clerks sharing one database should use PostgreSQL (see the manual).

A PostgreSQL database must be created as UTF8: one in SQL_ASCII (the server's default on some
installations) stores Chinese as bytes the program cannot read back, so it is refused with the
`createdb -E UTF8 -T template0` command that makes a right one."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError, SQLAlchemyError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from aidoffice.db.audit import default_actor
from aidoffice.db.audit_chain import install
from aidoffice.db.errors import CannotConnect, NewerDatabase, NotUtf8Database, translate

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


NETWORK_FILESYSTEMS = {
    "cifs", "smb", "smbfs", "smb3", "nfs", "nfs4", "ncpfs", "afs", "9p", "ceph", "glusterfs",
    "fuse.sshfs", "fuse.smbnetfs", "fuse.gvfsd-fuse", "davfs", "fuse.davfs2",
}  # fmt: skip
log = logging.getLogger("aidoffice.db")


def _windows_remote_drive(path: Path) -> bool:
    import ctypes

    drive = path.drive
    if not drive or drive.startswith(("\\\\", "//")):
        return bool(drive)
    try:
        return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4  # type: ignore[attr-defined]  # DRIVE_REMOTE
    except (AttributeError, OSError):
        return False


def _linux_mount_type(path: Path, mounts: str = "/proc/mounts") -> str | None:
    """The filesystem type of the mount holding `path` (the longest mount point that contains it)."""
    try:
        lines = Path(mounts).read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best, kind = "", None
    target = str(path)
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def network_share(path: Path) -> str | None:
    """How `path` is on a network share (“\\\\server\\share”, “网络驱动器 Z:”, “cifs”), or None for a
    local disk."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "网络共享路径"
    if os.name == "nt":
        return f"网络驱动器 {path.drive}" if _windows_remote_drive(path) else None
    kind = _linux_mount_type(path.resolve() if path.exists() else path.parent.resolve() / path.name)
    return kind if kind in NETWORK_FILESYSTEMS else None


def journal_mode_for(path: Path | None) -> str:
    """WAL on a local disk; the rollback journal (DELETE) on a network share, where WAL is unsafe."""
    if path is None:
        return "WAL"
    share = network_share(path)
    if share:
        log.warning("database %s is on a network share (%s): using journal_mode=DELETE, not WAL", path, share)
        return "DELETE"
    return "WAL"


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
        file = Path(parsed.database) if parsed.database and parsed.database != ":memory:" else None
        if file is not None:
            _private_file(file)
        journal = journal_mode_for(file)
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

        def pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA journal_mode={journal}")
            cur.execute("PRAGMA synchronous=NORMAL" if journal == "WAL" else "PRAGMA synchronous=FULL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            # 16 MiB of page cache per connection, filled only as used (SQLite's default is 2 MiB): an
            # import that inserts 20,000 students into eleven indexes no longer spills pages to the WAL
            # half-way (a quarter of its insert; 64 MiB measured no faster)
            cur.execute("PRAGMA cache_size=-16384")
            cur.close()

        event.listen(engine, "connect", pragmas)
        return engine
    # text always travels as UTF-8: a server database created in SQL_ASCII would otherwise hand back
    # bytes, which crash the driver before `_require_utf8` can say what is wrong
    return create_engine(
        url, pool_pre_ping=True, hide_parameters=True, connect_args={"client_encoding": "utf8"}
    )


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

    def __init__(
        self,
        url: str,
        *,
        migrate: bool = True,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        before_upgrade: Callable[[str], object] | None = None,
    ):
        """`before_upgrade(url)` runs before a migration touches an existing database (the composition
        root, `aidoffice.office.open_office`, gives it the automatic backup)."""
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, busy_timeout_ms=busy_timeout_ms)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        install(self.sessions, self.engine)  # the audit trail's listeners, on this database only
        try:
            if self.engine.dialect.name == "postgresql":
                self._require_utf8()
            if migrate:
                if (
                    before_upgrade is not None
                    and (revision := schema_revision(self.engine)) is not None
                    and revision != head_revision()
                ):
                    before_upgrade(self.url)  # e.g. a backup before any migration touches the clerk's data
                upgrade(self.engine)
            else:
                with self.engine.connect():
                    pass
        except NewerDatabase as exc:
            self.engine.dispose()
            raise NewerDatabase(self.display_url, exc.detail, opening=True) from None
        except NotUtf8Database:
            self.engine.dispose()
            raise
        except (DBAPIError, StatementError) as exc:
            self.engine.dispose()
            problem = translate(exc, self.display_url, opening=True) or CannotConnect(
                self.display_url, opening=True
            )
            raise problem from exc

    def _require_utf8(self) -> None:
        """A database that is not UTF8 cannot hold Chinese: refused with the command that makes one."""
        with self.engine.connect() as conn:
            encoding = conn.exec_driver_sql("SHOW server_encoding").scalar()
        if str(encoding).upper().replace("-", "") in ("UTF8", "UNICODE"):
            return
        url = make_url(self.url)
        name = url.database or "aidoffice"
        owner = f" -O {url.username}" if url.username else ""
        raise NotUtf8Database(
            self.display_url, str(encoding), f"createdb -E UTF8 -T template0{owner} {name}_utf8"
        )

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
