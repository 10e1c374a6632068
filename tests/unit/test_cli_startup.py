"""`aidoffice --help` stays quick (issue 16 §5, under 0.2 s): it builds the parser and imports no command
module, no database layer, no spreadsheet, PDF or pinyin library — those load when a command needs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "sqlalchemy", "openpyxl", "pypinyin", "reportlab", "python_calamine", "PySide6", "aidoffice.db",
    "aidoffice.cli.setup", "aidoffice.cli.imports", "aidoffice.cli.exports", "aidoffice.cli.publicity",
    "aidoffice.cli.reconcile", "aidoffice.cli.safety", "aidoffice.cli.cases", "aidoffice.cli.visits", "aidoffice.casework.cases", "aidoffice.casework.visits",
)  # fmt: skip


def _loaded_after(argv: list[str], home: Path) -> list[str]:
    code = (
        "import contextlib, io, sys\n"
        "import aidoffice.cli as cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    cli.main({argv!r})\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "AIDOFFICE_HOME": str(home)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return result.stdout.split()


def test_help_imports_no_command_module_and_no_heavy_library(tmp_path):
    assert _loaded_after(["--help"], tmp_path) == []
    assert _loaded_after(["import", "--help"], tmp_path) == []


def test_a_command_imports_its_own_area_only(tmp_path):
    loaded = _loaded_after(
        ["--db", str(tmp_path / "missing" / "x.db"), "check"], tmp_path
    )  # fails opening: the import happened
    assert "aidoffice.cli.safety" in loaded
    assert not {"aidoffice.cli.publicity", "aidoffice.cli.imports", "pypinyin", "reportlab"} & set(loaded)
