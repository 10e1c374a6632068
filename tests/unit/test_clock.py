"""One clock: the program reads the day and time only through `aidoffice.clock`, which tests set."""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from aidoffice import clock

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = {
    ("date", "today"),
    ("datetime", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("QDate", "currentDate"),
    ("QDateTime", "currentDateTime"),
    ("time", "localtime"),
    ("time", "strftime"),
    ("time", "ctime"),
}


def _wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in WALL_CLOCK
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_nothing_but_the_clock_module_reads_the_wall_clock():
    """A date taken from the wall clock anywhere else escapes the tests' pinned day (CI went red in December)."""
    files = [p for d in ("aidoffice", "ui") for p in (ROOT / d).rglob("*.py") if p.name != "clock.py"]
    assert len(files) > 100
    offences = [hit for p in files for hit in _wall_clock_reads(p)]
    assert offences == []


def test_the_checker_would_see_a_wall_clock_read(tmp_path):
    bad = ROOT / "aidoffice" / "_probe_wall_clock.py"
    try:
        bad.write_text("from datetime import date\nx = date.today()\n", encoding="utf-8")
        assert _wall_clock_reads(bad) == ["aidoffice/_probe_wall_clock.py:2 date.today"]
    finally:
        bad.unlink()


@pytest.mark.today("2027-03-01")
def test_a_test_says_its_day_and_the_clock_shows_it(clock_day):
    assert clock_day == date(2027, 3, 1) == clock.today()


def test_a_set_clock_moves_the_day_but_time_still_runs():
    before = clock.pinned()
    try:
        clock.pin(date(2026, 9, 1))
        first = clock.now()
        time.sleep(0.01)
        second = clock.now()
        assert first.date() == date(2026, 9, 1) or first.hour == 0  # just past midnight: the next day
        assert second > first
        with clock.pinned_to(date(2027, 7, 20)):
            assert clock.today() == date(2027, 7, 20)
        assert clock.today() == date(2026, 9, 1)
    finally:
        clock.pin(before)


@pytest.mark.parametrize("text", ["2026-09-01", "2026/9/1", "20260901", " 2026-9-1 "])
def test_days_are_read_in_the_usual_spellings(text):
    assert clock.parse_day(text) == date(2026, 9, 1)


@pytest.mark.parametrize("text", ["2026-13-01", "明天", "2026-02-30", ""])
def test_a_day_that_is_not_one_is_refused_in_chinese(text):
    with pytest.raises(ValueError, match="年-月-日"):
        clock.parse_day(text)


@pytest.mark.today("2026-12-06")
def test_a_command_started_by_a_test_sees_the_tests_day():
    out = subprocess.run(
        [sys.executable, "-c", "from aidoffice import clock; print(clock.today())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "2026-12-06"
