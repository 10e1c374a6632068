"""The in-process runner (tests/e2e/cli.py) says what a separate process would: the same exit status
and output, and nothing of one command reaches the next (its settings folder, its log, its day)."""

from __future__ import annotations

import logging
import os
import tempfile

from aidoffice import clock
from tests.e2e.cli import last_json, run, run_process


def test_in_process_and_a_real_process_agree_on_status_and_output(tmp_path):
    """A refusal (exit 1, JSON on the last line) and a usage error (exit 2) read the same either way."""
    home = tmp_path / "home"
    assert run("demo", "--students", "5", home=home).returncode == 0
    for args, status in ((("--json", "demo", "--students", "5"), 1), (("demo", "--students", "many"), 2)):
        inside, outside = run(*args, home=home), run_process(*args, home=home)
        assert (inside.returncode, outside.returncode) == (status, status)
        assert inside.stderr.splitlines()[-1] == outside.stderr.splitlines()[-1]
        if "--json" in args:
            assert last_json(inside) == last_json(outside)


def test_each_command_sees_its_own_home_day_and_log_and_leaves_the_process_as_it_was(tmp_path):
    environ, day, handlers, tempdir = (
        dict(os.environ),
        clock.pinned(),
        logging.getLogger().handlers[:],
        tempfile.tempdir,
    )
    first, second = tmp_path / "一", tmp_path / "二"
    assert run("init", "--school", "第一学校", home=first).returncode == 0
    r = run("--json", "init", "--school", "第二学校", home=second, AIDOFFICE_TODAY="2026-09-01")
    assert r.returncode == 0, r.stderr
    assert last_json(r)["term"] == "2026-2027-1"  # the day it was given, not the test's
    assert (first / "aidoffice.db").exists() and (second / "aidoffice.db").exists()
    # a new process opens the log of its own settings folder: the second command's lines are there
    assert "init" in (second / "logs" / "aidoffice.log").read_text("utf-8")
    assert "第二学校" not in (first / "aidoffice.db").read_bytes().decode("utf-8", "ignore")
    assert dict(os.environ) == environ and clock.pinned() == day
    assert logging.getLogger().handlers == handlers and tempfile.tempdir == tempdir
