import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses
import gc
import logging
import sys
import threading
import traceback
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import Engine, event

from tests.gui.helpers import make_ctx

UI_DIR = str(Path(__file__).resolve().parents[2] / "ui") + os.sep
# Opening the database before the first window is the one place the GUI thread may query.
STARTUP = {str(Path(UI_DIR) / "app.py")}


@pytest.fixture(autouse=True)
def garbage_collected_on_the_gui_thread():
    """As the program does (ui.tasks.collect_on_gui_thread): no automatic collection while a GUI test
    runs — a background read that happens to collect could free a Qt object of an earlier test off the
    GUI thread and hang the run (seen once in the full suite) — and the main thread collects what the
    test left behind after it."""
    was = gc.isenabled()
    gc.disable()
    yield
    gc.collect(0)  # no collection ran during the test: all it left behind is young (a full one took ~1 s)
    if was:
        gc.enable()


@pytest.fixture(autouse=True)
def messages(monkeypatch, request):
    """Message boxes would wait for a click; record them instead. An error or warning box the test did
    not ask for (fixture `expect_errors`) fails the test: a GUI that shows an unexpected error is broken."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(
            QMessageBox, kind, lambda parent, title, text, *a, _k=kind, **kw: shown.append((_k, title, text))
        )
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **kw: QMessageBox.StandardButton.Yes)
    yield shown
    if "expect_errors" not in request.fixturenames:
        unexpected = [m for m in shown if m[0] in ("warning", "critical")]
        assert not unexpected, f"unexpected error dialog: {unexpected}"


@pytest.fixture
def expect_errors():
    """The test provokes error dialogs on purpose and checks them itself."""


class _ErrorLogs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_error_logs(request):
    """An ERROR log line during a GUI test is a bug unless the test expects errors (qutebrowser's logfail)."""
    handler = _ErrorLogs()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    if "expect_errors" not in request.fixturenames:
        assert not handler.records, f"unexpected ERROR log: {[r.getMessage() for r in handler.records]}"


@pytest.fixture(autouse=True)
def no_sql_on_the_gui_thread():
    """Fails any GUI test in which code under ui/ runs a query on the GUI (main) thread: the window
    would freeze for as long as the query takes. Test code may set up data directly."""
    offences: list[str] = []

    def check(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread() is not threading.main_thread():
            return
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(UI_DIR) and name not in STARTUP:
                stack = "".join(traceback.format_stack(sys._getframe(1), limit=12))
                offences.append(f"{statement[:80]}\n{stack}")
                return
            frame = frame.f_back

    event.listen(Engine, "before_cursor_execute", check)
    yield offences
    event.remove(Engine, "before_cursor_execute", check)
    assert not offences, "SQL on the GUI thread:\n" + offences[0]


def orm_inside(value: object, path: str = "result", depth: int = 0) -> str | None:
    """Where an ORM entity sits inside `value` (a dataclass, tuple, list, dict …), or None."""
    from aidoffice.db.models import Base

    if isinstance(value, Base):
        return f"{path}: {type(value).__name__}"
    if depth > 6 or value is None or isinstance(value, str | bytes | int | float | bool | date | Path):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = ((f"{path}.{f.name}", getattr(value, f.name, None)) for f in dataclasses.fields(value))
    elif isinstance(value, dict):
        items = ((f"{path}[{k!r}]", v) for k, v in list(value.items())[:200])
    elif isinstance(value, list | tuple | set | frozenset):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(list(value)[:200]))
    else:
        return None
    for where, item in items:
        if (found := orm_inside(item, where, depth + 1)) is not None:
            return found
    return None


@pytest.fixture(autouse=True)
def no_orm_objects_cross_threads(monkeypatch):
    """Fails any GUI test in which a background operation hands an ORM entity to the GUI thread: its
    session is closed (or in another thread), so touching an unloaded attribute there would query on
    the GUI thread or fail. Operations return plain dataclasses and ids."""
    from ui.tasks import Task

    offences: list[str] = []
    original = Task._succeeded

    def checked(self, result):  # type: ignore[no-untyped-def]
        if (where := orm_inside(result)) is not None:
            offences.append(f"{self.label or 'an operation'} returned {where}")
        original(self, result)

    monkeypatch.setattr(Task, "_succeeded", checked)
    yield offences
    assert not offences, "ORM entity handed to the GUI thread: " + offences[0]


@pytest.fixture
def demo_db(school_db, snapshots):
    """The school with 300 demo students: generated once per session (and day), copied per test."""
    from tests.factories import a_demo_school

    return snapshots.restore(school_db, "demo300", a_demo_school)


@pytest.fixture
def ctx(qtbot, demo_db):
    """The app context over the 300-student demo database."""
    yield from make_ctx(qtbot, demo_db)


@pytest.fixture
def school_ctx(qtbot, school_db):
    """The app context over a database with a school and no students."""
    yield from make_ctx(qtbot, school_db)


@pytest.fixture
def empty_ctx(qtbot, db):
    """The app context over a database with no school yet (first run)."""
    yield from make_ctx(qtbot, db)
