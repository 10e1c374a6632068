"""The start-up window: opening the database (claiming the file, upgrading its schema, the day's
automatic backup, the policy catalogue brought in step) can take seconds on a clerk's PC — longer after
an update. That work runs on a worker thread while this small window says which step it is on; a
failure comes back to the GUI thread as the exception it was, so it is shown there as before."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from aidoffice.progress import Progress
from ui.i18n import tr

T = TypeVar("T")


class StartupWindow(QWidget):
    """What shows before the first window: the program's name, the step, a busy bar."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowTitleHint)
        self.setObjectName("startup")
        self.setWindowTitle(tr("学校资助办助手"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(12)
        title = QLabel(tr("学校资助办助手"))
        title.setStyleSheet("font-size:20px;font-weight:bold")
        layout.addWidget(title)
        self.message = QLabel(tr("正在打开数据库…"))
        self.message.setObjectName("startupStep")
        self.message.setStyleSheet("font-size:14px;color:#374151")
        layout.addWidget(self.message)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: a step's length is not known
        self.bar.setTextVisible(False)
        layout.addWidget(self.bar)
        self.steps: list[str] = []  # what was shown, in order
        self.setFixedSize(440, 150)

    def show_step(self, done: int, total: int, message: str) -> None:
        if message and (not self.steps or self.steps[-1] != message):
            self.steps.append(message)
            self.message.setText(message)
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))


class _Signals(QObject):
    step = Signal(int, int, str)
    finished = Signal(object, object)  # result, exception


def run_starting(window: StartupWindow, work: Callable[[Progress], T]) -> T:
    """Run `work(progress)` on a worker thread, the window showing its steps and the GUI staying live;
    its result is returned, or its exception raised, here on the GUI thread."""
    signals = _Signals()
    loop = QEventLoop()
    outcome: dict[str, Any] = {}
    signals.step.connect(window.show_step)

    def finished(result: object, error: object) -> None:
        outcome.update(result=result, error=error)
        loop.quit()

    signals.finished.connect(finished)

    def report(done: int, total: int | None, message: str = "") -> None:
        signals.step.emit(done, total or 0, message)

    def run() -> None:
        try:
            result = work(report)
        except BaseException as exc:  # everything goes back to the GUI thread
            signals.finished.emit(None, exc)
        else:
            signals.finished.emit(result, None)

    window.show()
    window.raise_()
    worker = threading.Thread(target=run, name="aidoffice-startup", daemon=True)
    worker.start()
    loop.exec()  # a result already sent is queued: it arrives in the loop
    worker.join()
    window.hide()
    if outcome.get("error") is not None:
        raise outcome["error"]
    return outcome["result"]  # type: ignore[no-any-return]
