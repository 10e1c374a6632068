"""Account dialogs: add or change an account (administrators), reset someone's password
(administrators), and change one's own password (everyone)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aidoffice.access.checks import ClassKey, Principal
from aidoffice.errors import AidofficeError
from aidoffice.safety.accounts import AccountInfo
from ui.dialogs.sign_in import fit_to_width, password_field, password_rules_label, problems_text
from ui.operations import AppContext
from ui.operations import security as ops
from ui.tasks import Task, show_error
from ui.widgets import error_label


def _buttons(dialog: QDialog, ok: str) -> tuple[QDialogButtonBox, QWidget]:
    box = QDialogButtonBox()
    ok_btn = box.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    cancel = box.addButton(dialog.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
    ok_btn.clicked.connect(dialog.accept)
    cancel.clicked.connect(dialog.reject)
    return box, ok_btn


class _Saving(QDialog):
    """A dialog whose OK runs a background write; stays open with the reason when it is refused."""

    def __init__(self, ctx: AppContext, parent: QWidget | None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_task: Task | None = None
        self.error = error_label()
        self.error.setObjectName("dialogError")

    def _saved(self, _result: object = None) -> None:
        QDialog.accept(self)

    def _failed(self, exc: BaseException) -> None:
        self.ok_btn.setEnabled(True)
        if isinstance(exc, AidofficeError):
            self.error.setText(problems_text(exc))
        else:
            show_error(self, exc, self.windowTitle())


class UserDialog(_Saving):
    """新建账户 (`account` None) or 修改账户: name, role and, for a head teacher, the classes."""

    def __init__(
        self,
        ctx: AppContext,
        classes: list[tuple[ClassKey, str]],
        account: AccountInfo | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(ctx, parent)
        self.account = account
        self.setWindowTitle(self.tr("新建账户") if account is None else self.tr("修改账户"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.login = QLineEdit(account.login if account else "")
        self.login.setObjectName("userLogin")
        self.login.setReadOnly(account is not None)
        self.login.setPlaceholderText(self.tr("字母、数字或汉字，如 wang"))
        self.name = QLineEdit(account.display_name if account else "")
        self.name.setPlaceholderText(self.tr("如 王老师"))
        self.role = QComboBox()
        self.role_note = QLabel()
        self.role_note.setWordWrap(True)
        self.role_note.setStyleSheet("color:#4b5563")
        for code, name, description, own in ops.roles():
            self.role.addItem(name, code)
            self.role.setItemData(self.role.count() - 1, (description, own), Qt.ItemDataRole.UserRole + 1)
        # a new account starts with the least privileged role: more rights are a deliberate choice
        code = account.role_code if account is not None else ops.least_role()
        self.role.setCurrentIndex(max(0, self.role.findData(code)))
        self.classes = QListWidget()
        self.classes.setObjectName("userClasses")
        mine = set(account.classes) if account else set()
        for key, label in classes:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if label in mine else Qt.CheckState.Unchecked)
            self.classes.addItem(item)
        self.classes.setMaximumHeight(160)
        form.addRow(self.tr("登录名"), self.login)
        form.addRow(self.tr("姓名"), self.name)
        form.addRow(self.tr("角色"), self.role)
        form.addRow("", self.role_note)
        form.addRow(self.tr("所带班级"), self.classes)
        if account is None:
            self.password = password_field(self.tr("临时密码，对方首次登录时须修改"))
            self.password2 = password_field()
            form.addRow(self.tr("临时密码"), self.password)
            form.addRow("", password_rules_label())
            form.addRow(self.tr("再输入一次"), self.password2)
        layout.addLayout(form)
        layout.addWidget(self.error)
        box, self.ok_btn = _buttons(self, self.tr("保存"))
        layout.addWidget(box)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        fit_to_width(self, 460)

    def _role_changed(self) -> None:
        description, own = self.role.currentData(Qt.ItemDataRole.UserRole + 1) or ("", False)
        self.role_note.setText(description)
        self.classes.setEnabled(own)

    def choose_role(self, code: str) -> None:
        self.role.setCurrentIndex(self.role.findData(code))

    def check_classes(self, labels: set[str]) -> None:
        for i in range(self.classes.count()):
            item = self.classes.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in labels else Qt.CheckState.Unchecked)

    def chosen_classes(self) -> list[ClassKey]:
        if not self.classes.isEnabled():
            return []
        return [
            tuple(self.classes.item(i).data(Qt.ItemDataRole.UserRole))  # type: ignore[misc]
            for i in range(self.classes.count())
            if self.classes.item(i).checkState() == Qt.CheckState.Checked
        ]

    def accept(self) -> None:
        self.error.clear()
        if self.account is None and self.password.text() != self.password2.text():
            self.error.setText(self.tr("两次输入的密码不一致。"))
            return
        self.ok_btn.setEnabled(False)
        role, classes = self.role.currentData(), self.chosen_classes()
        if self.account is None:
            self.last_task = ops.add_user(
                self.ctx, self, self.login.text(), self.name.text(), self.password.text(), role, classes,
                self._saved, self._failed,
            )  # fmt: skip
        else:
            self.last_task = ops.update_user(
                self.ctx, self, self.account.login, self.name.text(), role, classes, self._saved, self._failed
            )


class ResetPasswordDialog(_Saving):
    """An administrator sets a temporary password; its owner must change it at the next sign-in."""

    def __init__(self, ctx: AppContext, login: str, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.target = login
        self.setWindowTitle(self.tr("重置密码"))
        layout = QVBoxLayout(self)
        note = QLabel(
            self.tr("为“{login}”设置一个临时密码，告诉本人；对方下次登录时必须改成自己的密码。").format(
                login=login
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.password = password_field()
        self.password2 = password_field()
        form.addRow(self.tr("临时密码"), self.password)
        form.addRow("", password_rules_label())
        form.addRow(self.tr("再输入一次"), self.password2)
        layout.addLayout(form)
        layout.addWidget(self.error)
        box, self.ok_btn = _buttons(self, self.tr("重置"))
        layout.addWidget(box)
        fit_to_width(self, 420)

    def accept(self) -> None:
        if self.password.text() != self.password2.text():
            self.error.setText(self.tr("两次输入的密码不一致。"))
            return
        self.ok_btn.setEnabled(False)
        self.last_task = ops.reset_password(
            self.ctx, self, self.target, self.password.text(), self._saved, self._failed
        )


class ChangePasswordDialog(_Saving):
    """修改密码: the signed-in user changes their own password (they must know the old one)."""

    def __init__(self, ctx: AppContext, user: Principal, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.user = user
        self.setWindowTitle(self.tr("修改密码"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("账户：{who}").format(who=user.label)))
        form = QFormLayout()
        self.old = password_field()
        self.new1 = password_field(self.tr("至少 8 个字符，字母和数字混合"))
        self.new2 = password_field()
        form.addRow(self.tr("原密码"), self.old)
        form.addRow(self.tr("新密码"), self.new1)
        form.addRow("", password_rules_label())
        form.addRow(self.tr("再输入一次"), self.new2)
        layout.addLayout(form)
        layout.addWidget(self.error)
        box, self.ok_btn = _buttons(self, self.tr("保存"))
        layout.addWidget(box)
        fit_to_width(self, 420)

    def accept(self) -> None:
        if self.new1.text() != self.new2.text():
            self.error.setText(self.tr("两次输入的新密码不一致。"))
            return
        self.ok_btn.setEnabled(False)
        self.last_task = ops.change_password(
            self.ctx, self, self.user, self.old.text(), self.new1.text(), self._saved, self._failed
        )
