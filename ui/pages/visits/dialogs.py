"""The dialogs of the 三包与家访 page. Each stays open while its write runs and shows a refusal in its
own red line (what and how to fix it); it closes once the write has succeeded."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from aidoffice.casework.visits import WAYS
from ui.widgets import dialog_buttons, error_label, pydate, today_qdate


def _date_edit() -> QDateEdit:
    edit = QDateEdit(today_qdate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _searchable(items: list[tuple[int, str]], placeholder: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems([label for _id, label in items])  # one call: a district's 30,000 households fill at once
    combo.setProperty("ids", [item_id for item_id, _label in items])
    combo.setCurrentIndex(-1)
    combo.lineEdit().setPlaceholderText(placeholder)
    completer = combo.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    return combo


def _teacher_combo(names: list[str], current: str = "") -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(names)
    combo.setCurrentText(current)
    combo.lineEdit().setPlaceholderText("教师姓名（可直接输入）")
    return combo


def _picked(combo: QComboBox) -> int | None:
    """The id of the item whose text is in the box (typed or chosen)."""
    i = combo.findText(combo.currentText().strip(), Qt.MatchFlag.MatchExactly)
    return combo.property("ids")[i] if i >= 0 else None


class _Form(QDialog):
    submitted = Signal(dict)

    def __init__(self, title: str, ok: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        self.buttons = dialog_buttons(self, ok, "取消")
        layout.addWidget(self.buttons)

    def accept(self) -> None:  # the page runs the write; `done_ok` closes the dialog after it
        self.error.clear()
        values = self.values()
        if values is not None:
            self.submitted.emit(values)

    def refuse(self, message: str) -> None:
        self.error.setText(message)

    def done_ok(self, *_args: Any) -> None:
        super().accept()

    def values(self) -> dict[str, Any] | None:  # pragma: no cover - each form says
        raise NotImplementedError


class AssignDialog(_Form):
    """安排包保教师: a teacher for a served village (包村), a household (包户) or a student (包人: the
    poor groups' and dropped-out students)."""

    def __init__(self, teachers: list[str], villages: list[tuple[int, str]], households: list[tuple[int, str]],
                 students: list[tuple[int, str]] | None = None, parent: QWidget | None = None):  # fmt: skip
        super().__init__("安排包保教师", "安排", parent)
        self.teacher = _teacher_combo(teachers)
        self.by_village = QRadioButton("包村")
        self.by_household = QRadioButton("包户")
        self.by_student = QRadioButton("包人")
        self.by_village.setChecked(True)
        kinds = QHBoxLayout()
        kinds.addWidget(self.by_village)
        kinds.addWidget(self.by_household)
        kinds.addWidget(self.by_student)
        kinds.addStretch(1)
        self.village = _searchable(villages, "选择服务村")
        self.household = _searchable(households, "输入户主姓名或户编号查找")
        self.student = _searchable(students or [], "重点群体和辍学学生：输入姓名或班级查找")
        self.starts_on = _date_edit()
        self.form.addRow("包保教师", self.teacher)
        self.form.addRow("包保方式", kinds)
        self.form.addRow("村", self.village)
        self.form.addRow("户", self.household)
        self.form.addRow("学生", self.student)
        self.form.addRow("开始日期", self.starts_on)
        for button in (self.by_village, self.by_household, self.by_student):
            button.toggled.connect(self._kind_changed)
        self._kind_changed()
        self.resize(460, 0)

    def _kind_changed(self) -> None:
        self.village.setEnabled(self.by_village.isChecked())
        self.household.setEnabled(self.by_household.isChecked())
        self.student.setEnabled(self.by_student.isChecked())

    def values(self) -> dict[str, Any] | None:
        teacher = self.teacher.currentText().strip()
        if not teacher:
            self.refuse("请填写包保教师的姓名。")
            return None
        if self.by_village.isChecked():
            combo, what, key = self.village, "村", "village_id"
        elif self.by_household.isChecked():
            combo, what, key = self.household, "户", "household_id"
        else:
            combo, what, key = self.student, "学生", "student_id"
        target_id = _picked(combo)
        if target_id is None:
            self.refuse(f"请从列表中选择一个{what}（可输入名称查找）。")
            return None
        return {"teacher": teacher, "target": {key: target_id}, "starts_on": pydate(self.starts_on.date())}


class HandOverDialog(_Form):
    """整体移交: a teacher leaves; all their duties pass to another (or just end)."""

    def __init__(self, teachers: list[str], current: str = "", parent: QWidget | None = None):
        super().__init__("包保整体移交（教师调离）", "移交", parent)
        self.old = QComboBox()
        self.old.addItems(teachers)
        if current:
            self.old.setCurrentText(current)
        self.new = _teacher_combo(teachers)
        self.new.lineEdit().setPlaceholderText("接手教师（不填则只结束原包保）")
        self.on = _date_edit()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("如：调离、退休")
        self.form.addRow("原包保教师", self.old)
        self.form.addRow("接手教师", self.new)
        self.form.addRow("移交日期", self.on)
        self.form.addRow("原因", self.reason)

    def values(self) -> dict[str, Any] | None:
        old = self.old.currentText().strip()
        if not old:
            self.refuse("请选择原包保教师。")
            return None
        return {"old": old, "new": self.new.currentText().strip() or None, "on": pydate(self.on.date()),
                "reason": self.reason.text().strip()}  # fmt: skip


class RecordDialog(_Form):
    """记录联系: one contact with a household, or with a 包人 student whose household is not in the
    ledger (`student`: id and label, from the month view)."""

    def __init__(self, households: list[tuple[int, str]], teachers: list[str], teacher: str,
                 household_id: int | None = None, parent: QWidget | None = None, *,
                 student: tuple[int, str] | None = None):  # fmt: skip
        super().__init__("记录家访或联系", "保存", parent)
        self.student_id = student[0] if student else None
        self.household = _searchable(households, "输入户主姓名或户编号查找")
        ids = self.household.property("ids")
        if household_id is not None and household_id in ids:
            self.household.setCurrentIndex(ids.index(household_id))
        self.visited_on = _date_edit()
        self.visited_on.setMaximumDate(today_qdate())
        self.visited_on.setMinimumDate(QDate(2000, 1, 1))
        self.teacher = _teacher_combo(teachers, teacher)
        self.teacher.lineEdit().setPlaceholderText("不填：本户的包保教师")
        self.way = QComboBox()
        self.way.addItems(WAYS)
        self.said = QPlainTextEdit()
        self.said.setPlaceholderText("宣传了哪些政策，了解到的家庭和孩子情况")
        self.needs = QPlainTextEdit()
        self.needs.setPlaceholderText("家庭提出的需求（可不填）")
        self.follow_up = QPlainTextEdit()
        self.follow_up.setPlaceholderText("后续怎么跟进（可不填）")
        for box in (self.said, self.needs, self.follow_up):
            box.setTabChangesFocus(True)
            box.setFixedHeight(70)
        self.to_problem = QCheckBox("把需求转入问题清单（跟进、销号）")
        if student is not None:  # the child's family, not a household of the ledger
            self.household.setVisible(False)
            self.teacher.lineEdit().setPlaceholderText("不填：这名学生的包人教师")
            self.form.addRow("联系的学生", QLabel(f"{student[1]}（户籍台账中没有其户）"))
        else:
            self.form.addRow("联系的户", self.household)
        self.form.addRow("联系日期", self.visited_on)
        self.form.addRow("联系教师", self.teacher)
        self.form.addRow("联系方式", self.way)
        self.form.addRow("交流内容", self.said)
        self.form.addRow("反映的需求", self.needs)
        self.form.addRow("后续跟进", self.follow_up)
        self.form.addRow("", self.to_problem)
        self.resize(520, 0)

    def values(self) -> dict[str, Any] | None:
        household_id = None if self.student_id else _picked(self.household)
        if household_id is None and self.student_id is None:
            self.refuse("请从列表中选择联系的户（可输入户主姓名或户编号查找）。")
            return None
        if self.to_problem.isChecked() and not self.needs.toPlainText().strip():
            self.refuse("勾选了“转入问题清单”，请填写反映的需求。")
            return None
        return {
            "values": {
                "household_id": household_id,
                "student_id": self.student_id,
                "visited_on": pydate(self.visited_on.date()),
                "teacher": self.teacher.currentText().strip() or None,
                "way": self.way.currentText(),
                "said": self.said.toPlainText(),
                "needs": self.needs.toPlainText(),
                "follow_up": self.follow_up.toPlainText(),
            },
            "to_problem": self.to_problem.isChecked(),
        }
