"""三包与家访: who is responsible for reaching each served village and household (包保责任), the contacts
recorded (走访记录), and the households nobody has reached this month, by teacher and by village
(本月未联系), under the office's rule (editable here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aidoffice.casework.duties import DutyRow
from aidoffice.casework.visits import EVERY, DueReport, VisitRow, VisitRule
from ui.models.rows_table import RowsModel
from ui.operations import AppContext, Changes
from ui.operations import visits as ops
from ui.pages.visits.dialogs import AssignDialog, HandOverDialog, RecordDialog
from ui.permissions import Rights
from ui.tasks import Latest, Task
from ui.widgets import today_qdate

ALL_TEACHERS = "全部教师"


def _table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setDefaultSectionSize(24)
    return view


def _month_edit() -> QDateEdit:
    edit = QDateEdit(today_qdate())
    edit.setDisplayFormat("yyyy年MM月")
    edit.setCalendarPopup(True)
    return edit


def _month(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), 1)


def _selected(view: QTableView) -> int | None:
    rows = view.selectionModel().selectedRows()
    return rows[0].row() if rows else None


class VisitsPage(QWidget):
    available = True
    RIGHTS = Rights(
        page="visits.record",
        controls={"casework.edit": ("assign_btn", "handover_btn", "end_btn", "rule_save")},
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.choices: ops.Choices | None = None
        self._stale = True
        self._choices_latest = Latest()  # choices read before the last reload go nowhere
        self.tabs = QTabWidget()
        self.duties = DutiesTab(self)
        self.records = RecordsTab(self)
        self.due = DueTab(self)
        self.tabs.addTab(self.duties, "包保责任")
        self.tabs.addTab(self.records, "走访记录")
        self.tabs.addTab(self.due, "本月未联系")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>三包与家访</h2>"))
        layout.addWidget(self.tabs)
        # the buttons ui/permissions.py greys out for a role without the right
        self.assign_btn = self.duties.assign_btn
        self.handover_btn = self.duties.handover_btn
        self.end_btn = self.duties.end_btn
        self.rule_save = self.due.rule_save
        self.tabs.currentChanged.connect(lambda _i: self.reload())
        ctx.data_changed.connect(self._data_changed)

    def activate(self) -> None:
        if self._stale:
            self.reload()

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("visits", "households", "students", "users", "settings"):
            self._stale = True
            if self.isVisible():
                self.reload()

    def reload(self) -> Task:
        """Fresh choices for the dialogs, then the tab on show."""
        self._stale = False

        def loaded(choices: ops.Choices) -> None:
            self.choices = choices
            self.due.show_rule(choices)
            self.due.fill_teachers(choices.teachers)

        task = ops.load_choices(self.ctx, self, self._choices_latest(loaded))
        self.tabs.currentWidget().reload()  # type: ignore[attr-defined]
        return task

    def refused(self, dialog: Any):  # type: ignore[no-untyped-def]
        return lambda exc: dialog.refuse(str(exc))


class DutiesTab(QWidget):
    HEADERS = ("包保教师", "方式", "包保对象", "开始日期", "结束日期", "结束原因", "备注")

    def __init__(self, page: VisitsPage):
        super().__init__()
        self.page = page
        self.rows: list[DutyRow] = []
        self._latest = Latest()  # a list asked for before the last one goes nowhere
        self.model = RowsModel(self.HEADERS, self)
        self.table = _table(self.model)
        self.history = QCheckBox("显示已结束的（历史）")
        self.assign_btn = QPushButton("安排包保教师…")
        self.handover_btn = QPushButton("整体移交…")
        self.end_btn = QPushButton("结束所选")
        self.summary = QLabel()
        bar = QHBoxLayout()
        for w in (self.assign_btn, self.handover_btn, self.end_btn, self.history):
            bar.addWidget(w)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.history.toggled.connect(lambda _c: self.reload())
        self.assign_btn.clicked.connect(self.open_assign)
        self.handover_btn.clicked.connect(self.open_hand_over)
        self.end_btn.clicked.connect(self.end_selected)
        self.dialog: Any = None

    def reload(self) -> Task:
        return ops.load_duties(self.page.ctx, self, self.history.isChecked(), self._latest(self.show_rows))

    def show_rows(self, rows: list[DutyRow]) -> None:
        self.rows = rows
        self.model.set_rows(
            [
                (
                    r.teacher,
                    r.kind_name,
                    r.target,
                    r.starts_on,
                    r.ends_on or "",
                    r.end_reason or "",
                    r.note or "",
                )
                for r in rows
            ],
            ["grey" if r.ends_on else None for r in rows],
        )
        current = [r for r in rows if r.ends_on is None]
        teachers = {r.teacher for r in current}
        self.summary.setText(
            f"当前 {len(teachers)} 位教师承担 {len(current)} 项包保（包村 {sum(r.kind == 'village' for r in current)}，"
            f"包户 {sum(r.kind == 'household' for r in current)}，包人 {sum(r.kind == 'student' for r in current)}）。"
            "一户的联系人：本户的包户教师，否则其子女的包人教师，否则本村的包村教师。"
        )

    def open_assign(self) -> AssignDialog:
        c = self.page.choices
        self.dialog = dlg = AssignDialog(
            c.teachers if c else [],
            c.villages if c else [],
            c.households if c else [],
            c.students if c else [],
            self,
        )
        dlg.submitted.connect(
            lambda v: ops.assign(
                self.page.ctx,
                dlg,
                v["teacher"],
                v["target"],
                v["starts_on"],
                dlg.done_ok,
                self.page.refused(dlg),
            )
        )
        dlg.open()
        return dlg

    def open_hand_over(self) -> HandOverDialog:
        c = self.page.choices
        current = sorted({r.teacher for r in self.rows if r.ends_on is None})
        row = _selected(self.table)
        self.dialog = dlg = HandOverDialog(current, self.rows[row].teacher if row is not None else "", self)
        dlg.new.clear()
        dlg.new.addItems(c.teachers if c else [])
        dlg.new.setCurrentText("")
        dlg.submitted.connect(
            lambda v: ops.hand_over(
                self.page.ctx,
                dlg,
                v["old"],
                v["new"],
                v["on"],
                v["reason"],
                dlg.done_ok,
                self.page.refused(dlg),
            )
        )
        dlg.open()
        return dlg

    def end_selected(self) -> Task | None:
        row = _selected(self.table)
        if row is None or self.rows[row].ends_on is not None:
            self.summary.setText("请先选中一项当前的包保责任。")
            return None
        return ops.end_duty(self.page.ctx, self, self.rows[row].id, "手动结束", lambda _r: None)


class RecordsTab(QWidget):
    HEADERS = ("日期", "联系教师", "方式", "户", "村", "交流内容", "反映的需求", "后续跟进", "问题清单")

    def __init__(self, page: VisitsPage):
        super().__init__()
        self.page = page
        self.rows: list[VisitRow] = []
        self._latest = Latest()  # a month asked for before the last one goes nowhere
        self.month = _month_edit()
        self.model = RowsModel(self.HEADERS, self)
        self.table = _table(self.model)
        self.add_btn = QPushButton("记录联系…")
        self.problem_btn = QPushButton("需求转入问题清单")
        self.summary = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("月份"))
        bar.addWidget(self.month)
        bar.addWidget(self.add_btn)
        bar.addWidget(self.problem_btn)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.month.dateChanged.connect(lambda _d: self.reload())
        self.add_btn.clicked.connect(lambda: self.open_record())
        self.problem_btn.clicked.connect(self.selected_to_problem)
        self.dialog: Any = None

    def reload(self) -> Task:
        return ops.load_visits(self.page.ctx, self, _month(self.month), self._latest(self.show_rows))

    def show_rows(self, rows: list[VisitRow]) -> None:
        self.rows = rows
        self.model.set_rows(
            [
                (
                    r.visited_on,
                    r.teacher,
                    r.way,
                    r.family,
                    r.village,
                    r.said,
                    r.needs,
                    r.follow_up,
                    f"已转入（{r.problem_id}）" if r.problem_id else "",
                )
                for r in rows
            ]
        )
        m = _month(self.month)
        self.summary.setText(f"{m:%Y年%m月}共 {len(rows)} 次联系，涉及 {len({r.family for r in rows})} 户。")

    def open_record(
        self, household_id: int | None = None, student: tuple[int, str] | None = None
    ) -> RecordDialog:
        c = self.page.choices
        self.dialog = dlg = RecordDialog(
            c.households if c else [],
            c.teachers if c else [],
            c.acting_teacher if c else "",
            household_id,
            self,
            student=student,
        )
        dlg.submitted.connect(
            lambda v: ops.record(
                self.page.ctx, dlg, v["values"], v["to_problem"], dlg.done_ok, self.page.refused(dlg)
            )
        )
        dlg.open()
        return dlg

    def selected_to_problem(self) -> Task | None:
        row = _selected(self.table)
        if row is None or not self.rows[row].needs:
            self.summary.setText("请先选中一条记录了需求的联系。")
            return None
        return ops.need_to_problem(self.page.ctx, self, self.rows[row].id, lambda _p: None)


class DueTab(QWidget):
    HEADERS = ("包保教师", "乡镇", "村", "户编号", "户主", "电话", "重点家庭", "应联系", "上次联系")

    def __init__(self, page: VisitsPage):
        super().__init__()
        self.page = page
        self.report: DueReport | None = None
        self._latest = Latest()  # a month or teacher asked for before the last one goes nowhere
        self.month = _month_edit()
        self.teacher = QComboBox()
        self.teacher.addItem(ALL_TEACHERS)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = RowsModel(self.HEADERS, self)
        self.table = _table(self.model)
        self.teacher_model = RowsModel(("包保教师", "未联系户数"), self)
        self.teacher_table = _table(self.teacher_model)
        self.village_model = RowsModel(("村", "未联系户数"), self)
        self.village_table = _table(self.village_model)
        self.record_btn = QPushButton("为所选户记录联系…")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("月份"))
        bar.addWidget(self.month)
        bar.addWidget(QLabel("包保教师"))
        bar.addWidget(self.teacher)
        bar.addWidget(self.record_btn)
        bar.addStretch(1)

        sums = QSplitter(Qt.Orientation.Vertical)
        for title, view in (("按包保教师", self.teacher_table), ("按村", self.village_table)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(view)
            sums.addWidget(box)
        sums.addWidget(self._rule_box())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(sums)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([800, 420])
        sums.setSizes([220, 220, 260])
        for view in (self.teacher_table, self.village_table):
            view.verticalHeader().hide()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.month.dateChanged.connect(lambda _d: self.reload())
        self.teacher.activated.connect(lambda _i: self.reload())
        self.record_btn.clicked.connect(self.record_selected)
        self.teacher_table.doubleClicked.connect(self._pick_teacher)

    def _rule_box(self) -> QGroupBox:
        box = QGroupBox("联系频次（全校共用）")
        self.groups = QListWidget()
        self.groups.setMaximumHeight(110)
        self.poor_every = QComboBox()
        self.others_every = QComboBox()
        for combo in (self.poor_every, self.others_every):
            for code, name in EVERY.items():
                combo.addItem(name, code)
        self.rule_save = QPushButton("保存频次")
        self.rule_text = QLabel()
        self.rule_text.setWordWrap(True)
        layout = QVBoxLayout(box)
        layout.addWidget(QLabel("算作重点家庭的群体（户内任一成员属于即算）："))
        layout.addWidget(self.groups)
        row = QHBoxLayout()
        row.addWidget(QLabel("重点家庭"))
        row.addWidget(self.poor_every)
        row.addWidget(QLabel("其他家庭"))
        row.addWidget(self.others_every)
        layout.addLayout(row)
        layout.addWidget(self.rule_save)
        layout.addWidget(self.rule_text)
        self.rule_save.clicked.connect(self.save_rule)
        return box

    def show_rule(self, choices: ops.Choices) -> None:
        self.groups.clear()
        for code, name in choices.groups.items():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if code in choices.rule.poor_groups else Qt.CheckState.Unchecked
            )
            self.groups.addItem(item)
        self.poor_every.setCurrentIndex(self.poor_every.findData(choices.rule.poor))
        self.others_every.setCurrentIndex(self.others_every.findData(choices.rule.others))
        self.rule_text.setText("现行：" + choices.rule.describe(choices.groups))

    def fill_teachers(self, names: list[str]) -> None:
        current = self.teacher.currentText()
        self.teacher.clear()
        self.teacher.addItem(ALL_TEACHERS)
        self.teacher.addItems(names)
        self.teacher.setCurrentText(current if self.teacher.findText(current) >= 0 else ALL_TEACHERS)
        if self.teacher.currentText() != current:
            self.reload()  # the chosen teacher is no longer listed: the report follows the combo

    def rule(self) -> VisitRule:
        codes = tuple(
            self.groups.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.groups.count())
            if self.groups.item(i).checkState() == Qt.CheckState.Checked
        )
        return VisitRule(codes, self.poor_every.currentData(), self.others_every.currentData())

    def save_rule(self) -> Task:
        return ops.save_rule(self.page.ctx, self, self.rule(), lambda _r: None)

    def reload(self) -> Task:
        who = self.teacher.currentText()
        return ops.load_due(
            self.page.ctx, self, _month(self.month), None if who == ALL_TEACHERS else who,
            self._latest(self.show_report),
        )  # fmt: skip

    def show_report(self, report: DueReport) -> None:
        self.report = report
        self.model.set_rows(
            [
                (
                    r.teacher,
                    r.township,
                    r.village,
                    r.household_no,
                    r.head_name,
                    r.phone,
                    "是" if r.poor else "",
                    r.every,
                    r.last_contact or "从未联系",
                )
                for r in report.rows
            ],
            ["yellow" if r.poor else None for r in report.rows],
        )
        self.teacher_model.set_rows(list(report.by_teacher.items()))
        self.village_model.set_rows(list(report.by_village.items()))
        alone = (
            f"（含 {report.students_alone} 名户籍台账中没有其户的包人学生）" if report.students_alone else ""
        )
        self.summary.setText(
            f"{report.month:%Y年%m月}：应联系 {report.households} 户{alone}，已联系 {report.contacted} 户，"
            f"<b>未联系 {len(report.rows)} 户</b>。规则：{report.rule_text}。"
            "黄色为重点家庭；双击左侧“按包保教师”中的一行只看这位教师。"
        )

    def _pick_teacher(self, index: Any) -> None:
        name = self.teacher_model.rows[index.row()][0]
        i = self.teacher.findText(name)
        if i >= 0:
            self.teacher.setCurrentIndex(i)
            self.reload()

    def record_selected(self) -> RecordDialog | None:
        row = _selected(self.table)
        if row is None or self.report is None:
            self.summary.setText("请先在表中选中一户。")
            return None
        r = self.report.rows[row]
        if r.household_id is None and r.student_id is not None:  # a 包人 student with no household listed
            return self.page.records.open_record(None, (r.student_id, f"{r.household_no} {r.head_name}"))
        return self.page.records.open_record(r.household_id)
