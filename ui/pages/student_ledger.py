"""学籍台账 page: the student table with filters, pinyin search, sorting, and the record actions."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from aidoffice.db.engine import Database
from aidoffice.db.models import STATUS_NAMES, PriorityGroup, StudentStatus, Township, Village
from aidoffice.domain.grades import make_grade
from aidoffice.errors import AidofficeError
from aidoffice.exporting.ledger import export_school_ledger
from aidoffice.ledgers.students import StudentFilter, classes_by_grade, mark_dropout, reinstate, transfer_out
from ui.dialogs.student_form import StatusDialog, StudentForm
from ui.models.student_table import StudentTableModel
from ui.tasks import TaskRunner, show_error


class StudentLedgerPage(QWidget):
    available = True
    changed = Signal()

    def __init__(self, db: Database, runner: TaskRunner, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.db, self.runner = db, runner
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

        self.model = StudentTableModel(db, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.AscendingOrder)
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
        self.show_full.toggled.connect(lambda on: self.model.set_mask(not on))
        self.add_btn.clicked.connect(self.add_student)
        self.edit_btn.clicked.connect(self.edit_student)
        self.table.doubleClicked.connect(lambda _i: self.edit_student())
        self.transfer_btn.clicked.connect(lambda: self._status("transfer"))
        self.dropout_btn.clicked.connect(lambda: self._status("dropout"))
        self.reinstate_btn.clicked.connect(lambda: self._status("reinstate"))
        self.export_btn.clicked.connect(self.export)
        self._loaded = False

    # -- loading ----------------------------------------------------------------------------------
    def activate(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        self._fill_combos()
        self.apply_filter()

    def _fill_combos(self) -> None:
        with self.db.reading() as s:
            self._classes = classes_by_grade(s)
            groups = s.execute(
                select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.sort_order)
            ).all()
            villages = s.execute(
                select(Village.id, Township.name, Village.name)
                .join(Township)
                .order_by(Township.name, Village.name)
            ).all()
        for combo in (self.grade, self.class_name, self.status, self.group, self.village):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("全部"), None)
        for g in sorted(self._classes):
            self.grade.addItem(make_grade(g).name, g)
        for st in StudentStatus:
            self.status.addItem(STATUS_NAMES[st], st)
        self.group.addItem(self.tr("任一重点群体"), "*priority")
        for code, name in groups:
            self.group.addItem(name, code)
        for vid, town, name in villages:
            self.village.addItem(f"{town} {name}", vid)
        self._fill_classes()
        for combo in (self.grade, self.class_name, self.status, self.group, self.village):
            combo.blockSignals(False)

    def _fill_classes(self) -> None:
        self.class_name.blockSignals(True)
        self.class_name.clear()
        self.class_name.addItem(self.tr("全部"), None)
        grade = self.grade.currentData()
        names = self._classes.get(grade, []) if grade is not None else []
        for name in names:
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
        try:
            self.model.set_filter(self.current_filter())
        except Exception as exc:
            show_error(self, exc, self.tr("查询学生"))
            return
        self.count_label.setText(self.tr("共 {n} 人").format(n=self.model.rowCount()))

    # -- actions ----------------------------------------------------------------------------------
    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.student_id(rows[0].row()) if rows else None

    def add_student(self) -> None:
        form = StudentForm(self.db, parent=self)
        if form.exec():
            self._after_change()

    def edit_student(self) -> None:
        sid = self.selected_id()
        if sid is None:
            QMessageBox.information(self, self.tr("编辑学生"), self.tr("请先在表格中选中一名学生。"))
            return
        form = StudentForm(self.db, sid, parent=self)
        if form.exec():
            self._after_change()

    def _status(self, action: str) -> None:
        sid = self.selected_id()
        if sid is None:
            QMessageBox.information(self, self.tr("学生状态"), self.tr("请先在表格中选中一名学生。"))
            return
        titles = {"transfer": (self.tr("转出"), self.tr("转往学校")), "dropout": (self.tr("标记辍学"), self.tr("原因")),
                  "reinstate": (self.tr("恢复在读"), self.tr("说明"))}  # fmt: skip
        dialog = StatusDialog(*titles[action], parent=self)
        if not dialog.exec():
            return
        on, note = dialog.values()
        fn = {"transfer": transfer_out, "dropout": mark_dropout, "reinstate": reinstate}[action]
        try:
            with self.db.unit_of_work() as s:
                fn(s, sid, on, note)
        except AidofficeError as exc:
            show_error(self, exc)
            return
        self._after_change()

    def _after_change(self) -> None:
        self._fill_combos()
        self.apply_filter()
        self.changed.emit()

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出学籍台账"), self.tr("学籍台账.xlsx"), "Excel (*.xlsx)"
        )
        if path:
            self.export_to(path, mask=not self.show_full.isChecked())

    def export_to(self, path: str, mask: bool):  # type: ignore[no-untyped-def]
        def job(progress):  # type: ignore[no-untyped-def]
            with self.db.unit_of_work(note="导出学籍台账") as s:
                return export_school_ledger(s, path, mask=mask, progress=progress)

        return self.runner.run(
            self.tr("正在导出学籍台账…"), job, parent=self,
            on_success=lambda r: QMessageBox.information(self, self.tr("导出完成"),
                                                         self.tr("已导出 {n} 名学生到：\n{path}").format(n=r.rows, path=r.path)),
        )  # fmt: skip
