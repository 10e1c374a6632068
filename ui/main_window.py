"""The main window: a thin shell with the navigation of the whole product that mounts one page each,
the signed-in user in the status bar, and the account menu (change password, lock, sign out). What
the role may not use is marked (ui/permissions.py); the services refuse it anyway."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from aidoffice.access.checks import Principal
from ui.help import ManualViewer, page_for_screen, show_about
from ui.operations import AppContext, Changes
from ui.operations import school as school_ops
from ui.operations.school import SchoolInfo
from ui.pages.audit_page import AuditPage
from ui.pages.consolidate_page import ConsolidatePage
from ui.pages.dropout import DropoutPage
from ui.pages.import_page import ImportPage
from ui.pages.publicity import PublicityPage
from ui.pages.reconcile_page import ReconcilePage
from ui.pages.roster_page import RosterPage
from ui.pages.settings import SettingsPage
from ui.pages.slips_page import SlipsPage
from ui.pages.statistics_page import StatisticsPage
from ui.pages.student_ledger import StudentLedgerPage
from ui.pages.users_page import UsersPage
from ui.pages.village_ledger import VillageLedgerPage
from ui.pages.visits import VisitsPage
from ui.permissions import NoAccessPage, apply_rights, page_refusal


class MainWindow(QMainWindow):
    """`user`: who is signed in (None: the database has no accounts, everything is open);
    `single_clerk`: they were signed in automatically (单人模式)."""

    sign_out_requested = Signal()
    lock_requested = Signal()
    restart_requested = Signal(str)
    accounts_started = Signal(object)  # SignedIn: the first administrator, made from the users page

    def __init__(self, ctx: AppContext, user: Principal | None = None, *, single_clerk: bool = False):
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.single_clerk = single_clerk
        self.finishing = None  # the “正在完成保存…” dialog while closing waits for a write
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
        self.dropout = DropoutPage(ctx)
        self.users = UsersPage(ctx)
        self.audit = AuditPage(ctx)
        self.settings_page = SettingsPage(ctx)
        self.visits_page = VisitsPage(ctx)
        pages: list[tuple[str, QWidget]] = [
            (self.tr("学籍台账"), self.students),
            (self.tr("户籍台账"), self.villages),
            (self.tr("导入名单"), self.imports),
            (self.tr("比对与问题清单"), self.problems),
            (self.tr("1222宣传材料"), self.publicity),
            (self.tr("回执登记"), self.slips),
            (self.tr("控辍保学"), self.dropout),
            (self.tr("三包与家访"), self.visits_page),
            (self.tr("导出花名册"), self.roster),
            (self.tr("县级汇总"), self.consolidation),
            (self.tr("统计"), self.statistics),
            (self.tr("账户管理"), self.users),
            (self.tr("操作记录"), self.audit),
            (self.tr("设置"), self.settings_page),
        ]  # fmt: skip
        for title, page in pages:
            item = QListWidgetItem(title if page.available else self.tr("{t}（未开放）").format(t=title))  # type: ignore[attr-defined]
            if not page.available:  # type: ignore[attr-defined]
                item.setForeground(QColor("#9ca3af"))
                item.setToolTip(self.tr("此功能尚未开放"))
            reason = page_refusal(user, self.may, page)
            if reason is not None:
                # the page is kept out of sight (it would only meet refusals); its place says why
                item.setText(self.tr("{t}（无权限）").format(t=title))
                item.setForeground(QColor("#9ca3af"))
                item.setToolTip(reason)
                page.setParent(self)
                page.hide()
                page = NoAccessPage(title, reason)
            self.nav.addItem(item)
            self.stack.addWidget(page)
        for _title, page in pages:
            apply_rights(page, user, self.may)  # what each page declares (its RIGHTS)
        self.settings_page.restart_requested.connect(self.restart_requested)
        self.imports.open_settings.connect(self._correct_school_code)
        self.users.accounts_started.connect(self.accounts_started)
        self.nav.currentRowChanged.connect(self.show_page)

        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.user_label = QLabel()
        self.user_label.setObjectName("signedIn")
        self.user_label.setContentsMargins(16, 0, 4, 0)
        self.statusBar().addPermanentWidget(self.user_label)
        self.sign_out_btn = QPushButton(self.tr("退出登录"))
        self.sign_out_btn.setFlat(True)
        self.sign_out_btn.clicked.connect(self.sign_out_requested)
        self.statusBar().addPermanentWidget(self.sign_out_btn)
        self._account_menu()
        self._help_menu()
        self._show_user()
        ctx.data_changed.connect(self._data_changed)
        self.refresh_status()
        self.nav.setCurrentRow(0)
        self.resize(1366, 768)

    def _correct_school_code(self) -> None:
        self.go_to(self.settings_page)
        self.settings_page.code.setFocus()
        self.settings_page.code.selectAll()

    def go_to(self, page: QWidget) -> None:
        """Show `page` (if this user may see it): a page's button that leads to another page."""
        row = self.stack.indexOf(page)
        if row >= 0:
            self.nav.setCurrentRow(row)

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
        if info is not None and info.behind:  # the calendar has moved on and the office not yet
            text += self.tr("　（按日历已是 {c}，做完本学期的工作后在“设置”中换学期）").format(
                c=info.calendar_term
            )
        self.status_label.setText(text)

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.settings:
            self.refresh_status()

    def may(self, permission: str) -> bool:
        return self.user is None or self.user.allows(permission)

    def _account_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("账户"))
        self.change_password_action = menu.addAction(self.tr("修改密码…"), self.change_password)
        self.lock_action = menu.addAction(self.tr("锁定窗口"), self.lock_requested)
        menu.addSeparator()
        self.sign_out_action = menu.addAction(self.tr("退出登录"), self.sign_out_requested)

    def _help_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("帮助"))
        self.manual_action = menu.addAction(self.tr("使用手册（本页）"), self.open_manual)
        self.manual_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.manual_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        menu.addAction(self.tr("使用手册目录"), lambda: self.open_manual("overview.md"))
        menu.addSeparator()
        menu.addAction(self.tr("关于…"), self.about)
        self.manual: ManualViewer | None = None

    def open_manual(self, file: str | None = None) -> ManualViewer:
        """F1: the manual opened at the page about the screen on show (or at `file`)."""
        if self.manual is None:
            self.manual = ManualViewer(self)
        current = self.nav.currentItem()
        self.manual.show_page(file or page_for_screen(current.text() if current else ""))
        self.manual.show()
        self.manual.raise_()
        self.manual.activateWindow()
        return self.manual

    def about(self) -> None:
        from aidoffice.paths import data_dir

        show_about(self, str(data_dir()), self.ctx.db.display_url)

    def _show_user(self) -> None:
        user = self.user
        signed = user is not None
        for w in (self.change_password_action, self.lock_action, self.sign_out_action):
            w.setEnabled(signed)
        self.sign_out_btn.setVisible(signed)
        if user is None:
            self.user_label.setText(self.tr("未启用账户（任何人打开程序都能使用全部功能）"))
            self.user_label.setStyleSheet("color:#92400e")
        elif self.single_clerk:
            self.user_label.setText(self.tr("单人模式：已自动以{who}登录，未询问密码").format(who=user.label))
            self.user_label.setStyleSheet("color:#92400e")
        else:
            self.user_label.setText(self.tr("当前用户：{who}").format(who=user.label))
            self.user_label.setStyleSheet("")

    def change_password(self):  # type: ignore[no-untyped-def]
        from ui.dialogs.users import ChangePasswordDialog

        if self.user is None:
            return None
        dialog = ChangePasswordDialog(self.ctx, self.user, self)
        dialog.open()
        return dialog

    def page_titles(self) -> list[str]:
        return [self.nav.item(i).text() for i in range(self.nav.count())]

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        """Reads in flight are dropped; a write still being saved is waited for, with “正在完成保存…”
        shown, and the window closes when it is done (never cut off half-way, never a silent wait)."""
        if self.ctx.pending_writes():
            event.ignore()
            if self.finishing is None:
                self.finishing = self.ctx.close_then(self, self.close)
            return
        self.ctx.drop_reads()
        super().closeEvent(event)
