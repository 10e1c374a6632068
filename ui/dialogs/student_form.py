"""The student form: every field of the 学籍 record, checked by the core; problems are shown in
Chinese beside the form, all at once, and the offending fields are marked."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aidoffice.db.models import SOURCE_NAMES
from aidoffice.domain.grades import make_grade
from aidoffice.errors import ValidationError
from aidoffice.ledgers.student_rules import StudentInput
from aidoffice.privacy import Level, show_column
from ui.operations import AppContext
from ui.operations import students as ops
from ui.tasks import Task, show_error
from ui.widgets import dialog_buttons, error_label, today_qdate

ROSTER_FLAGS = [
    ("left_behind", "留守儿童"),
    ("migrant", "随迁子女"),
    ("orphan", "孤儿"),
    ("disabled", "残疾"),
]
GRADES = [make_grade(n).name for n in range(-2, 13)]
_INVALID = "border: 1px solid #dc2626; background: #fef2f2;"


class StudentForm(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        student_id: int | None = None,
        loaded: ops.FormData | None = None,
        parent: QWidget | None = None,
    ):
        """`loaded`: the student as a background read found it (ops.load_form); None for a new one."""
        super().__init__(parent)
        self.ctx, self.student_id = ctx, student_id
        self.saved_id: int | None = None
        self.last_task: Task | None = None
        self.version = loaded.version if loaded is not None else None
        self._bad_birth = ""
        self.setWindowTitle(self.tr("新增学生") if student_id is None else self.tr("编辑学生信息"))
        outer = QVBoxLayout(self)
        grid = QGridLayout()
        outer.addLayout(grid)

        def line(placeholder: str = "") -> QLineEdit:
            w = QLineEdit()
            w.setPlaceholderText(placeholder)
            return w

        self.fields: dict[str, QWidget] = {}
        f = self.fields
        f["name"] = line()
        f["id_number"] = line(self.tr("18位，末位可为 X"))
        f["student_no"] = line(self.tr("G 加身份证号；无身份证时填 J/L 开头的学籍号"))
        f["sex"] = QComboBox()
        f["sex"].addItems(["", "男", "女"])  # type: ignore[attr-defined]
        f["birth_date"] = line(self.tr("留空则按身份证号填写，如 2013-05-03"))
        f["ethnicity"] = line(self.tr("如：汉族"))
        f["grade"] = QComboBox()
        f["grade"].setEditable(True)  # type: ignore[attr-defined]
        f["grade"].addItems(["", *GRADES])  # type: ignore[attr-defined]
        f["class_name"] = line(self.tr("如：1班"))
        f["boarding"] = QCheckBox(self.tr("住校"))
        f["enrolled_on"] = line(self.tr("如：2024-09"))
        f["hukou_address"] = line()
        f["hukou_township"] = line()
        f["hukou_village"] = line()
        f["current_address"] = line()
        f["guardian_name"] = line()
        f["guardian_relation"] = line(self.tr("如：父亲、母亲、祖母"))
        f["guardian_phone"] = line(self.tr("11位手机号"))
        f["bank_name"] = line()
        f["bank_account"] = line(self.tr("12—19位数字"))
        f["notes"] = line()
        labels = {
            "name": "姓名", "id_number": "身份证件号", "student_no": "全国学籍号", "sex": "性别", "birth_date": "出生日期",
            "ethnicity": "民族", "grade": "年级", "class_name": "班级", "boarding": "住宿情况", "enrolled_on": "入学年月",
            "hukou_address": "户口所在地", "hukou_township": "户籍乡镇", "hukou_village": "户籍村",
            "current_address": "现住址", "guardian_name": "监护人", "guardian_relation": "与学生关系",
            "guardian_phone": "监护人联系电话", "bank_name": "开户银行", "bank_account": "银行卡号", "notes": "备注",
        }  # fmt: skip
        self.labels = {k: self.tr(v) for k, v in labels.items()}
        # ID, 学籍号, bank card and phone: masked (privacy.py) until “显示” is pressed, for a role that may
        self.show_buttons: dict[str, QPushButton] = {}
        self._full: dict[str, str] = {}  # the numbers as loaded, saved back unchanged unless edited
        self._masked: dict[str, str] = {}
        for i, key in enumerate(labels):
            row, col = divmod(i, 2)
            grid.addWidget(QLabel(self.labels[key]), row, col * 2)
            if key in ops.SENSITIVE:
                cell = QWidget()
                h = QHBoxLayout(cell)
                h.setContentsMargins(0, 0, 0, 0)
                h.addWidget(f[key], 1)
                button = QPushButton(self.tr("显示"))
                button.setObjectName(f"show_{key}")
                button.setCheckable(True)
                button.hide()  # only for a number that is there and masked
                button.toggled.connect(lambda on, k=key: self._reveal(k, on))
                h.addWidget(button)
                self.show_buttons[key] = button
                grid.addWidget(cell, row, col * 2 + 1)
            else:
                grid.addWidget(f[key], row, col * 2 + 1)

        box = QGroupBox(self.tr("学籍登记的重点群体"))
        flags = QHBoxLayout(box)
        self.flags = {code: QCheckBox(self.tr(name)) for code, name in ROSTER_FLAGS}
        for cb in self.flags.values():
            flags.addWidget(cb)
        outer.addWidget(box)
        self.other_groups = QLabel()
        self.other_groups.setWordWrap(True)
        outer.addWidget(self.other_groups)

        self.errors = error_label()
        self.errors.setObjectName("formErrors")
        outer.addWidget(self.errors)
        self.buttons = dialog_buttons(self, self.tr("保存"), self.tr("取消"))
        outer.addWidget(self.buttons)
        self.read_only = bool(loaded and loaded.read_only)
        if loaded is not None:
            self._load(loaded)
            if loaded.read_only:
                self._read_only()
            self._mask(loaded)
        self.resize(760, 520)

    def _mask(self, loaded: ops.FormData) -> None:
        for key, masked in loaded.masked.items():
            w = self.fields[key]
            assert isinstance(w, QLineEdit)
            self._full[key], self._masked[key] = w.text(), masked
            w.setText(masked)
            w.setReadOnly(True)
            button = self.show_buttons[key]
            button.show()
            button.setEnabled(loaded.may_show_full)
            button.setToolTip(
                self.tr("显示完整号码（可修改）")
                if loaded.may_show_full
                else self.tr("您的角色不能查看完整号码")
            )

    def _reveal(self, key: str, on: bool) -> None:
        """“显示”: the whole number, editable if the form is; pressed again, masked again."""
        w = self.fields[key]
        assert isinstance(w, QLineEdit)
        if on:
            w.setText(self._full[key])
            w.setReadOnly(self.read_only)
            self.show_buttons[key].setText(self.tr("隐藏"))
        else:
            if w.text() != self._full[key] and not self.read_only:
                self._full[key] = w.text()  # what was typed while shown is kept
            self._masked[key] = str(show_column(key, self._full[key], Level.MASKED) or "")
            w.setText(self._masked[key])
            w.setReadOnly(True)
            self.show_buttons[key].setText(self.tr("显示"))

    def _read_only(self) -> None:
        """A role that may look but not change (the service would refuse a save anyway)."""
        self.setWindowTitle(self.tr("学生信息（只读）"))
        # read-only fields look like text on the page, not like boxes waiting to be typed in
        self.setStyleSheet(
            'QLineEdit[readOnly="true"]{background:#f3f4f6;color:#374151;border:1px solid #e5e7eb}'
        )
        for w in [*self.fields.values(), *self.flags.values()]:
            if isinstance(w, QLineEdit):
                w.setReadOnly(True)
            else:
                w.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("关闭"))

    def _load(self, loaded: ops.FormData) -> None:
        data, grade_name, flags, others = (
            loaded.data,
            loaded.grade_name,
            loaded.roster_flags,
            loaded.other_groups,
        )
        for key, w in self.fields.items():
            value = getattr(data, key)
            if key == "grade":
                w.setCurrentText(grade_name)  # type: ignore[attr-defined]
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                w.setCurrentText(value or "")
            elif isinstance(value, date):
                w.setText(value.isoformat())  # type: ignore[attr-defined]
            else:
                w.setText(value or "")  # type: ignore[attr-defined]
        for code, cb in self.flags.items():
            cb.setChecked(code in flags)
        if others:
            lines = [self.tr("其他来源的群体（在对应名单中维护）：")]
            lines += [f"· {name}：{SOURCE_NAMES[kind]}“{label}”，{known:%Y-%m-%d}{'' if active else self.tr('（已不符合）')}"
                      for _c, name, kind, label, known, active in others]  # fmt: skip
            self.other_groups.setText("\n".join(lines))

    def collect(self) -> StudentInput:
        f = self.fields
        values = {}
        for key, w in f.items():
            if isinstance(w, QCheckBox):
                values[key] = w.isChecked()
            elif isinstance(w, QComboBox):
                values[key] = w.currentText()
            else:
                values[key] = w.text()  # type: ignore[attr-defined]
            if (
                key in self._full
                and not self.show_buttons[key].isChecked()
                and values[key] == self._masked[key]
            ):
                values[key] = self._full[key]  # never the masked text written back
        birth = values.pop("birth_date").strip()
        try:
            values["birth_date"] = date.fromisoformat(birth) if birth else None
        except ValueError:
            values["birth_date"] = None
            self._bad_birth = birth
        else:
            self._bad_birth = ""
        return StudentInput(**values, roster_groups={c for c, cb in self.flags.items() if cb.isChecked()})

    def accept(self) -> None:
        for w in self.fields.values():
            w.setStyleSheet("")
        data = self.collect()
        if self._bad_birth:
            self._show(
                [
                    (
                        self.labels["birth_date"],
                        self.tr("“{v}”不是日期，请写作 2013-05-03").format(v=self._bad_birth),
                    )
                ]
            )
            return
        self.last_task = ops.save_student(
            self.ctx, self, self.student_id, data, self._saved, self._failed, version=self.version
        )

    def _saved(self, student_id: int) -> None:
        self.saved_id = student_id
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self._show([(p.field, p.message) for p in exc.problems])
        else:
            show_error(self, exc, self.tr("保存学生信息"))

    def _show(self, problems: list[tuple[str, str]]) -> None:
        by_label = {v: k for k, v in self.labels.items()}
        for field, _ in problems:
            key = by_label.get(field)
            if key:
                self.fields[key].setStyleSheet(_INVALID)
        self.errors.setText(
            self.tr("请修改以下内容后再保存：") + "\n" + "\n".join(f"· {f}：{m}" for f, m in problems)
        )


class StatusDialog(QDialog):
    """Transfer out / mark dropout / reinstate: a date and a note."""

    def __init__(self, title: str, note_label: str, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.when = QDateEdit(today_qdate())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd")
        self.note = QLineEdit()
        form.addRow(self.tr("日期"), self.when)
        form.addRow(note_label, self.note)
        form.addRow(dialog_buttons(self, self.tr("确定"), self.tr("取消")))

    def values(self) -> tuple[date, str]:
        return self.when.date().toPython(), self.note.text()  # type: ignore[return-value]
