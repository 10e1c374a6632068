"""导出花名册 page: choose the policy, term and template; see the roster the rules propose and review it
(add, remove with a reason, change an amount with a reason); map the template's unknown columns with
its header in view; see the checks before saving; confirm and export."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidoffice.db.models import RECOVERY_METHODS
from aidoffice.domain.money import format_amount
from aidoffice.exporting import roster, roster_export
from aidoffice.exporting.roster_choices import RosterChoices
from ui.dialogs.template_mapping import TemplateMappingDialog
from ui.models.rows_table import RowsModel
from ui.operations import AppContext
from ui.operations import roster as ops
from ui.operations.roster import ExportChoice
from ui.permissions import Rights
from ui.tasks import Task, show_error
from ui.widgets import today_qdate

FORMATS = [
    ("县里的模板", None),
    ("标准格式（不用模板）", "standard"),
    ("全国系统：资助名单", "national_aid_list"),
    ("全国系统：家庭经济信息", "national_family"),
    ("全国系统：困难学生认定", "national_assessment"),
]
HEADERS = ("姓名", "年级班级", "证件号", "类别", "标准", "金额", "名单", "说明")


class RosterPage(QWidget):
    available = True
    RIGHTS = Rights(page="export.roster")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.proposal: roster.RosterProposal | None = None
        self.outcome: roster_export.ExportOutcome | None = None
        self._checked = False  # the checks were made: a change of the review makes them again
        self.mapping: dict[str, str] = {}
        self.last_task: Task | None = None
        self._loaded = False

        layout = QVBoxLayout(self)
        form = QFormLayout()
        top = QHBoxLayout()
        self.policy = QComboBox()
        self.policy.setMinimumWidth(380)
        self.term = QLineEdit()
        self.term.setMaximumWidth(130)
        self.quota = QSpinBox()
        self.quota.setRange(0, 100_000)
        self.quota.setSpecialValueText(self.tr("不限"))
        self.days = QSpinBox()
        self.days.setRange(0, 200)
        self.days.setSpecialValueText(self.tr("按设置"))
        self.days.setToolTip(self.tr("营养餐等按天计算的项目：本学期在校天数"))
        for label, w in (
            (None, self.policy),
            ("学期", self.term),
            ("名额", self.quota),
            ("在校天数", self.days),
        ):
            if label:
                top.addWidget(QLabel(self.tr(label)))
            top.addWidget(w)
        top.addStretch()
        form.addRow(self.tr("资助项目"), top)
        fmt = QHBoxLayout()
        self.format = QComboBox()
        for label, code in FORMATS:
            self.format.addItem(self.tr(label), code)
        self.template = QLineEdit()
        self.template.setPlaceholderText(self.tr("县里下发的 .xlsx 模板"))
        self.browse_btn = QPushButton(self.tr("选择模板…"))
        fmt.addWidget(self.format)
        fmt.addWidget(self.template, 1)
        fmt.addWidget(self.browse_btn)
        form.addRow(self.tr("导出格式"), fmt)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.propose_btn = QPushButton(self.tr("提出名单"))
        self.add_btn = QPushButton(self.tr("加入学生…"))
        self.remove_btn = QPushButton(self.tr("去掉…"))
        self.amount_btn = QPushButton(self.tr("改金额…"))
        self.check_btn = QPushButton(self.tr("检查"))
        self.report_btn = QPushButton(self.tr("保存检查结果…"))
        self.export_btn = QPushButton(self.tr("确认并导出…"))
        self.export_btn.setStyleSheet("font-weight:bold")
        for b in (self.propose_btn, self.add_btn, self.remove_btn, self.amount_btn, self.check_btn,
                  self.report_btn, self.export_btn):  # fmt: skip
            buttons.addWidget(b)
        buttons.addStretch()
        layout.addLayout(buttons)

        self.summary = QLabel(self.tr("选资助项目和学期，点“提出名单”：按资格规则列出，重点群体在前。"))
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = RowsModel([self.tr(h) for h in HEADERS], self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((90, 110, 150, 150, 70, 70, 110)):
            self.table.setColumnWidth(col, width)
        split.addWidget(self.table)
        self.findings = QListWidget()
        self.findings.setObjectName("findings")
        self.findings.itemActivated.connect(self._go_to_finding)
        split.addWidget(self.findings)
        # 收回: paid awards a review took off; never deleted, recorded as done when the money is back
        recover = QWidget()
        rlay = QVBoxLayout(recover)
        rlay.setContentsMargins(0, 0, 0, 0)
        rtop = QHBoxLayout()
        self.recovery_summary = QLabel(self.tr("收回：没有收回记录"))
        self.recovery_summary.setObjectName("recovery_summary")
        self.recovery_done_btn = QPushButton(self.tr("登记已收回…"))
        self.recovery_done_btn.setToolTip(self.tr("选中一笔待收回的资助，登记收回的日期和方式（退回、抵扣）"))
        self.recovery_cancel_btn = QPushButton(self.tr("撤销收回…"))
        self.recovery_cancel_btn.setToolTip(self.tr("审核时误删：撤销这笔待收回，资助仍然有效（要写明原因）"))
        rtop.addWidget(self.recovery_summary, 1)
        rtop.addWidget(self.recovery_done_btn)
        rtop.addWidget(self.recovery_cancel_btn)
        rlay.addLayout(rtop)
        self.recoveries = QListWidget()
        self.recoveries.setObjectName("recoveries")
        rlay.addWidget(self.recoveries)
        split.addWidget(recover)
        split.setSizes([400, 120, 110])
        self.recovery_rows: list = []
        self.recovery_task: Task | None = None
        layout.addWidget(split, 1)

        self.propose_btn.clicked.connect(lambda: self.propose())
        self.add_btn.clicked.connect(lambda: self.add_student())
        self.remove_btn.clicked.connect(lambda: self.remove_selected())
        self.amount_btn.clicked.connect(lambda: self.change_selected_amount())
        self.check_btn.clicked.connect(lambda: self.check())
        self.report_btn.clicked.connect(lambda: self.save_report())
        self.export_btn.clicked.connect(lambda: self.export())
        self.recovery_done_btn.clicked.connect(lambda: self.mark_recovery_done())
        self.recovery_cancel_btn.clicked.connect(lambda: self.cancel_recovery())
        self.recoveries.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.browse_btn.clicked.connect(self._browse)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._update_buttons()

    # ---- loading ---------------------------------------------------------------------------------

    def activate(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.last_task = ops.load_choices(self.ctx, self, self._show_choices)

    def _show_choices(self, result: RosterChoices) -> None:
        items, term = result.policies, result.term
        self.policy.clear()
        for label, code in items:
            self.policy.addItem(label, code)
        if not self.term.text():
            self.term.setText(term)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择县里的模板"), "", "Excel 工作簿 (*.xlsx)")
        if path:
            self.set_template(path)

    def set_template(self, path: str) -> None:
        self.template.setText(path)
        self.format.setCurrentIndex(0)
        self.outcome = None
        self._update_buttons()

    def _format_changed(self) -> None:
        county = self.format.currentData() is None
        self.template.setEnabled(county)
        self.browse_btn.setEnabled(county)
        self.outcome = None
        self._update_buttons()

    def choice(self) -> ExportChoice:
        code = self.format.currentData()
        if code is None:
            return ExportChoice(template=self.template.text().strip() or None)
        if code == "standard":
            return ExportChoice()
        return ExportChoice(profile=code)

    # ---- proposing and reviewing -----------------------------------------------------------------

    def propose(self) -> Task | None:
        policy = self.policy.currentData()
        if not policy:
            return None
        self.outcome = None
        self.last_task = ops.propose(
            self.ctx, self, policy, self.term.text().strip(), self.quota.value() or None, self.days.value() or None,
            self._show_proposal, lambda exc: show_error(self, exc),
        )  # fmt: skip
        return self.last_task

    def _show_proposal(self, proposal: roster.RosterProposal) -> None:
        self.proposal = proposal
        self._checked = False  # a new roster: the old checks were about another one
        self.findings.clear()
        self.refresh()
        self.load_recoveries()

    def refresh(self) -> None:
        p = self.proposal
        if p is None:
            return
        rows, marks = [], []
        found = {f.student_id: f for f in (self.outcome.findings if self.outcome else [])}
        for line in p.lines:
            state = self.tr("列入") if line.included else self.tr("未列入")
            why = line.removed_reason or (self.tr("超出名额") if line.over_quota else "")
            note = "；".join(
                x
                for x in (
                    why,
                    line.note or "",
                    found[line.student_id].detail if line.student_id in found else "",
                )
                if x
            )
            rows.append((line.name, f"{line.grade_name}{line.class_name}", line.shown_id, line.category or line.level or "",
                         format_amount(line.standard) if line.standard is not None else "", format_amount(line.amount),
                         state + ("（已记录）" if line.award_id else ""), note))  # fmt: skip
            marks.append("red" if line.student_id in found and found[line.student_id].blocking and line.included
                         else "grey" if not line.included else "yellow" if line.student_id in found else None)  # fmt: skip
        self.model.set_rows(rows, marks)
        s = p.summary()
        text = self.tr("{term}{title}：列入 {n} 人，合计 {total} 元（按资格规则符合条件 {proposed} 人；已有发放记录 {recorded} 人）").format(
            term=p.term.label, title=p.title, n=s["included"], total=format_amount(p.total),
            proposed=s["proposed"], recorded=s["recorded"],
        )  # fmt: skip
        if p.notes:
            text += "\n" + "\n".join(p.notes)
        self.summary.setText(text)
        self._update_buttons()

    def selected_line(self) -> roster.RosterLine | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.proposal is None:
            return None
        return self.proposal.lines[rows[0].row()]

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _key(self, line: roster.RosterLine) -> str:
        return line.id_number or line.student_no or line.name

    def remove_selected(self, reason: str | None = None) -> None:
        line = self.selected_line()
        if line is None or self.proposal is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, self.tr("去掉"), self.tr("从名单中去掉 {n} 的原因：").format(n=line.name)
            )
            if not ok:
                return
        try:
            roster.remove(self.proposal, self._key(line), reason)
        except roster.InputRefused as exc:
            show_error(self, exc)
            return
        self._changed()

    def change_selected_amount(self, amount: str | None = None, reason: str | None = None) -> None:
        line = self.selected_line()
        if line is None or self.proposal is None:
            return
        if amount is None:
            amount, ok = QInputDialog.getText(self, self.tr("改金额"), self.tr("{n} 的金额（元）：").format(n=line.name),
                                              text=str(line.amount))  # fmt: skip
            if not ok:
                return
        if reason is None:
            reason, ok = QInputDialog.getText(self, self.tr("改金额"), self.tr("改动的原因："))
            if not ok:
                return
        try:
            roster.change_amount(self.proposal, self._key(line), amount, reason)
        except roster.InputRefused as exc:
            show_error(self, exc)
            return
        self._changed()

    def add_student(self, key: str | None = None, reason: str | None = None) -> Task | None:
        if self.proposal is None:
            return None
        if key is None:
            key, ok = QInputDialog.getText(
                self, self.tr("加入学生"), self.tr("学生的身份证件号或全国学籍号：")
            )
            if not ok or not key.strip():
                return None
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, self.tr("加入学生"), self.tr("加入的原因（按规则不符合条件时必填）：")
            )
            if not ok:
                return None
        proposal = self.proposal

        def done(_line: roster.RosterLine) -> None:
            self._changed()

        self.last_task = ops.add_to_roster(
            self.ctx,
            self,
            proposal,
            key.strip(),
            reason or "",
            done,
            failure=lambda exc: show_error(self, exc),
        )
        return self.last_task

    # ---- checking, mapping, exporting ------------------------------------------------------------

    def check(self) -> Task | None:
        if self.proposal is None:
            return None
        self.last_task = ops.check(
            self.ctx,
            self,
            self.proposal,
            self.choice(),
            dict(self.mapping),
            self._show_checks,
            self._check_failed,
        )
        return self.last_task

    def _show_checks(self, outcome: roster_export.ExportOutcome) -> None:
        self.outcome = outcome
        self.findings.clear()
        for note in outcome.notes:
            self.findings.addItem(self.tr("说明：") + note)
        rows = roster.shown_rows(self.proposal) if self.proposal is not None else {}
        for f in outcome.findings:
            shown = rows.get(f.student_id) if f.student_id is not None else None
            self._add_finding(
                (self.tr("问题 ") if f.blocking else self.tr("提示 ")) + f.describe(shown), shown
            )
        for c in outcome.cell_problems:
            self.findings.addItem(self.tr("上传会被拒绝：") + c.describe())
        if not outcome.findings and not outcome.cell_problems:
            self.findings.addItem(self.tr("检查通过：没有发现问题。"))
        self._checked = True
        self.refresh()

    def _add_finding(self, text: str, shown_row: int | None) -> None:
        """A line of the check pane; one naming a student's row selects that row when double-clicked."""
        item = QListWidgetItem(text)
        if shown_row is not None:
            item.setData(Qt.ItemDataRole.UserRole, shown_row)
        self.findings.addItem(item)

    def _go_to_finding(self, item: QListWidgetItem) -> None:
        row = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(row, int):
            self.select_row(row - 1)

    def _changed(self) -> None:
        """After each change of the review the checks are made again, so the pane never shows problems
        of a roster that is no longer the one on screen."""
        self.outcome = None
        self.refresh()
        if self._checked:
            self.check()

    def _check_failed(self, exc: BaseException) -> None:
        details = getattr(exc, "details", {}) or {}
        if details.get("unplaced"):
            self.ask_mapping(details["unplaced"], details.get("preview", []))
            return
        show_error(self, exc)

    def mapping_dialog(self, unplaced: list[dict], preview: list[list[str]]) -> TemplateMappingDialog:  # type: ignore[type-arg]
        return TemplateMappingDialog(unplaced, preview, self)

    def ask_mapping(self, unplaced: list[dict], preview: list[list[str]]) -> None:  # type: ignore[type-arg]
        dialog = self.mapping_dialog(unplaced, preview)
        if dialog.exec():
            self.mapping.update(dialog.mapping())
            self.check()

    def save_report(self, target: str | None = None) -> Task | None:
        if self.outcome is None or self.proposal is None:
            return None
        if target is None:
            target, _ = QFileDialog.getSaveFileName(
                self, self.tr("保存检查结果"), "检查结果.xlsx", "Excel 工作簿 (*.xlsx)"
            )
            if not target:
                return None
        title = f"{self.proposal.term.label}{self.proposal.title}花名册检查结果"
        self.last_task = ops.save_report(
            self.ctx, self, self.outcome.findings, target, title,
            lambda path: QMessageBox.information(self, self.tr("已保存"), str(path)),
        )  # fmt: skip
        return self.last_task

    def export(self, out: str | None = None, anyway: str | None = None) -> Task | None:
        if self.proposal is None:
            return None
        if out is None:
            out, _ = QFileDialog.getSaveFileName(
                self, self.tr("保存花名册"), "花名册.xlsx", "Excel 工作簿 (*.xlsx)"
            )
            if not out:
                return None
        proposal = self.proposal

        def done(result: tuple[roster_export.ExportOutcome, roster.ConfirmResult | None]) -> None:
            outcome, confirmed = result
            self.outcome = outcome
            self._show_checks(outcome)
            text = self.tr("已保存 {path}：{n} 人，合计 {total} 元。").format(
                path=outcome.path, n=outcome.rows, total=format_amount(outcome.total)
            )
            if confirmed is not None:
                text += self.tr("已确认为本学期发放记录（新增 {c} 条，改金额 {u} 条，去掉 {d} 条）。").format(
                    c=confirmed.created, u=confirmed.updated, d=confirmed.deleted
                )
            if confirmed is not None and confirmed.recovered:
                text += self.tr("已发放的 {r} 笔没有删除，登记为待收回（见下方“收回”）。").format(
                    r=confirmed.recovered
                )
            self.summary.setText(text)
            self.load_recoveries()
            QMessageBox.information(self, self.tr("花名册已导出"), text)

        def failed(exc: BaseException) -> None:
            details = getattr(exc, "details", {}) or {}
            if details.get("unplaced"):
                self.ask_mapping(details["unplaced"], details.get("preview", []))
                return
            if details.get("checks") or details.get("refused_cells"):
                self._show_checks_from(details)
                reason = self.ask_anyway(str(exc))
                if reason:
                    self.export(out, reason)
                return
            show_error(self, exc)

        self.last_task = ops.export(
            self.ctx, self, proposal, out, self.choice(), dict(self.mapping), confirm=True, anyway=anyway,
            success=done, failure=failed,
        )  # fmt: skip
        return self.last_task

    def _show_checks_from(self, details: dict) -> None:  # type: ignore[type-arg]
        self.findings.clear()
        rows = roster.shown_rows(self.proposal) if self.proposal is not None else {}
        for f in details.get("checks", []):
            shown = rows.get(f.get("student_id"))  # type: ignore[arg-type]
            where = f"表中第 {shown} 行" if shown else f"第 {f['row']} 行"
            sheet = f"（花名册第 {f['row']} 行）" if shown and f.get("row") else ""
            self._add_finding(
                ("问题 " if f["blocking"] else "提示 ")
                + f"{where}{sheet} {f['name']}（{f['id_number']}）：{f['detail']}",
                shown,
            )
        for c in details.get("refused_cells", []):
            self.findings.addItem(
                f"上传会被拒绝：第 {c['row']} 行 {c['column']} 列「{c['title']}」：{c['reason']}"
            )

    def anyway_dialog(self, message: str) -> QDialog:
        """Exporting despite the checks: the whole message in a box that scrolls (a long list of
        problems never pushes the reason field and the buttons off the screen), then the reason."""
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("检查发现问题"))
        box = QVBoxLayout(dialog)
        text = QPlainTextEdit(message)
        text.setObjectName("anywayMessage")
        text.setReadOnly(True)
        text.setMinimumWidth(560)
        text.setMaximumHeight(320)
        box.addWidget(text)
        box.addWidget(QLabel(self.tr("如确需照样导出，请写明原因（会记入留痕）：")))
        reason = QLineEdit()
        reason.setObjectName("anywayReason")
        box.addWidget(reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        box.addWidget(buttons)
        return dialog

    def ask_anyway(self, message: str) -> str | None:
        """Exporting despite the checks needs a reason, which the audit trail keeps."""
        dialog = self.anyway_dialog(message)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        reason = dialog.findChild(QLineEdit, "anywayReason").text().strip()  # type: ignore[union-attr]
        return reason or None

    # ---- recoveries (收回) ---------------------------------------------------------------------------

    def load_recoveries(self) -> Task:
        self.recovery_task = ops.load_recoveries(
            self.ctx, self, self.term.text().strip(), self._show_recoveries
        )
        return self.recovery_task

    def _show_recoveries(self, result: tuple) -> None:  # type: ignore[type-arg]
        rows, total = result
        self.recovery_rows = list(rows)
        self.recoveries.clear()
        for r in rows:
            self.recoveries.addItem(r.describe())
        self.recovery_summary.setText(self.tr("收回：{text}").format(text=total.describe()))
        self._update_buttons()

    def selected_recovery(self):  # type: ignore[no-untyped-def]
        row = self.recoveries.currentRow()
        return self.recovery_rows[row] if 0 <= row < len(self.recovery_rows) else None

    def mark_recovery_done(
        self, done_on: date | None = None, method: str | None = None, note: str | None = None
    ) -> Task | None:
        """The selected recovery is done: on which day and how (退回 / 抵扣 / 其他, with a note)."""
        rec = self.selected_recovery()
        if rec is None or rec.status != "pending":
            return None
        if method is None:
            method, ok = QInputDialog.getItem(
                self, self.tr("登记已收回"),
                self.tr("{n} {p} {a} 元怎样收回的：").format(n=rec.name, p=rec.policy_name, a=format_amount(rec.amount)),
                list(RECOVERY_METHODS), 0, False,
            )  # fmt: skip
            if not ok:
                return None
        if done_on is None:
            text, ok = QInputDialog.getText(
                self, self.tr("登记已收回"), self.tr("收回的日期（如 2026-09-18）："),
                text=today_qdate().toString("yyyy-MM-dd"),
            )  # fmt: skip
            if not ok:
                return None
            try:
                done_on = date.fromisoformat(text.strip())
            except ValueError:
                show_error(
                    self,
                    roster.InputRefused(self.tr("日期“{t}”无法识别，请写作 2026-09-18。").format(t=text)),
                )
                return None
        if note is None and method == "其他":
            note, ok = QInputDialog.getText(self, self.tr("登记已收回"), self.tr("怎样收回的："))
            if not ok:
                return None

        def done(_rid: int) -> None:
            self.load_recoveries()
            self.summary.setText(
                self.tr("已登记收回：{n} {p} {a} 元（{d:%Y-%m-%d}，{m}）；相关问题已销号（已收回）。").format(
                    n=rec.name, p=rec.policy_name, a=format_amount(rec.amount), d=done_on, m=method
                )
            )

        self.last_task = ops.mark_recovery_done(
            self.ctx, self, rec.id, done_on, method, note, done, failure=lambda exc: show_error(self, exc)
        )
        return self.last_task

    def cancel_recovery(self, reason: str | None = None) -> Task | None:
        """The selected recovery was recorded by mistake: taken back, with a reason; the award stands."""
        rec = self.selected_recovery()
        if rec is None or rec.status != "pending":
            return None
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, self.tr("撤销收回"),
                self.tr("撤销 {n} {p} {a} 元的收回（资助仍然有效）。原因：").format(
                    n=rec.name, p=rec.policy_name, a=format_amount(rec.amount)
                ),
            )  # fmt: skip
            if not ok:
                return None

        def done(_rid: int) -> None:
            self.load_recoveries()
            self.summary.setText(
                self.tr("已撤销收回：{n} {p} {a} 元，资助仍然有效。").format(
                    n=rec.name, p=rec.policy_name, a=format_amount(rec.amount)
                )
            )

        self.last_task = ops.cancel_recovery(
            self.ctx, self, rec.id, reason, done, failure=lambda exc: show_error(self, exc)
        )
        return self.last_task

    def _update_buttons(self) -> None:
        rec = self.selected_recovery() if hasattr(self, "recoveries") else None
        self.recovery_done_btn.setEnabled(rec is not None and rec.status == "pending")
        self.recovery_cancel_btn.setEnabled(rec is not None and rec.status == "pending")
        has = self.proposal is not None
        for b in (self.add_btn, self.remove_btn, self.amount_btn, self.check_btn, self.export_btn):
            b.setEnabled(has)
        self.report_btn.setEnabled(self.outcome is not None)
