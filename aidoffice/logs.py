"""A rotating log file in the data folder, set up once by the CLI and the GUI."""

from __future__ import annotations

import logging
import logging.handlers

from aidoffice.paths import log_file

_configured = False


def setup_logging(level: int = logging.INFO) -> str:
    global _configured
    path = log_file()
    if not _configured:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(level)
        _configured = True
    return str(path)
