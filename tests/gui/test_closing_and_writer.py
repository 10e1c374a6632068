"""Closing a window while work is in flight, and the one writer queue of a database."""

from __future__ import annotations

import threading
import time

from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from aidoffice.errors import OperationCancelled
from tests.gui.helpers import idle
from ui.main_window import MainWindow
from ui.operations import AppContext, Changes


def _visible_progress_texts() -> list[str]:
    return [
        w.labelText()
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QProgressDialog) and w.isVisible()
    ]


def test_closing_drops_reads_says_it_is_saving_and_closes_when_the_write_is_done(qtbot, school_ctx):
    """The clerk closes the window during a save: the window says “正在完成保存…” (not a silent
    freeze), stays until the write is done, then closes; a read in flight is stopped and its result
    goes nowhere."""
    window = MainWindow(school_ctx)
    qtbot.addWidget(window)
    window.show()
    idle(qtbot, school_ctx)
    release, writing = threading.Event(), threading.Event()
    read_stopped = threading.Event()
    results: list[str] = []

    def slow_write(_s, _p):  # type: ignore[no-untyped-def]
        writing.set()
        assert release.wait(30)
        return "saved"

    def long_read(_s, progress):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline:
                progress(0, None)
                time.sleep(0.01)
        except OperationCancelled:
            read_stopped.set()
            raise
        return "read"

    school_ctx.write(window, slow_write, results.append, changes=Changes())
    school_ctx.query(window, long_read, results.append)
    qtbot.waitUntil(writing.is_set, timeout=10_000)

    started = time.monotonic()
    assert window.close() is False  # not yet: a write is being saved
    assert time.monotonic() - started < 2  # and the window did not freeze waiting for it
    assert window.isVisible()
    qtbot.waitUntil(lambda: "正在完成保存…" in _visible_progress_texts(), timeout=5000)
    qtbot.waitUntil(read_stopped.is_set, timeout=10_000)  # the read stopped at its next report

    release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    idle(qtbot, school_ctx)
    assert results == ["saved"]  # the write's result arrived; the dropped read's did not
    assert "正在完成保存…" not in _visible_progress_texts()


def test_closing_with_nothing_being_saved_closes_at_once(qtbot, school_ctx):
    window = MainWindow(school_ctx)
    qtbot.addWidget(window)
    window.show()
    idle(qtbot, school_ctx)
    assert window.close() is True
    assert "正在完成保存…" not in _visible_progress_texts()


def test_two_contexts_on_one_database_share_one_writer(qtbot, school_db):
    """Two windows on the same database: their writes queue one after the other instead of running
    side by side (where SQLite's one write lock would make one of them wait or fail)."""
    first, second = AppContext(school_db, actor="甲"), AppContext(school_db, actor="乙")
    assert first.writer is second.writer
    assert first.readers is not second.readers
    inside, overlaps = [0], []
    lock = threading.Lock()

    def op(_s, _p):  # type: ignore[no-untyped-def]
        with lock:
            inside[0] += 1
            overlaps.append(inside[0])
        time.sleep(0.2)
        with lock:
            inside[0] -= 1

    parent = QWidget()
    qtbot.addWidget(parent)
    tasks = [ctx.write(parent, op, changes=Changes()) for ctx in (first, second, first, second)]
    qtbot.waitUntil(lambda: all(t.finished for t in tasks), timeout=30_000)
    assert overlaps == [1, 1, 1, 1]  # never two writes at once


def test_another_database_has_its_own_writer(qtbot, school_db, tmp_path):
    from aidoffice.db.engine import Database

    other = Database(str(tmp_path / "other.db"))
    try:
        assert AppContext(school_db).writer is not AppContext(other).writer
    finally:
        other.dispose()


def test_a_read_whose_page_is_gone_meanwhile_goes_nowhere(qtbot, school_ctx):
    """A page deleted while its read was on the way (its window closed) must not be touched by the
    result: that raised “Internal C++ object already deleted” in an error box."""
    from shiboken6 import isValid

    gate = threading.Event()
    got: list[object] = []
    parent = QWidget()

    def op(_s, _p):  # type: ignore[no-untyped-def]
        assert gate.wait(10)
        return 1

    task = school_ctx.query(parent, op, got.append)
    parent.deleteLater()
    qtbot.waitUntil(lambda: not isValid(parent), timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: task.finished, timeout=10_000)
    assert got == [] and task.discarded


def test_a_write_whose_page_is_gone_still_says_the_data_changed(qtbot, school_ctx):
    from shiboken6 import isValid

    gate = threading.Event()
    heard: list[object] = []
    school_ctx.data_changed.connect(lambda changes, _who: heard.append(changes))
    parent = QWidget()

    def op(_s, _p):  # type: ignore[no-untyped-def]
        assert gate.wait(10)
        return 1

    task = school_ctx.write(parent, op, lambda _r: heard.append("callback"), changes=Changes(students=True))
    parent.deleteLater()
    qtbot.waitUntil(lambda: not isValid(parent), timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: task.finished, timeout=10_000)
    assert heard == [Changes(students=True)]  # the other pages refresh; the gone page is not called
