"""Backups and restore.

Every backup is, inside, an SQLite database file at the program's schema: for the embedded database a
consistent copy made with SQLite's online backup API (safe while the program runs), for PostgreSQL a
new SQLite file the program fills table by table (not pg_dump), so a county can move a school's data
from a server to a PC and back.

- Automatic backups (`auto_backup`) are plain SQLite copies in the data folder's `backups/`, made fast:
  on start (at most once a day), before every import, batch operation and schema upgrade; the newest
  `backup_keep` (settings, default 10) per database are kept.
- A manual backup (`write_backup`) is an `.aidbak` file: a small versioned header, then the database
  in compressed chunks, optionally encrypted with a password (AES-256-GCM, key from scrypt with a
  random salt; the header is authenticated with every chunk and the last chunk is marked, so a
  truncated or edited file is refused).
- `restore` accepts both kinds. It verifies first (format, password, size and checksum, SQLite's
  integrity check, the schema revision), keeps the current database aside, and only then replaces it.
The `.aidbak` container itself (header, chunks, encryption) is `aidoffice.safety.aidbak`."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import struct
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, func, insert, inspect, make_url, select, text
from sqlalchemy.orm import Session

from aidoffice import __version__, clock
from aidoffice.access.checks import bind_user, bound_user, require
from aidoffice.db.audit import actor_of
from aidoffice.db.audit_chain import HEAD_KEY
from aidoffice.db.engine import Database, head_revision, known_revisions, normalize_url
from aidoffice.db.models import AuditEntry, Base, OperationLock, School
from aidoffice.errors import AidofficeError, FieldProblem, ValidationError
from aidoffice.files import atomic_path, check_target
from aidoffice.paths import data_dir, load_settings, private_dir, private_file, update_settings
from aidoffice.progress import Progress, no_progress
from aidoffice.safety.aidbak import (
    MAGIC,
    SUFFIX,
    BackupHeader,
    BackupRefused,
    _refuse,
    pack,
    read_header,
    unpack,
)

DEFAULT_KEEP = 10
_NOT_COPIED = {OperationLock.__tablename__}  # who holds a lock is the running program's business


class BrokenTrail(BackupRefused):
    """The backup's audit trail does not match what was sealed: it may have been edited outside the
    program. Restoring it anyway is the administrator's call (`anyway=`), and is recorded."""

    def __init__(self, file: Path, problems: list[str]):
        self.problems = problems
        more = f"等 {len(problems)} 处" if len(problems) > 1 else ""
        super().__init__(
            f"备份「{file.name}」里的操作记录与封存时不一致（{problems[0]}{more}）：这个备份可能在程序之外被改过，"
            "没有恢复。请换一个备份；若确认仍要用它（例如这是仅有的备份），可勾选“仍然恢复”（命令行加 --anyway），"
            "这次恢复会记入操作记录，之后“检查数据库”会继续报告这些问题。"
        )


class AccountsNotExplained(BackupRefused):
    """The backup's accounts (roles, classes) are not what its own sealed audit trail says: a role may
    have been raised by hand in the file. Restoring it anyway is an administrator's call (`anyway=`)."""

    def __init__(self, file: Path, accounts: list[dict[str, Any]], problems: list[str]):
        self.accounts, self.problems = accounts, problems
        more = f"等 {len(problems)} 处" if len(problems) > 1 else ""
        super().__init__(
            f"备份「{file.name}」里的账户与其操作记录不符（{problems[0]}{more}）：有人可能在程序之外改过账户的角色或班级，"
            f"没有恢复。备份中的账户：{accounts_text(accounts)}。请换一个备份；若确认这些账户和角色无误，"
            "可由管理员勾选“仍然恢复”（命令行加 --anyway），这次恢复会记入操作记录，之后登录时这些账户仍会被拒绝，"
            "直到管理员在“账户管理”中重新设置。"
        )


