"""The main window: a thin shell with the navigation of the whole product that mounts one page each."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from ui.operations import AppContext, Changes
from ui.operations import school as school_ops
from ui.operations.school import SchoolInfo
from ui.pages.consolidate_page import ConsolidatePage
from ui.pages.import_page import ImportPage
from ui.pages.placeholder import PlaceholderPage
from ui.pages.publicity_page import PublicityPage
from ui.pages.reconcile_page import ReconcilePage
from ui.pages.roster_page import RosterPage
from ui.pages.settings import SettingsPage
from ui.pages.slips_page import SlipsPage
from ui.pages.statistics_page import StatisticsPage
from ui.pages.student_ledger import StudentLedgerPage
from ui.pages.village_ledger import VillageLedgerPage


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        ctx.setParent(self)
        self.setWindowTitle(self.tr("学校资助办助手"))
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(215)
        self.nav.setStyleSheet("QListWidget{font-size:14px} QListWidget::item{padding:7px 6px}")
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 4)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.students = StudentLedgerPage(ctx)
        self.villages = VillageLedgerPage(ctx)
        self.imports = ImportPage(ctx)
        self.problems = ReconcilePage(ctx)
        self.statistics = StatisticsPage(ctx)
        self.roster = RosterPage(ctx)
        self.consolidation = ConsolidatePage(ctx)
        self.publicity = PublicityPage(ctx)
        self.slips = SlipsPage(ctx)
        pages: list[tuple[str, QWidget]] = [
            (self.tr("学籍台账"), self.students),
            (self.tr("户籍台账"), self.villages),
            (self.tr("导入名单"), self.imports),
            (self.tr("比对与问题清单"), self.problems),
            (self.tr("1222宣传材料"), self.publicity),
            (self.tr("回执登记"), self.slips),
            (self.tr("控辍保学"), PlaceholderPage(self.tr("控辍保学"), self.tr("为每名辍学或疑似辍学学生建立“一人一案”，记录劝返过程、复学通知书和结果。"))),
            (self.tr("三包与家访"), PlaceholderPage(self.tr("三包与家访"), self.tr("登记包村、包户、包人责任人，记录每月联系和家访情况。"))),
            (self.tr("导出花名册"), self.roster),
            (self.tr("县级汇总"), self.consolidation),
            (self.tr("统计"), self.statistics),
            (self.tr("设置"), SettingsPage(ctx)),
        ]  # fmt: skip
        for title, page in pages:
            item = QListWidgetItem(title if page.available else self.tr("{t}（未开放）").format(t=title))  # type: ignore[attr-defined]
            if not page.available:  # type: ignore[attr-defined]
                item.setForeground(QColor("#9ca3af"))
                item.setToolTip(self.tr("此功能尚未开放"))
            self.nav.addItem(item)
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self.show_page)

        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        ctx.data_changed.connect(self._data_changed)
        self.refresh_status()
        self.nav.setCurrentRow(0)
        self.resize(1366, 768)

    def show_page(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        page = self.stack.currentWidget()
        if hasattr(page, "activate"):
            page.activate()

    def refresh_status(self):  # type: ignore[no-untyped-def]
        return school_ops.load_school(self.ctx, self, self._show_status)

    def _show_status(self, info: SchoolInfo | None) -> None:
        text = self.tr("{school}　当前学期 {term}　数据库：{db}").format(
            school=info.name if info else "", term=info.term if info else "", db=self.ctx.db.display_url
        )
        self.status_label.setText(text)

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.settings:
            self.refresh_status()

    def page_titles(self) -> list[str]:
        return [self.nav.item(i).text() for i in range(self.nav.count())]

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.ctx.wait(10_000)
        super().closeEvent(event)
