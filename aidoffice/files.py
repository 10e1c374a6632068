"""Writing files safely: to a temporary file beside the target, renamed into place when complete.

Also the one place that turns what the operating system says about a file (`OSError`: a
write-protected USB stick, a full disk, no right to the folder, a folder that is gone) into a Chinese
message naming the file, what happened and what to do (`os_problem`), as `db/errors.py` does for the
database. The CLI and the GUI both show that message; nothing is left half-written."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aidoffice.errors import InputRefused


class DiskProblem(InputRefused):
    """A file could not be read or written because of the disk, the folder or the system (exit 1)."""

    def __init__(self, path: str, what: str, advice: str, detail: str = ""):
        self.path, self.what, self.advice = path, what, advice
        text = f"{what}。{advice}" + (f"（{detail}）" if detail else "")
        super().__init__(text, file=path or None)


# errno → (what happened, how to fix it). Windows reports some of these only as `winerror`.
_READ_ONLY = (
    "保存位置是只读的（写保护的U盘、光盘或只读的文件夹），没有写入任何文件",
    "请打开U盘的写保护开关，或换一个可以写入的位置（如“文档”或桌面）后重试",
)
_FULL = (
    "磁盘已满，没有写入任何文件（写了一半的临时文件已删除）",
    "请清理磁盘（删除不用的文件、清空回收站）或换一个有空间的磁盘后重试",
)
_DENIED = (
    "没有权限写入这个位置，没有写入任何文件",
    "请换一个您有权写入的位置（如“文档”或桌面）；如文件正在 Excel 或 WPS 中打开，请先关闭",
)
_MISSING = (
    "路径不存在（文件夹已被删除、改名，或U盘、网络盘已断开），没有写入任何文件",
    "请检查保存位置，插好U盘或连上网络盘后重试，或换一个位置",
)
_IO = (
    "读写磁盘时出错（U盘被拔出、网络盘断开或磁盘故障），没有写入任何文件",
    "请检查磁盘后重试；如反复出现，请换一个位置",
)
_TOO_LONG = ("文件名或路径太长，没有写入任何文件", "请换一个短一些的文件名或文件夹")
_BUSY = ("文件正被另一个程序使用（可能在 Excel 或 WPS 中打开），没有写入任何文件", "请关闭该文件后重试")
_ERRNO = {
    errno.EROFS: _READ_ONLY,
    errno.ENOSPC: _FULL,
    errno.EDQUOT: _FULL,
    errno.EFBIG: _FULL,
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
    errno.ENOENT: _MISSING,
    errno.ENOTDIR: _MISSING,
    errno.ENODEV: _MISSING,
    errno.ENXIO: _MISSING,
    errno.EIO: _IO,
    errno.ENAMETOOLONG: _TOO_LONG,
    errno.EBUSY: _BUSY,
    errno.ETXTBSY: _BUSY,
}
_WINERROR = {19: _READ_ONLY, 112: _FULL, 39: _FULL, 5: _DENIED, 32: _BUSY, 33: _BUSY, 3: _MISSING,
             2: _MISSING, 21: _MISSING, 53: _MISSING, 67: _MISSING, 206: _TOO_LONG}  # fmt: skip


def _shown_path(name: Any) -> str:
    """The file as the user knows it: a hidden temporary file (.~名单123.xlsx) is named by its folder."""
    if not name:
        return ""
    path = Path(os.fsdecode(name))
    if path.name.startswith((".~", ".tmp")):
        return str(path.parent)
    return str(path)


def os_problem(exc: OSError, path: str | os.PathLike[str] | None = None) -> DiskProblem:
    """The Chinese message for what the system said about `path` (or the file the error names)."""
    shown = str(path) if path is not None else _shown_path(exc.filename)
    kind = _WINERROR.get(getattr(exc, "winerror", None) or -1) or _ERRNO.get(exc.errno or -1)
    if kind is None:
        what, advice = (
            "无法写入或读取这个文件，没有写入任何文件",
            "请检查保存位置是否可用，或换一个位置后重试",
        )
        detail = exc.strerror or type(exc).__name__
    else:
        (what, advice), detail = kind, ""
    return DiskProblem(shown, what, advice, detail)


@contextlib.contextmanager
def disk_errors(path: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Turn any OSError inside into the DiskProblem for `path`."""
    try:
        yield
    except DiskProblem:
        raise
    except OSError as exc:
        raise os_problem(exc, path) from exc


