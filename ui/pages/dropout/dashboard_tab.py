"""看板: cases open and returned this term, overdue actions, by village and by the responsible head
teacher; and the households nobody has contacted this month (from the 三包与家访 records, through the
core's casework.case_queries.not_contacted)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models.rows_table import RowsModel
from ui.operations import AppContext
from ui.operations import cases as ops
from ui.tasks import Latest, Task


def _tile(title: str) -> tuple[QGroupBox, QLabel]:
    box = QGroupBox(title)
    value = QLabel("—")
    value.setStyleSheet("font-size:26px;font-weight:bold;color:#1f2937")
    QVBoxLayout(box).addWidget(value)
    return box, value


class DashboardTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.board: ops.Board | None = None
        self.last_task: Task | None = None
        self._latest = Latest()  # figures read before the last refresh go nowhere
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.term = QLabel()
        self.term.setObjectName("summary")
        self.refresh_btn = QPushButton(self.tr("刷新"))
        top.addWidget(self.term)
        top.addStretch()
        top.addWidget(self.refresh_btn)
        layout.addLayout(top)
        tiles = QGridLayout()
        self.tiles: dict[str, QLabel] = {}
        for i, (key, title) in enumerate(
            [("open", "劝返中"), ("overdue", "劝返逾期"), ("opened", "本学期新立案"), ("returned", "本学期劝返复学"),
             ("escalated", "已上报（劝返中）"), ("not_contacted", "本月未联系的户")]
        ):  # fmt: skip
            box, value = _tile(self.tr(title))
            self.tiles[key] = value
            tiles.addWidget(box, 0, i)
        layout.addLayout(tiles)
        tables = QHBoxLayout()
        self.by_village = RowsModel([self.tr(h) for h in ("村", "劝返中", "本学期复学", "逾期")], self)
        self.by_teacher = RowsModel([self.tr(h) for h in ("班主任", "劝返中", "本学期复学", "逾期")], self)
        self.uncontacted = RowsModel([self.tr(h) for h in ("村", "联系教师", "本月未联系的户")], self)
        for title, model in ((self.tr("按村"), self.by_village), (self.tr("按班主任"), self.by_teacher),
                             (self.tr("本月未联系的户（三包与家访）"), self.uncontacted)):  # fmt: skip
            box = QGroupBox(title)
            view = QTableView()
            view.setModel(model)
            view.horizontalHeader().setStretchLastSection(True)
            QVBoxLayout(box).addWidget(view)
            tables.addWidget(box)
        layout.addLayout(tables, 1)
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        layout.addWidget(self.reasons)
        self.refresh_btn.clicked.connect(self.reload)

    def reload(self) -> Task:
        self.last_task = ops.load_dashboard(self.ctx, self, self._latest(self._got))
        return self.last_task

    def _got(self, board: ops.Board) -> None:
        self.board = board
        d = board.dashboard
        self.term.setText(
            self.tr("{t}（{a:%Y-%m-%d} 至 {b:%Y-%m-%d}）").format(t=d.term, a=d.term_starts, b=d.term_ends)
        )
        values = {"open": d.open, "overdue": d.overdue, "opened": d.opened_this_term,
                  "returned": d.returned_this_term, "escalated": d.escalated_open}  # fmt: skip
        for key, n in values.items():
            self.tiles[key].setText(str(n))
        self.tiles["overdue"].setStyleSheet(
            "font-size:26px;font-weight:bold;color:" + ("#b91c1c" if d.overdue else "#1f2937")
        )
        self.by_village.set_rows(
            [tuple(t) for t in d.by_village], ["red" if t.overdue else None for t in d.by_village]
        )
        self.by_teacher.set_rows(
            [tuple(t) for t in d.by_teacher], ["red" if t.overdue else None for t in d.by_teacher]
        )
        if board.not_contacted is None:
            self.tiles["not_contacted"].setText(self.tr("—"))
            self.tiles["not_contacted"].setToolTip(
                self.tr("您的账户没有“记录家访和联系”的权限，看不到家访记录")
            )
            self.uncontacted.set_rows([])
        else:
            self.tiles["not_contacted"].setText(str(sum(r[2] for r in board.not_contacted)))
            self.uncontacted.set_rows(board.not_contacted)
        reasons = "，".join(f"{k} {v} 人" for k, v in d.by_reason.items())
        self.reasons.setText(self.tr("劝返中按原因：") + (reasons or self.tr("无")))
