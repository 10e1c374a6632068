"""操作记录 (administrators): who changed what, when, from what to what. Filters by person, student, kind
of change and date; export as a workbook; numbers masked unless the role may see them whole. Nothing on
this page edits or deletes an entry — the program has no such function — and 检查数据库 runs `check`
(SQLite's integrity, the ledger's rules and the audit trail's hash chain) in the background."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidoffice.privacy import Level
from aidoffice.safety.auditlog import AUDIT_ACTION_NAMES, ENTITY_NAMES, AuditExport, AuditFilter
from aidoffice.safety.check import Problem
from ui.models.audit_table import AuditTableModel
from ui.operations import AppContext, Changes
from ui.operations import security as ops
from ui.operations.security import AuditChoices, StudentChoice
from ui.permissions import Rights
from ui.tasks import Latest, Task

NO_DATE = QDate(2000, 1, 1)  # shown as 不限


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("不限")
    edit.setDate(NO_DATE)
    return edit


def _py(edit: QDateEdit) -> date | None:
    q = edit.date()
    return None if q == NO_DATE else date(q.year(), q.month(), q.day())


class AuditPage(QWidget):
    available = True
    RIGHTS = Rights(page="audit.view")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True
        self.last_task: Task | None = None
        self.problems: list[Problem] | None = None
        self._actors_latest, self._students_latest = Latest(), Latest()  # earlier answers go nowhere
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.actor = QComboBox()
        self.actor.setMinimumContentsLength(8)
        self.student_search = QLineEdit()
        self.student_search.setObjectName("studentSearch")
        self.student_search.setPlaceholderText(self.tr("学生姓名、拼音首字母或证件号，回车查找"))
        self.student_search.setClearButtonEnabled(True)
        self.student = QComboBox()
        self.student.setMinimumContentsLength(14)
        self.student.addItem(self.tr("全部学生"), None)
        self.entity = QComboBox()
        self.entity.addItem(self.tr("全部"), None)
        for code, name in ENTITY_NAMES.items():
            self.entity.addItem(name, code)
        self.action = QComboBox()
        self.action.addItem(self.tr("全部"), None)
        for code, name in AUDIT_ACTION_NAMES.items():
            self.action.addItem(name, code)
        self.date_from, self.date_to = _date_edit(), _date_edit()
        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr("说明中包含"))
        self.text.setClearButtonEnabled(True)
        for label, w in ((self.tr("操作人"), self.actor), (self.tr("学生"), self.student_search), (None, self.student),
                         (self.tr("对象"), self.entity), (self.tr("操作"), self.action), (self.tr("从"), self.date_from),
                         (self.tr("到"), self.date_to), (None, self.text)):  # fmt: skip
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(w)
        layout.addLayout(bar)

        actions = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")
        actions.addWidget(self.count_label)
        actions.addStretch()
        note = QLabel(self.tr("操作记录只能查看和导出，任何人都不能在程序中修改或删除。"))
        note.setStyleSheet("color:#6b7280")
        actions.addWidget(note)
        self.show_full = QCheckBox(self.tr("显示完整证件号"))
        self.export_btn = QPushButton(self.tr("导出…"))
        self.check_btn = QPushButton(self.tr("检查数据库"))
        for w in (self.show_full, self.export_btn, self.check_btn):
            actions.addWidget(w)
        layout.addLayout(actions)

        self.model = AuditTableModel(ctx, self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate([60, 140, 80, 70, 100, 70, 420]):
            self.table.setColumnWidth(col, width)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("auditDetail")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(self.tr("选中一行，这里显示完整内容"))
        split.addWidget(self.detail)
        self.check_result = QPlainTextEdit()
        self.check_result.setObjectName("checkResult")
        self.check_result.setReadOnly(True)
        self.check_result.hide()
        split.addWidget(self.check_result)
        split.setSizes([480, 90, 120])
        layout.addWidget(split, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.apply_filter)
        self.text.textChanged.connect(self._debounce.start)
        for combo in (self.actor, self.student, self.entity, self.action):
            combo.currentIndexChanged.connect(self.apply_filter)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._debounce.start)
        self.student_search.returnPressed.connect(self.find_student)
        self.student_search.textChanged.connect(lambda t: t or self._clear_students())
        self.show_full.toggled.connect(self._full_toggled)
        self.export_btn.clicked.connect(self.export)
        self.check_btn.clicked.connect(self.run_check)
        self.model.counted.connect(lambda n: self.count_label.setText(self.tr("共 {n} 条").format(n=n)))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_detail())
        self.model.dataChanged.connect(lambda *_a: self._show_detail())
        ctx.data_changed.connect(self._data_changed)
        self.show_full.setEnabled(ops.may(ctx, "students.view_full_ids"))
        if not self.show_full.isEnabled():
            self.show_full.setToolTip(self.tr("您的账户不能查看完整证件号"))

    # ---- loading ------------------------------------------------------------------------------------

    def activate(self) -> Task | None:
        return self.reload() if self._stale else None

    def reload(self) -> Task:
        self._stale = False
        self.apply_filter()
        self.last_task = ops.load_audit_choices(self.ctx, self, self._actors_latest(self._fill_actors))
        return self.last_task

    def _data_changed(self, _changes: Changes, _initiator: object) -> None:
        # every write adds entries: the newest-first list is out of date after any of them
        self._stale = True
        if self.isVisible():
            self.reload()

    def _fill_actors(self, choices: AuditChoices) -> None:
        current = self.actor.currentData()
        self.actor.blockSignals(True)
        self.actor.clear()
        self.actor.addItem(self.tr("全部"), None)
        for a in choices.actors:
            self.actor.addItem(a, a)
        self.actor.setCurrentIndex(max(0, self.actor.findData(current)))
        self.actor.blockSignals(False)
        if self.actor.currentData() != self.model.filter.actor:
            self.apply_filter()  # the chosen person is no longer listed: the trail follows the combo

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            actor=self.actor.currentData(),
            student_id=self.student.currentData(),
            entity=self.entity.currentData(),
            action=self.action.currentData(),
            date_from=_py(self.date_from),
            date_to=_py(self.date_to),
            text=self.text.text(),
        )

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    # ---- the student filter -------------------------------------------------------------------------

    def find_student(self) -> Task | None:
        text = self.student_search.text().strip()
        if not text:
            self._clear_students()
            return None
        self.last_task = ops.find_students(self.ctx, self, text, self._students_latest(self._fill_students))
        return self.last_task

    def _fill_students(self, found: list[StudentChoice]) -> None:
        self.student.blockSignals(True)
        self.student.clear()
        self.student.addItem(self.tr("全部学生") if found else self.tr("没有找到这名学生"), None)
        for s in found:
            self.student.addItem(s.label, s.id)
        self.student.setCurrentIndex(1 if found else 0)
        self.student.blockSignals(False)
        self.apply_filter()

    def _clear_students(self) -> None:
        self._students_latest(lambda _found: None)  # a search still on its way no longer fills the list
        if self.student.count() > 1 or self.student.currentData() is not None:
            self.student.blockSignals(True)
            self.student.clear()
            self.student.addItem(self.tr("全部学生"), None)
            self.student.blockSignals(False)
            self.apply_filter()

    # ---- rows ---------------------------------------------------------------------------------------

    def _full_toggled(self, on: bool) -> None:
        self.model.set_level(Level.FULL if on else Level.MASKED)
        self._show_detail()

    def _show_detail(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        r = self.model.row_at(rows[0].row()) if rows else None
        if r is None:
            self.detail.clear()
            return
        lines = [
            f"{r.id}　{r.at:%Y-%m-%d %H:%M:%S}　{r.actor}　{r.action}　{r.entity}"
            + (f" #{r.entity_id}" if r.entity_id is not None else "")
            + (f"　{r.subject}" if r.subject else ""),
        ]
        if r.summary:
            lines.append(r.summary.replace("；", "\n"))
        if r.note:
            lines.append(self.tr("说明：") + r.note)
        self.detail.setPlainText("\n".join(lines))

    # ---- export and check ---------------------------------------------------------------------------

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出操作记录"), self.tr("操作记录.xlsx"), "Excel (*.xlsx)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> Task:
        full = self.show_full.isChecked()
        self.last_task = ops.export_audit(
            self.ctx, self, self.current_filter(), path, full,
            lambda r: self._exported(r, full),
        )  # fmt: skip
        return self.last_task

    def _exported(self, result: AuditExport, full: bool) -> None:
        what = self.tr("（含完整证件号，已记入操作记录）") if full else self.tr("（证件号已打码）")
        QMessageBox.information(
            self,
            self.tr("导出完成"),
            self.tr("已导出 {n} 条操作记录{what}：\n{path}").format(
                n=result.rows, what=what, path=result.path
            ),
        )

    def run_check(self) -> Task:
        self.check_btn.setEnabled(False)
        self.last_task = ops.run_check(self.ctx, self, self._checked)
        self.last_task.done.connect(lambda: self.check_btn.setEnabled(True))
        return self.last_task

    def _checked(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.check_result.show()
        if not problems:
            self.check_result.setStyleSheet("color:#166534")
            self.check_result.setPlainText(
                self.tr("检查完毕，没有发现问题：数据库文件完整，台账数据符合规则，操作记录的哈希链完整。")
            )
            return
        self.check_result.setStyleSheet("color:#991b1b")
        self.check_result.setPlainText(
            "\n".join(
                [self.tr("发现 {n} 个问题：").format(n=len(problems))] + [f"· {p.message}" for p in problems]
            )
        )
