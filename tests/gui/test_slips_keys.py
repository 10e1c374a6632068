"""回执登记 from the keyboard: a clerk scans a pile with one hand and presses F2–F6 with the other."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from aidoffice.db.models import Slip
from aidoffice.domain import slipcode
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.slips import Outcome
from tests.gui.helpers import finish, idle
from ui.pages.slips_page import ANSWERS, SlipsPage

OLD_TERM = "2020-2021-2"


@pytest.fixture
def letters(ctx, tmp_path):
    """七年级1班's policy letters and its aid letters (if any), printed this term."""
    with ctx.db.unit_of_work() as s:
        policy = produce_letters(s, "policy", tmp_path / "p.pdf", grade="七年级", class_name="1班")
    return policy


@pytest.fixture
def page(qtbot, ctx):
    page = SlipsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    finish(qtbot, page.activate())
    idle(qtbot, ctx)
    return page


def _scan(qtbot, ctx, page, code: str) -> None:
    """What a keyboard-wedge scanner does: types the code into the focused field and presses Enter."""
    QTest.keyClicks(page.code, code)
    QTest.keyClick(page.code, Qt.Key.Key_Return)
    finish(qtbot, page.last_task)
    idle(qtbot, ctx)


@pytest.mark.parametrize("n", range(len(ANSWERS)))
def test_each_function_key_ticks_its_answer_and_keeps_the_code_field(qtbot, ctx, page, n):
    """F2–F6 each tick their answer (they crashed: setChecked() called with no argument) and the
    scanner's next code still goes into the code field."""
    other = (n + 1) % len(ANSWERS)
    page.answer_buttons[other].setChecked(True)
    page.code.setFocus()
    QTest.keyClick(page.code, getattr(Qt.Key, f"Key_F{n + 2}"))
    assert page.answer_buttons[n].isChecked()
    assert page.answer() == ANSWERS[n][0]
    assert page.code.hasFocus()


def test_a_slip_scanned_after_f3_is_stored_with_the_answer(qtbot, ctx, page, letters):
    """The answer ticked with a key is the one stored (slips were stored with no answer)."""
    QTest.keyClick(page.code, Qt.Key.Key_F3)  # 符合、申请
    _scan(qtbot, ctx, page, slipcode.display(letters.slips[0]))
    assert page.last_receipt.outcome is Outcome.RECEIVED and "符合、申请" in page.sign.text()
    QTest.keyClick(page.code, Qt.Key.Key_F4)  # 不符合、不申请
    _scan(qtbot, ctx, page, letters.slips[1].lower())
    with ctx.db.reading() as s:
        stored = dict(s.execute(select(Slip.code, Slip.answer).where(Slip.code.in_(letters.slips[:2]))).all())
    assert stored == {letters.slips[0]: "apply", letters.slips[1]: "decline"}
    assert page.code.text() == "" and page.code.hasFocus()
    assert "已交 2 张" in page.summary.text()


def test_enter_after_a_refused_answer_keeps_the_next_scan(qtbot, ctx, page, letters):
    """An answer that does not fit the slip (无异议 on a policy slip) is said on the sign, with no box
    that would take the next scanned code."""
    QTest.keyClick(page.code, Qt.Key.Key_F5)  # 无异议: an aid letter's answer
    _scan(qtbot, ctx, page, letters.slips[0])
    assert "选项只能是" in page.sign.text()
    QTest.keyClick(page.code, Qt.Key.Key_F2)  # only returned
    _scan(qtbot, ctx, page, letters.slips[0])
    assert page.last_receipt.outcome is Outcome.RECEIVED


def test_a_slip_of_another_term_says_its_term_and_does_not_count(qtbot, ctx, page, tmp_path):
    """A slip kept from an old term's letters is named as that term's and is not registered now."""
    with ctx.db.unit_of_work() as s:
        old = produce_letters(
            s, "policy", tmp_path / "old.pdf", term=OLD_TERM, grade="七年级", class_name="1班"
        )
    before = page.summary.text()
    _scan(qtbot, ctx, page, old.slips[0])
    assert page.last_receipt.outcome is Outcome.OTHER_TERM
    assert "2020-2021学年第二学期" in page.sign.text() and "不计入" in page.sign.text()
    assert page.summary.text() == before
    with ctx.db.reading() as s:
        assert s.scalar(select(Slip.received_at).where(Slip.code == old.slips[0])) is None
