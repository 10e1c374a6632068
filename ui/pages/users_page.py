"""账户管理 (administrators): the accounts with their roles and classes; add, change, reset a password,
disable and enable (which also lifts a lock-out), and single-clerk mode. Without any account (open
mode) the page offers to start using accounts."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidoffice import clock
from aidoffice.safety.accounts import AccountInfo
from ui.dialogs.first_admin import FirstAdminDialog
from ui.dialogs.users import ResetPasswordDialog, UserDialog
from ui.operations import AppContext, Changes
from ui.operations import security as ops
from ui.operations.security import AccountsView, SignedIn
from ui.permissions import Rights
from ui.tasks import Task

COLUMNS = ["登录名", "姓名", "角色", "所带班级", "状态", "最近登录"]


def account_state(a: AccountInfo, now: datetime | None = None) -> str:
    now = now or clock.now()
    if not a.active:
        return "已停用"
    if a.locked_until is not None and a.locked_until > now:
        return f"输错密码锁定至 {a.locked_until:%H:%M:%S}"
    if a.must_change_password:
        return "可用（须修改密码）"
    return "可用"


class UsersPage(QWidget):
    available = True
    RIGHTS = Rights(page="users.manage")
    accounts_started = Signal(object)  # SignedIn: the first administrator, created from open mode

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.view: AccountsView | None = None
        self.last_task: Task | None = None
        self._stale = True
        self._starting = False  # the first administrator is being created: nobody is signed in yet
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>账户管理</h3>")))
        self.stack = QStackedWidget()
        layout.addWidget(self.stack)

        # open mode: no accounts yet
        start = QWidget()
        sv = QVBoxLayout(start)
        text = QLabel(
            self.tr(
                "这个数据库还没有启用账户：任何打开程序的人都能看到、修改全部学生信息，操作记录只记下电脑的登录名。"
                "<br>启用后每个人用自己的账户登录，班主任只能看到本班学生，县级账户只能查看。"
            )
        )
        text.setWordWrap(True)
        sv.addWidget(text)
        self.start_btn = QPushButton(self.tr("启用账户：建立管理员…"))
        sv.addWidget(self.start_btn, alignment=Qt.AlignmentFlag.AlignLeft)
        sv.addStretch()
        self.stack.addWidget(start)

        # the accounts
        main = QWidget()
        mv = QVBoxLayout(main)
        mv.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.add_btn = QPushButton(self.tr("新建账户…"))
        self.edit_btn = QPushButton(self.tr("修改…"))
        self.reset_btn = QPushButton(self.tr("重置密码…"))
        self.toggle_btn = QPushButton(self.tr("停用"))
        for b in (self.add_btn, self.edit_btn, self.reset_btn, self.toggle_btn):
            bar.addWidget(b)
        bar.addStretch()
        mv.addLayout(bar)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        mv.addWidget(self.table)
        single = QHBoxLayout()
        self.single_label = QLabel()
        self.single_label.setObjectName("singleClerk")
        self.single_label.setWordWrap(True)
        self.single_btn = QPushButton()
        single.addWidget(self.single_label, 1)
        single.addWidget(self.single_btn)
        mv.addLayout(single)
        self.stack.addWidget(main)

        self.start_btn.clicked.connect(self.start_accounts)
        self.add_btn.clicked.connect(self.add_account)
        self.edit_btn.clicked.connect(self.edit_account)
        self.table.doubleClicked.connect(lambda _i: self.edit_account())
        self.reset_btn.clicked.connect(self.reset_password)
        self.toggle_btn.clicked.connect(self.toggle_active)
        self.single_btn.clicked.connect(self.toggle_single_clerk)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        ctx.data_changed.connect(self._data_changed)

    # ---- loading ------------------------------------------------------------------------------------

    def activate(self) -> Task | None:
        return self.reload() if self._stale else None

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("users", "students", "settings"):
            self._stale = True
            if self.isVisible() and not self._starting:
                self.reload()

    def reload(self) -> Task:
        self._stale = False
        self.last_task = ops.load_accounts(self.ctx, self, self._show)
        return self.last_task

    def _show(self, view: AccountsView | None) -> None:
        self.view = view
        if view is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        chosen = self.selected()
        self.model.removeRows(0, self.model.rowCount())
        for a in view.accounts:
            state = account_state(a)
            cells = [a.login, a.display_name, a.role, "、".join(a.classes), state,
                     f"{a.last_sign_in:%Y-%m-%d %H:%M}" if a.last_sign_in else ""]  # fmt: skip
            items = [QStandardItem(c) for c in cells]
            if state != "可用":
                items[4].setForeground(
                    QColor("#b91c1c") if not a.active or "锁定" in state else QColor("#92400e")
                )
            items[0].setData(a.login, Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        if chosen is not None:
            self.select(chosen.login)
        me = ops.signed_in(self.ctx)
        if view.single_clerk:
            self.single_label.setText(
                self.tr("单人模式已开启：在这台电脑上打开程序时自动以“{login}”登录，不问密码。").format(
                    login=view.single_clerk
                )
            )
            self.single_btn.setText(self.tr("关闭单人模式"))
        else:
            self.single_label.setText(
                self.tr("单人模式：一个人专用的电脑上，打开程序时自动以您的管理员账户登录、不问密码。")
            )
            self.single_btn.setText(self.tr("开启单人模式…"))
        local = self.ctx.db.dialect == "sqlite"
        if not local and not view.single_clerk:
            self.single_label.setText(
                self.tr(
                    "单人模式只能用于本机数据库：服务器上的数据库由多台电脑共用，每个人都须用自己的账户登录。"
                )
            )
        self.single_btn.setEnabled(
            bool(view.single_clerk) or (local and me is not None and me.role_code == "admin")
        )
        self._selection_changed()

    # ---- selection ----------------------------------------------------------------------------------

    def selected(self) -> AccountInfo | None:
        if self.view is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        login = self.model.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((a for a in self.view.accounts if a.login == login), None)

    def select(self, login: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(Qt.ItemDataRole.UserRole) == login:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        a = self.selected()
        for b in (self.edit_btn, self.reset_btn, self.toggle_btn):
            b.setEnabled(a is not None)
        locked = a is not None and (not a.active or account_state(a).startswith("输错"))
        self.toggle_btn.setText(self.tr("启用（解锁）") if locked else self.tr("停用"))

    # ---- actions -----------------------------------------------------------------------------------

    def _need_selection(self) -> AccountInfo | None:
        a = self.selected()
        if a is None:
            QMessageBox.information(self, self.tr("账户管理"), self.tr("请先在表格中选中一个账户。"))
        return a

    def add_account(self) -> UserDialog:
        dialog = UserDialog(self.ctx, self.view.classes if self.view else [], parent=self)
        dialog.open()
        return dialog

    def edit_account(self) -> UserDialog | None:
        a = self._need_selection()
        if a is None:
            return None
        dialog = UserDialog(self.ctx, self.view.classes if self.view else [], a, parent=self)
        dialog.open()
        return dialog

    def reset_password(self) -> ResetPasswordDialog | None:
        a = self._need_selection()
        if a is None:
            return None
        dialog = ResetPasswordDialog(self.ctx, a.login, self)
        dialog.open()
        return dialog

    def toggle_active(self) -> Task | None:
        a = self._need_selection()
        if a is None:
            return None
        enable = not a.active or account_state(a).startswith("输错")
        if not enable:
            answer = QMessageBox.question(
                self,
                self.tr("停用账户"),
                self.tr("停用后“{login}”不能再登录（操作记录保留）。确定停用吗？").format(login=a.login),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        self.last_task = ops.set_active(self.ctx, self, a.login, enable, lambda _r: None)
        return self.last_task

    def toggle_single_clerk(self) -> Task | None:
        if self.view is None:
            return None
        if self.view.single_clerk:
            self.last_task = ops.set_single_clerk(self.ctx, self, None, lambda _r: None)
            return self.last_task
        me = ops.signed_in(self.ctx)
        if me is None:
            return None
        answer = QMessageBox.question(
            self,
            self.tr("开启单人模式"),
            self.tr(
                "开启后，在这台电脑上打开程序时会自动以“{login}”（管理员）登录，不再询问密码：\n"
                "任何坐到这台电脑前的人都能看到、修改全部学生信息。只适合一个人专用、别人碰不到的电脑。\n"
                "开启和以后每次自动登录都会记入操作记录。确定开启吗？"
            ).format(login=me.login),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        self.last_task = ops.set_single_clerk(self.ctx, self, me.login, lambda _r: None)
        return self.last_task

    def start_accounts(self) -> FirstAdminDialog:
        dialog = FirstAdminDialog(self.ctx, self, allow_later=False)
        dialog.finished.connect(lambda _r: self._started(dialog.signed))
        self._starting = True
        dialog.open()
        return dialog

    def _started(self, signed: SignedIn | None) -> None:
        self._starting = False
        if signed is not None:
            self.accounts_started.emit(signed)  # the window binds the new administrator first
        if self.isVisible():
            self.reload()
