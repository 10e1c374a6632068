"""The console entry point lives outside the core (ui/launch.py): no command opens the GUI, a command
runs headless, and `python -m ui` goes the same way; `python -m aidoffice` is headless only (the core
never reaches `ui`, not even by name)."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys

import pytest


def test_no_command_opens_the_gui_and_python_m_ui_does_too(monkeypatch):
    import ui.app
    from ui import launch

    opened: list[str | None] = []
    monkeypatch.setattr(ui.app, "run_gui", lambda db_url=None: opened.append(db_url) or 0)
    assert launch.main(["--db", "one.db"]) == 0
    monkeypatch.setattr(sys, "argv", ["aidoffice", "--db", "two.db"])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("ui", run_name="__main__")
    assert done.value.code == 0
    assert opened == ["one.db", "two.db"]


def test_python_m_aidoffice_without_a_command_opens_no_window_and_says_the_commands(tmp_path):
    env = {**os.environ, "AIDOFFICE_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    code = "import runpy, sys\ntry:\n    runpy.run_module('aidoffice', run_name='__main__')\nfinally:\n    print('QT' if any(m.startswith('PySide6') for m in sys.modules) else 'NOQT')\n"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2
    assert "COMMAND" in r.stdout + r.stderr and r.stdout.strip().splitlines()[-1] == "NOQT"


def test_a_command_runs_headless_through_the_console_entry(tmp_path):
    """`aidoffice --json init …` (the console script is ui.launch:main): no window, one JSON line."""
    env = {**os.environ, "AIDOFFICE_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    db = str(tmp_path / "x.db")
    r = subprocess.run(
        [sys.executable, "-m", "ui.launch", "--db", db, "--json", "init", "--school", "测试中学"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["school"] == "测试中学"


def test_the_program_opens_its_first_window_and_says_when(tmp_path):
    """installer/smoke.sh times the installed program to its first window: with
    AIDOFFICE_QUIT_AFTER_FIRST_WINDOW the program (on a school's database, as after `init`) says on
    stderr the second its window was shown, and quits by itself with status 0; the heavier libraries
    are not loaded by then."""
    import time

    env = {**os.environ, "AIDOFFICE_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    init = [sys.executable, "-m", "aidoffice", "--json", "init", "--school", "测试中学"]
    assert subprocess.run(init, capture_output=True, env=env, timeout=120).returncode == 0
    env["AIDOFFICE_QUIT_AFTER_FIRST_WINDOW"] = "1"
    # as `python -m ui`, saying which of the heavier libraries were loaded when the window showed
    libraries = ("reportlab", "pypdfium2", "python_calamine", "pypinyin", "zxingcpp", "cryptography")
    code = (
        "import sys\nimport ui.app as app\nshown = app._quit_after_first_window\n"
        "def quit_after(shell):\n"
        f"    print('loaded:', *[m for m in {libraries!r} if m in sys.modules])\n"
        "    shown(shell)\n"
        "app._quit_after_first_window = quit_after\nsys.exit(app.run_gui())\n"
    )
    started = time.time()
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    line = [x for x in r.stderr.splitlines() if x.startswith("first window: ")][-1]
    shown = float(line.rsplit(" at ", 1)[1])
    assert started < shown < time.time()
    # the PDF, PDF-picture, spreadsheet-reading, pinyin, barcode and encryption libraries load when a
    # page first needs them, not before the first window (together ~0.3 s of start-up)
    assert r.stdout.strip().splitlines()[-1] == "loaded:"
