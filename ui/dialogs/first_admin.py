"""启用账户: the first administrator of a database (first run, or later from 账户管理), or single-clerk
mode said plainly, or — for now — no accounts at all (as the program worked before)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from aidoffice.errors import AidofficeError
from ui.dialogs.sign_in import fit_to_width, password_field, password_rules_label, problems_text
from ui.operations import AppContext
from ui.operations import security as ops
from ui.operations.security import SignedIn
from ui.tasks import Task, show_error
from ui.widgets import error_label

ACCOUNTS, SINGLE, NONE = 0, 1, 2


class FirstAdminDialog(QDialog):
    """After accept(): `signed` is the new administrator, signed in; None if accounts were put off."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, allow_later: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.signed: SignedIn | None = None
        self.last_task: Task | None = None
        self.setWindowTitle(self.tr("启用账户"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "<b>谁可以打开这个程序？</b><br>数据库里会有学生的证件号、银行卡号和家庭情况。"
                "建立管理员账户后，每个人都用自己的账户登录，程序按角色限制能看、能做的事（班主任只看本班），"
                "每一项修改都记下是谁做的。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.choice = QButtonGroup(self)
        texts = [
            self.tr("建立管理员账户，每次打开程序都要登录（推荐；多人使用的电脑必须这样）"),
            self.tr(
                "单人模式：建立管理员账户，但在这台电脑上打开程序时自动以它登录、不问密码。"
                "只适合一个人专用、别人碰不到的电脑：任何坐到这台电脑前的人都能看到全部数据。"
                "开启和每次自动登录都会记入操作记录。"
            ),
            self.tr("暂不启用账户（和以前一样，任何打开程序的人都能使用全部功能；以后可在“账户管理”中启用）"),
        ]
        self.options: list[QRadioButton] = []
        for n, text in enumerate(texts):
            if n == NONE and not allow_later:
                continue
            button = QRadioButton()
            label = QLabel(text)  # a radio button's own text does not wrap: the words go beside it
            label.setWordWrap(True)
            label.setBuddy(button)
            label.mousePressEvent = lambda _e, b=button: b.setChecked(True)  # type: ignore[method-assign]
            row = QHBoxLayout()
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(label, 1)
            self.choice.addButton(button, n)
            self.options.append(button)
            layout.addLayout(row)
        self.options[ACCOUNTS].setChecked(True)
        if ctx.db.dialect != "sqlite":  # a server's database is shared by many PCs: never without a password
            self.options[SINGLE].setEnabled(False)
            self.options[SINGLE].setToolTip(self.tr("单人模式只能用于本机数据库，连接服务器时不可用"))
        form = QFormLayout()
        self.login = QLineEdit()
        self.login.setObjectName("adminLogin")
        self.login.setPlaceholderText(self.tr("如 zhang，登录时使用"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("如 张主任"))
        self.password = password_field(self.tr("至少 8 个字符，字母和数字混合"))
        self.password2 = password_field()
        form.addRow(self.tr("登录名"), self.login)
        form.addRow(self.tr("姓名"), self.name)
        form.addRow(self.tr("密码"), self.password)
        form.addRow("", password_rules_label())
        form.addRow(self.tr("再输入一次"), self.password2)
        self.form = QWidget()
        self.form.setLayout(form)
        layout.addWidget(self.form)
        self.error = error_label()
        layout.addWidget(self.error)
        box = QDialogButtonBox()
        self.ok_btn = box.addButton(self.tr("确定"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_btn.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        layout.addWidget(box)
        self.choice.idToggled.connect(lambda _id, _on: self.form.setEnabled(self.choice.checkedId() != NONE))
        fit_to_width(self, 560)  # the entry fields at their full height, not squeezed by the wrapped texts

    def choose(self, option: int) -> None:
        self.choice.button(option).setChecked(True)

    def accept(self) -> None:
        option = self.choice.checkedId()
        if option == NONE:
            super().accept()
            return
        if self.password.text() != self.password2.text():
            self.error.setText(self.tr("两次输入的密码不一致。"))
            return
        login, password = self.login.text().strip(), self.password.text()
        self.ok_btn.setEnabled(False)
        self.last_task = ops.create_first_admin(
            self.ctx,
            self,
            login,
            self.name.text().strip(),
            password,
            option == SINGLE,
            lambda _user: self._sign_in(login, password),
            self._failed,
        )

    def _sign_in(self, login: str, password: str) -> None:
        self.last_task = ops.sign_in(self.ctx, self, login, password, self._done, self._failed)

    def _done(self, signed: SignedIn) -> None:
        self.signed = signed
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok_btn.setEnabled(True)
        if isinstance(exc, AidofficeError):
            self.error.setText(problems_text(exc))
        else:
            show_error(self, exc, self.tr("建立管理员账户"))
