"""The one runner every page uses for work that can take longer than a blink: the job runs on a
worker thread with a progress dialog and a cancel button, its result comes back on the GUI thread,
and a failure becomes a Chinese message — written once, here (after Anki's QueryOp)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from aidoffice.errors import AidofficeError, OperationCancelled
from aidoffice.paths import log_file
from aidoffice.privacy import scrub
from aidoffice.progress import Progress
from ui.i18n import tr

log = logging.getLogger("aidoffice.ui")


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
    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any]):
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()
        self.cancel_requested = threading.Event()

    def report(self, done: int, total: int | None, message: str = "") -> None:
        if self.cancel_requested.is_set():
            raise OperationCancelled()
        self.signals.progress.emit(done, -1 if total is None else total, message)

    def run(self) -> None:
        try:
            result = self.fn(self.report)
        except BaseException as exc:  # everything must reach the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


class Task(QObject):
    """A job in flight; `done` is emitted after success or failure has been handled."""

    done = Signal()

    def __init__(self, runner: TaskRunner, label: str, job: _Job, parent_widget: QWidget | None,
                 on_success: Callable[[Any], None] | None, on_failure: Callable[[BaseException], None] | None,
                 show_progress: bool):  # fmt: skip
        super().__init__(runner)
        self.runner, self.label, self.job = runner, label, job
        self.on_success, self.on_failure, self.parent_widget = on_success, on_failure, parent_widget
        self.dialog: QProgressDialog | None = None
        self.finished = False
        if show_progress:
            self.dialog = QProgressDialog(label, self.tr("取消"), 0, 0, parent_widget)
            self.dialog.setWindowTitle(self.tr("请稍候"))
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(300)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel)
        job.signals.progress.connect(self._progress)
        job.signals.succeeded.connect(self._succeeded)
        job.signals.failed.connect(self._failed)

    @Slot()
    def cancel(self) -> None:
        self.job.cancel_requested.set()
        if self.dialog is not None:
            self.dialog.setLabelText(self.tr("正在取消…"))

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, message: str) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        if total > 0:
            dialog.setMaximum(total)
            # a modal progress dialog processes events in setValue: the task may finish right here
            dialog.setValue(min(done, total))
        if message and self.dialog is dialog:
            dialog.setLabelText(message)

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
            self.dialog = None
        self.runner._finished(self)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self._close()
        try:
            if self.on_success is not None:
                self.on_success(result)
        except Exception as exc:
            show_error(self.parent_widget, exc, self.label)
        self.finished = True
        self.done.emit()

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._close()
        if self.on_failure is not None:
            self.on_failure(exc)
        else:
            show_error(self.parent_widget, exc, self.label)
        self.finished = True
        self.done.emit()


class TaskRunner(QObject):
    """Owns the worker pool and the tasks in flight."""

    def __init__(self, parent: QObject | None = None, *, threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.active: list[Task] = []

    def run(self, label: str, fn: Callable[[Progress], Any], *, parent: QWidget | None = None,
            on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None, show_progress: bool = True) -> Task:  # fmt: skip
        job = _Job(fn)
        task = Task(self, label, job, parent, on_success, on_failure, show_progress)
        self.active.append(task)
        self.pool.start(job)
        return task

    def _finished(self, task: Task) -> None:
        if task in self.active:
            self.active.remove(task)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)
