"""The small progress protocol every long service takes, so the CLI draws a bar and the GUI a dialog
from the same code. A reporter that wants to cancel raises OperationCancelled from its call; the
service's transaction then rolls back, so a cancelled job writes nothing."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int | None, message: str = "") -> None: ...


def no_progress(done: int, total: int | None, message: str = "") -> None:
    """The reporter used when the caller does not care."""


class Throttled:
    """Passes on at most one report per `step` units of work (and always the last), so a service can
    report every row without flooding a progress bar."""

    def __init__(self, inner: Progress, total: int | None, step: int = 500, message: str = ""):
        self.inner, self.total, self.step, self.message = inner, total, max(1, step), message
        self._last = -1

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        total = self.total if total is None else total
        if done - self._last >= self.step or (total is not None and done >= total):
            self._last = done
            self.inner(done, total, message or self.message)