def accounts_text(accounts: list[dict[str, Any]]) -> str:
    """“zhang（管理员）、li（班主任：七年级1班）” for a message."""
    if not accounts:
        return "（没有账户）"
    return "、".join(
        f"{a['login']}（{a['role_name']}"
        + (f"：{a['classes_text']}" if a.get("classes_text") else "")
        + ("，已停用" if not a["active"] else "")
        + "）"
        for a in accounts
    )


@dataclass
class BackupResult:
    path: Path
    size: int  # bytes written
    database_size: int  # bytes of the database inside
    seconds: float
    encrypted: bool
    counts: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "out": str(self.path),
            "bytes": self.size,
            "database_bytes": self.database_size,
            "seconds": round(self.seconds, 2),
            "encrypted": self.encrypted,
            "counts": self.counts,
        }


@dataclass
class RestoreResult:
    source: Path
    header: BackupHeader | None  # None for a plain SQLite file
    kept_aside: str | None  # where the database that was replaced now is
    counts: dict[str, int]
    upgraded_from: str | None
    trail_problems: list[str] = field(default_factory=list)  # restored anyway: what check will report
    accounts: list[dict[str, Any]] = field(default_factory=list)  # the backup's accounts and roles
    account_problems: list[str] = field(default_factory=list)  # restored anyway: accounts not explained

    def as_json(self) -> dict[str, Any]:
        return {
            "restored": str(self.source),
            "kept_aside": self.kept_aside,
            "counts": self.counts,
            "schema_upgraded_from": self.upgraded_from,
            "trail_problems": self.trail_problems,
            "accounts": self.accounts,
            "account_problems": self.account_problems,
        }


# ---- snapshots: a consistent SQLite file of the database -------------------------------------------------


def sqlite_path(db: Database) -> Path | None:
    url = make_url(db.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included) with the online backup API, in one
    step so a writer cannot make it start over; the copy is a plain rollback-journal file."""
    src = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    private_file(target)


def _plain_engine(path: Path):  # type: ignore[no-untyped-def]
    return create_engine(f"sqlite:///{path.as_posix()}")


def table_counts(conn: Connection | Session) -> dict[str, int]:
    return {
        t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
        for t in Base.metadata.sorted_tables
        if t.name not in _NOT_COPIED
    }


def copy_rows(src: Connection, dst: Connection, progress: Progress = no_progress, batch: int = 5000) -> int:
    """Every row of every table from `src` to `dst` (same schema, `dst` empty), parents first."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in _NOT_COPIED]
    total = sum(table_counts(src).values())
    done = 0
    progress(0, total, "复制数据")
    for table in tables:
        order = list(table.primary_key.columns)
        result = src.execution_options(stream_results=True, yield_per=batch).execute(
            select(table).order_by(*order)
        )
        for part in result.mappings().partitions(batch):
            dst.execute(insert(table), [dict(r) for r in part])
            done += len(part)
            progress(done, total, f"复制数据：{table.name}")
    if dst.dialect.name == "postgresql":
        _reset_sequences(dst, tables)
    return done


def _reset_sequences(conn: Connection, tables: list) -> None:  # type: ignore[type-arg]
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                    f'COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'
                )
            )


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


def snapshot(db: Database, target: Path, progress: Progress = no_progress) -> None:
    """Write a consistent SQLite copy of `db` to `target`."""
    path = sqlite_path(db)
    if path is not None:
        progress(0, None, "复制数据库")
        copy_sqlite(path, target)
        return
    engine = _plain_engine(target)
    try:
        Base.metadata.create_all(engine)
        with db.engine.connect() as src, engine.begin() as dst:
            # one snapshot of the server's data, however long the copy takes
            if src.dialect.name == "postgresql":
                src.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            revision = _revision(src)
            dst.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
            dst.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})
            copy_rows(src, dst, progress)
    finally:
        engine.dispose()


def _school_name(conn: Connection) -> str | None:
    try:
        return conn.execute(select(School.name).order_by(School.id).limit(1)).scalar()
    except Exception:
        return None


