"""Small widget helpers shared by the dialogs."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

from aidoffice import clock


def dialog_buttons(dialog: QDialog, ok_text: str, cancel_text: str) -> QDialogButtonBox:
    """OK/Cancel with Chinese labels, wired to the dialog's accept() and reject()."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b91c1c")
    label.setWordWrap(True)
    return label


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def today_qdate() -> QDate:
    """Today on the program's one clock (aidoffice.clock), for date fields."""
    return qdate(clock.today())
