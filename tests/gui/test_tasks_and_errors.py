import sys
import threading

import pytest
from PySide6.QtWidgets import QWidget

from aidoffice.errors import AidofficeError, OperationCancelled
from ui.app import install_excepthook
from ui.tasks import Task, TaskRunner


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    r.wait()


def test_a_job_reports_progress_and_returns_its_result_on_the_gui_thread(qtbot, runner, monkeypatch):
    """Widgets may only be touched from the GUI thread: progress and results must arrive there, in order."""
    seen, reports = [], []

    def on_gui() -> bool:
        return threading.current_thread() is threading.main_thread()

    monkeypatch.setattr(
        Task, "_progress", lambda self, done, total, message: reports.append((done, total, message, on_gui()))
    )

    def job(progress):
        for i in range(3):
            progress(i, 3, "步骤")
        return 42

    task = runner.run(
        "测试", job, on_success=lambda result: seen.append((result, on_gui())), show_progress=False
    )
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen == [(42, True)]
    assert reports == [(i, 3, "步骤", True) for i in range(3)]


def test_an_expected_failure_shows_its_chinese_message(qtbot, runner, messages, expect_errors):
    """A refused file is the clerk's to fix: they must see its own Chinese message, not a generic error."""

    def job(progress):
        raise AidofficeError("文件「a.xlsx」：没有身份证号列")

    task = runner.run("导入", job, parent=QWidget(), show_progress=False)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert messages == [("warning", "操作未完成", "文件「a.xlsx」：没有身份证号列")]


def test_cancel_stops_the_job_at_its_next_report_without_an_error_box(qtbot, runner, messages):
    """A clerk who cancels must not get an error box, and the job must really stop."""
    failures = []

    def job(progress):
        import time

        for i in range(10_000):
            progress(i, 10_000)
            time.sleep(0.001)

    task = runner.run("长任务", job, on_failure=failures.append)
    task.cancel()
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert len(failures) == 1 and isinstance(failures[0], OperationCancelled)
    assert messages == []


def test_an_unexpected_error_names_the_log_and_the_app_goes_on(qtbot, runner, messages, expect_errors):
    """A bug must not close the program: the clerk is told it can go on, and where the log is for whoever fixes it."""

    def job(progress):
        raise ZeroDivisionError("division by zero")

    task = runner.run("统计", job, show_progress=False)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    kind, _title, text = messages[-1]
    assert (
        kind == "critical" and "统计失败" in text and "aidoffice.log" in text and "程序仍可继续使用" in text
    )


def test_an_error_outside_any_task_becomes_a_message_not_a_crash(qtbot, messages, expect_errors):
    """An error outside any background job reaches the clerk as a message naming the log, not an ended program."""
    old = sys.excepthook
    install_excepthook()
    try:
        try:
            raise KeyError("boom")
        except KeyError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    assert messages and messages[-1][0] == "critical" and "日志" in messages[-1][2]


def _buttons(task):
    from PySide6.QtWidgets import QPushButton

    return [b for b in task.dialog.findChildren(QPushButton) if b.isVisible()]


def test_the_cancel_button_appears_only_once_the_job_can_stop(qtbot, runner):
    """A job stops at its progress reports: before its first one (and in a job that never reports) a
    cancel button would promise what cannot be done."""
    first, second = threading.Event(), threading.Event()

    def job(progress):
        first.wait(10)  # a step with no report: cannot stop here
        progress(1, 3, "第一步")
        second.wait(10)
        progress(2, 3, "第二步")
        return 1

    task = runner.run("任务", job)
    task.dialog.show()
    assert _buttons(task) == []
    first.set()
    qtbot.waitUntil(lambda: len(_buttons(task)) == 1)
    assert _buttons(task)[0].text() == "取消"
    second.set()
    with qtbot.waitSignal(task.done, timeout=5000):
        pass


def test_a_job_made_not_cancellable_never_offers_the_button(qtbot, runner):
    gate = threading.Event()

    def job(progress):
        progress(1, 2, "第一步")
        gate.wait(10)
        return 1

    task = runner.run("恢复", job, cancellable=False)
    task.dialog.show()
    qtbot.wait(100)
    assert _buttons(task) == []
    gate.set()
    with qtbot.waitSignal(task.done, timeout=5000):
        pass


