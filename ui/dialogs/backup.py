"""Backup to a chosen folder or USB stick (optionally with a password), and restore from a backup: the
file is checked first (format, password, integrity, schema), the current database is kept aside, and
the program restarts on the restored data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aidoffice import clock
from aidoffice.errors import AidofficeError
from aidoffice.safety.aidbak import SUFFIX, BackupHeader
from aidoffice.safety.backup import (
    AccountsNotExplained,
    BackupResult,
    BrokenTrail,
    RestoreResult,
    encryption_default,
)
from ui.dialogs.sign_in import password_field
from ui.operations import AppContext
from ui.operations import security as ops
from ui.tasks import Task, show_error
from ui.widgets import error_label

MIN_BACKUP_PASSWORD = 8


def _file_row(edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


def failed(dialog: Any, exc: BaseException, what: str) -> None:
    """A backup or restore that did not go through: the reason in the dialog (which grows to show all
    of it, rather than overlapping its rows), or the error box for a bug; the button usable again."""
    dialog.ok_btn.setEnabled(True)
    if isinstance(exc, AidofficeError):
        dialog.error.setText(str(exc))
        dialog.adjustSize()
    else:
        show_error(dialog, exc, what)


class BackupDialog(QDialog):
    """立即备份: where (a folder, a USB stick) and, if wanted, a password (asked twice)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result_value: BackupResult | None = None
        self.last_task: Task | None = None
        self.setWindowTitle(self.tr("立即备份"))
        layout = QVBoxLayout(self)
        note = QLabel(
            self.tr(
                "把整个数据库备份成一个文件，可以存到 U 盘或另一台电脑。备份中有全部学生的证件号和银行卡号："
                "存到 U 盘时建议加密。"
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setObjectName("backupPath")
        self.path.setText(str(Path.home() / f"资助办备份-{clock.today():%Y-%m-%d}{SUFFIX}"))
        browse = QPushButton(self.tr("选择…"))
        browse.clicked.connect(self.browse)
        form.addRow(self.tr("保存到"), _file_row(self.path, browse))
        self.encrypt = QCheckBox(self.tr("用密码加密（忘记密码将无法恢复，请牢记）"))
        self.password = password_field(self.tr("至少 8 个字符"))
        self.password2 = password_field()
        form.addRow("", self.encrypt)
        form.addRow(self.tr("备份密码"), self.password)
        form.addRow(self.tr("再输入一次"), self.password2)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        box = QDialogButtonBox()
        self.ok_btn = box.addButton(self.tr("开始备份"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_btn.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        layout.addWidget(box)
        self.encrypt.toggled.connect(self._encrypt_toggled)
        # once a backup password has been set on this PC, backups are encrypted unless unticked
        self.encrypt.setChecked(encryption_default())
        self._encrypt_toggled(self.encrypt.isChecked())
        self.resize(560, 0)

    def _encrypt_toggled(self, on: bool) -> None:
        self.password.setEnabled(on)
        self.password2.setEnabled(on)

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("备份到"), self.path.text(), self.tr("备份文件 (*{s})").format(s=SUFFIX)
        )
        if path:
            self.path.setText(path if path.lower().endswith(SUFFIX) else path + SUFFIX)

    def accept(self) -> None:
        self.error.clear()
        path = self.path.text().strip()
        if not path:
            self.error.setText(self.tr("请选择保存的位置。"))
            return
        if not path.lower().endswith(SUFFIX):
            path += SUFFIX
            self.path.setText(path)
        password = None
        if self.encrypt.isChecked():
            password = self.password.text()
            if len(password) < MIN_BACKUP_PASSWORD:
                self.error.setText(self.tr("备份密码至少 8 个字符。"))
                return
            if password != self.password2.text():
                self.error.setText(self.tr("两次输入的密码不一致。"))
                return
        self.ok_btn.setEnabled(False)
        self.last_task = ops.make_backup(self.ctx, self, path, password, self._done, self._failed)

    def _done(self, result: BackupResult) -> None:
        self.result_value = result
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        failed(self, exc, self.tr("备份"))


class RestoreDialog(QDialog):
    """从备份恢复: choose the file (or an automatic backup), see what it is, give its password, confirm."""

    def __init__(self, ctx: AppContext, path: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.header: BackupHeader | None = None
        self.checked_path: str | None = None
        self.result_value: RestoreResult | None = None
        self.last_task: Task | None = None
        self.setWindowTitle(self.tr("从备份恢复"))
        layout = QVBoxLayout(self)
        warn = QLabel(
            self.tr(
                "<b>恢复会用备份替换现在的数据库。</b>替换前先检查备份文件（格式、密码、完整性、数据库版本），"
                "并把现在的数据库另存一份；恢复后程序会关闭并重新打开。"
            )
        )
        warn.setWordWrap(True)
        layout.addWidget(warn)
        form = QFormLayout()
        self.path = QLineEdit(path or "")
        self.path.setObjectName("restorePath")
        browse = QPushButton(self.tr("选择…"))
        browse.clicked.connect(self.browse)
        form.addRow(self.tr("备份文件"), _file_row(self.path, browse))
        self.info = QLabel()
        self.info.setObjectName("backupInfo")
        self.info.setWordWrap(True)
        form.addRow(self.tr("备份内容"), self.info)
        self.password = password_field(self.tr("备份时设置的密码"))
        self.password.setEnabled(False)
        form.addRow(self.tr("备份密码"), self.password)
        self.confirm = QCheckBox(
            self.tr("我已了解：现在的数据库会被这个备份替换（另存一份），程序随后重新启动")
        )
        form.addRow("", self.confirm)
        self.anyway = QCheckBox(
            self.tr("仍然恢复：我是管理员，确认要用这个操作记录或账户有问题的备份（会记入操作记录）")
        )
        self.anyway.setObjectName("restoreAnyway")
        self.anyway.setVisible(False)
        form.addRow("", self.anyway)
        layout.addLayout(form)
        self.error = error_label()
        self.error.setObjectName("restoreError")
        layout.addWidget(self.error)
        box = QDialogButtonBox()
        self.ok_btn = box.addButton(self.tr("恢复"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_btn.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        layout.addWidget(box)
        self.path.editingFinished.connect(self.inspect)
        self.resize(600, 0)
        if path:
            self.inspect()

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择备份文件"), self.path.text(),
            self.tr("备份文件 (*{s} *.db);;所有文件 (*)").format(s=SUFFIX),
        )  # fmt: skip
        if path:
            self.path.setText(path)
            self.inspect()

    def inspect(self) -> Task | None:
        path = self.path.text().strip()
        if not path or path == self.checked_path:
            return None
        self.checked_path = path
        self.error.clear()
        self.info.setText(self.tr("正在读取……"))
        self.last_task = ops.backup_info(self.ctx, self, path, self._described, self._unreadable)
        return self.last_task

    def _described(self, header: BackupHeader | None) -> None:
        self.header = header
        if header is None:
            self.info.setText(self.tr("数据库文件（自动备份或复制的数据库），恢复前会检查它的完整性和版本"))
            self.password.setEnabled(False)
            return
        self.info.setText(header.describe())
        self.password.setEnabled(header.encrypted)
        if header.encrypted:
            self.password.setFocus()

    def _unreadable(self, exc: BaseException) -> None:
        self.header = None
        self.info.clear()
        if isinstance(exc, AidofficeError):
            self.error.setText(str(exc))
            self.adjustSize()
        else:
            show_error(self, exc, self.tr("读取备份"))

    def accept(self) -> None:
        path = self.path.text().strip()
        if not path:
            self.error.setText(self.tr("请选择备份文件。"))
            return
        if not self.confirm.isChecked():
            self.error.setText(self.tr("请勾选确认：现在的数据库会被替换。"))
            return
        password = self.password.text() if self.password.isEnabled() else None
        if self.header is not None and self.header.encrypted and not password:
            self.error.setText(self.tr("这个备份已加密，请输入备份时设置的密码。"))
            return
        self.ok_btn.setEnabled(False)
        self.error.clear()
        anyway = self.anyway.isVisible() and self.anyway.isChecked()
        self.last_task = ops.restore_backup(self.ctx, self, path, password, self._done, self._failed, anyway)

    def _done(self, result: RestoreResult) -> None:
        self.result_value = result
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, BrokenTrail | AccountsNotExplained):  # the administrator's call
            self.anyway.setVisible(True)
        failed(self, exc, self.tr("恢复"))
