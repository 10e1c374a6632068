"""A rotating log file in the data folder, set up once by the CLI and the GUI. The file is private to
the user (mode 600 where the system has modes) and never holds a full ID number, phone or account:
every line, tracebacks included, passes through `privacy.scrub`."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os

from aidoffice.paths import log_file
from aidoffice.privacy import scrub

_configured = False


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Creates each log file readable by its owner only (also after a rotation)."""

    def _open(self):  # type: ignore[no-untyped-def]
        old = os.umask(0o077)
        try:
            stream = super()._open()
        finally:
            os.umask(old)
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return stream


def setup_logging(level: int = logging.INFO) -> str:
    global _configured
    path = log_file()
    if not _configured:
        handler = _PrivateRotatingHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(level)
        _configured = True
    return str(path)
