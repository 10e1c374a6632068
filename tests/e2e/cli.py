"""Running the command line as a clerk's script or a county batch does: a separate process, its own
settings folder, the last line of stdout as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SECRETS = ("AIDOFFICE_PASSWORD", "AIDOFFICE_NEW_PASSWORD", "AIDOFFICE_BACKUP_PASSWORD")


def run(
    *args: str, home: Path, db: str | Path | None = None, password: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """`aidoffice [--db DB] ARGS…` with AIDOFFICE_HOME=home; passwords only from `password` / `env`
    (never inherited), and no terminal to prompt on."""
    e = {**os.environ, "AIDOFFICE_HOME": str(home), "PYTHONIOENCODING": "utf-8", **env}
    for key in SECRETS:
        if key not in env:
            e.pop(key, None)
    if password:
        e["AIDOFFICE_PASSWORD"] = password
    cmd = [sys.executable, "-m", "aidoffice", *(["--db", str(db)] if db else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=300, stdin=subprocess.DEVNULL)


def last_json(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])
