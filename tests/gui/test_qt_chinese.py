"""Qt's own buttons speak Chinese like the rest of the window."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from ui.app import install_qt_chinese


def test_message_box_buttons_say_que_ding_not_ok(qtbot):
    """An English “OK” in the “already open” box puzzles a clerk who reads no English."""
    app = QApplication.instance()
    assert install_qt_chinese(app)
    try:
        box = QMessageBox(QMessageBox.Icon.Warning, "数据库正在使用", "……", QMessageBox.StandardButton.Ok)
        qtbot.addWidget(box)
        ok = box.button(QMessageBox.StandardButton.Ok)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        qtbot.addWidget(buttons)
        assert "确定" in ok.text() and "取消" in buttons.button(QDialogButtonBox.StandardButton.Cancel).text()
    finally:
        app.removeTranslator(app._qt_chinese)
