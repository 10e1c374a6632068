"""设置: the school's details, and where the data and the log are kept."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget

from aidoffice.paths import data_dir, log_file
from ui.operations import AppContext, Changes
from ui.operations import school as ops
from ui.operations.school import SchoolInfo
from ui.tasks import Task, show_error


class SettingsPage(QWidget):
    available = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>学校信息</h3>")))
        form = QFormLayout()
        self.name, self.code, self.county = QLineEdit(), QLineEdit(), QLineEdit()
        form.addRow(self.tr("学校名称"), self.name)
        form.addRow(self.tr("学校标识码"), self.code)
        form.addRow(self.tr("所在县（区）"), self.county)
        self.term = QLabel()
        form.addRow(self.tr("当前学期"), self.term)
        layout.addLayout(form)
        self.save_btn = QPushButton(self.tr("保存学校信息"))
        self.save_btn.clicked.connect(self.save)
        layout.addWidget(self.save_btn)
        layout.addWidget(QLabel(self.tr("<h3>数据存放</h3>")))
        info = QFormLayout()
        info.addRow(self.tr("数据库"), QLabel(ctx.db.display_url))
        info.addRow(self.tr("数据文件夹"), QLabel(str(data_dir())))
        info.addRow(self.tr("日志文件"), QLabel(str(log_file())))
        layout.addLayout(info)
        layout.addStretch()
        self.last_task: Task | None = None
        ctx.data_changed.connect(self._data_changed)

    def activate(self) -> Task:
        self.last_task = ops.load_school(self.ctx, self, self._show)
        return self.last_task

    def _data_changed(self, changes: Changes, initiator: object) -> None:
        if changes.settings and initiator is not self and self.isVisible():
            self.activate()

    def _show(self, info: SchoolInfo | None) -> None:
        if info is None:
            return
        self.name.setText(info.name)
        self.code.setText(info.code)
        self.county.setText(info.county)
        self.term.setText(info.term)

    def save(self) -> Task:
        self.last_task = ops.save_school(
            self.ctx,
            self,
            self.name.text(),
            self.code.text(),
            self.county.text(),
            lambda _id: QMessageBox.information(self, self.tr("已保存"), self.tr("学校信息已保存。")),
            lambda exc: show_error(self, exc, self.tr("保存学校信息")),
        )
        return self.last_task
