"""The 告知书 tab as a clerk uses it batch after batch: the chosen class stays chosen, a batch of more than
300 pages is asked about first, and children whose aid is in question are left out unless the clerk
gives a reason."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from aidoffice.db.models import AuditEntry, Slip
from aidoffice.publicity.letters import plan_letters
from aidoffice.reconcile.service import run_reconcile
from tests.gui.helpers import finish, idle
from ui.pages.publicity import PublicityPage


def _choose(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, (text, [combo.itemText(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)


@pytest.fixture
def page(qtbot, ctx):
    page = PublicityPage(ctx)
    qtbot.addWidget(page)
    page.show()
    finish(qtbot, page.reload())
    idle(qtbot, ctx)
    return page


def _slips(ctx) -> int:
    with ctx.db.reading() as s:
        return s.scalar(select(func.count()).select_from(Slip))


def test_the_chosen_class_stays_chosen_after_a_batch(qtbot, ctx, page, tmp_path):
    """After one class's letters the next click must print the same class, not the whole school."""
    _choose(page.grade, "七年级")
    _choose(page.class_, "1班")
    finish(qtbot, page.make_letters(str(tmp_path / "a.pdf")))
    idle(qtbot, ctx)
    assert (tmp_path / "a.pdf").exists()
    assert (page.grade.currentText(), page.class_.currentText()) == ("七年级", "1班")
    assert page.letter_options()["class_name"] == "1班"


def test_a_batch_of_more_than_300_pages_is_asked_about_first(qtbot, ctx, page, tmp_path, monkeypatch):
    """全校 by mistake is ~300 letters: the clerk is asked, and 否 makes nothing and issues no code."""
    asked: list[str] = []

    def no(_parent, _title, text, *a, **kw):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    before = _slips(ctx)
    _choose(page.grade, "全校")
    finish(qtbot, page.make_letters(str(tmp_path / "all.pdf")))
    idle(qtbot, ctx)
    assert len(asked) == 1 and "页" in asked[0] and "全校" in asked[0]
    assert not (tmp_path / "all.pdf").exists() and _slips(ctx) == before
    assert "已取消" in page.result.text()

    asked.clear()  # one class is a few dozen pages: no question
    _choose(page.grade, "七年级")
    _choose(page.class_, "1班")
    finish(qtbot, page.make_letters(str(tmp_path / "one.pdf")))
    idle(qtbot, ctx)
    assert asked == [] and (tmp_path / "one.pdf").exists()


@pytest.fixture
def questioned(ctx):
    """The comparison has run: some aided children have an open 疑似误助 or 离校仍资助 problem."""
    with ctx.db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s)
        held = plan_letters(s, "aid").held
    assert held, "the demo school should have aid in question after the comparison"
    return held


def test_aid_letters_leave_out_children_whose_aid_is_in_question(qtbot, ctx, page, tmp_path, questioned):
    """The clerk is shown who and why before anything is made; 继续 with the default leaves them out."""
    _choose(page.kind, "受助情况告知书")
    _choose(page.grade, "全校")
    finish(qtbot, page.make_letters(str(tmp_path / "aid.pdf")))
    idle(qtbot, ctx)
    dialog = page.held_dialog
    assert dialog is not None and dialog.isVisible() and dialog.leave_out.isChecked()
    dialog.buttons_ok().click()
    idle(qtbot, ctx)
    assert (tmp_path / "aid.pdf").exists()
    assert "未列入" in page.result.text() and questioned[0].name in page.result.text()


def test_a_reason_is_required_to_include_them_and_is_recorded(qtbot, ctx, page, tmp_path, questioned):
    """Including them takes a written reason; the audit trail keeps it with each child."""
    _choose(page.kind, "受助情况告知书")
    _choose(page.grade, "全校")
    finish(qtbot, page.make_letters(str(tmp_path / "aid.pdf")))
    idle(qtbot, ctx)
    dialog = page.held_dialog
    dialog.include_them.setChecked(True)
    dialog.buttons_ok().click()
    assert dialog.isVisible() and "理由" in dialog.error.text()  # no reason: not accepted
    dialog.reason.setText("已核实，证明材料已补交")
    dialog.buttons_ok().click()
    idle(qtbot, ctx)
    assert (tmp_path / "aid.pdf").exists()
    with ctx.db.reading() as s:
        notes = [e.note for e in s.scalars(select(AuditEntry)) if "证明材料已补交" in (e.note or "")]
    assert len(notes) == len(questioned)


def test_the_notice_asks_about_them_too(qtbot, ctx, page, tmp_path, questioned):
    """The public notice names children to the whole village: the same question first; 取消 makes nothing."""
    finish(qtbot, page.make_notice(str(tmp_path / "n.pdf")))
    idle(qtbot, ctx)
    page.held_dialog.reject()
    assert not (tmp_path / "n.pdf").exists() and "已取消" in page.board_result.text()
    finish(qtbot, page.make_notice(str(tmp_path / "n.pdf")))
    idle(qtbot, ctx)
    page.held_dialog.buttons_ok().click()
    idle(qtbot, ctx)
    assert (tmp_path / "n.pdf").exists() and questioned[0].name in page.board_result.text()
