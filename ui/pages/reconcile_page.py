"""比对与问题清单: run the two-way comparison (in the background, with progress and cancel), work the
problem list (filters by kind, status, grade, class, village, group), open a problem with the
student's record and the other source's row side by side, take it, note it, fix its cause with one
click, and close it with a resolution. Every database call is an operation (ui/operations/reconcile.py)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from aidoffice.db.models import ProblemStatus
from aidoffice.domain.terms import Term as TermValue
from aidoffice.privacy import Field, Level, show
from aidoffice.reconcile.findings import other_sides, side_lines
from aidoffice.reconcile.kinds import KINDS
from aidoffice.reconcile.problem_fixes import SCHOOL_GROUPS
from aidoffice.reconcile.problem_queries import ProblemDetail, ProblemFilter
from aidoffice.reconcile.service import ReconcileResult
from aidoffice.safety.wording import NOTE_ACTION_NAMES
from ui.dialogs.problem_dialogs import (
    AssessmentDialog,
    CloseDialog,
    CorrectIdDialog,
    ElsewhereDialog,
    GroupDialog,
    TextDialog,
)
from ui.models.problem_table import ProblemTableModel, grade_name
from ui.operations import AppContext, Changes
from ui.operations import cases as cases_ops
from ui.operations import reconcile as ops
from ui.operations.reconcile import Choices
from ui.operations.security import may
from ui.permissions import Rights
from ui.tasks import Latest, Task, show_error

_BOX = "QGroupBox{font-weight:bold} QLabel{font-weight:normal}"


class ReconcilePage(QWidget):
    available = True
    RIGHTS = Rights(
        page="reconcile.run",  # the problem list; closing problems needs problems.close
        controls={"problems.close": ("corrections_btn",)},  # 请更正表 and marking them as sent
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True
        self.choices: Choices | None = None
        self.detail: ProblemDetail | None = None
        self.last_task: Task | None = None
        self.last_result: ReconcileResult | None = None
        self._choices_latest, self._detail_latest = Latest(), Latest()  # earlier answers go nowhere
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.term = QComboBox()
        self.term.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.run_btn = QPushButton(self.tr("运行比对"))
        self.run_btn.setToolTip(self.tr("比对学籍台账、户籍台账、各部门名单和本学期资助，更新问题清单"))
        self.export_btn = QPushButton(self.tr("比对并导出问题清单…"))
        self.corrections_btn = QPushButton(self.tr("请更正表…"))
        self.corrections_btn.setToolTip(
            self.tr("部门名单中证件号疑似抄错的行：每个部门一份“请更正”工作簿（证件号打码，只露出要改的位），"
                    "发出后可标记为“已发部门更正”，更正前两条记录按同一名学生计")
        )  # fmt: skip
        self.show_full = QCheckBox(self.tr("显示完整证件号"))
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setStyleSheet("color:#374151")
        self.summary.setWordWrap(True)
        top.addWidget(QLabel(self.tr("学期")))
        top.addWidget(self.term)
        top.addWidget(self.run_btn)
        top.addWidget(self.export_btn)
        top.addWidget(self.corrections_btn)
        top.addStretch()
        top.addWidget(self.show_full)
        layout.addLayout(top)
        layout.addWidget(self.summary)

        bar = QHBoxLayout()
        self.kind = QComboBox()
        self.status = QComboBox()
        self.grade = QComboBox()
        self.class_name = QComboBox()
        self.village = QComboBox()
        self.group = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("姓名、村或证件号后几位"))
        self.search.setClearButtonEnabled(True)
        for w in (self.kind, self.status, self.grade, self.class_name, self.village, self.group):
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search.setMinimumWidth(150)
        for label, w in ((self.tr("类别"), self.kind), (self.tr("状态"), self.status), (self.tr("年级"), self.grade),
                         (self.tr("班级"), self.class_name), (self.tr("村"), self.village), (self.tr("群体"), self.group),
                         (None, self.search)):  # fmt: skip
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(w)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.recovery_label = QLabel()
        self.recovery_label.setObjectName("recoveries")
        self.recovery_label.setToolTip(self.tr("花名册审核去掉的已发放资助：在“导出花名册”页登记已收回"))
        bar.addStretch()
        bar.addWidget(self.recovery_label)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)
        for text, value in ((self.tr("未销号"), "open"), (self.tr("待处理"), ProblemStatus.OPEN),
                            (self.tr("处理中"), ProblemStatus.IN_PROGRESS), (self.tr("已销号"), ProblemStatus.CLOSED),
                            (self.tr("已销号但仍存在"), "still"), (self.tr("全部"), None)):  # fmt: skip
            self.status.addItem(text, value)

        self.model = ProblemTableModel(ctx, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate([50, 96, 40, 64, 140, 60, 44, 70, 520, 96, 60, 90, 84]):
            self.table.setColumnWidth(col, width)

        self.panel = self._detail_panel()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        for combo in (self.kind, self.status, self.grade, self.class_name, self.village, self.group):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.model.counted.connect(self._counted)
        self.term.currentIndexChanged.connect(lambda _i: self._show_recoveries())
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.open_problem(cur.row()))
        self.show_full.toggled.connect(self._full_ids)
        self.run_btn.clicked.connect(self.run_comparison)
        self.export_btn.clicked.connect(self.export)
        self.corrections_btn.clicked.connect(lambda: self.write_corrections())
        ctx.data_changed.connect(self._data_changed)

    # -- the detail panel -------------------------------------------------------------------------
    def _detail_panel(self) -> QWidget:
        panel = QWidget()
        grid = QGridLayout(panel)
        grid.setContentsMargins(0, 4, 0, 0)
        self.title = QLabel(self.tr("选中一个问题查看详情"))
        self.title.setObjectName("problemTitle")
        self.title.setStyleSheet("font-weight:bold;font-size:14px")
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.left_box, self.left = self._box(self.tr("学校一方（学籍台账）"))
        self.right_box, self.right = self._box(self.tr("另一方（户籍台账、外部名单）"))
        self.basis_box, self.basis = self._box(self.tr("依据（群体、资助记录）"))
        history_box = QGroupBox(self.tr("处理记录"))
        history_box.setStyleSheet(_BOX)
        self.history = QListWidget()
        self.history.setWordWrap(True)
        QVBoxLayout(history_box).addWidget(self.history)
        buttons = QHBoxLayout()
        self.take_btn = QPushButton(self.tr("接手处理"))
        self.note_btn = QPushButton(self.tr("添加备注"))
        self.close_btn = QPushButton(self.tr("销号…"))
        self.reopen_btn = QPushButton(self.tr("重新打开"))
        self.fix_id_btn = QPushButton(self.tr("更正证件号…"))
        self.elsewhere_btn = QPushButton(self.tr("登记在外就读…"))
        self.assess_btn = QPushButton(self.tr("补录认定…"))
        self.group_btn = QPushButton(self.tr("补登重点群体…"))
        self.case_btn = QPushButton(self.tr("立控辍保学案件…"))
        self.case_btn.setToolTip(self.tr("核实后确属失学辍学：建立一人一案，劝返复学后本问题随案件一并销号"))
        for b in (self.take_btn, self.note_btn, self.close_btn, self.reopen_btn):
            buttons.addWidget(b)
        buttons.addSpacing(16)
        for b in (self.fix_id_btn, self.elsewhere_btn, self.assess_btn, self.group_btn, self.case_btn):
            buttons.addWidget(b)
        buttons.addStretch()
        grid.addWidget(self.title, 0, 0, 1, 3)
        grid.addWidget(self.reason, 1, 0, 1, 3)
        grid.addWidget(self.left_box, 2, 0)
        grid.addWidget(self.right_box, 2, 1)
        grid.addWidget(history_box, 2, 2, 2, 1)
        grid.addWidget(self.basis_box, 3, 0, 1, 2)
        grid.addLayout(buttons, 4, 0, 1, 3)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        self.take_btn.clicked.connect(self.take)
        self.note_btn.clicked.connect(self.note)
        self.close_btn.clicked.connect(self.close_problem)
        self.reopen_btn.clicked.connect(self.reopen)
        self.fix_id_btn.clicked.connect(self.fix_id)
        self.elsewhere_btn.clicked.connect(self.fix_elsewhere)
        self.assess_btn.clicked.connect(self.fix_assessment)
        self.group_btn.clicked.connect(self.fix_group)
        self.case_btn.clicked.connect(self.open_case)
        self._enable(None)
        return panel

    def _box(self, title: str) -> tuple[QGroupBox, QLabel]:
        box = QGroupBox(title)
        box.setStyleSheet(_BOX)
        label = QLabel()
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(box).addWidget(label)
        return box, label

    def _enable(self, d: ProblemDetail | None) -> None:
        closed = d is not None and d.row.status is ProblemStatus.CLOSED
        is_open = d is not None and not closed
        kind = d.row.kind if d else ""
        has_student = d is not None and d.row.student_id is not None
        self.take_btn.setEnabled(is_open and d.row.status is ProblemStatus.OPEN)  # type: ignore[union-attr]
        self.note_btn.setEnabled(d is not None)
        self.close_btn.setEnabled(is_open)
        self.reopen_btn.setEnabled(closed)
        self.fix_id_btn.setVisible(
            kind in ("ID_TYPO_SUSPECT", "NO_ID_NUMBER", "NAME_MISMATCH") and has_student
        )
        self.elsewhere_btn.setVisible(kind == "NOT_ENROLLED")
        self.assess_btn.setVisible(
            kind in ("UNSUPPORTED_AID", "MISSED_AID", "ASSESSMENT_PENDING") and has_student
        )
        self.group_btn.setVisible(kind == "UNSUPPORTED_AID" and has_student)
        self.case_btn.setVisible(kind == "NOT_ENROLLED" and may(self.ctx, "casework.edit"))
        for b in (self.fix_id_btn, self.elsewhere_btn, self.assess_btn, self.group_btn, self.case_btn):
            b.setEnabled(is_open)

    # -- loading ----------------------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale:
            self.reload()

    def reload(self) -> Task:
        self._stale = False
        self.apply_filter()
        self.last_task = ops.load_choices(self.ctx, self, self._choices_latest(self._fill_combos))
        return self.last_task

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("problems", "students", "groups", "households", "awards", "lists"):
            self._stale = True
            if self.isVisible():
                self.reload()
                if self.detail is not None:
                    self._load_detail(self.detail.row.id)

    def _fill_combos(self, c: Choices) -> None:
        if not isValid(self):
            return  # the page was closed while the result was on its way
        self.choices = c
        keep = {
            w: w.currentData()
            for w in (self.term, self.kind, self.grade, self.class_name, self.village, self.group)
        }
        for w in keep:
            w.blockSignals(True)
            w.clear()
        for code in c.terms:
            self.term.addItem(
                TermValue.parse(code).label + (self.tr("（当前）") if code == c.current else ""), code
            )
        self.kind.addItem(self.tr("全部"), None)
        for code, info in KINDS.items():
            self.kind.addItem(info.label, code)
        for w, values in ((self.grade, c.grades), (self.class_name, c.classes), (self.village, c.villages)):
            w.addItem(self.tr("全部"), None)
            for v in values:
                w.addItem(grade_name(v) if w is self.grade else v, v)
        self.group.addItem(self.tr("全部"), None)
        for code, name in c.groups:
            self.group.addItem(name, code)
        for w, value in keep.items():
            index = w.findData(value) if value is not None else -1
            if w is self.term and index < 0:
                index = w.findData(c.current)
            w.setCurrentIndex(max(0, index))
            w.blockSignals(False)
        self._show_recoveries()
        if self.model.filter != self._filter():
            self.apply_filter()  # a chosen class or village is gone: the list follows what the combos say

    def _show_recoveries(self) -> None:
        c = self.choices
        total = c.recoveries.get(self.term.currentData() or "") if c is not None else None
        self.recovery_label.setText(self.tr("收回：{text}　").format(text=total.describe()) if total else "")

    def current_filter(self) -> ProblemFilter:
        status = self.status.currentData()
        return ProblemFilter(
            kind=self.kind.currentData(),
            status=status if isinstance(status, ProblemStatus) else None,
            open_only=status == "open",
            still_present=True if status == "still" else None,
            grade=self.grade.currentData(),
            class_name=self.class_name.currentData(),
            village=self.village.currentData(),
            group=self.group.currentData(),
            search=self.search.text(),
        )

    def _filter(self) -> ProblemFilter:
        """The filter the list is read with: what the combos say."""
        f = self.current_filter()
        if f.still_present:
            f.status = ProblemStatus.CLOSED
        return f

    def apply_filter(self) -> None:
        self.model.set_filter(self._filter())

    def _counted(self, n: int) -> None:
        if not isValid(self):
            return  # the page was closed while the result was on its way
        self.count_label.setText(self.tr("共 {n} 个").format(n=n))
        if self.detail is not None:
            row = self.model.row_of(self.detail.row.id)
            if row is not None:
                self.table.selectRow(row)

    def _full_ids(self, full: bool) -> None:
        self.model.set_full_ids(full)
        if self.detail is not None:
            self._show_detail(self.detail)

    @property
    def level(self) -> Level:
        return Level.FULL if self.show_full.isChecked() else Level.MASKED

    # -- running the comparison -------------------------------------------------------------------
    def run_comparison(self) -> Task:
        self.last_task = ops.run(self.ctx, self, self.term.currentData(), self._ran)
        return self.last_task

    def export(self) -> Task | None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出问题清单"), self.tr("问题清单.xlsx"), self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"

        def done(result: ReconcileResult) -> None:
            self._ran(result)
            QMessageBox.information(
                self, self.tr("导出完成"), self.tr("问题清单已保存：{p}").format(p=result.out)
            )

        self.last_task = ops.run(
            self.ctx, self, self.term.currentData(), done, out=path, full_ids=self.show_full.isChecked()
        )
        return self.last_task

    def write_corrections(self, folder: str | None = None) -> Task | None:
        """请更正: a workbook per department into a folder; then, once they are sent, mark them so."""
        if not folder:
            folder = QFileDialog.getExistingDirectory(self, self.tr("选择保存请更正表的文件夹"))
            if not folder:
                return None

        def written(result: tuple) -> None:  # type: ignore[type-arg]
            files, rows = result
            if not files:
                QMessageBox.information(
                    self,
                    self.tr("请更正表"),
                    self.tr("没有部门名单中证件号疑似抄错的行（先运行比对，看“证件号疑似抄错”类问题）。"),
                )
                return
            names = "\n".join(f"{d}：{p}" for d, p in files.items())
            waiting = sum(1 for r in rows if not r.sent)
            if not waiting:
                QMessageBox.information(
                    self,
                    self.tr("请更正表"),
                    self.tr("已生成 {n} 份请更正表：\n{names}").format(n=len(files), names=names),
                )
                return
            answer = QMessageBox.question(
                self,
                self.tr("请更正表"),
                self.tr(
                    "已生成 {n} 份请更正表：\n{names}\n\n发给各部门后，是否把这 {k} 行标记为“已发部门更正”？"
                    "标记后问题转为“处理中”，部门更正前两条记录按同一名学生计（重点群体计入，花名册不再因此受阻）；"
                    "部门发回更正后的名单并重新比对后自动销号。"
                ).format(n=len(files), names=names, k=waiting),
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.last_task = ops.mark_sent(self.ctx, self, self._marked)

        self.last_task = ops.write_corrections(self.ctx, self, folder, self.show_full.isChecked(), written)
        return self.last_task

    def _marked(self, rows: list) -> None:  # type: ignore[type-arg]
        if isValid(self):
            self.summary.setText(
                self.tr("已标记 {n} 个问题为“已发部门更正”，部门更正前两条记录按同一名学生计。").format(
                    n=len(rows)
                )
            )

    def _ran(self, result: ReconcileResult) -> None:
        if not isValid(self):
            return  # the page was closed while the result was on its way
        self.last_result = result
        c, sync = result.comparison, result.sync
        self.summary.setText(
            self.tr("{label}（比对日期 {day}）：发现 {n} 个问题；新增 {new}，仍待处理 {kept}，数据已更正自动销号 {gone}，"
                    "已销号但仍存在 {still}").format(
                label=c.term.label, day=f"{c.term.on_date:%Y-%m-%d}", n=len(c.findings), new=sync.new,
                kept=sync.kept, gone=sync.closed_by_data, still=sync.still_present,
            )
        )  # fmt: skip

    # -- one problem ------------------------------------------------------------------------------
    def open_problem(self, row: int) -> None:
        pid = self.model.problem_id(row)
        if pid is not None:
            self._load_detail(pid)

    def _load_detail(self, pid: int) -> None:
        self.last_task = ops.load_detail(self.ctx, self, pid, self._detail_latest(self._show_detail))

    def _side_html(self, sides: list[dict[str, Any]]) -> str:
        parts = []
        for s in sides:
            number = show(Field.ID_NUMBER, s.get("id_number"), self.level)
            lines = [escape(x) for x in side_lines(s, self.level)]
            parts.append(
                f"<b>{escape(s.get('source', ''))}</b><br>{escape(s.get('name') or '')}"
                + (f"　{escape(number)}" if number else "")
                + ("<br>" + "<br>".join(lines) if lines else "")
            )
        return "<hr>".join(parts) or self.tr("（无）")

    def _show_detail(self, d: ProblemDetail) -> None:
        if not isValid(self):
            return  # the page was closed while the result was on its way
        self.detail = d
        r, ev = d.row, d.evidence
        self.title.setText(
            f"#{r.id}　{r.kind_label}　{r.name}　[{r.status_name}]"
            + (f"　{r.resolution}" if r.resolution else "")
        )
        self.reason.setText(r.detail)
        # the school's record first, with any other record of the same ID; the other source's rows beside it
        self.left.setText(
            self._side_html(([ev["left"]] if ev.get("left") else []) + list(ev.get("also") or []))
        )
        self.right.setText(self._side_html(other_sides(ev)))
        basis = [f"· {escape(f['text'])}" for f in ev.get("facts", [])]
        basis += [f"· {escape(a['text'])}" for a in ev.get("awards", [])]
        basis += [f"· {escape(str(c[0]))}：{escape(str(c[1] if c[2] not in ('id', 'student_no') else show(Field.ID_NUMBER, c[1], self.level)))}"
                  for c in ev.get("columns", []) if c[1] not in (None, "")]  # fmt: skip
        basis += [f"· {escape(self.tr('收回'))}：{escape(t)}" for t in d.recoveries]
        self.basis.setText("<br>".join(basis) or self.tr("（无）"))
        self.history.clear()
        for n in d.notes:
            self.history.addItem(
                f"{n.at:%Y-%m-%d %H:%M} {n.actor}【{NOTE_ACTION_NAMES.get(n.action, n.action)}】{n.text}"
            )
        if not d.notes:
            self.history.addItem(self.tr("（尚无处理记录）"))
        self._enable(d)

    def _after_change(self, _result: Any = None) -> None:
        if self.detail is not None:
            self._load_detail(self.detail.row.id)

    def take(self) -> Task | None:
        if self.detail is None:
            return None
        dialog = TextDialog(
            self.tr("接手处理"), self.tr("打算怎么处理（可不填）"), required=False, parent=self
        )
        if not dialog.exec():
            return None
        self.last_task = ops.take(self.ctx, self, self.detail.row.id, dialog.value(), self._after_change)
        return self.last_task

    def note(self) -> Task | None:
        if self.detail is None:
            return None
        dialog = TextDialog(self.tr("添加备注"), self.tr("备注"), parent=self)
        if not dialog.exec():
            return None
        self.last_task = ops.add_note(self.ctx, self, self.detail.row.id, dialog.value(), self._after_change)
        return self.last_task

    def close_problem(self) -> Task | None:
        if self.detail is None or self.choices is None:
            return None
        dialog = CloseDialog(self.choices.resolutions, self.detail.row.detail, parent=self)
        if not dialog.exec():
            return None
        resolution, note = dialog.values()
        self.last_task = ops.close(self.ctx, self, self.detail.row.id, resolution, note, self._after_change)
        return self.last_task

    def reopen(self) -> Task | None:
        if self.detail is None:
            return None
        dialog = TextDialog(self.tr("重新打开"), self.tr("原因"), parent=self)
        if not dialog.exec():
            return None
        self.last_task = ops.reopen(self.ctx, self, self.detail.row.id, dialog.value(), self._after_change)
        return self.last_task

    # -- fixing the cause -------------------------------------------------------------------------
    def _id_sides(self) -> list[tuple[str, str, str]]:
        """For a suspected slip: each side's source, number and whether its check character holds."""
        d = self.detail
        if d is None or d.row.kind != "ID_TYPO_SUSPECT":
            return []
        cols = {c[0]: c[1] for c in d.evidence.get("columns", [])}
        left = d.evidence.get("left") or {}
        right = other_sides(d.evidence)
        sources = [left.get("source") or "甲", (right[0].get("source") if right else None) or "乙"]
        return [
            (str(source), str(cols[number]), str(cols.get(check) or ""))
            for source, number, check in zip(
                sources, ("证件号甲", "证件号乙"), ("甲校验位", "乙校验位"), strict=True
            )
            if cols.get(number)
        ]

    def _fix(self, what: str, *args: Any) -> Task:
        assert self.detail is not None
        self.last_task = ops.fix(
            self.ctx, self, what, self.detail.row.id, args, self._after_change, lambda e: show_error(self, e)
        )
        return self.last_task

    def fix_id(self) -> Task | None:
        if self.detail is None:
            return None
        dialog = CorrectIdDialog(self.detail.row.name, self._id_sides(), self.level, parent=self)
        return self._fix("id", dialog.value()) if dialog.exec() else None

    def fix_elsewhere(self) -> Task | None:
        if self.detail is None:
            return None
        cols = {c[0]: c[1] for c in self.detail.evidence.get("columns", [])}
        dialog = ElsewhereDialog(self.detail.row.name, str(cols.get("名单写的就读学校") or ""), parent=self)
        return self._fix("elsewhere", dialog.values()) if dialog.exec() else None

    def fix_assessment(self) -> Task | None:
        if self.detail is None:
            return None
        scope = self.detail.row.scope
        year = TermValue.parse(scope).school_year if len(scope) == 11 else scope
        dialog = AssessmentDialog(self.detail.row.name, year, parent=self)
        return self._fix("assessment", *dialog.values()) if dialog.exec() else None

    def fix_group(self) -> Task | None:
        if self.detail is None or self.choices is None:
            return None
        groups = [(c, n) for c, n in self.choices.groups if c in SCHOOL_GROUPS]
        dialog = GroupDialog(self.detail.row.name, groups, parent=self)
        return self._fix("group", dialog.value()) if dialog.exec() else None

    # -- 控辍保学 -----------------------------------------------------------------------------------
    def open_case(self) -> Task | None:
        """需核实去向 confirmed as a child out of school: a dropout case (一人一案) from this problem."""
        if self.detail is None:
            return None
        self.last_task = cases_ops.load_choices(self.ctx, self, self._case_dialog)
        return self.last_task

    def _case_dialog(self, choices: cases_ops.CaseChoices) -> None:
        if self.detail is None:
            return
        from ui.pages.dropout.dialogs import OpenCaseDialog

        dialog = OpenCaseDialog(
            self.tr("“{n}”核实为失学辍学：建立一人一案。劝返复学、结案后，本问题一并销号。").format(n=self.detail.row.name),
            choices.roles, parent=self,
        )  # fmt: skip
        if dialog.exec():
            self.save_case(dialog.case_input())

    def save_case(self, data) -> Task | None:  # type: ignore[no-untyped-def]
        if self.detail is None:
            return None
        name = self.detail.row.name

        def done(case_id: int) -> None:
            QMessageBox.information(
                self, self.tr("已立案"),
                self.tr("已为“{n}”建立控辍保学案件（编号 {c}），请在“控辍保学”页记录劝返。").format(n=name, c=case_id),
            )  # fmt: skip

        self.last_task = cases_ops.open_from_problem(self.ctx, self, self.detail.row.id, data, done)
        return self.last_task
