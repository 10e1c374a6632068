"""导入扫描件 on the 回执登记 page: a scanned stack read in the background, then the queue of the
doubtful slips cleared from the keyboard, each beside its picture."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from aidoffice.db.models import Slip
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.omr import Reason
from tests.gui.helpers import finish, idle
from tests.scans import as_scanned, mark_slip, pack_pdf, slip_pages
from ui.pages.slips_page import SlipsPage


@pytest.fixture
def stack(ctx, tmp_path):
    """七年级1班's policy slips back from the copier: three ticked clearly, one with both boxes ticked,
    one with none."""
    with ctx.db.unit_of_work() as s:
        letters = produce_letters(
            s, "policy", tmp_path / "p.pdf", grade="七年级", class_name="1班", covers=False
        )
    pages = slip_pages(letters.path)
    codes = letters.slips[:5]
    rng = random.Random(12)
    images = []
    for code, tick, box in zip(codes, ("pen", "pen", "double", "pen", "none"), (0, 1, 0, 0, 0), strict=True):
        page = pages[code].copy()
        mark_slip(page, tick, box, rng)
        images.append(as_scanned(page, rng, angle=rng.uniform(-4, 4)))
    return pack_pdf(images, tmp_path / "扫描.pdf"), codes


def _answers(ctx) -> dict[str, str | None]:
    with ctx.db.reading() as s:
        return {c: a for c, a, r in s.execute(select(Slip.code, Slip.answer, Slip.received_at)) if r}


def test_a_scanned_stack_is_registered_and_the_queue_cleared_from_the_keyboard(qtbot, ctx, stack):
    pdf, codes = stack
    page = SlipsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    finish(qtbot, page.activate())
    idle(qtbot, ctx)
    finish(qtbot, page.import_scans([str(pdf)]))
    idle(qtbot, ctx)
    assert _answers(ctx) == {codes[0]: "apply", codes[1]: "decline", codes[3]: "apply"}
    assert "已登记 3 张" in page.sign.text()
    dialog = page.queue_dialog
    assert dialog is not None and dialog.isVisible()
    finish(qtbot, dialog.last_task)
    idle(qtbot, ctx)
    assert [q.reason for q in dialog.queue] == [Reason.TWO_TICKS, Reason.NO_TICK]
    assert "两个选项都勾了" in dialog.reason.text()
    qtbot.waitUntil(lambda: dialog.picture.pixmap() is not None and not dialog.picture.pixmap().isNull())
    assert [b.property("answer") for b in dialog.buttons] == ["apply", "decline"]
    # 2 picks the second answer for the first slip; 0 skips the second
    QTest.keyClick(dialog, Qt.Key.Key_2)
    finish(qtbot, dialog.last_task)
    idle(qtbot, ctx)
    assert "没有勾选" in dialog.reason.text()
    QTest.keyClick(dialog, Qt.Key.Key_0)
    finish(qtbot, dialog.last_task)
    idle(qtbot, ctx)
    assert dialog.queue == [] and "全部处理" in dialog.reason.text()
    assert _answers(ctx) == {codes[0]: "apply", codes[1]: "decline", codes[2]: "decline", codes[3]: "apply"}


def test_the_queue_closes_with_esc_and_with_its_close_button_and_opens_again(qtbot, ctx):
    """Closing 待核对 (Esc, the window's ×, 关闭) used to bring the whole program down: the dialog kept
    its count in an attribute named like QDialog.done, which Qt calls to close it."""
    page = SlipsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    finish(qtbot, page.activate())
    for close in (lambda d: QTest.keyClick(d, Qt.Key.Key_Escape), lambda d: d.reject(), lambda d: d.close()):
        dialog = page.open_queue()
        finish(qtbot, dialog.last_task)
        idle(qtbot, ctx)
        assert dialog.isVisible()
        close(dialog)
        qtbot.waitUntil(lambda d=dialog: not d.isVisible(), timeout=5_000)
        idle(qtbot, ctx)