def _audit_head(conn: Connection) -> dict | None:
    try:
        value = conn.execute(text("SELECT value FROM app_setting WHERE key = :k"), {"k": HEAD_KEY}).scalar()
    except Exception:
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return value if isinstance(value, dict) else None


# ---- writing backups ------------------------------------------------------------------------------------


def write_backup(
    db: Database,
    out: str | os.PathLike[str],
    password: str | None = None,
    progress: Progress = no_progress,
    *,
    session: Session | None = None,
) -> BackupResult:
    """A manual backup to `out` (.aidbak), encrypted when `password` is given. Needs backup.run; the
    backup is recorded in the audit trail (in the database itself, after the copy)."""
    started = time.monotonic()
    out = check_target(out, (SUFFIX,))
    with db.unit_of_work() as s:
        require(s, "backup.run")
    # the unencrypted snapshot stays in the data folder, never beside the output (a USB stick): a
    # backup killed half-way must not leave the database in the clear where an encrypted one goes
    with tempfile.TemporaryDirectory(prefix="backup-", dir=work_dir()) as tmp:
        plain = Path(tmp) / "snapshot.db"
        snapshot(db, plain, progress)
        engine = _plain_engine(plain)
        try:
            with engine.connect() as conn:
                counts = table_counts(conn)
                header = {
                    "created": clock.now().isoformat(timespec="seconds"),
                    "app": __version__,
                    "schema": _revision(conn),
                    "source": db.dialect,
                    "school": _school_name(conn),
                    "counts": {
                        k: counts[k] for k in ("student", "household", "award", "audit_entry") if k in counts
                    },
                    "audit_head": _audit_head(conn),
                }
        finally:
            engine.dispose()
        with atomic_path(out) as tmp_out:
            size = pack(plain, tmp_out, header, password, progress)
        database_size = plain.stat().st_size
    with db.unit_of_work() as s:
        _record(s, "backup", f"备份到 {out.name}" + ("（已加密）" if password else ""), {"bytes": size})
    if password and not encryption_default():
        update_settings(backup_encrypt=True)  # from now on manual backups are encrypted unless unticked
    return BackupResult(
        out, size, database_size, time.monotonic() - started, bool(password), header["counts"]
    )


def encryption_default() -> bool:
    """Once a backup password has been set on this PC (an encrypted backup made), manual backups are
    encrypted by default: the dialog's box starts ticked and `backup` asks for the password."""
    return load_settings().get("backup_encrypt") is True


def _record(session: Session, action: str, note: str, details: dict | None = None) -> None:
    session.add(
        AuditEntry(
            at=clock.now(),
            actor=actor_of(session),
            action=action,
            entity="database",
            entity_id=None,
            before=None,
            after=details,
            note=note[:200],
            batch_id=None,
        )
    )


