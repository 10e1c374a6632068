"""The one runner every page uses for work that can take longer than a blink: the job runs on a
worker thread with a progress dialog, its result comes back on the GUI thread, and a failure becomes
a Chinese message — written once, here (after Anki's QueryOp).

The cancel button appears only where the job can stop: a job stops at its progress reports (the
report raises OperationCancelled and the job's transaction rolls back, so a cancelled job writes
nothing). So the button shows once the job has made its first report — a job that never reports
cannot be stopped and offers no button — and goes again when the job seals its work (`seal()`: the
work is done and is being saved; from there it runs to the end), or when it was made with
`cancellable=False`."""

from __future__ import annotations

import gc
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget
from shiboken6 import isValid

from aidoffice.errors import AidofficeError, OperationCancelled
from aidoffice.paths import log_file
from aidoffice.privacy import scrub
from aidoffice.progress import Progress
from ui.i18n import tr

log = logging.getLogger("aidoffice.ui")


GC_EVERY_MS = 60_000


def collect_on_gui_thread(parent: QObject) -> QTimer:
    """Python's cyclic garbage collector runs in whichever thread happens to allocate; when it frees a Qt
    object there from a background operation, PySide must take the GUI thread's locks while that thread
    waits for the GIL — the program hangs (seen: a village-tree read freeing a dialog of an earlier
    screen). So, as Anki does, automatic collection is off and the GUI thread collects. What exists at
    start-up (modules, the catalogue) is frozen out of the collector's sight; every minute the young
    objects are collected, every tenth minute all of them (a few milliseconds, then, not a stall)."""
    gc.collect()
    gc.freeze()
    gc.disable()
    timer = QTimer(parent)
    timer.setInterval(GC_EVERY_MS)
    ticks = [0]

    def collect() -> None:
        ticks[0] += 1
        gc.collect() if ticks[0] % 10 == 0 else gc.collect(1)

    timer.timeout.connect(collect)
    timer.start()
    return timer


def show_error(parent: QWidget | None, exc: BaseException, what: str = "") -> None:
    """An expected failure shows its own message; anything else is logged and explained."""
    if isinstance(exc, OperationCancelled):
        return
    title = tr("操作未完成")
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
        from aidoffice.files import os_problem

        exc = os_problem(exc)  # the disk's answer in Chinese, the same message the CLI prints
    if isinstance(exc, AidofficeError):
        QMessageBox.warning(parent, title, str(exc))
        return
    log.error("%s failed", what or "task", exc_info=(type(exc), exc, exc.__traceback__))
    QMessageBox.critical(
        parent,
        tr("发生意外错误"),
        tr("{what}失败：{error}\n\n程序仍可继续使用。详细信息已记录在日志文件：\n{log}").format(
            what=what or tr("操作"),
            error=f"{type(exc).__name__}: {scrub(str(exc))[:300]}",
            log=log_file(),
        ),
    )


class _Signals(QObject):
    progress = Signal(int, int, str)
    sealed = Signal()
    succeeded = Signal(object)
    failed = Signal(object)


class _Reporter:
    """The progress callback a job is given; `seal()` says the job can no longer stop."""

    def __init__(self, job: _Job):
        self.job = job

    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        self.job.report(done, total, message)

    def seal(self) -> None:
        self.job.seal()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any]):
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()
        self.cancel_requested = threading.Event()
        self.sealed = threading.Event()

    def report(self, done: int, total: int | None, message: str = "") -> None:
        if self.cancel_requested.is_set() and not self.sealed.is_set():
            raise OperationCancelled()
        self.signals.progress.emit(done, -1 if total is None else total, message)

    def seal(self) -> None:
        if self.cancel_requested.is_set() and not self.sealed.is_set():
            raise OperationCancelled()  # cancelled before the last step: still nothing written
        self.sealed.set()
        self.signals.sealed.emit()

    def run(self) -> None:
        try:
            result = self.fn(_Reporter(self))
        except BaseException as exc:  # everything must reach the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


