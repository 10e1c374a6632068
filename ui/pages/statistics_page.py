"""统计: for a term, how fully the priority groups are aided (应助尽助率) per group, grade and village,
where the villages' school-age children study, the open problems by kind and the problems closed
this term — as bar charts the clerk can copy into a report. The figures come from a read-only run of
the comparison (ui/operations/reconcile.py); the problem list is not touched."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from aidoffice.domain.terms import Term as TermValue
from aidoffice.reconcile.statistics import Rate, TermStatistics
from ui.charts import Bar, BarChart
from ui.operations import AppContext, Changes
from ui.operations import reconcile as ops
from ui.operations.reconcile import Choices
from ui.permissions import Rights
from ui.tasks import Task

MAX_VILLAGES = 15  # the villages furthest from 应助尽助 first; the workbook has them all


def _rate_bars(rates: list[Rate]) -> list[Bar]:
    return [
        Bar(
            r.label,
            r.rate or 0.0,
            f"{(r.rate or 0) * 100:.1f}%（{r.aided}/{r.eligible}）",
            low=r.aided < r.eligible,
        )
        for r in rates
    ]


class StatisticsPage(QWidget):
    available = True
    RIGHTS = Rights(page="students.view", whole_school_page="全校统计")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True
        self.stats: TermStatistics | None = None
        self.last_task: Task | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.term = QComboBox()
        self.term.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.refresh_btn = QPushButton(self.tr("统计"))
        self.copy_btn = QPushButton(self.tr("复制全部图表"))
        self.save_btn = QPushButton(self.tr("保存为图片…"))
        self.headline = QLabel()
        self.headline.setObjectName("headline")
        self.headline.setStyleSheet("font-size:15px;font-weight:bold")
        self.headline.setWordWrap(True)
        top.addWidget(QLabel(self.tr("学期")))
        top.addWidget(self.term)
        top.addWidget(self.refresh_btn)
        top.addWidget(self.headline, 1)
        top.addWidget(self.copy_btn)
        top.addWidget(self.save_btn)
        layout.addLayout(top)

        self.charts = {
            "group": BarChart(self.tr("应助尽助率：按重点群体")),
            "grade": BarChart(self.tr("应助尽助率：按年级")),
            "village": BarChart(self.tr("应助尽助率：按村（最低的 {n} 个）").format(n=MAX_VILLAGES)),
            "children": BarChart(self.tr("服务村学龄儿童需核实去向（人）")),
            "open": BarChart(self.tr("待处理问题（按类别）")),
            "closed": BarChart(self.tr("本学期已销号（按处理结果）")),
        }
        self.board = QWidget()
        self.board.setObjectName("board")
        grid = QGridLayout(self.board)
        for i, chart in enumerate(self.charts.values()):
            chart.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            chart.customContextMenuRequested.connect(lambda pos, c=chart: self._menu(c, pos))
            chart.setToolTip(self.tr("右键：复制图表或保存为图片"))
            grid.addWidget(chart, i // 2, i % 2, Qt.AlignmentFlag.AlignTop)
        grid.setRowStretch(len(self.charts), 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.board)
        layout.addWidget(scroll, 1)

        self.refresh_btn.clicked.connect(self.refresh)
        self.copy_btn.clicked.connect(lambda: self._copy(self.board))
        self.save_btn.clicked.connect(lambda: self._save(self.board))
        ctx.data_changed.connect(self._data_changed)

    def activate(self) -> None:
        if self._stale:
            self._stale = False
            self.last_task = ops.load_choices(self.ctx, self, self._fill_terms)

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("problems", "students", "groups", "households", "awards", "lists"):
            self._stale = True
            if self.isVisible():
                self.activate()

    def _fill_terms(self, c: Choices) -> None:
        if not isValid(self):
            return  # the page was closed while the result was on its way
        keep = self.term.currentData()
        self.term.blockSignals(True)
        self.term.clear()
        for code in c.terms:
            self.term.addItem(
                TermValue.parse(code).label + (self.tr("（当前）") if code == c.current else ""), code
            )
        index = self.term.findData(keep if keep else c.current)
        self.term.setCurrentIndex(max(0, index))
        self.term.blockSignals(False)
        self.refresh()

    def refresh(self) -> Task:
        self.last_task = ops.load_statistics(self.ctx, self, self.term.currentData(), self.show_statistics)
        return self.last_task

    def show_statistics(self, s: TermStatistics) -> None:
        if not isValid(self):
            return  # the page was closed while the result was on its way
        self.stats = s
        total = s.total
        rate = f"{total.rate * 100:.1f}%" if total.rate is not None else "—"
        self.headline.setText(
            self.tr(
                "{label}　重点群体应助尽助率 {rate}（应资助 {e} 人，已资助 {a} 人）　比对日期 {day}"
            ).format(label=s.label, rate=rate, e=total.eligible, a=total.aided, day=f"{s.on_date:%Y-%m-%d}")
            + self.tr("\n收回：{text}").format(text=s.recoveries.describe())
        )
        self.charts["group"].set_bars(_rate_bars(s.by_group), 1.0)
        self.charts["grade"].set_bars(_rate_bars(s.by_grade), 1.0)
        villages = sorted(s.by_village, key=lambda r: (r.rate if r.rate is not None else 1.0, -r.eligible))
        self.charts["village"].set_bars(_rate_bars(villages[:MAX_VILLAGES]), 1.0)
        children = sorted((v for v in s.villages if v.unaccounted), key=lambda v: -v.unaccounted)[
            :MAX_VILLAGES
        ]
        self.charts["children"].set_bars(
            [
                Bar(
                    f"{v.township}{v.village}", v.unaccounted, f"{v.unaccounted}（共 {v.children}）", low=True
                )
                for v in children
            ]
        )
        self.charts["open"].set_bars([Bar(label, n, str(n), low=True) for _k, label, n in s.open_by_kind])
        self.charts["closed"].set_bars([Bar(res, n, str(n)) for res, n in s.closed_by_resolution])

    def _menu(self, chart: BarChart, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(self.tr("复制图表"), chart.copy_to_clipboard)
        menu.addAction(self.tr("保存为图片…"), lambda: self._save(chart))
        menu.popup(chart.mapToGlobal(pos))

    def _copy(self, widget: QWidget) -> None:
        QGuiApplication.clipboard().setPixmap(widget.grab())

    def _save(self, widget: QWidget) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存图表"), self.tr("资助统计.png"), self.tr("PNG 图片 (*.png)")
        )
        if path:
            widget.grab().save(path if path.lower().endswith(".png") else path + ".png")
