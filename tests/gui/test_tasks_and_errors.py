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