class Task(QObject):
    """A job in flight; `done` is emitted after success or failure has been handled."""

    done = Signal()

    def __init__(self, runner: TaskRunner, label: str, job: _Job, parent_widget: QWidget | None,
                 on_success: Callable[[Any], None] | None, on_failure: Callable[[BaseException], None] | None,
                 show_progress: bool, cancellable: bool = True):  # fmt: skip
        super().__init__(runner)
        self.runner, self.label, self.job = runner, label, job
        self.on_success, self.on_failure, self.parent_widget = on_success, on_failure, parent_widget
        self.dialog: QProgressDialog | None = None
        self.cancel_button: QPushButton | None = None
        self.cancellable = cancellable
        self.finished = False
        self.discarded = False
        self.drop_orphan = True
        if show_progress:
            self.dialog = QProgressDialog(label, "", 0, 0, parent_widget)
            self.cancel_button = QPushButton(self.tr("取消"))
            self.dialog.setCancelButton(self.cancel_button)
            self.cancel_button.hide()  # until the job shows it can stop (its first report)
            self.dialog.setWindowTitle(self.tr("请稍候"))
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(300)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self._cancel_pressed)
        job.signals.progress.connect(self._progress)
        job.signals.sealed.connect(self._sealed)
        job.signals.succeeded.connect(self._succeeded)
        job.signals.failed.connect(self._failed)

    @property
    def can_cancel(self) -> bool:
        """The cancel button is offered now."""
        return self.cancel_button is not None and not self.cancel_button.isHidden()

    @Slot()
    def _cancel_pressed(self) -> None:
        # the dialog also says “canceled” when it is closed (Esc, the title bar): only a job that can
        # stop is stopped; another one keeps its dialog and runs to the end
        if self.can_cancel:
            self.cancel()
        elif self.dialog is not None and not self.finished:
            self.dialog.show()

    @Slot()
    def cancel(self) -> None:
        if self.job.sealed.is_set() or not self.cancellable:
            return
        self.job.cancel_requested.set()
        if self.cancel_button is not None:
            self.cancel_button.hide()
        if self.dialog is not None:
            self.dialog.setLabelText(self.tr("正在取消…"))

    def discard(self) -> None:
        """Nobody waits for the result any more (its window is closing): stop the job where it can
        stop, and let neither its result nor its failure reach the window."""
        self.discarded = True
        self.on_success = None
        self.on_failure = lambda _exc: None
        if not self.job.sealed.is_set() and self.cancellable:
            self.job.cancel_requested.set()
        if self.dialog is not None and isValid(self.dialog):
            self.dialog.hide()

    @Slot()
    def _sealed(self) -> None:
        if self.cancel_button is not None:
            self.cancel_button.hide()
        if self.dialog is not None:
            self.dialog.setLabelText(self.tr("正在保存…"))

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, message: str) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        if (
            self.cancel_button is not None
            and self.cancellable
            and not self.job.sealed.is_set()
            and not self.job.cancel_requested.is_set()
        ):
            self.cancel_button.show()  # it reports, so it stops at its next report
        if total > 0:
            dialog.setMaximum(total)
            # a modal progress dialog processes events in setValue: the task may finish right here
            dialog.setValue(min(done, total))
        if message and self.dialog is dialog:
            dialog.setLabelText(message)

    def _close(self) -> None:
        if self.dialog is not None:
            if isValid(self.dialog):  # (gone with its parent widget)
                self.dialog.reset()
                self.dialog.deleteLater()
            self.dialog = None
        if isValid(self.runner):
            self.runner._finished(self)

    def _parent_gone(self) -> bool:
        """The widget that asked was deleted meanwhile (its window closed): a read's result goes
        nowhere (a write's callback sees to itself: others still hear that the data changed)."""
        return self.drop_orphan and self.parent_widget is not None and not isValid(self.parent_widget)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        if not isValid(self):  # its window (and the context's readers) went while the job ran
            return
        if self._parent_gone():
            self.discard()
        self._close()
        try:
            if self.on_success is not None:
                self.on_success(result)
        except Exception as exc:
            show_error(self.parent_widget, exc, self.label)
        self._done()

    def _done(self) -> None:
        self.finished = True
        if isValid(self):  # (a callback may have closed the window that owned it)
            self.done.emit()

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        if self._parent_gone():
            self.discard()
        self._close()
        if self.on_failure is not None:
            self.on_failure(exc)
        else:
            show_error(self.parent_widget, exc, self.label)
        self._done()


class Latest:
    """Only the answer to the last question comes through. A page asks again — another filter, a month,
    the full numbers, a refresh — before the earlier read is back; the readers run side by side, so the
    earlier answer can arrive last, and shown then it would put rows of a filter no longer chosen under
    the one the page shows. Wrap each callback: `ops.load_x(ctx, self, args, self._rows_latest(self._got))`
    — a callback of an earlier question does nothing."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        self.asked += 1
        asked = self.asked

        def deliver(result: Any) -> None:
            if asked == self.asked:
                fn(result)

        return deliver


class TaskRunner(QObject):
    """Owns the worker pool and the tasks in flight."""

    def __init__(self, parent: QObject | None = None, *, threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.active: list[Task] = []

    def run(self, label: str, fn: Callable[[Progress], Any], *, parent: QWidget | None = None,
            on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None, show_progress: bool = True,
            cancellable: bool = True) -> Task:  # fmt: skip
        job = _Job(fn)
        task = Task(self, label, job, parent, on_success, on_failure, show_progress, cancellable)
        self.active.append(task)
        self.pool.start(job)
        return task

    def _finished(self, task: Task) -> None:
        if task in self.active:
            self.active.remove(task)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


# database URL → its writer; held by the contexts that use it, gone with the last of them
_WRITERS: weakref.WeakValueDictionary[str, TaskRunner] = weakref.WeakValueDictionary()


def writer_for(url: str) -> TaskRunner:
    """The one writer queue of the database at `url`: every window and context of this program writing
    to it shares it, so their writes run one after another, never side by side (SQLite takes one
    writer at a time; two writers of one program would only wait for each other's lock)."""
    writer = _WRITERS.get(url)
    if writer is None:
        writer = TaskRunner(None, threads=1)
        _WRITERS[url] = writer
    return writer
