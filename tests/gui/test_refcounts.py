"""A table view repainted for a whole working day must not crash the program. PySide6 6.12.0 drops a
reference to None each time a model's data() returns None; after a few thousand repaints Python aborts
("deallocating None"). pyproject keeps that release out; this test catches it coming back."""

import sys

import pytest

from tests.gui.helpers import idle
from ui.pages.student_ledger import StudentLedgerPage


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: its count cannot drop"
)
def test_repainting_the_student_table_does_not_lose_references_to_none(qtbot, ctx):
    """PySide6 6.12.0 lost a reference to None on each repaint; a day of scrolling would abort the program."""
    page = StudentLedgerPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    page.activate()
    idle(qtbot, ctx)
    for _ in range(3):  # let the first pages arrive
        page.table.viewport().repaint()
        idle(qtbot, ctx)
    before = sys.getrefcount(None)
    for _ in range(50):
        page.table.viewport().repaint()
    assert before - sys.getrefcount(None) < 20