def work_dir() -> Path:
    """Scratch space for snapshots, in the data folder; leftovers of a killed run are swept here."""
    path = data_dir() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - 24 * 3600
    for old in path.glob("backup-*"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    return path


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_keep() -> int:
    value = load_settings().get("backup_keep", DEFAULT_KEEP)
    return value if isinstance(value, int) and value >= 1 else DEFAULT_KEEP


MAX_KEEP = 200


def set_backup_keep(session: Session, keep: int) -> None:
    """How many automatic backups of each database to keep (the settings file of this PC); recorded."""
    require(session, "backup.run")
    if not 1 <= keep <= MAX_KEEP:
        raise ValidationError([FieldProblem("保留自动备份", f"应在 1 到 {MAX_KEEP} 份之间")])
    old = backup_keep()
    update_settings(backup_keep=keep)
    _record(session, "setting", f"保留自动备份份数：{old} → {keep}", {"backup_keep": keep})


REASONS = {
    "start": "启动",
    "import": "导入前",
    "batch": "批量操作前",
    "upgrade": "升级前",
    "restore": "恢复前",
}


def auto_backup(db: Database | str, reason: str, now: datetime | None = None) -> Path | None:
    """An automatic backup of the embedded database into the data folder's backups/ (a plain SQLite
    copy, quick). `reason`: start (skipped if one was made today), import, batch, upgrade, restore.
    Returns the file, or None when nothing was done (PostgreSQL: the server's own backups apply; a
    database file that does not exist yet). Old ones are pruned by `keep_by_age`."""
    if reason not in REASONS:
        raise ValueError(reason)
    if isinstance(db, str):
        url = make_url(db if "://" in db else f"sqlite:///{Path(db).resolve().as_posix()}")
        path = Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
    else:
        path = sqlite_path(db)
    if path is None or not path.is_file():
        return None
    now = now or clock.now()
    folder = backups_dir()
    stem = path.stem
    mine = _auto_backups_of(folder, stem)
    if reason == "start" and any(a.made.date() == now.date() for a in mine):
        return None
    # backups made in the same second are numbered in the order they were made (whatever the reason),
    # so the newest always sorts last: pruning keeps it and `check` anchors on it
    stamp = f"{now:%Y%m%d-%H%M%S}"
    n = 1 + max((a.seq for a in mine if a.stamp == stamp), default=0)
    target = folder / f"{stem}-auto-{stamp}-{reason}{'' if n == 1 else f'-{n}'}.db"
    while target.exists():  # a stray file of that name: never overwrite it
        n += 1
        target = folder / f"{stem}-auto-{stamp}-{reason}-{n}.db"
    with atomic_path(target) as tmp:
        tmp.unlink()
        copy_sqlite(path, tmp)
    mine = _auto_backups_of(folder, stem)
    keep = keep_by_age(mine, now, backup_keep())
    for old in mine:
        if old.path not in keep:
            with contextlib.suppress(OSError):
                old.path.unlink()
    return target


KEEP_DAILY_DAYS = 30  # the day's first backup is kept this long
KEEP_MONTHLY_DAYS = 365  # and the month's first this long


@dataclass(frozen=True)
class AutoBackup:
    """An automatic backup, as its name tells: when it was made (the program's clock), why, and its
    number among those made in the same second (1, 2 …)."""

    path: Path
    stamp: str  # 20261127-080000
    seq: int
    reason: str  # start / import / …
    made: datetime
    day_first: bool = False  # the first backup of its day (kept for 30 days)

    @property
    def order(self) -> tuple[str, int]:
        return (self.stamp, self.seq)

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, "")