@pytest.mark.today("2026-11-22")
def test_an_import_cancelled_after_its_last_report_writes_nothing(qtbot, school_ctx, tmp_path, monkeypatch):
    """The clerk presses 取消 while the import finishes its last rows: the import is rolled back, not
    saved behind a dialog that said it was cancelling."""
    from sqlalchemy import func, select

    from aidoffice.db.models import ImportBatch, Student
    from aidoffice.importing.service import ImportOptions
    from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_xlsx
    from ui.operations import imports

    book = write_xlsx(
        tmp_path / "学籍导出.xlsx", [ENROLLMENT_HEADER, *enrollment_rows(40, school_code="3130624999")]
    )
    real = imports.run_import
    reached, go = threading.Event(), threading.Event()

    def slow_end(*args, **kwargs):
        report = real(*args, **kwargs)  # every row read and applied, every report made
        reached.set()
        go.wait(10)
        return report

    monkeypatch.setattr(imports, "run_import", slow_end)
    parent = QWidget()
    qtbot.addWidget(parent)
    done = []
    task = imports.run(school_ctx, parent, str(book), ImportOptions(kind="students"), done.append)
    assert reached.wait(30)
    qtbot.waitUntil(lambda: task.can_cancel)  # it reported: it can still stop
    task.cancel()
    go.set()
    with qtbot.waitSignal(task.done, timeout=30_000):
        pass
    assert done == []
    with school_ctx.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


@pytest.mark.today("2026-11-22")
def test_letters_cancelled_after_the_pdf_is_made_leave_no_file_and_no_slip_codes(
    qtbot, ctx, tmp_path, monkeypatch
):
    from sqlalchemy import func, select

    from aidoffice.db.models import PublicityBatch, Slip
    from aidoffice.publicity import letters
    from ui.operations import publicity

    real = letters.produce_letters  # the page's operation imports it when it runs
    reached, go = threading.Event(), threading.Event()

    def slow_end(*args, **kwargs):
        batch = real(*args, **kwargs)
        reached.set()
        go.wait(10)
        return batch

    monkeypatch.setattr(letters, "produce_letters", slow_end)
    with ctx.db.reading() as s:
        before = (
            s.scalar(select(func.count()).select_from(Slip)),
            s.scalar(select(func.count()).select_from(PublicityBatch)),
        )
    out = tmp_path / "七年级告知书.pdf"
    parent = QWidget()
    qtbot.addWidget(parent)
    done = []
    task = publicity.make_letters(ctx, parent, "policy", str(out), {"grade": "七年级"}, done.append)
    assert reached.wait(60) and out.exists()
    qtbot.waitUntil(lambda: task.can_cancel)
    task.cancel()
    go.set()
    with qtbot.waitSignal(task.done, timeout=30_000):
        pass
    assert done == [] and not out.exists()
    with ctx.db.reading() as s:
        after = (
            s.scalar(select(func.count()).select_from(Slip)),
            s.scalar(select(func.count()).select_from(PublicityBatch)),
        )
    assert after == before


def test_a_disk_that_refuses_shows_the_same_chinese_message_as_the_cli(
    qtbot, runner, messages, expect_errors
):
    """A write-protected USB stick: the clerk reads what happened and where, not “发生意外错误（OSError…）”."""
    import errno
    import os

    from aidoffice.files import os_problem

    def job(progress):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), "/media/U盘/.~学籍台账abc.xlsx")

    task = runner.run("导出台账", job, parent=QWidget(), show_progress=False)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    [(kind, _title, text)] = messages
    assert kind == "warning" and "只读" in text and "/media/U盘" in text and "OSError" not in text
    cli_text = str(os_problem(OSError(errno.EROFS, "x", "/media/U盘/.~学籍台账abc.xlsx")))
    assert text == cli_text


def test_the_program_collects_garbage_on_the_gui_thread_only(qtbot):
    """A Qt object freed by a background thread's garbage collection hangs PySide: the program turns
    automatic collection off and collects from a GUI-thread timer."""
    import gc

    from PySide6.QtWidgets import QWidget

    from ui.tasks import GC_EVERY_MS, collect_on_gui_thread

    parent = QWidget()
    qtbot.addWidget(parent)
    gc.enable()
    try:
        timer = collect_on_gui_thread(parent)
        assert not gc.isenabled()
        assert timer.isActive() and timer.interval() == GC_EVERY_MS
        assert timer.thread() is parent.thread()
    finally:
        gc.unfreeze()
        gc.disable()  # the GUI tests' own fixture restores it after the test
