"""First start: the school's name, code and county."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from aidoffice.errors import ValidationError
from ui.operations import AppContext
from ui.operations import school as ops
from ui.tasks import Task, show_error
from ui.widgets import dialog_buttons, error_label


class FirstRunDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_task: Task | None = None
        self.setWindowTitle(self.tr("欢迎使用学校资助办助手"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "第一次使用，请填写本校信息。这些信息会出现在台账、告知书和花名册上，以后可在“设置”中修改。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("如：阜平县城南庄镇中心学校"))
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("学籍系统中的10位学校标识码，可暂不填"))
        self.county = QLineEdit()
        self.county.setPlaceholderText(self.tr("如：阜平县"))
        form.addRow(self.tr("学校名称"), self.name)
        form.addRow(self.tr("学校标识码"), self.code)
        form.addRow(self.tr("所在县（区）"), self.county)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self.tr("开始使用"), self.tr("退出")))
        self.resize(480, 260)

    def accept(self) -> None:
        self.last_task = ops.save_school(
            self.ctx, self, self.name.text(), self.code.text(), self.county.text(), self._saved, self._failed
        )

    def _saved(self, _school_id: object) -> None:
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.error.setText("\n".join(f"{p.field}：{p.message}" for p in exc.problems))
        else:
            show_error(self, exc, self.tr("保存学校信息"))
