"""The one clock: what day and time it is for the program.

Nothing else in the program reads the wall clock for a calendar date or a time stamp; it asks here.
Elapsed time (how long a job took, how old a temporary file is) is not a calendar question and keeps
using `time.monotonic()` / `time.time()`.

The clock can be set to another day, for tests and for trying the program out on a given day (a
training database shown "as of" the start of term). Setting it moves the calendar, not the flow of
time: `now()` still advances second by second from the chosen day, so records made one after the other
keep their order. Two ways to set it:

- `pin(day)` (tests use the fixture in tests/conftest.py; `pin(None)` goes back to the wall clock);
- the environment variable `AIDOFFICE_TODAY=YYYY-MM-DD`, read when the program starts, so that a
  command run as a separate process (the CLI end-to-end tests) sees the same day as the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

ENV = "AIDOFFICE_TODAY"

_shift = timedelta(0)
_pinned: date | None = None


def parse_day(text: str) -> date:
    """`2026-12-06` (also `2026/12/6`, `20261206`) → date; ValueError with a Chinese message otherwise."""
    value = text.strip().replace("/", "-")
    try:
        if value.isdigit() and len(value) == 8:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        y, m, d = (int(part) for part in value.split("-"))
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"日期“{text}”无法识别，应写成 2026-09-01 这样的年-月-日。") from None


def pin(day: date | None) -> None:
    """From now on, today() is `day` (the time of day still runs); None: the wall clock again."""
    global _shift, _pinned
    _pinned = day
    # whole days only, so that the time of day shown is the real one
    _shift = timedelta(0) if day is None else timedelta(days=(day - datetime.now().date()).days)


def pinned() -> date | None:
    """The day the clock was set to, or None when it follows the wall clock."""
    return _pinned


@contextmanager
def pinned_to(day: date) -> Iterator[None]:
    """Within the block, today() is `day`."""
    before = _pinned
    pin(day)
    try:
        yield
    finally:
        pin(before)


def now() -> datetime:
    """The local date and time (naive, as the database stores it)."""
    return datetime.now() + _shift


def today() -> date:
    return now().date()


def _from_environment() -> None:
    value = os.environ.get(ENV, "").strip()
    if value:
        pin(parse_day(value))


_from_environment()
