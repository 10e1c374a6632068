"""Start-up: the database is claimed, upgraded, backed up and brought in step with the catalogue on a
worker thread, while a small window says which step it is on (the GUI never freezes before the first
window); a failure is raised on the GUI thread and shown as before."""

from __future__ import annotations

import threading

import pytest
from alembic import command
from PySide6.QtCore import QTimer

from aidoffice.db.engine import Database, alembic_config, head_revision, schema_revision
from aidoffice.errors import AidofficeError
from aidoffice.safety.locks import instance_lock
from ui import app as app_module
from ui.app import start_up
from ui.startup import StartupWindow


def test_opening_runs_off_the_gui_thread_while_the_window_shows_each_step(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "资助办.db"
    real_open = app_module.open_office
    seen: dict[str, object] = {}
    gui_ticked = threading.Event()

    def open_office(url, **kw):  # type: ignore[no-untyped-def]
        seen["thread"] = threading.current_thread()
        gui_ticked.clear()
        assert gui_ticked.wait(10), "the GUI thread was blocked while the database was opened"
        return real_open(url, **kw)

    monkeypatch.setattr(app_module, "open_office", open_office)
    ticker = QTimer()  # fires only while the GUI thread serves its events
    ticker.timeout.connect(gui_ticked.set)
    ticker.start(10)
    window = StartupWindow()
    qtbot.addWidget(window)
    holder, office = start_up(str(path), window)
    ticker.stop()
    try:
        assert seen["thread"] is not threading.main_thread()
        assert window.steps == ["正在打开数据库…", "正在建立数据库…", "正在备份…", "正在同步资助政策目录…"]
        assert schema_revision(office.db.engine) == head_revision()
        assert not window.isVisible()  # gone before the first window
    finally:
        office.db.dispose()
        holder.release()


def test_an_older_database_is_upgraded_with_the_window_saying_so(qtbot, tmp_path):
    path = tmp_path / "旧版.db"
    db = Database(str(path))
    command.downgrade(alembic_config(db.engine), "-1")
    assert schema_revision(db.engine) != head_revision()
    db.dispose()
    window = StartupWindow()
    qtbot.addWidget(window)
    holder, office = start_up(str(path), window)
    try:
        assert "正在升级数据库…" in window.steps
        assert window.steps.index("正在升级数据库…") < window.steps.index("正在备份…")
        assert schema_revision(office.db.engine) == head_revision()
    finally:
        office.db.dispose()
        holder.release()


def test_a_failure_comes_back_to_the_gui_thread_and_the_file_is_let_go(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "坏.db"

    def refuse(url, **kw):  # type: ignore[no-untyped-def]
        raise AidofficeError("数据库文件已损坏")

    monkeypatch.setattr(app_module, "open_office", refuse)
    window = StartupWindow()
    qtbot.addWidget(window)
    with pytest.raises(AidofficeError, match="已损坏"):
        start_up(str(path), window)
    probe = Database(str(path), migrate=False)
    try:
        instance_lock(probe).release()  # not still held by the failed start
    finally:
        probe.dispose()


def test_run_gui_shows_why_the_database_cannot_be_opened(
    qtbot, tmp_path, monkeypatch, messages, expect_errors
):
    import sys

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    monkeypatch.setattr(
        app_module, "open_office", lambda url, **kw: (_ for _ in ()).throw(AidofficeError("坏了"))
    )
    assert app_module.run_gui(str(tmp_path / "x.db")) == 1
    assert messages[-1] == ("critical", "无法打开数据库", "坏了")
