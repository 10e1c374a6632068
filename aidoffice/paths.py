"""Where aidoffice keeps its files: the user's data folder (platformdirs), or AIDOFFICE_HOME."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import platformdirs

APP = "aidoffice"


def private_dir(path: Path) -> Path:
    """Make `path` (and its parents) and keep it readable by its owner only: it holds the database,
    its backups and temporary workbooks full of ID numbers (Windows folders are private already)."""
    existed = path.is_dir()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not existed and os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Keep a file of the office's data (a database, a copy of one, a backup) readable by its owner only."""
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
    return path


def data_dir() -> Path:
    override = os.environ.get("AIDOFFICE_HOME")
    return private_dir(Path(override) if override else Path(platformdirs.user_data_dir(APP, appauthor=False)))


STALE_TEMP_SECONDS = 6 * 3600


def use_private_temp() -> Path:
    """Send every temporary file of this process (openpyxl writes each worksheet to one before it
    zips it: plain XML with full ID numbers) to a private folder in the data folder, and clear what
    a killed run left there (older than six hours, so a run in progress is never touched)."""
    import shutil
    import tempfile
    import time

    folder = private_dir(data_dir() / "tmp")
    cutoff = time.time() - STALE_TEMP_SECONDS
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            if entry.lstat().st_mtime < cutoff:
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    tempfile.tempdir = str(folder)
    return folder


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / "aidoffice.log"


def default_db_url() -> str:
    return f"sqlite:///{(data_dir() / 'aidoffice.db').as_posix()}"


def settings_file() -> Path:
    return data_dir() / "settings.json"


def load_settings() -> dict[str, Any]:
    try:
        return json.loads(settings_file().read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def configured_db_url(explicit: str | None = None) -> str:
    """--db wins, then AIDOFFICE_DB, then the settings file, then the embedded SQLite default."""
    return explicit or os.environ.get("AIDOFFICE_DB") or load_settings().get("db_url") or default_db_url()


def resources_dir() -> Path:
    import resources

    return Path(resources.__file__).parent


def update_settings(**values: Any) -> dict[str, Any]:
    """Change some keys of the settings file (written to a temporary file, then renamed into place, so
    a crash never leaves it half-written); the settings as saved."""
    settings = load_settings() | values
    target = settings_file()
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(settings, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, target)
    return settings
