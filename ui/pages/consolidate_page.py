"""县级汇总 page (county staff): choose the schools' filled rosters, consolidate them into one workbook
in the same template, and see the problems — a child aided by two schools, invalid IDs, totals that do
not add up, missing accounts. The schools' files are only read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidoffice.domain.money import format_amount
from aidoffice.exporting.words import PROBLEM_KINDS
from aidoffice.privacy import mask_id, scrub
from ui.models.rows_table import RowsModel
from ui.operations import AppContext
from ui.operations import roster as ops
from ui.permissions import Rights
from ui.tasks import Task, show_error

if TYPE_CHECKING:
    from aidoffice.exporting.consolidate import ConsolidateResult

PROBLEM_HEADERS = ("问题", "学校", "文件", "原表行号", "姓名", "证件号", "说明", "汇总表行号")
SCHOOL_HEADERS = ("学校", "文件", "人数", "各行相加", "文件中的合计", "是否一致")


class ConsolidatePage(QWidget):
    available = True
    RIGHTS = Rights(page="export.consolidate")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: ConsolidateResult | None = None
        self.last_task: Task | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "把各校按同一模板填好的花名册合成一个工作簿（格式照第一份），并列出跨校重复资助等问题。各校的原文件不会被改动。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.files = QListWidget()
        self.files.setMaximumHeight(130)
        side = QVBoxLayout()
        self.add_btn = QPushButton(self.tr("添加文件…"))
        self.remove_btn = QPushButton(self.tr("移除"))
        self.clear_btn = QPushButton(self.tr("清空"))
        for b in (self.add_btn, self.remove_btn, self.clear_btn):
            side.addWidget(b)
        side.addStretch()
        row.addWidget(self.files, 1)
        row.addLayout(side)
        layout.addLayout(row)
        out_row = QHBoxLayout()
        self.out = QLineEdit()
        self.out.setPlaceholderText(self.tr("汇总结果保存为 .xlsx"))
        self.out_btn = QPushButton(self.tr("另存为…"))
        self.run_btn = QPushButton(self.tr("汇总"))
        self.run_btn.setStyleSheet("font-weight:bold")
        out_row.addWidget(QLabel(self.tr("保存到")))
        out_row.addWidget(self.out, 1)
        out_row.addWidget(self.out_btn)
        out_row.addWidget(self.run_btn)
        layout.addLayout(out_row)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        self.schools = RowsModel([self.tr(h) for h in SCHOOL_HEADERS], self)
        self.problems = RowsModel([self.tr(h) for h in PROBLEM_HEADERS], self)
        for model in (self.schools, self.problems):
            view = QTableView()
            view.setModel(model)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            view.horizontalHeader().setStretchLastSection(True)
            split.addWidget(view)
        self.problem_view = split.widget(1)
        for col, width in enumerate((100, 130, 150, 70, 80, 150, 420)):
            self.problem_view.setColumnWidth(col, width)  # type: ignore[attr-defined]
        split.setSizes([150, 330])
        layout.addWidget(split, 1)
        self.add_btn.clicked.connect(self._browse)
        self.remove_btn.clicked.connect(
            lambda: [self.files.takeItem(self.files.row(i)) for i in self.files.selectedItems()]
        )
        self.clear_btn.clicked.connect(self.files.clear)
        self.out_btn.clicked.connect(self._browse_out)
        self.run_btn.clicked.connect(lambda: self.run())

    def _browse(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择各校的花名册"), "", "表格文件 (*.xlsx *.xls *.ods)"
        )
        self.add_files(paths)

    def _browse_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("汇总结果保存为"), "县汇总.xlsx", "Excel 工作簿 (*.xlsx)"
        )
        if path:
            self.out.setText(path)

    def add_files(self, paths: list[str]) -> None:
        have = {self.files.item(i).text() for i in range(self.files.count())}
        for p in paths:
            if p not in have:
                have.add(p)
                self.files.addItem(p)

    def file_list(self) -> list[str]:
        return [self.files.item(i).text() for i in range(self.files.count())]

    def run(self) -> Task | None:
        files, out = self.file_list(), self.out.text().strip()
        if not files or not out:
            self.summary.setText(self.tr("请先添加各校的花名册，并指定保存汇总结果的文件。"))
            return None
        self.last_task = ops.run_consolidation(
            self.ctx, self, files, out, self._show, lambda exc: show_error(self, exc)
        )
        return self.last_task

    def _show(self, result: ConsolidateResult) -> None:
        self.result = result
        counts: dict[str, int] = {}
        for p in result.problems:
            counts[p.kind] = counts.get(p.kind, 0) + 1
        text = self.tr("已汇总 {n} 所学校 {rows} 人，合计 {total} 元：{path}").format(
            n=len(result.schools), rows=result.rows, total=format_amount(result.total), path=result.path
        )
        text += "\n" + (
            "，".join(f"{PROBLEM_KINDS.get(k, k)} {v} 处" for k, v in counts.items())
            if counts
            else self.tr("没有发现问题。")
        )
        self.summary.setText(text)
        agrees = {None: "无合计", True: "一致", False: "不一致"}
        self.schools.set_rows(
            [(s.school, s.file, s.rows, format_amount(s.amount),
              format_amount(s.file_total) if s.file_total is not None else "", agrees[s.agrees]) for s in result.schools],
            ["red" if s.agrees is False else None for s in result.schools],
        )  # fmt: skip
        self.problems.set_rows(
            [(PROBLEM_KINDS.get(p.kind, p.kind), p.school, p.file, p.row or "", p.name, mask_id(p.id_number), scrub(p.detail),
              p.out_row or "") for p in result.problems],
            ["red" if p.kind in ("duplicate", "total_mismatch") else "yellow" for p in result.problems],
        )  # fmt: skip