def _parse_auto(path: Path, stem: str) -> AutoBackup | None:
    """`{stem}-auto-YYYYMMDD-HHMMSS-{reason}[-n].db`; None for a file of another shape."""
    name = path.name
    prefix = f"{stem}-auto-"
    if not name.startswith(prefix) or not name.endswith(".db"):
        return None
    parts = name[len(prefix) : -3].split("-")
    if len(parts) not in (3, 4):
        return None
    day, time_of_day, reason = parts[:3]
    seq = parts[3] if len(parts) == 4 else "1"
    if not seq.isdigit():
        return None
    try:
        made = datetime.strptime(f"{day}{time_of_day}", "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return AutoBackup(path, f"{day}-{time_of_day}", int(seq), reason, made)


def _auto_backups_of(folder: Path, stem: str) -> list[AutoBackup]:
    """The automatic backups of one database, oldest first, each day's first marked."""
    found = [a for p in folder.glob(f"{stem}-auto-*.db") if (a := _parse_auto(p, stem)) is not None]
    found.sort(key=lambda a: a.order)
    out, seen = [], set()
    for a in found:
        first = a.made.date() not in seen
        seen.add(a.made.date())
        out.append(AutoBackup(a.path, a.stamp, a.seq, a.reason, a.made, first))
    return out


def keep_by_age(backups: list[AutoBackup], now: datetime, keep: int) -> set[Path]:
    """Which automatic backups to keep (oldest first in `backups`): the newest `keep`; the first of
    each day for 30 days; the first of each month for a year — so a mistake noticed weeks later
    can still be undone, without filling the disk."""
    kept = {a.path for a in backups[-keep:]} if keep > 0 else set()
    months: set[tuple[int, int]] = set()
    for a in backups:
        age = (now.date() - a.made.date()).days
        if a.day_first and age <= KEEP_DAILY_DAYS:
            kept.add(a.path)
        month = (a.made.year, a.made.month)
        if a.day_first and month not in months:
            months.add(month)
            if age <= KEEP_MONTHLY_DAYS:
                kept.add(a.path)
    return kept


def backup_before_upgrade(url: str) -> None:
    """What a `Database` opened by the program runs before migrating an existing database."""
    auto_backup(url, "upgrade")


def auto_backups(db: Database) -> list[AutoBackup]:
    """The automatic backups of `db`, newest first (the order they were made), each day's first marked."""
    path = sqlite_path(db)
    if path is None:
        return []
    return list(reversed(_auto_backups_of(backups_dir(), path.stem)))


def list_auto_backups(db: Database) -> list[Path]:
    """The files of `auto_backups`, newest first."""
    return [a.path for a in auto_backups(db)]


# ---- verifying and restoring ----------------------------------------------------------------------------


def verify_sqlite(path: Path, file: Path) -> tuple[str, dict[str, int]]:
    """Integrity, schema revision and the tables; the revision and row counts, or BackupRefused."""
    try:
        con = sqlite3.connect(path)
    except sqlite3.Error:
        raise _refuse(file, "备份中的数据库无法打开。") from None
    try:
        try:
            con.execute("PRAGMA journal_mode=DELETE")  # our own temporary copy: fold any log into it
            result = con.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError:
            raise _refuse(file, "备份中的数据库已损坏（不是有效的 SQLite 数据库），无法恢复。") from None
        if result != [("ok",)]:
            raise _refuse(file, f"备份中的数据库未通过完整性检查：{result[0][0]}")
        try:
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            revision = None
        if revision is None:
            raise _refuse(file, "这个数据库文件不是本程序的数据库（缺少结构版本信息）。")
        revision = revision[0]
        if revision not in known_revisions():
            raise _refuse(
                file,
                f"这个备份由更新版本的程序制作（数据库结构版本 {revision}，本程序最高 {head_revision()}），"
                "请先升级程序再恢复。",
            )
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {}
        for name in ("school", "student", "audit_entry"):
            if name not in tables:
                raise _refuse(file, f"这个数据库缺少“{name}”表，不是本程序的完整数据库。")
            counts[name] = con.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
        return revision, counts
    finally:
        con.close()


def clear_stale_restores(folder: Path, older_than: float = 3600) -> None:
    """Remove what a restore killed half-way left behind: a decrypted copy of a backup. The folder
    names the process that made it; once that process is gone the copy goes at once (an unnamed or
    still-running one only after an hour)."""
    from aidoffice.safety.locks import pid_alive

    cutoff = time.time() - older_than
    for old in folder.glob(".aidoffice-restore-*"):
        with contextlib.suppress(OSError):
            if not old.is_dir():
                continue
            pid = old.name.removeprefix(".aidoffice-restore-").split("-", 1)[0]
            gone = pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid))
            if gone or old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def opened_backup(
    path: str | os.PathLike[str],
    password: str | None = None,
    progress: Progress = no_progress,
    *,
    workdir: Path | None = None,
) -> Iterator[tuple[Path, BackupHeader | None, str]]:
    """The backup as a verified SQLite file in a temporary folder (removed afterwards): (file, header,
    schema revision). Raises BackupRefused with the reason."""
    path = Path(path)
    if path.is_dir():
        raise _refuse(path, "这是一个文件夹，请选择其中的备份文件（.aidbak 或自动备份的 .db）。")
    if not path.is_file():
        raise _refuse(path, "文件不存在。")
    header = read_header(path)
    clear_stale_restores(workdir or Path(tempfile.gettempdir()))
    with tempfile.TemporaryDirectory(prefix=f".aidoffice-restore-{os.getpid()}-", dir=workdir) as tmp:
        plain = Path(tmp) / "restored.db"
        if header is None:
            shutil.copyfile(path, plain)
            for extra in ("-wal", "-shm"):  # a live database copied by hand: bring its log along
                if Path(f"{path}{extra}").is_file():
                    shutil.copyfile(f"{path}{extra}", f"{plain}{extra}")
        else:
            unpack(path, header, password, plain, progress)
        revision, _counts = verify_sqlite(plain, path)
        yield plain, header, revision


