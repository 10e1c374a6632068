"""案件: every dropout case (劝返中 first, the most overdue first), one case's file beside the list — the
child, the reason and plan, the people responsible and the whole history — and the buttons that work a
case: 手工立案, 记录劝返, 打印通知书, 上报, 结案. Cases from the student ledger (标记辍学) and from the
problem list (需核实去向) appear here as soon as they are opened."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
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
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from aidoffice.casework.case_queries import CaseDetail, CaseFilter, CaseRow
from aidoffice.casework.cases import REASONS
from ui.models.rows_table import RowsModel
from ui.operations import AppContext
from ui.operations import cases as ops
from ui.operations.security import may
from ui.pages.dropout.dialogs import (
    ActionDialog,
    CloseCaseDialog,
    EscalateDialog,
    NoticeDialog,
    OpenCaseDialog,
    RolesDialog,
)
from ui.tasks import Latest, Task

HEADERS = [
    "编号",
    "姓名",
    "身份证件号",
    "年级班级",
    "所在村",
    "辍学原因",
    "状态",
    "立案日期",
    "下次跟进",
    "劝返次数",
    "结果",
    "责任人",
]


def _row(r: CaseRow) -> list[object]:
    due = f"{r.next_due:%Y-%m-%d}" + ("（逾期）" if r.overdue else "") if r.next_due else ""
    return [r.id, r.name, r.id_number, r.class_label, r.place, r.reason, r.status, f"{r.opened_on:%Y-%m-%d}", due,
            r.attempts, r.outcome, r.responsible]  # fmt: skip


def detail_html(d: CaseDetail) -> str:
    r = d.row
    e = escape
    out = [f"<h3>{e(r.name)}　<small>{e(r.status)}{'，' + e(r.outcome) if r.outcome else ''}</small></h3>"]
    facts = [
        ("身份证件号", r.id_number), ("年级班级", r.class_label or "不在本校台账"), ("户籍村", r.place),
        ("监护人", f"{d.guardian} {d.guardian_phone}".strip()), ("发现途径", r.source),
        ("辍学原因", r.reason + (f"：{d.reason_note}" if d.reason_note else "")), ("劝返方案", d.plan or "（未填写）"),
        ("立案", f"{r.opened_on:%Y-%m-%d}" + (f"（第 {r.times_opened} 次）" if r.times_opened > 1 else "")),
        ("下次跟进", (f"{r.next_due:%Y-%m-%d}" + ("，已逾期" if r.overdue else "")) if r.next_due else "—"),
        ("劝返", f"{r.attempts} 次" + (f"（最近 {r.last_attempt:%Y-%m-%d}）" if r.last_attempt else "")),
        ("上报", f"{r.escalated_on:%Y-%m-%d}" if r.escalated_on else "未上报"),
    ]  # fmt: skip
    if r.outcome:
        facts.append(
            (
                "结案",
                f"{r.closed_on:%Y-%m-%d} {r.outcome}" + (f"：{d.outcome_note}" if d.outcome_note else ""),
            )
        )
    out.append("<table cellspacing=2>")
    out += [f"<tr><td style='color:#6b7280'>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in facts]
    out.append("</table><h4>包保责任人</h4><ul>")
    out += [f"<li>{e(p.role)}：{e(p.name)} {e(p.phone)}</li>" for p in d.people] or ["<li>（未指定）</li>"]
    out.append("</ul><h4>处理记录</h4><ol>")
    for a in d.actions:
        line = f"{a.on:%Y-%m-%d} 【{a.kind}】{a.way} {a.who}：{a.said}"
        if a.result:
            line += f" → {a.result}"
        if a.due:
            line += f"（期限 {a.due:%Y-%m-%d}）"
        out.append(f"<li>{e(line)}</li>")
    out.append("</ol>")
    return "".join(out)


class CasesTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.choices: ops.CaseChoices | None = None
        self.detail: CaseDetail | None = None
        self.rows: list[CaseRow] = []
        self._want: int | None = None  # the case to show once the list has come back
        self.last_task: Task | None = None
        # a list or case file asked for earlier (another filter, another row) that comes back later goes nowhere
        self._rows_latest, self._detail_latest = Latest(), Latest()
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.status = QComboBox()
        self.status.addItems(list(ops.STATUS_FILTERS))
        self.reason = QComboBox()
        self.reason.addItems([self.tr("全部原因"), *REASONS])
        self.overdue = QCheckBox(self.tr("只看逾期"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("姓名或证件号末几位"))
        self.show_full = QCheckBox(self.tr("显示完整证件号"))
        self.show_full.setVisible(may(ctx, "students.view_full_ids"))
        for w in (
            QLabel(self.tr("状态")),
            self.status,
            self.reason,
            self.overdue,
            self.search,
            self.show_full,
        ):
            top.addWidget(w)
        top.addStretch()
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        top.addWidget(self.summary)
        layout.addLayout(top)
        buttons = QHBoxLayout()
        self.new_btn = QPushButton(self.tr("手工立案…"))
        self.new_btn.setToolTip(self.tr("服务村中不在任何台账里的失学儿童。台账中的学生请在“学籍台账”中标记辍学，"
                                        "比对发现的请在“问题清单”中立案。"))  # fmt: skip
        self.act_btn = QPushButton(self.tr("记录劝返…"))
        self.notice_btn = QPushButton(self.tr("打印通知书…"))
        self.escalate_btn = QPushButton(self.tr("上报…"))
        self.close_btn = QPushButton(self.tr("结案…"))
        self.roles_btn = QPushButton(self.tr("责任人身份…"))
        for b in (self.new_btn, self.act_btn, self.notice_btn, self.escalate_btn, self.close_btn):
            buttons.addWidget(b)
        buttons.addStretch()
        buttons.addWidget(self.roles_btn)
        layout.addLayout(buttons)
        split = QSplitter()
        self.model = RowsModel([self.tr(h) for h in HEADERS], self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.file = QTextBrowser()
        self.file.setObjectName("caseFile")
        split.addWidget(self.table)
        split.addWidget(self.file)
        split.setSizes([700, 420])
        layout.addWidget(split, 1)
        writable = may(ctx, "casework.edit")
        # a head teacher records 劝返 for the cases of their classes (cases.act); the rest is the clerk's
        self.act_btn.setVisible(writable or may(ctx, "cases.act"))
        for b in (
            self.new_btn,
            self.notice_btn,
            self.escalate_btn,
            self.close_btn,
            self.roles_btn,
        ):
            b.setVisible(writable)
        self.status.currentIndexChanged.connect(self.reload)
        self.reason.currentIndexChanged.connect(self.reload)
        self.overdue.toggled.connect(self.reload)
        self.search.returnPressed.connect(self.reload)
        self.show_full.toggled.connect(self.reload)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._picked(cur.row()))
        self.new_btn.clicked.connect(self.open_by_hand)
        self.act_btn.clicked.connect(self.record_action)
        self.notice_btn.clicked.connect(self.print_notice)
        self.escalate_btn.clicked.connect(self.escalate)
        self.close_btn.clicked.connect(self.close_case)
        self.roles_btn.clicked.connect(self.edit_roles)
        self._enable()

    # -- loading ---------------------------------------------------------------------------------
    def current_filter(self) -> CaseFilter:
        reason = self.reason.currentText() if self.reason.currentIndex() > 0 else None
        return CaseFilter(status=ops.STATUS_FILTERS[self.status.currentText()], reason=reason,
                          overdue_only=self.overdue.isChecked(), search=self.search.text())  # fmt: skip

    def reload(self) -> Task:
        ops.load_choices(self.ctx, self, self._got_choices)
        self.last_task = ops.load_cases(
            self.ctx, self, self.current_filter(), self.show_full.isChecked(), self._rows_latest(self._got)
        )
        return self.last_task

    def _got_choices(self, choices: ops.CaseChoices) -> None:
        self.choices = choices

    def _got(self, rows: list[CaseRow]) -> None:
        keep = self._want or (self.detail.row.id if self.detail else None)
        self._want = None
        self.rows = rows
        self.model.set_rows([_row(r) for r in rows], ["red" if r.overdue else None for r in rows])
        self.table.resizeColumnsToContents()
        open_ = sum(r.status == "劝返中" for r in rows)
        late = sum(r.overdue for r in rows)
        self.summary.setText(
            self.tr("共 {n} 件，劝返中 {o} 件，逾期 {l} 件").format(n=len(rows), o=open_, l=late)
        )
        row = next((i for i, r in enumerate(rows) if r.id == keep), 0 if rows else None)
        if row is None:
            self.detail = None
            self.file.setHtml(self.tr("<p>还没有案件。</p><p>学籍台账中“标记辍学”、问题清单中“需核实去向”的“立控辍保学案件…”，"
                                      "或这里的“手工立案…”都会在这里建立一人一案。</p>"))  # fmt: skip
            self._enable()
        else:
            self.table.selectRow(row)
            self._picked(row)

    def select_case(self, case_id: int) -> None:
        for i, r in enumerate(self.rows):
            if r.id == case_id:
                self.table.selectRow(i)
                self._picked(i)

    def _picked(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.last_task = ops.load_detail(self.ctx, self, self.rows[row].id, self.show_full.isChecked(),
                                             self._detail_latest(self._got_detail))  # fmt: skip

    def _got_detail(self, d: CaseDetail) -> None:
        self.detail = d
        self.file.setHtml(detail_html(d))
        self._enable()

    def _enable(self) -> None:
        is_open = self.detail is not None and self.detail.row.status == "劝返中"
        for b in (self.act_btn, self.notice_btn, self.escalate_btn, self.close_btn):
            b.setEnabled(is_open)

    def _after_write(self, case_id: int | None = None) -> None:
        """The page leaves this tab's reload to it after its own writes: the list comes back showing
        the case just written."""
        self._want = case_id
        self.reload()

    # -- writes ----------------------------------------------------------------------------------
    def open_by_hand(self) -> Task | None:
        if self.choices is None:
            return None
        if not self.choices.villages:
            QMessageBox.information(
                self,
                self.tr("手工立案"),
                self.tr("还没有服务村：请先在“户籍台账 → 服务村…”中确认本校服务的村。"),
            )
            return None
        dialog = OpenCaseDialog(self.tr("服务村中不在任何台账里的失学儿童（村里告知、家访发现）。台账中的学生请在学籍台账中标记辍学。"),
                                self.choices.roles, self.choices.villages, self)  # fmt: skip
        if not dialog.exec():
            return None
        return self.save_by_hand(dialog)

    def save_by_hand(self, dialog: OpenCaseDialog) -> Task:
        self.last_task = ops.open_by_hand(
            self.ctx, self, dialog.child_input(), dialog.case_input(), self._after_write
        )
        return self.last_task

    def record_action(self) -> Task | None:
        if self.detail is None:
            return None
        dialog = ActionDialog(self.detail.row.name, self)
        return self.save_action(dialog.values()) if dialog.exec() else None

    def save_action(self, values: dict) -> Task:  # type: ignore[type-arg]
        assert self.detail is not None
        cid = self.detail.row.id
        self.last_task = ops.add_action(self.ctx, self, cid, values, lambda _r: self._after_write(cid))
        return self.last_task

    def print_notice(self) -> Task | None:
        if self.detail is None:
            return None
        dialog = NoticeDialog(self.detail.row.name, self)
        if not dialog.exec():
            return None
        kind, deadline, place = dialog.values()
        title = dict(NoticeDialog.KINDS)[kind]
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存通知书"), f"{title}-{self.detail.row.name}.pdf", "PDF (*.pdf)"
        )
        return self.save_notice(kind, path, deadline, place) if path else None

    def save_notice(self, kind: str, path: str, deadline, place: str | None) -> Task:  # type: ignore[no-untyped-def]
        assert self.detail is not None
        cid = self.detail.row.id

        def done(res) -> None:  # type: ignore[no-untyped-def]
            self._after_write(cid)
            QMessageBox.information(
                self, self.tr("已生成"),
                self.tr("{t}已保存：{p}（{n} 页），到校截止 {d:%Y-%m-%d}，已记入案件。").format(
                    t=res.title, p=res.path, n=res.pages, d=res.deadline),
            )  # fmt: skip
            if not getattr(self, "quiet", False):
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(res.path)))

        self.last_task = ops.produce_notice(self.ctx, self, cid, kind, path, deadline, place, done)
        return self.last_task

    def escalate(self) -> Task | None:
        if self.detail is None:
            return None
        dialog = EscalateDialog(self.detail.row.name, self)
        if not dialog.exec():
            return None
        cid = self.detail.row.id
        to, note = dialog.values()
        self.last_task = ops.escalate(self.ctx, self, cid, to, note, lambda _r: self._after_write(cid))
        return self.last_task

    def close_case(self) -> Task | None:
        if self.detail is None:
            return None
        dialog = CloseCaseDialog(self.detail.row.name, self)
        return self.save_close(*dialog.values()) if dialog.exec() else None

    def save_close(self, outcome: str, note: str | None, on) -> Task:  # type: ignore[no-untyped-def]
        assert self.detail is not None
        cid = self.detail.row.id
        self.last_task = ops.close_case(
            self.ctx, self, cid, outcome, note, on, lambda _r: self._after_write(cid)
        )
        return self.last_task

    def edit_roles(self) -> Task | None:
        if self.choices is None:
            return None
        dialog = RolesDialog(self.choices.roles, self)
        if not dialog.exec():
            return None
        self.last_task = ops.set_roles(self.ctx, self, dialog.values(), lambda _r: self.reload())
        return self.last_task
