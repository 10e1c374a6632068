"""学籍台账 page: the student table with filters, pinyin search, sorting, and the record actions. Every
database call is a background operation (ui/operations/students.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidoffice.db.models import STATUS_NAMES, StudentStatus
from aidoffice.domain.grades import make_grade
from aidoffice.ledgers.student_queries import FilterChoices, StudentFilter
from ui.dialogs.student_form import StatusDialog, StudentForm
from ui.models.student_table import StudentTableModel
from ui.operations import AppContext, Changes
from ui.operations import students as ops
from ui.permissions import Rights
from ui.tasks import Latest, Task


class StudentLedgerPage(QWidget):
    available = True
    RIGHTS = Rights(
        page="students.view",
        controls={
            "students.edit": ("add_btn", "edit_btn", "transfer_btn", "dropout_btn", "reinstate_btn"),
            "export.ledger": ("export_btn",),
            "students.view_full_ids": ("show_full",),
        },
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._classes: dict[int, list[str]] = {}
        self._stale = True
        self._choices_latest = Latest()  # an earlier load of the choices goes nowhere
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("搜索：姓名、拼音首字母（如 zs）或证件号后几位"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.grade = QComboBox()
        self.class_name = QComboBox()
        self.status = QComboBox()
        self.group = QComboBox()
        self.village = QComboBox()
        self.village.setMinimumContentsLength(10)
        for label, w in ((None, self.search), (self.tr("年级"), self.grade), (self.tr("班级"), self.class_name),
                         (self.tr("状态"), self.status), (self.tr("群体"), self.group), (self.tr("户籍"), self.village)):  # fmt: skip
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addStretch()
        layout.addLayout(bar)

        actions = QHBoxLayout()
        self.add_btn = QPushButton(self.tr("新增学生"))
        self.edit_btn = QPushButton(self.tr("编辑"))
        self.transfer_btn = QPushButton(self.tr("转出"))
        self.dropout_btn = QPushButton(self.tr("标记辍学"))
        self.reinstate_btn = QPushButton(self.tr("恢复在读"))
        self.export_btn = QPushButton(self.tr("导出学籍台账…"))
        self.show_full = QCheckBox(self.tr("显示完整证件号"))
        for b in (self.add_btn, self.edit_btn, self.transfer_btn, self.dropout_btn, self.reinstate_btn):
            actions.addWidget(b)
        actions.addStretch()
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        actions.addWidget(self.count_label)
        actions.addWidget(self.show_full)
        actions.addWidget(self.export_btn)
        layout.addLayout(actions)

        self.model = StudentTableModel(ctx, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for col, width in enumerate([70, 40, 150, 160, 60, 50, 44, 44, 130, 140, 64, 100]):
            self.table.setColumnWidth(col, width)
        layout.addWidget(self.table)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.apply_filter)
        self.grade.currentIndexChanged.connect(self._grade_changed)
        for combo in (self.class_name, self.status, self.group, self.village):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.show_full.toggled.connect(self.model.set_full_ids)
        self.model.counted.connect(lambda n: self.count_label.setText(self.tr("共 {n} 人").format(n=n)))
        self.add_btn.clicked.connect(self.add_student)
        self.edit_btn.clicked.connect(self.edit_student)
        self.table.doubleClicked.connect(lambda _i: self.edit_student())
        self.transfer_btn.clicked.connect(lambda: self._status("transfer"))
        self.dropout_btn.clicked.connect(lambda: self._status("dropout"))
        self.reinstate_btn.clicked.connect(lambda: self._status("reinstate"))
        self.export_btn.clicked.connect(self.export)
        ctx.data_changed.connect(self._data_changed)

    # -- loading ----------------------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale:
            self.reload()

    def reload(self) -> Task:
        self._stale = False
        self.apply_filter()
        return ops.load_choices(self.ctx, self, self._choices_latest(self._fill_combos))

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("students", "groups", "households", "awards", "lists"):
            self._stale = True
            if self.isVisible():
                self.reload()

    def _fill_combos(self, choices: FilterChoices) -> None:
        self._classes = choices.classes
        chosen = {
            c: c.currentData() for c in (self.grade, self.class_name, self.status, self.group, self.village)
        }
        for combo in (self.grade, self.class_name, self.status, self.group, self.village):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("全部"), None)
        for g in sorted(self._classes):
            self.grade.addItem(make_grade(g).name, g)
        for st in StudentStatus:
            self.status.addItem(STATUS_NAMES[st], st)
        self.group.addItem(self.tr("任一重点群体"), "*priority")
        for code, name in choices.groups:
            self.group.addItem(name, code)
        for vid, town, name in choices.villages:
            self.village.addItem(f"{town} {name}", vid)
        for combo, value in chosen.items():
            if combo is not self.class_name and value is not None:
                combo.setCurrentIndex(max(0, combo.findData(value)))
        self._fill_classes()
        if chosen[self.class_name] is not None:
            self.class_name.setCurrentIndex(max(0, self.class_name.findData(chosen[self.class_name])))
        for combo in (self.grade, self.class_name, self.status, self.group, self.village):
            combo.blockSignals(False)
        if self.model.filter != self.current_filter():
            self.apply_filter()  # a chosen class or village is gone: the table follows what the combos say

    def _fill_classes(self) -> None:
        self.class_name.blockSignals(True)
        self.class_name.clear()
        self.class_name.addItem(self.tr("全部"), None)
        grade = self.grade.currentData()
        for name in self._classes.get(grade, []) if grade is not None else []:
            self.class_name.addItem(name, name)
        self.class_name.setEnabled(grade is not None)
        self.class_name.blockSignals(False)

    def _grade_changed(self) -> None:
        self._fill_classes()
        self.apply_filter()

    def current_filter(self) -> StudentFilter:
        return StudentFilter(
            grade=self.grade.currentData(),
            class_name=self.class_name.currentData(),
            status=self.status.currentData(),
            group=self.group.currentData(),
            village_id=self.village.currentData(),
            search=self.search.text(),
        )

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    # -- actions ----------------------------------------------------------------------------------
    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.student_id(rows[0].row()) if rows else None

    def add_student(self) -> None:
        StudentForm(self.ctx, parent=self).open()

    def edit_student(self) -> None:
        sid = self.selected_id()
        if sid is None:
            QMessageBox.information(self, self.tr("编辑学生"), self.tr("请先在表格中选中一名学生。"))
            return
        ops.load_form(self.ctx, self, sid, lambda data: StudentForm(self.ctx, sid, data, parent=self).open())

    def _status(self, action: str) -> Task | None:
        sid = self.selected_id()
        if sid is None:
            QMessageBox.information(self, self.tr("学生状态"), self.tr("请先在表格中选中一名学生。"))
            return None
        titles = {"transfer": (self.tr("转出"), self.tr("转往学校")), "dropout": (self.tr("标记辍学"), self.tr("原因")),
                  "reinstate": (self.tr("恢复在读"), self.tr("说明"))}  # fmt: skip
        dialog = StatusDialog(*titles[action], parent=self)
        if action == "dropout":  # the reason opens the child's 控辍保学 case (一人一案)
            dialog.note.setPlaceholderText(
                self.tr("以原因开头：厌学/学习困难、家庭经济、外出务工、疾病或残疾、早婚早育、其他")
            )
            dialog.note.setToolTip(self.tr("同时在“控辍保学”页建立案件；如“外出务工，随父母去浙江”"))
        if not dialog.exec():
            return None
        on, note = dialog.values()
        return ops.change_status(self.ctx, self, action, sid, on, note, lambda _id: None)

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出学籍台账"), self.tr("学籍台账.xlsx"), "Excel (*.xlsx)"
        )
        if not path:
            return
        purpose = None
        if self.show_full.isChecked():  # full numbers leave the office: say why, for the trail
            purpose, ok = QInputDialog.getText(
                self, self.tr("导出完整证件号"),
                self.tr("表格中将有完整的证件号、学籍号和电话。请写明用途（记入操作记录）："),
                text=self.tr("报县资助中心核对"),
            )  # fmt: skip
            if not ok:
                return
        self.export_to(path, mask=not self.show_full.isChecked(), purpose=purpose)

    def export_to(self, path: str, mask: bool, purpose: str | None = None) -> Task:
        return ops.export_ledger(
            self.ctx, self, path, mask, purpose,
            lambda r: QMessageBox.information(self, self.tr("导出完成"),
                                              self.tr("已导出 {n} 名学生到：\n{path}").format(n=r.rows, path=r.path)),
        )  # fmt: skip