def trail_problems(plain: Path) -> list[str]:
    """The audit chain of a database file, verified as `check` does; [] for a backup made before the
    trail was sealed (its entries are sealed when it is upgraded)."""
    from aidoffice.safety.chain import verify_chain

    engine = _plain_engine(plain)
    try:
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("audit_entry")}
            if "chain_hash" not in columns:
                return []
            return [p.message for p in verify_chain(conn)]
    finally:
        engine.dispose()


def account_state(plain: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The accounts in a database file and what its sealed trail does not explain about them."""
    from aidoffice.safety.sealed import file_problems

    engine = _plain_engine(plain)
    try:
        with engine.connect() as conn:
            return file_problems(conn)
    finally:
        engine.dispose()


def _drop_single_clerk(plain: Path) -> None:
    """Single-clerk mode belongs to a PC: a backup made before it moved there must not bring it along."""
    from aidoffice.safety.sealed import SINGLE_CLERK_KEY

    con = sqlite3.connect(plain)
    try:
        with con:
            con.execute("DELETE FROM app_setting WHERE key = ?", (SINGLE_CLERK_KEY,))
    except sqlite3.Error:
        pass  # a file from before settings existed
    finally:
        con.close()


def restore(
    db: Database | str,
    path: str | os.PathLike[str],
    password: str | None = None,
    progress: Progress = no_progress,
    *,
    anyway: bool = False,
) -> tuple[Database, RestoreResult]:
    """Replace the database with a backup, after verifying it. The current database is kept aside
    (SQLite: a copy beside it named with a timestamp; PostgreSQL: an .aidbak in the backups folder).
    `db` is disposed; the returned Database is the restored one, at the current schema. `db` may be
    the URL of an SQLite file that cannot be opened any more (damaged): restoring is the remedy."""
    path = Path(path)
    if isinstance(db, str):
        url = make_url(normalize_url(db))
        if url.get_backend_name() != "sqlite" or not url.database:
            raise AidofficeError("无法连接数据库服务器，不能恢复。请先检查网络和服务器。")
        current, target = None, Path(url.database)
    else:
        _require_restore(db)
        current, target = db, sqlite_path(db)
    workdir = target.parent if target is not None else None
    with opened_backup(path, password, progress, workdir=workdir) as (plain, header, revision):
        broken = trail_problems(plain)
        if broken and not anyway:
            raise BrokenTrail(path, broken)
        accounts, unexplained = account_state(plain)
        if unexplained and not anyway:
            raise AccountsNotExplained(path, accounts, unexplained)
        _drop_single_clerk(plain)
        if target is not None:
            aside, restored = _restore_sqlite(current, target, plain)
        else:
            assert current is not None
            aside, restored = _restore_server(current, plain, progress)
    upgraded = revision if revision != head_revision() else None
    user = bound_user(current) if current is not None else None
    if user is not None:  # the restore is recorded under the administrator who did it
        bind_user(restored, user)
    with restored.unit_of_work() as s:
        counts = table_counts(s)
        _record(
            s,
            "restore",
            f"从备份恢复：{path.name}"
            + ("（其操作记录与封存时不一致，管理员确认仍然恢复）" if broken else "")
            + ("（其账户与操作记录不符，管理员确认仍然恢复）" if unexplained else "")
            + (f"；原数据库已另存为 {Path(aside).name}" if aside else ""),
            {"file": path.name, "kept_aside": aside and Path(aside).name, "schema": revision}
            | ({"trail_problems": len(broken), "first_trail_problem": broken[0]} if broken else {})
            | ({"account_problems": unexplained[:20]} if unexplained else {}),
        )
    return restored, RestoreResult(path, header, aside, counts, upgraded, broken, accounts, unexplained)


def _require_restore(db: Database) -> None:
    try:
        with db.reading() as s:
            require(s, "restore.run")
    except AidofficeError:
        raise
    except Exception:  # a damaged database names no one who could be asked; restoring is the remedy
        return


def _set_aside_auto_backups(target: Path, stamp: str) -> None:
    """A restore abandons the history since the restored backup. The automatic backups of that history
    move into a folder of their own (kept, not deleted): `check` compares the trail with the automatic
    backups, and those would no longer match the restored one. Done before the swap, so a restore
    killed half-way leaves the old database with fewer comparisons, never a false alarm."""
    folder = backups_dir()
    old = sorted(folder.glob(f"{target.stem}-auto-*.db"))
    if not old:
        return
    aside = private_dir(folder / f"{target.stem}-before-restore-{stamp}")
    for path in old:
        with contextlib.suppress(OSError):
            path.replace(aside / path.name)


def _restore_sqlite(db: Database | None, target: Path, plain: Path) -> tuple[str | None, Database]:
    aside = None
    if db is not None:
        with contextlib.suppress(Exception), db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
    if target.exists():
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        _set_aside_auto_backups(target, stamp)
        aside_path = target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}")
        try:
            copy_sqlite(target, aside_path)  # the old database stays whole at its name until the swap
        except sqlite3.Error:  # too damaged to open: keep its bytes as they are
            shutil.copyfile(target, aside_path)
        private_file(aside_path)
        aside = str(aside_path)
    staged = target.with_name(f".~{target.stem}.restoring{target.suffix}")
    shutil.copyfile(plain, staged)
    private_file(staged)
    with open(staged, "rb+") as fh:
        os.fsync(fh.fileno())
    for extra in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{target}{extra}").unlink()
    os.replace(staged, target)
    return aside, Database(str(target), before_upgrade=backup_before_upgrade)


def _restore_server(db: Database, plain: Path, progress: Progress) -> tuple[str | None, Database]:
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    name = make_url(db.url).database or "server"
    aside = backups_dir() / f"{name}-before-restore-{stamp}{SUFFIX}"
    write_backup(db, aside)
    upgraded = Database(str(plain), before_upgrade=backup_before_upgrade)  # an older backup: current schema
    upgraded.dispose()
    engine = _plain_engine(plain)
    try:
        with engine.connect() as src, db.engine.begin() as dst:
            tables = ", ".join(
                f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name not in _NOT_COPIED
            )
            dst.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            copy_rows(src, dst, progress)
    finally:
        engine.dispose()
    return str(aside), db


def backup_info(path: str | os.PathLike[str]) -> BackupHeader | None:
    """What a backup file says about itself, for the restore dialog (no password needed); a file cut
    short (a copy to a USB stick interrupted) is refused here, before anyone is asked for a password,
    by walking the chunks' lengths to the end (nothing is decompressed)."""
    path = Path(path)
    header = read_header(path)
    if header is None:
        return None
    chunks = max(1, -(-header.size // header.chunk))
    try:
        with open(path, "rb") as fh:
            pos = len(MAGIC) + 4 + len(header.raw)
            for _ in range(chunks):
                fh.seek(pos)
                length_bytes = fh.read(4)
                if len(length_bytes) < 4:
                    raise _refuse(path, "备份文件不完整（可能复制时中断了），无法恢复。请换一份备份。")
                pos += 4 + struct.unpack(">I", length_bytes)[0]
            end = pos + (0 if header.encrypted else 32)
            if os.fstat(fh.fileno()).st_size != end:
                raise _refuse(
                    path, "备份文件不完整或多出了内容（可能复制时中断了），无法恢复。请换一份备份。"
                )
    except OSError as exc:
        raise _refuse(path, f"无法读取文件（{exc.strerror or exc}）。") from None
    return header
