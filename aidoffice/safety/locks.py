"""Working side by side without losing work.

- Two clerks saving the same student (PostgreSQL, or two windows on one file): the `student.version`
  column makes the second save fail; `ConcurrentEdit` says who changed it and when, and asks for a
  reload. `expect_version` compares the version a form loaded with the row's; `edits_checked` turns
  the ORM's StaleDataError into ConcurrentEdit.
- One import at a time (`exclusive(db, "import")`): a second one is told “另一项导入正在进行（张老师，
  自 10:32 起）”. PostgreSQL: a session advisory lock (released by the server if the holder dies) plus
  a row in `operation_lock` naming the holder. SQLite: an OS file lock beside the database file.
- One copy of the program per SQLite file (`instance_lock`): a second copy is told who has it open.
  The OS lock dies with the process, so a lock file left by a crash is simply taken over."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from aidoffice import clock
from aidoffice.db.audit import default_actor
from aidoffice.db.engine import Database
from aidoffice.db.models import AuditEntry, OperationLock, Student
from aidoffice.errors import AidofficeError
from aidoffice.safety.backup import sqlite_path

OPERATION_NAMES = {
    "import": "导入",
    "batch": "批量操作",
    "letters": "告知书生成",
    "roster": "花名册确认",
    "restore": "恢复备份",
}
_LOCK_OFFSET = 1 << 20  # Windows: lock a byte past the text, so others can still read who holds it


class ConcurrentEdit(AidofficeError):
    """Someone else saved this record after it was loaded; nothing was overwritten."""

    def __init__(self, what: str, who: str | None = None, when: datetime | None = None):
        self.who, self.when = who, when
        by = f"{who} 于 {when:%m-%d %H:%M}" if who and when else "其他人"
        super().__init__(
            f"保存失败：在您打开之后，{by}修改了{what}。为避免覆盖对方的修改，"
            "您的这次修改没有保存。请重新载入，确认对方的修改后再改。"
        )


# everything that writes many rows at once; a restore holds all of them (and its own) so none can run
# while the database file is being replaced, and it waits for none
WRITING_OPERATIONS = ("import", "batch", "letters", "roster")


class OperationBusy(AidofficeError):
    def __init__(self, operation: str, holder: dict[str, Any] | None):
        self.holder = holder
        # a restore holds every operation's lock: say it is the restore, not “another import”
        operation = (holder or {}).get("doing") or operation
        name = OPERATION_NAMES.get(operation, operation)
        if holder:
            since = str(holder.get("since", ""))[:16].replace("T", " ")
            who = f"{holder.get('holder', '?')}，自 {since} 起，在 {holder.get('host', '?')} 上"
            super().__init__(f"另一项{name}正在进行（{who}），请等它完成后再试。")
        else:
            super().__init__(f"另一项{name}正在进行，请等它完成后再试。")


class DatabaseInUse(AidofficeError):
    def __init__(self, path: Path, holder: dict[str, Any] | None):
        self.holder = holder
        if holder:
            since = str(holder.get("since", ""))[:16].replace("T", " ")
            who = f"{holder.get('user', '?')} 在 {holder.get('host', '?')} 上（自 {since} 起，进程 {holder.get('pid', '?')}）"
            super().__init__(
                f"数据库文件“{path}”已被另一个程序窗口打开：{who}。"
                "同一份数据库同时只能由一个程序窗口使用，请先关闭另一个窗口。"
            )
        else:
            super().__init__(f"数据库文件“{path}”已被另一个程序窗口打开，请先关闭它。")


# ---- versions ------------------------------------------------------------------------------------------


def _last_change(session: Session, student_id: int) -> tuple[str | None, datetime | None]:
    row = session.execute(
        select(AuditEntry.actor, AuditEntry.at)
        .where(AuditEntry.entity == "student", AuditEntry.entity_id == student_id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return (row.actor, row.at) if row else (None, None)


def expect_version(session: Session, student: Student, version: int) -> None:
    """Refuse to save a form that was loaded at `version` when the row has moved on since."""
    if student.version != version:
        who, when = _last_change(session, student.id)
        raise ConcurrentEdit(f"学生“{student.name}”的信息", who, when)


@contextlib.contextmanager
def edits_checked(db: Database, student_id: int | None = None, what: str = "这条记录") -> Iterator[None]:
    """Turn the ORM's StaleDataError (the row's version moved on between load and save) into a
    ConcurrentEdit naming who changed it (looked up in a fresh session)."""
    try:
        yield
    except StaleDataError:
        who = when = None
        if student_id is not None:
            with db.reading() as s:
                who, when = _last_change(s, student_id)
                name = s.scalar(select(Student.name).where(Student.id == student_id))
            if name and what == "这条记录":
                what = f"学生“{name}”的信息"
        raise ConcurrentEdit(what, who, when) from None


# ---- OS file locks ----------------------------------------------------------------------------------------


def _who() -> dict[str, Any]:
    return {
        "user": default_actor(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": clock.now().isoformat(timespec="seconds"),
    }


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # type: ignore[attr-defined]
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)  # type: ignore[attr-defined]
            return True
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FileLock:
    """An exclusive OS lock on a small file that says who holds it."""

    def __init__(self, path: Path):
        self.path = path
        self._fh: IO[bytes] | None = None

    def read(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text("utf-8") or "null")
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def acquire(self, info: dict[str, Any]) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fh = os.fdopen(fd, "r+b")
        try:
            if not self._lock(fh):
                fh.close()
                return False
        except OSError:
            fh.close()
            raise
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(info, ensure_ascii=False).encode("utf-8"))
        fh.flush()
        self._fh = fh
        return True

    def _lock(self, fh: IO[bytes]) -> bool:
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(_LOCK_OFFSET)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if os.name == "nt" or exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                return False
            # a network share without locks: fall back on the holder's process id on this host
            holder = self.read()
            return not (
                holder and holder.get("host") == socket.gethostname() and pid_alive(int(holder.get("pid", 0)))
            )

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is None:
            return
        with contextlib.suppress(OSError):
            fh.seek(0)
            fh.truncate()  # the file stays (deleting it would race with a waiting process)
            fh.flush()
        with contextlib.suppress(OSError):
            if os.name == "nt":
                import msvcrt

                fh.seek(_LOCK_OFFSET)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        fh.close()  # releases a POSIX lock


def window_lock(path: Path) -> FileLock:
    """The lock a program window holds on an SQLite file while it has it open."""
    return FileLock(path.with_name(path.name + ".lock"))


def operation_lock(path: Path, operation: str) -> FileLock:
    """The lock one import, letter batch, roster confirmation or restore holds on an SQLite file."""
    return FileLock(path.with_name(f"{path.name}.{operation}.lock"))


@dataclass
class InstanceLock:
    """Held while the program has an SQLite database open; release() when it closes."""

    path: Path | None
    _lock: FileLock | None = None

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def instance_lock(db: Database) -> InstanceLock:
    """Claim the SQLite file for this copy of the program, or raise DatabaseInUse naming who has it.
    PostgreSQL: nothing to claim (many clerks share it by design)."""
    path = sqlite_path(db)
    if path is None:
        return InstanceLock(None)
    lock = window_lock(path)
    if not lock.acquire(_who()):
        raise DatabaseInUse(path, lock.read())
    return InstanceLock(path, lock)


# ---- exclusive operations ---------------------------------------------------------------------------------


# PostgreSQL's lock row has no column for `doing`: a restore marks the rows it holds for others this way
_RESTORE_PID_MARK = -1
_LOCK_CLASS = 0x616964  # "aid": the two-key advisory locks never meet the audit chain's one-key lock


def _advisory_key(name: str) -> dict[str, int]:
    return {"a": _LOCK_CLASS, "b": zlib.crc32(name.encode()) & 0x7FFFFFFF}


@contextlib.contextmanager
def exclusive(
    db: Database, operation: str, holder: str | None = None, *, doing: str | None = None
) -> Iterator[None]:
    """Run one `operation` (import, batch, restore) at a time on this database; OperationBusy says who
    is running the other one and since when. `doing` names the work holding the lock when it is not
    `operation` itself (a restore holding the import lock)."""
    from aidoffice.access.checks import bound_user

    user = bound_user(db)  # “另一项导入正在进行（张老师…）”: the account, not the computer's login
    holder = holder or (user.login if user is not None else default_actor())
    info = _who() | {"holder": holder} | ({"doing": doing} if doing else {})
    path = sqlite_path(db)
    if path is not None:
        lock = operation_lock(path, operation)
        if not lock.acquire(info):
            raise OperationBusy(operation, lock.read())
        try:
            yield
        finally:
            lock.release()
        return
    if db.dialect != "postgresql":
        yield
        return
    conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), _advisory_key(operation)).scalar()
        if not got:
            row = (
                conn.execute(select(OperationLock).where(OperationLock.name == operation)).mappings().first()
            )
            holder_info = dict(row) if row else None
            if holder_info and isinstance(holder_info.get("since"), datetime):
                holder_info["since"] = holder_info["since"].isoformat(timespec="seconds")
            if holder_info and holder_info.get("pid") == _RESTORE_PID_MARK:
                holder_info["doing"] = "restore"
            raise OperationBusy(operation, holder_info)
        # the previous holder may have died without removing its row: the advisory lock says it is gone
        conn.execute(delete(OperationLock).where(OperationLock.name == operation))
        conn.execute(
            insert(OperationLock).values(
                name=operation,
                holder=info["holder"][:60],
                host=info["host"][:100],
                pid=_RESTORE_PID_MARK if doing == "restore" and operation != "restore" else info["pid"],
                since=clock.now().replace(microsecond=0),
            )
        )
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                conn.execute(delete(OperationLock).where(OperationLock.name == operation))
                conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), _advisory_key(operation))
    finally:
        conn.close()


@contextlib.contextmanager
def exclusive_all(db: Database, operation: str = "restore", holder: str | None = None) -> Iterator[None]:
    """Hold `operation`'s lock and every writing operation's (import, letters, roster, batch): for a
    restore, which replaces the database under any of them. OperationBusy names the one running."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(exclusive(db, operation, holder))
        for name in WRITING_OPERATIONS:
            stack.enter_context(exclusive(db, name, holder, doing=operation))
        yield


@contextlib.contextmanager
def damaged_file_locks(url: str) -> Iterator[None]:
    """The locks `instance_lock` and `exclusive_all` take, by the SQLite file's path, for restoring over
    a file too damaged to open: a window or an import that still has it is not cut off."""
    from sqlalchemy import make_url

    from aidoffice.db.engine import normalize_url

    database = make_url(normalize_url(url)).database
    if not database:
        yield
        return
    path = Path(database)
    held: list[FileLock] = []
    try:
        window = window_lock(path)
        if not window.acquire(_who()):
            raise DatabaseInUse(path, window.read())
        held.append(window)
        for name in ("restore", *WRITING_OPERATIONS):
            lock = operation_lock(path, name)
            if not lock.acquire(_who() | {"holder": default_actor(), "doing": "restore"}):
                raise OperationBusy(name, lock.read())
            held.append(lock)
        yield
    finally:
        for lock in reversed(held):
            lock.release()