def check_target(target: str | os.PathLike[str], suffixes: tuple[str, ...] = ()) -> Path:
    """Refuse, before any work, a target that cannot be written."""
    target = Path(target)
    if suffixes and target.suffix.lower() not in suffixes:
        raise InputRefused(f"文件名应以 {' 或 '.join(suffixes)} 结尾。", file=str(target))
    if not target.parent.is_dir():
        raise InputRefused(
            f"保存位置“{target.parent}”不存在，请先建立该文件夹或换一个位置。", file=str(target)
        )
    if target.is_dir():
        raise InputRefused("这是一个文件夹，请给出文件名。", file=str(target))
    if suffixes and target.is_file():
        # a document (workbook, PDF, zip) must never be written over the office's data, nor a backup
        # over a database (the live one renamed, or a copy kept by hand)
        protected = (b"SQLite format 3\0",) if ".aidbak" in suffixes else (b"SQLite format 3\0", b"AIDOBAK\0")
        with contextlib.suppress(OSError), target.open("rb") as fh:
            if fh.read(16).startswith(protected):
                raise InputRefused("这个文件是数据库或备份，不能被覆盖。请换一个文件名。", file=str(target))
    return target


STALE_SECONDS = 3600


def _clear_stale(target: Path) -> None:
    """Remove what a killed run left beside `target` (its hidden temporary files, over an hour old)."""
    import time

    cutoff = time.time() - STALE_SECONDS
    for old in target.parent.glob(f".~{glob.escape(target.stem)}*{glob.escape(target.suffix)}"):
        with contextlib.suppress(OSError):
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yields a temporary path; on success it replaces `target`, on failure it is removed."""
    target = check_target(target)
    tmp_path = temp_beside(target)
    try:
        with disk_errors(target):
            yield tmp_path
        _publish(tmp_path, target)
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()


def _publish(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except PermissionError as exc:
        if os.name == "nt" and target.exists():
            raise DiskProblem(
                str(target), "文件无法覆盖，可能正在 Excel 或 WPS 中打开", "请关闭后重试"
            ) from None
        raise os_problem(exc, target) from None
    except OSError as exc:
        raise os_problem(exc, target) from None


def fingerprint(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes: names exactly which file an import batch came from."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def publish_on_commit(session: Any, tmp: Path, target: Path) -> None:
    """Rename `tmp` into place when `session` commits, delete it if it rolls back: an export and the
    audit entry that records it exist both or neither (a read-only database refuses the entry, and
    then no workbook full of ID numbers is left behind)."""
    from sqlalchemy import event

    settled: list[bool] = []  # listeners cannot be removed while the session dispatches its events

    def commit(_session: Any) -> None:
        if settled:
            return
        settled.append(True)
        try:
            _publish(tmp, target)
        except DiskProblem:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def rollback(_session: Any) -> None:
        if settled:
            return
        settled.append(True)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()

    event.listen(session, "after_commit", commit)
    event.listen(session, "after_rollback", rollback)


def temp_beside(target: Path) -> Path:
    """An empty temporary file in the target's folder (so the final rename stays on one disk)."""
    _clear_stale(target)
    with disk_errors(target):
        fd, tmp = tempfile.mkstemp(prefix=".~" + target.stem, suffix=target.suffix, dir=target.parent)
        os.close(fd)
    return Path(tmp)


def discard_write_only(wb: Any) -> None:
    """Close the open writers of a write-only workbook whose save failed (a full disk, a read-only
    folder): left to the garbage collector, each sheet's generator raises while being finalised, at a
    random later moment (CPython 3.11 then fails an unrelated compile with a SystemError)."""
    for ws in getattr(wb, "_sheets", []):
        rows, writer = getattr(ws, "_rows", None), getattr(ws, "_writer", None)
        for gen in (rows, getattr(writer, "xf", None)):
            if gen is not None:
                with contextlib.suppress(Exception):
                    gen.close()
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()  # its temporary file
