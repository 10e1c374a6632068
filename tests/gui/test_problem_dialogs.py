"""The problem list's fix dialogs as the clerk meets them."""

from __future__ import annotations

from aidoffice.privacy import Level, find_sensitive
from ui.dialogs.problem_dialogs import CorrectIdDialog

LEDGER, LIST = "130624201311240217", "130624201311240815"


def test_correcting_an_id_starts_empty_shows_both_sides_masked_and_fills_only_when_asked(qtbot):
    """Either side of a suspected slip may be the wrong one: nothing is offered as “correct” until the
    clerk picks a side, and full numbers stay hidden while the page masks them."""
    sides = [("学籍台账", LEDGER, "校验位正确"), ("外部名单「县乡村振兴局」", LIST, "校验位正确")]
    dialog = CorrectIdDialog("王杰天", sides, Level.MASKED)
    qtbot.addWidget(dialog)
    assert dialog.value() == ""
    shown = " ".join(label.text() for label in dialog.findChildren(type(dialog.error)))
    assert "130624********0217（校验位正确）" in shown and "130624********0815" in shown
    assert [k for k, _ in find_sensitive(shown) if k == "id_number"] == []
    dialog.use_buttons[0].click()
    assert dialog.value() == LEDGER
