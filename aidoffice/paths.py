"""Where aidoffice keeps its files: the user's data folder (platformdirs), or AIDOFFICE_HOME."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs

APP = "aidoffice"


def data_dir() -> Path:
    override = os.environ.get("AIDOFFICE_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


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
