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
import importlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid
from sqlalchemy.orm import Session

from aidoffice.db.engine import Database
from aidoffice.errors import OperationCancelled
from aidoffice.office import batch_operation
from aidoffice.progress import Progress
from ui.i18n import tr
from ui.tasks import Task, TaskRunner, writer_for

T = TypeVar("T")


def core(module: str) -> Any:
    """The core module `module`, imported where it is called. Use cases whose module loads the PDF or
    the workbook library call it inside their background operation, so that library is loaded neither
    before the first window (tests/gui/test_launch.py) nor on the GUI thread at the first click."""
    return importlib.import_module(module)


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
    cases: bool = False  # 控辍保学 cases
    visits: bool = False  # contact duties, contacts recorded, the contact rule (三包与家访)

    @classmethod
    def everything(cls) -> Changes:
        return cls(**{f.name: True for f in fields(cls)})

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def any_of(self, *names: str) -> bool:
        return any(getattr(self, n) for n in names)


class AppContext(QObject):
    """The open database, the background runners and the data-changed signal, shared by all pages.
    Each context has its own readers; the writer is the database's (`ui.tasks.writer_for`): two windows
    or contexts on one database share one writer queue."""

    data_changed = Signal(object, object)  # Changes, initiator (the widget that asked, or None)

    def __init__(self, db: Database, parent: QObject | None = None, *, actor: str | None = None):
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.readers = TaskRunner(self, threads=2)
        self.writer = writer_for(db.url)
        self.writes: list[Task] = []  # this context's writes in flight (the writer runs others' too)

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
                if success is not None and (parent is None or isValid(parent)):
                    success(result)  # (not when the widget that asked is gone)
            finally:
                self.data_changed.emit(changes, parent)

        task = self.writer.run(
            label or "", job, parent=parent, on_success=done, on_failure=failure, show_progress=bool(label)
        )
        task.drop_orphan = False  # `done` above: the change is announced even when the asker is gone
        self.writes.append(task)
        task.done.connect(lambda: self.writes.remove(task) if task in self.writes else None)
        return task

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

    def pending_writes(self) -> list[Task]:
        return [t for t in self.writes if not t.finished]

    def drop_reads(self) -> None:
        """Closing: the reads in flight stop where they can, and their results go nowhere."""
        for task in list(self.readers.active):
            task.discard()

    def close_then(self, parent: QWidget | None, then: Callable[[], None]) -> QProgressDialog | None:
        """Closing a window: its reads are dropped; while a write of this context is still being saved,
        “正在完成保存…” shows (nothing to press: a write is all or nothing and must not be cut) and
        `then` runs once the last one is done — at once when none is."""
        self.drop_reads()
        pending = self.pending_writes()
        if not pending:
            then()
            return None
        dialog = QProgressDialog(tr("正在完成保存…"), "", 0, 0, parent)
        dialog.setObjectName("finishingWrites")
        dialog.setCancelButton(None)  # type: ignore[arg-type]
        dialog.setWindowTitle(tr("请稍候"))
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.show()
        ran = []

        def check() -> None:
            if ran or self.pending_writes():
                return
            ran.append(True)
            dialog.reset()
            dialog.hide()
            dialog.deleteLater()
            then()

        for task in pending:
            task.done.connect(check)
        return dialog
