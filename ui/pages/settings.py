"""设置: the school's details, and where the data and the log are kept."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget

from aidoffice.db.engine import Database
from aidoffice.errors import ValidationError
from aidoffice.ledgers.school import current_term, get_school, setup_school
from aidoffice.paths import data_dir, log_file


class SettingsPage(QWidget):
    available = True

    def __init__(self, db: Database, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.db = db
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
        save = QPushButton(self.tr("保存学校信息"))
        save.clicked.connect(self.save)
        layout.addWidget(save)
        layout.addWidget(QLabel(self.tr("<h3>数据存放</h3>")))
        info = QFormLayout()
        info.addRow(self.tr("数据库"), QLabel(db.display_url))
        info.addRow(self.tr("数据文件夹"), QLabel(str(data_dir())))
        info.addRow(self.tr("日志文件"), QLabel(str(log_file())))
        layout.addLayout(info)
        layout.addStretch()

    def activate(self) -> None:
        with self.db.reading() as s:
            school = get_school(s)
            term = current_term(s) if school else None
        if school:
            self.name.setText(school.name)
            self.code.setText(school.code or "")
            self.county.setText(school.county or "")
        self.term.setText(term.code if term else "")

    def save(self) -> None:
        try:
            with self.db.unit_of_work(note="修改学校信息") as s:
                setup_school(s, self.name.text(), self.code.text(), self.county.text())
        except ValidationError as exc:
            QMessageBox.warning(self, self.tr("无法保存"), str(exc))
            return
        QMessageBox.information(self, self.tr("已保存"), self.tr("学校信息已保存。"))
