"""Writing files safely: to a temporary file beside the target, renamed into place when complete."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aidoffice.errors import InputRefused


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
    _clear_stale(target)
    fd, tmp = tempfile.mkstemp(prefix=".~" + target.stem, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            os.replace(tmp_path, target)
        except PermissionError:
            raise InputRefused(
                "文件无法覆盖，可能正在 Excel 或 WPS 中打开，请关闭后重试。", file=str(target)
            ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


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
            os.replace(tmp, target)
        except PermissionError:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise InputRefused(
                "文件无法覆盖，可能正在 Excel 或 WPS 中打开，请关闭后重试。", file=str(target)
            ) from None

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
    fd, tmp = tempfile.mkstemp(prefix=".~" + target.stem, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    return Path(tmp)
