"""控辍保学 page: three tabs — 案件 (one plan per child: open, act, notify, escalate, close), 三本台账 (the
ledgers counties keep and their export) and 看板 (the term's figures by village and by teacher)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ui.operations import AppContext, Changes
from ui.pages.dropout.cases_tab import CasesTab
from ui.pages.dropout.dashboard_tab import DashboardTab
from ui.pages.dropout.ledgers_tab import LedgersTab
from ui.permissions import Rights


class DropoutPage(QWidget):
    available = True
    RIGHTS = Rights(
        page="cases.view"
    )  # writing needs casework.edit (a 劝返: cases.act): the 案件 tab offers each only then

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr("义务教育阶段“一个都不能少”：每名辍学学生一人一案，劝返、通知、上报、结案都有记录。")
        )
        intro.setStyleSheet("color:#6b7280")
        layout.addWidget(intro)
        self.tabs = QTabWidget()
        self.cases = CasesTab(ctx, self)
        self.ledgers = LedgersTab(ctx, self)
        self.dashboard = DashboardTab(ctx, self)
        self.tabs.addTab(self.cases, self.tr("案件"))
        self.tabs.addTab(self.ledgers, self.tr("三本台账"))
        self.tabs.addTab(self.dashboard, self.tr("看板"))
        layout.addWidget(self.tabs, 1)
        self._stale = {0: True, 1: True, 2: True}
        self.tabs.currentChanged.connect(lambda _i: self.activate())
        ctx.data_changed.connect(self._data_changed)

    def activate(self) -> None:
        i = self.tabs.currentIndex()
        if self._stale.get(i):
            self._stale[i] = False
            (self.cases, self.ledgers, self.dashboard)[i].reload()

    def _data_changed(self, changes: Changes, initiator: object) -> None:
        if changes.any_of("cases", "students", "households", "problems", "settings"):
            # the cases tab reloads itself after its own writes (showing the case it wrote)
            self._stale = {0: initiator is not self.cases, 1: True, 2: True}
            if self.isVisible():
                self.activate()
