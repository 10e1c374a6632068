"""登录: the sign-in dialog at start, after signing out, and over a window locked after idle time.

The password is checked off the GUI thread (argon2). A wrong password and an unknown login get the
same answer from the service; after repeated failures the dialog itself says how long to wait (it
knows how often *it* failed, which tells nobody anything new) and keeps the button off meanwhile. An
account that must change its password (first sign-in, or reset by an administrator) sets a new one
here before the window opens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aidoffice.access.checks import Principal
from aidoffice.errors import AidofficeError, ValidationError
from aidoffice.safety.accounts import (
    LOCK_AFTER,
    PASSWORD_RULES,
    AccountLocked,
    AccountNotExplained,
    SignInFailed,
    lock_time,
)
from ui.operations import AppContext
from ui.operations import security as ops
from ui.operations.security import SignedIn
from ui.tasks import Task, show_error
from ui.widgets import error_label


def password_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


def password_rules_label() -> QLabel:
    """The password rules, shown under a new password field before anything is saved."""
    label = QLabel(PASSWORD_RULES)
    label.setObjectName("passwordRules")
    label.setWordWrap(True)
    label.setStyleSheet("color:#4b5563")
    return label


def fit_to_width(dialog: QWidget, width: int) -> None:
    """Size a dialog to `width` and the height its rows need there (wrapped labels make the layout's
    own guess too small, which squeezes the entry fields to slivers)."""
    layout = dialog.layout()
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else 0
    dialog.resize(width, max(height, layout.totalSizeHint().height()))
    dialog.setMinimumHeight(max(height, layout.totalMinimumSize().height()))


def problems_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "\n".join(f"{p.field}：{p.message}" for p in exc.problems)
    return str(exc)


class SignInDialog(QDialog):
    """`locked`: the user whose window was locked after idle time (their login is filled in; another
    account may sign in instead). `signed` holds the result after accept()."""

    signed_in = Signal(object)  # SignedIn

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        locked: Principal | None = None,
        reason: str = "",
        school: str = "",
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.locked = locked
        self.signed: SignedIn | None = None
        self.last_task: Task | None = None
        self.before_switch: Callable[[], bool] | None = None  # may another account take this window?
        self.failures = 0
        self._failed_login = ""
        self._wait_left = 0
        self._password = ""
        self.setWindowTitle(
            self.tr("已锁定 — 学校资助办助手") if locked else self.tr("登录 — 学校资助办助手")
        )
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.pages.addWidget(self._sign_in_page(reason, school))
        self.pages.addWidget(self._new_password_page())
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)
        self.resize(460, 0)

    # ---- page 1: login and password ------------------------------------------------------------------

    def _sign_in_page(self, reason: str, school: str) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        title = QLabel(self.tr("学校资助办助手"))
        title.setStyleSheet("font-size:20px;font-weight:bold")
        v.addWidget(title)
        if school:
            where = QLabel(school)
            where.setStyleSheet("color:#4b5563")
            v.addWidget(where)
        v.addSpacing(6)
        self.intro = QLabel()
        self.intro.setObjectName("signInIntro")
        self.intro.setWordWrap(True)
        if self.locked is not None:
            self.intro.setText(
                reason
                or self.tr("窗口已锁定。{who}请输入密码继续；您打开的窗口和未保存的内容都还在。").format(
                    who=self.locked.label
                )
            )
        else:
            self.intro.setText(
                reason or self.tr("数据库中有学生的证件号、银行卡号和家庭情况，请用自己的账户登录。")
            )
        v.addWidget(self.intro)
        form = QFormLayout()
        self.login = QLineEdit()
        self.login.setObjectName("login")
        self.login.setPlaceholderText(self.tr("登录名"))
        self.password = password_field(self.tr("密码"))
        self.password.setObjectName("password")
        form.addRow(self.tr("登录名"), self.login)
        form.addRow(self.tr("密码"), self.password)
        v.addLayout(form)
        self.error = error_label()
        self.error.setObjectName("signInError")
        v.addWidget(self.error)
        buttons = QHBoxLayout()
        self.switch_btn = QPushButton(self.tr("换一个账户登录"))
        self.switch_btn.setFlat(True)
        self.switch_btn.setVisible(self.locked is not None)
        self.switch_btn.clicked.connect(self.switch_account)
        buttons.addWidget(self.switch_btn)
        buttons.addStretch()
        self.ok_btn = QPushButton(self.tr("解锁") if self.locked else self.tr("登录"))
        self.ok_btn.setDefault(True)
        self.ok_btn.clicked.connect(self.accept)
        self.quit_btn = QPushButton(self.tr("退出程序"))
        self.quit_btn.clicked.connect(self.reject)
        buttons.addWidget(self.ok_btn)
        buttons.addWidget(self.quit_btn)
        v.addLayout(buttons)
        if self.locked is not None:
            self.login.setText(self.locked.login)
            self.login.setReadOnly(True)
            self.password.setFocus()
        self.login.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.accept)
        return w

    def switch_account(self) -> None:
        if self.before_switch is not None and not self.before_switch():
            return
        self.login.setReadOnly(False)
        self.login.clear()
        self.password.clear()
        self.login.setFocus()
        self.ok_btn.setText(self.tr("登录"))
        self.intro.setText(self.tr("换一个账户登录后，当前窗口会关闭。"))

    def accept(self) -> None:
        if self.pages.currentIndex() == 1:
            self._set_new_password()
            return
        login, password = self.login.text().strip(), self.password.text()
        if not login or not password:
            self.error.setText(self.tr("请输入登录名和密码。"))
            return
        if not self.ok_btn.isEnabled():
            return
        self.ok_btn.setEnabled(False)
        self.error.setText(self.tr("正在核对……"))
        self._password = password
        self.last_task = ops.sign_in(self.ctx, self, login, password, self._checked, self._refused)

    def _checked(self, signed: SignedIn) -> None:
        self.failures = 0
        self.ok_btn.setEnabled(True)
        self.error.clear()
        if signed.must_change_password:
            self.signed_pending = signed
            self.pages.setCurrentIndex(1)
            self.new1.setFocus()
            return
        self._finish(signed)

    def _refused(self, exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
        if not isinstance(exc, SignInFailed) or isinstance(exc, AccountNotExplained):  # not a typo: say why
            self.ok_btn.setEnabled(True)
            self.error.clear()
            if isinstance(exc, AidofficeError):
                self.error.setText(str(exc))
                self.adjustSize()
            else:
                show_error(self, exc, self.tr("登录"))
            return
        login = self.login.text().strip().lower()
        self.failures = self.failures + 1 if login == self._failed_login else 1
        self._failed_login = login
        text = str(exc)
        wait = int(lock_time(self.failures).total_seconds())
        if isinstance(exc, AccountLocked):  # the right password, a locked account: the message says how long
            self._wait_left = exc.seconds
            self._tick.start()
            self._count_down(first=True)
            self.error.setText(text)
            self.adjustSize()
            return
        if wait:
            text += "\n" + self.tr(
                "已连续输错 {n} 次：这个账户已被锁定，请 {s} 秒后再试；着急时请管理员在“账户管理”中启用（解锁）。"
            ).format(n=self.failures, s=wait)
            self._wait_left = wait
            self._tick.start()
            self._count_down(first=True)
        else:
            self.ok_btn.setEnabled(True)
            left = LOCK_AFTER - self.failures
            if self.failures > 1:
                text += "\n" + self.tr("已连续输错 {n} 次，再错 {left} 次账户将被锁定。").format(
                    n=self.failures, left=left
                )
        self.error.setText(text)
        self.adjustSize()  # a longer message wraps onto more lines: the dialog grows to show them all

    def _count_down(self, first: bool = False) -> None:
        if not first:
            self._wait_left -= 1
        if self._wait_left <= 0:
            self._tick.stop()
            self.ok_btn.setEnabled(True)
            self.ok_btn.setText(
                self.tr("解锁") if self.locked and self.login.isReadOnly() else self.tr("登录")
            )
            return
        self.ok_btn.setEnabled(False)
        self.ok_btn.setText(self.tr("请等待 {s} 秒").format(s=self._wait_left))

    # ---- page 2: a new password --------------------------------------------------------------------

    def _new_password_page(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(QLabel(f"<h3>{self.tr('请设置新密码')}</h3>"))
        note = QLabel(
            self.tr(
                "这是第一次登录，或管理员刚重置了您的密码：请设置一个只有您自己知道的新密码"
                "（至少 8 个字符，字母和数字混合，不含登录名）。"
            )
        )
        note.setWordWrap(True)
        v.addWidget(note)
        form = QFormLayout()
        self.new1 = password_field()
        self.new1.setObjectName("newPassword")
        self.new2 = password_field()
        self.new2.setObjectName("newPassword2")
        form.addRow(self.tr("新密码"), self.new1)
        form.addRow("", password_rules_label())
        form.addRow(self.tr("再输入一次"), self.new2)
        v.addLayout(form)
        self.new_error = error_label()
        self.new_error.setObjectName("newPasswordError")
        v.addWidget(self.new_error)
        box = QDialogButtonBox()
        self.set_btn = box.addButton(self.tr("保存新密码并进入"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("退出程序"), QDialogButtonBox.ButtonRole.RejectRole)
        self.set_btn.clicked.connect(self._set_new_password)
        cancel.clicked.connect(self.reject)
        v.addWidget(box)
        self.new2.returnPressed.connect(self._set_new_password)
        return w

    def _set_new_password(self) -> None:
        if self.new1.text() != self.new2.text():
            self.new_error.setText(self.tr("两次输入的新密码不一致。"))
            return
        signed = self.signed_pending
        self.set_btn.setEnabled(False)

        def done(_r: object) -> None:
            self._finish(SignedIn(signed.user, False, signed.idle_minutes))

        def failed(exc: BaseException) -> None:
            self.set_btn.setEnabled(True)
            if isinstance(exc, AidofficeError):
                self.new_error.setText(problems_text(exc))
            else:
                show_error(self, exc, self.tr("修改密码"))

        self.last_task = ops.change_password(
            self.ctx, self, signed.user, self._password, self.new1.text(), done, failed
        )

    def _finish(self, signed: SignedIn) -> None:
        self._password = ""
        self.signed = signed
        self.signed_in.emit(signed)
        super().accept()
