"""Small widget helpers shared by the dialogs."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

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


def pydate(q: QDate) -> date:
    """A date field's value as the core takes it."""
    return date(q.year(), q.month(), q.day())


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def today_qdate() -> QDate:
    """Today on the program's one clock (aidoffice.clock), for date fields."""
    return qdate(clock.today())


class FormDialog(QDialog):
    """A titled form with OK/Cancel: an explanation at the top, the fields (`form`), room for more
    (`extra`) and an error line at the bottom that `show_error` fills."""

    def __init__(self, title: str, intro: str, ok: str, parent: QWidget | None = None, width: int = 460):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(width)
        outer = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            label.setStyleSheet("color:#374151")
            outer.addWidget(label)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        self.extra = QVBoxLayout()
        outer.addLayout(self.extra)
        self.error = error_label()
        outer.addWidget(self.error)
        outer.addWidget(dialog_buttons(self, ok, self.tr("取消")))

    def show_error(self, exc: BaseException) -> None:
        self.error.setText(str(exc))
