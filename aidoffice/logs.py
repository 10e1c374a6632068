"""The log file in the data folder, set up once by the CLI and the GUI. The file is private to the user
(mode 600 where the system has modes) and never holds a full ID number, phone or account: every line,
tracebacks included, passes through `privacy.scrub`.

The GUI and any number of CLI runs write the same file at once. A rotating handler renames the file
while it runs, which Windows refuses while another process has it open (each record then prints a
“Logging error” traceback, and the GUI's log is lost). So the file is rotated only when a program
starts, under a lock file shared by every process, and only if it has grown past `MAX_BYTES`; if another
process still holds it open the rotation waits for a later start. While running, each process only
appends (which every system allows to several processes at once)."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from aidoffice.paths import log_file
from aidoffice.privacy import scrub

MAX_BYTES = 2_000_000
BACKUPS = 5
_configured = False


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _PrivateFileHandler(logging.FileHandler):
    """Appends to the log, creating it readable by its owner only."""

    def _open(self):  # type: ignore[no-untyped-def]
        old = os.umask(0o077)
        try:
            stream = super()._open()
        finally:
            os.umask(old)
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return stream


@contextlib.contextmanager
def _rotation_lock(path: Path) -> Iterator[bool]:
    """An exclusive lock on `<log>.lock` shared by every process (True), or False if it cannot be had
    at once (another program is rotating right now: it will do)."""
    lock = path.with_name(path.name + ".lock")
    try:
        fh = open(lock, "a+b")  # noqa: SIM115
    except OSError:
        yield False
        return
    try:
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        fh.close()  # closing the file releases the lock on every system


def rotate_at_start(path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> bool:
    """Rotate `path` (aidoffice.log → .1 → .2 …) if it is larger than `max_bytes`; True if rotated.
    Never raises: a file another process holds open (Windows) is left for a later start."""
    with _rotation_lock(path) as locked:
        if not locked:
            return False
        try:
            if path.stat().st_size < max_bytes:
                return False
        except OSError:
            return False
        try:
            oldest = Path(f"{path}.{backups}")
            if oldest.exists():
                oldest.unlink()
            for i in range(backups - 1, 0, -1):
                older = Path(f"{path}.{i}")
                if older.exists():
                    os.replace(older, f"{path}.{i + 1}")
            os.replace(path, f"{path}.1")
        except OSError:
            return False
        return True


def setup_logging(level: int = logging.INFO) -> str:
    global _configured
    path = log_file()
    if not _configured:
        rotate_at_start(path)
        handler = _PrivateFileHandler(path, encoding="utf-8", delay=False)
        handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(level)
        _configured = True
    return str(path)
