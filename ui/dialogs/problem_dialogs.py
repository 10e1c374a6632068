"""The small dialogs of the problem list: close with a resolution, a note, and the fixes (correct an
ID, record studies elsewhere, record an assessment, add a group). Each only collects what the clerk
types; the page runs the change as a background operation."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from aidoffice import clock
from aidoffice.ledgers.assessments import LEVEL_NAMES
from aidoffice.privacy import Field, Level, show
from ui.widgets import FormDialog, pydate, today_qdate


def _date_edit(value: date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    d = value or clock.today()
    edit.setDate(QDate(d.year, d.month, d.day))
    edit.setMaximumDate(today_qdate())
    return edit


class CloseDialog(FormDialog):
    """销号: the resolution is required (a choice or the clerk's own words), a note is optional."""

    def __init__(self, resolutions: tuple[str, ...], summary: str, parent: QWidget | None = None):
        super().__init__(self.tr("销号"), summary, self.tr("销号"), parent)
        self.resolution = QComboBox()
        self.resolution.setEditable(True)
        self.resolution.addItems(["", *resolutions])
        self.resolution.lineEdit().setPlaceholderText(self.tr("选择或填写处理结果"))
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("如：已补发 375 元，发放凭证已存档"))
        self.note.setFixedHeight(80)
        self.form.addRow(self.tr("处理结果"), self.resolution)
        self.form.addRow(self.tr("说明"), self.note)

    def accept(self) -> None:
        if not self.resolution.currentText().strip():
            self.error.setText(self.tr("请选择或填写处理结果。"))
            return
        super().accept()

    def values(self) -> tuple[str, str]:
        return self.resolution.currentText().strip(), self.note.toPlainText().strip()


class TextDialog(FormDialog):
    """One line of text: a note, the reason for reopening, what taking the problem involves."""

    def __init__(self, title: str, label: str, required: bool = True, parent: QWidget | None = None):
        super().__init__(title, "", self.tr("确定"), parent)
        self.required = required
        self.text = QPlainTextEdit()
        self.text.setFixedHeight(80)
        self.form.addRow(label, self.text)

    def accept(self) -> None:
        if self.required and not self.text.toPlainText().strip():
            self.error.setText(self.tr("请填写内容。"))
            return
        super().accept()

    def value(self) -> str:
        return self.text.toPlainText().strip()


class CorrectIdDialog(FormDialog):
    """The number starts empty: either side of a suspected slip may be the wrong one, so the clerk
    checks the 户口簿 and types it, or takes one side's number with its button. The sides show as the
    page does (masked unless 显示完整证件号 is ticked)."""

    def __init__(
        self, name: str, sides: list[tuple[str, str, str]], level: Level, parent: QWidget | None = None
    ):
        super().__init__(
            self.tr("更正证件号"),
            self.tr("以户口簿或身份证为准，更正学籍台账中“{name}”的身份证件号。两边的号码都可能是抄错的一方，"
                    "请先核对原件。出生日期和性别按新号码重新填写；更正会记入操作留痕。").format(name=name),
            self.tr("更正"),
            parent,
        )  # fmt: skip
        self.number = QLineEdit()
        self.number.setPlaceholderText(self.tr("18位，末位可为 X"))
        self.use_buttons: list[QPushButton] = []
        for source, number, check in sides:
            shown = QLabel(f"{show(Field.ID_NUMBER, number, level)}（{check}）")
            use = QPushButton(self.tr("用这个号码"))
            use.clicked.connect(lambda _c=False, n=number: self.number.setText(n))
            row = QHBoxLayout()
            row.addWidget(shown, 1)
            row.addWidget(use)
            self.use_buttons.append(use)
            self.form.addRow(source, row)
        self.form.addRow(self.tr("正确的证件号"), self.number)

    def value(self) -> str:
        return self.number.text().strip()


class ElsewhereDialog(FormDialog):
    def __init__(self, name: str, school_hint: str, parent: QWidget | None = None):
        super().__init__(
            self.tr("登记在外就读"),
            self.tr(
                "核实“{name}”在哪所学校就读（电话、家访或学籍系统查询），登记后户籍台账中显示其去向。"
            ).format(name=name),
            self.tr("登记"),
            parent,
        )
        self.school = QLineEdit(school_hint)
        self.place = QComboBox()
        self.place.setEditable(True)
        self.place.addItems(["县内", "省内县外", "省外"])
        self.verified_on = _date_edit()
        self.verified_by = QLineEdit()
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("如：电话联系家长，学籍系统已核对"))
        self.form.addRow(self.tr("就读学校"), self.school)
        self.form.addRow(self.tr("所在地"), self.place)
        self.form.addRow(self.tr("核实日期"), self.verified_on)
        self.form.addRow(self.tr("核实人"), self.verified_by)
        self.form.addRow(self.tr("备注"), self.note)

    def values(self) -> dict[str, Any]:
        return {
            "school_name": self.school.text().strip(),
            "place": self.place.currentText().strip(),
            "verified_on": pydate(self.verified_on.date()),
            "verified_by": self.verified_by.text().strip(),
            "note": self.note.text().strip(),
        }


class AssessmentDialog(FormDialog):
    def __init__(self, name: str, school_year: str, parent: QWidget | None = None):
        super().__init__(
            self.tr("补录家庭经济困难认定"),
            self.tr("录入学校对“{name}”{year}学年的认定结果（认定级别、时间和认定人）。").format(
                name=name, year=school_year
            ),
            self.tr("录入"),
            parent,
        )
        self.level = QComboBox()
        for code, level in LEVEL_NAMES.items():
            self.level.addItem(level, code)
        self.decided_on = _date_edit()
        self.decided_by = QLineEdit(self.tr("学校资助工作领导小组"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("认定原因"))
        self.form.addRow(self.tr("认定级别"), self.level)
        self.form.addRow(self.tr("认定时间"), self.decided_on)
        self.form.addRow(self.tr("认定人"), self.decided_by)
        self.form.addRow(self.tr("认定原因"), self.note)

    def values(self) -> tuple[str, date, str, str]:
        return (
            self.level.currentData(),
            pydate(self.decided_on.date()),
            self.decided_by.text().strip(),
            self.note.text().strip(),
        )


class GroupDialog(FormDialog):
    def __init__(self, name: str, groups: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(
            self.tr("补登重点群体"),
            self.tr("在学籍台账中为“{name}”补登重点群体（以证明材料为准）。").format(name=name),
            self.tr("补登"),
            parent,
        )
        self.group = QComboBox()
        for code, group in groups:
            self.group.addItem(group, code)
        self.form.addRow(self.tr("重点群体"), self.group)

    def value(self) -> str:
        return self.group.currentData()
