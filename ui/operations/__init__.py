"""Every database call the GUI makes runs here, off the GUI thread (after Anki's qt/aqt/operations).

- `ctx.query(parent, op, success)`: a read. `op(session, progress)` runs on a worker thread with a
  read-only session; `success(result)` runs back on the GUI thread.
- `ctx.write(parent, op, success, changes=Changes(...))`: a change. Runs on the one writer thread (so an
  import and a letter batch never fight over SQLite's write lock) inside one unit of work (all or
  nothing, audited as the signed-in person); on success every page hears `ctx.data_changed(changes,
  initiator)` and decides itself whether to refresh — no page pokes another.
- A `label` shows a progress dialog (after 300 ms); without one the op runs quietly (table pages,
  combos). Its cancel button appears only once the op reports progress (where it can stop), and a
  write's goes when the op has returned and its work is being saved (ui/tasks.py). Failures become
  Chinese messages unless `failure` handles them.

One short function per use case lives in the modules beside this one (`ui/operations/students.py`…);
pages call those."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from aidoffice.db.engine import Database
from aidoffice.errors import OperationCancelled
from aidoffice.office import batch_operation
from aidoffice.progress import Progress
from ui.tasks import Task, TaskRunner

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """What a write changed, so each page can tell whether it shows any of it."""

    students: bool = False
    households: bool = False
    groups: bool = False
    awards: bool = False
    lists: bool = False
    catalogue: bool = False
    settings: bool = False
    problems: bool = False
    publicity: bool = False
    slips: bool = False
    users: bool = False
    visits: bool = False  # contact duties, contacts recorded, the contact rule (三包与家访)

    @classmethod
    def everything(cls) -> Changes:
        return cls(**{f.name: True for f in fields(cls)})

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def any_of(self, *names: str) -> bool:
        return any(getattr(self, n) for n in names)


class AppContext(QObject):
    """The open database, the background runners and the data-changed signal, shared by all pages."""

    data_changed = Signal(object, object)  # Changes, initiator (the widget that asked, or None)

    def __init__(self, db: Database, parent: QObject | None = None, *, actor: str | None = None):
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.readers = TaskRunner(self, threads=2)
        self.writer = TaskRunner(self, threads=1)

    def query(
        self,
        parent: QWidget | None,
        op: Callable[[Session, Progress], T],
        success: Callable[[T], None] | None = None,
        *,
        label: str | None = None,
        failure: Callable[[BaseException], None] | None = None,
    ) -> Task:
        db = self.db

        def job(progress: Progress) -> T:
            with db.reading() as session:
                return op(session, progress)

        return self.readers.run(
            label or "", job, parent=parent, on_success=success, on_failure=failure, show_progress=bool(label)
        )

    def write(
        self,
        parent: QWidget | None,
        op: Callable[[Session, Progress], T],
        success: Callable[[T], None] | None = None,
        *,
        changes: Changes,
        label: str | None = None,
        note: str | None = None,
        failure: Callable[[BaseException], None] | None = None,
        batch: str | None = None,
        out: str | Path | None = None,
    ) -> Task:
        """`batch`: an import or batch write ("import", "letters", "roster"): backed up first and run
        one at a time across every program using this database (aidoffice.office.batch_operation).
        `out`: the file the op writes; a cancelled op leaves none (the database is rolled back, and a
        file it created is removed), so a cancelled job writes nothing."""
        db, actor = self.db, self.actor
        target = Path(out) if out else None

        def job(progress: Progress) -> T:
            existed = target is not None and target.exists()
            guard = batch_operation(db, batch) if batch else contextlib.nullcontext()
            try:
                with guard, db.unit_of_work(actor=actor, note=note) as session:
                    result = op(session, progress)
                    seal = getattr(progress, "seal", None)
                    if seal is not None:
                        seal()  # done: a cancel pressed before this rolls back; from here the commit runs
                    return result
            except OperationCancelled:
                if target is not None and not existed:
                    target.unlink(missing_ok=True)
                raise

        def done(result: T) -> None:
            try:
                if success is not None:
                    success(result)
            finally:
                self.data_changed.emit(changes, parent)

        return self.writer.run(
            label or "", job, parent=parent, on_success=done, on_failure=failure, show_progress=bool(label)
        )

    def background(
        self,
        parent: QWidget | None,
        fn: Callable[[Progress], T],
        success: Callable[[T], None] | None = None,
        *,
        label: str | None = None,
        failure: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """Work that needs no database (writing a report workbook from data already read)."""
        return self.readers.run(
            label or "", fn, parent=parent, on_success=success, on_failure=failure, show_progress=bool(label)
        )

    def wait(self, msecs: int = 30_000) -> bool:
        return self.writer.wait(msecs) and self.readers.wait(msecs)


def noop(_result: Any) -> None:
    """A success callback for ops whose result nobody needs."""
