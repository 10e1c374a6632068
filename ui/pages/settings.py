"""设置: the school's details, where the data and the log are kept, and safety: backup now, the automatic
backups, restore (the program then restarts on the restored data), idle sign-out and how many
automatic backups to keep."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import AidofficeError
from aidoffice.paths import data_dir, log_file
from aidoffice.safety.backup import MAX_KEEP, BackupResult
from ui.dialogs.backup import BackupDialog, RestoreDialog
from ui.dialogs.sign_in import problems_text
from ui.operations import AppContext, Changes
from ui.operations import school as ops
from ui.operations import security as safety
from ui.operations.school import SchoolInfo
from ui.operations.security import SafetySettings
from ui.permissions import Rights
from ui.tasks import Task, show_error


class SettingsPage(QWidget):
    available = True
    RIGHTS = Rights(controls={"school.setup": ("save_btn", "move_btn")})
    restart_requested = Signal(str)  # why: the database was replaced by a backup

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>学校信息</h3>")))
        form = QFormLayout()
        self.name, self.code, self.county = QLineEdit(), QLineEdit(), QLineEdit()
        form.addRow(self.tr("学校名称"), self.name)
        form.addRow(self.tr("学校标识码"), self.code)
        form.addRow(self.tr("所在县（区）"), self.county)
        self.term = QLabel()
        self.move_btn = QPushButton()
        self.move_btn.setVisible(False)
        self.move_btn.clicked.connect(self.move_on)
        term_row = QHBoxLayout()
        term_row.addWidget(self.term)
        term_row.addWidget(self.move_btn)
        term_row.addStretch()
        form.addRow(self.tr("当前学期"), term_row)
        self.info: SchoolInfo | None = None
        layout.addLayout(form)
        self.save_btn = QPushButton(self.tr("保存学校信息"))
        self.save_btn.clicked.connect(self.save)
        layout.addWidget(self.save_btn)
        layout.addWidget(QLabel(self.tr("<h3>数据存放</h3>")))
        info = QFormLayout()
        info.addRow(self.tr("数据库"), QLabel(ctx.db.display_url))
        info.addRow(self.tr("数据文件夹"), QLabel(str(data_dir())))
        info.addRow(self.tr("日志文件"), QLabel(str(log_file())))
        layout.addLayout(info)
        self.safety = SafetySection(ctx, self)
        self.safety.restart_requested.connect(self.restart_requested)
        layout.addWidget(self.safety, 1)
        self.last_task: Task | None = None
        ctx.data_changed.connect(self._data_changed)

    def activate(self) -> Task:
        self.safety.reload()
        self.last_task = ops.load_school(self.ctx, self, self._show)
        return self.last_task

    def _data_changed(self, changes: Changes, initiator: object) -> None:
        if changes.settings and initiator is not self and self.isVisible():
            self.activate()

    def _show(self, info: SchoolInfo | None) -> None:
        if info is None:
            return
        self.name.setText(info.name)
        self.code.setText(info.code)
        self.county.setText(info.county)
        self.info = info
        label = TermValue.parse(info.term).label
        if info.behind:
            calendar = TermValue.parse(info.calendar_term).label
            self.term.setText(self.tr("{t}（按日历今天已是{c}）").format(t=label, c=calendar))
            self.term.setStyleSheet("color:#92400e")
            self.move_btn.setText(self.tr("换到{c}…").format(c=calendar))
        else:
            self.term.setText(label)
            self.term.setStyleSheet("")
        self.move_btn.setVisible(info.behind)

    def move_on(self) -> Task | None:
        """换学期: after saying what changes, the office moves to the term the calendar is in."""
        info = self.info
        if info is None or not info.behind:
            return None
        old, new = TermValue.parse(info.term).label, TermValue.parse(info.calendar_term).label
        answer = QMessageBox.question(
            self,
            self.tr("换学期"),
            self.tr(
                "当前学期将从{old}换到{new}。\n\n此后告知书、回执登记、比对、花名册、统计默认都用{new}；"
                "{old}的记录都保留，各页的“学期”下拉框仍可选它。\n\n{old}的工作（回执收回、问题销号、花名册）"
                "都做完了吗？"
            ).format(old=old, new=new),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        self.last_task = ops.move_to_term(
            self.ctx,
            self,
            info.calendar_term,
            lambda _code: self.activate(),
            lambda exc: show_error(self, exc, self.tr("换学期")),
        )
        return self.last_task

    def save(self) -> Task:
        self.last_task = ops.save_school(
            self.ctx,
            self,
            self.name.text(),
            self.code.text(),
            self.county.text(),
            lambda _id: QMessageBox.information(self, self.tr("已保存"), self.tr("学校信息已保存。")),
            lambda exc: show_error(self, exc, self.tr("保存学校信息")),
        )
        return self.last_task


class SafetySection(QWidget):
    """备份与安全: backup now, the automatic backups, restore, idle sign-out, backups to keep."""

    restart_requested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.settings: SafetySettings | None = None
        self.last_task: Task | None = None
        self.last_dialog: BackupDialog | RestoreDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("<h3>备份与安全</h3>")))
        buttons = QHBoxLayout()
        self.backup_btn = QPushButton(self.tr("立即备份…"))
        self.restore_btn = QPushButton(self.tr("从备份恢复…"))
        buttons.addWidget(self.backup_btn)
        buttons.addWidget(self.restore_btn)
        buttons.addSpacing(24)
        buttons.addWidget(QLabel(self.tr("空闲")))
        self.idle = QSpinBox()
        self.idle.setObjectName("idleMinutes")
        self.idle.setRange(0, 1440)
        self.idle.setSuffix(self.tr(" 分钟"))
        self.idle.setSpecialValueText(self.tr("从不"))
        buttons.addWidget(self.idle)
        buttons.addWidget(QLabel(self.tr("后锁定窗口")))
        self.idle_btn = QPushButton(self.tr("保存"))
        buttons.addWidget(self.idle_btn)
        buttons.addSpacing(24)
        buttons.addWidget(QLabel(self.tr("保留最近")))
        self.keep = QSpinBox()
        self.keep.setObjectName("backupKeep")
        self.keep.setRange(1, MAX_KEEP)
        self.keep.setSuffix(self.tr(" 份自动备份"))
        buttons.addWidget(self.keep)
        self.keep_btn = QPushButton(self.tr("保存"))
        buttons.addWidget(self.keep_btn)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.auto_label = QLabel()
        self.auto_label.setWordWrap(True)
        self.auto_label.setStyleSheet("color:#4b5563")
        layout.addWidget(self.auto_label)
        self.autos = QStandardItemModel(0, 4, self)
        self.autos.setHorizontalHeaderLabels([self.tr(t) for t in ("备份时间", "原因", "大小", "文件")])
        self.auto_view = QTableView()
        self.auto_view.setModel(self.autos)
        self.auto_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.auto_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.auto_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.auto_view.verticalHeader().hide()
        self.auto_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.auto_view.setMinimumHeight(120)
        layout.addWidget(self.auto_view, 1)
        row = QHBoxLayout()
        self.restore_auto_btn = QPushButton(self.tr("从所选自动备份恢复…"))
        row.addWidget(self.restore_auto_btn)
        row.addStretch()
        layout.addLayout(row)
        self.backup_btn.clicked.connect(self.backup_now)
        self.restore_btn.clicked.connect(lambda: self.restore_from(None))
        self.restore_auto_btn.clicked.connect(self.restore_selected)
        self.idle_btn.clicked.connect(self.save_idle)
        self.keep_btn.clicked.connect(self.save_keep)
        ctx.data_changed.connect(self._data_changed)
        # what the role may not do is offered greyed out (the services refuse it anyway)
        for widgets, permission in (
            ((self.backup_btn, self.keep, self.keep_btn), "backup.run"),
            ((self.restore_btn, self.restore_auto_btn), "restore.run"),
            ((self.idle, self.idle_btn), "users.manage"),
        ):
            for w in widgets:
                w.setEnabled(safety.may(ctx, permission))

    def reload(self) -> Task:
        self.last_task = safety.load_safety_settings(self.ctx, self, self._show)
        return self.last_task

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("settings", "students", "households", "awards", "lists") and self.isVisible():
            self.reload()  # an import or a batch write leaves an automatic backup behind

    def _show(self, s: SafetySettings) -> None:
        self.settings = s
        self.idle.setValue(s.idle_minutes)
        self.keep.setValue(s.backup_keep)
        if not s.embedded:
            self.auto_label.setText(
                self.tr(
                    "数据库在服务器上（{db}）：自动备份由服务器负责；“立即备份”仍可把全部数据存成一个文件。"
                ).format(db=s.database)
            )
        else:
            self.auto_label.setText(
                self.tr(
                    "自动备份：每天第一次打开程序时、每次导入和批量操作前、升级前，保存在数据文件夹的 backups 中。"
                    "保留最近的若干份，另外每天的第一份保留 30 天、每月的第一份保留一年。"
                )
            )
        self.autos.removeRows(0, self.autos.rowCount())
        for path, made, size, why in s.auto_backups:
            items = [QStandardItem(f"{made:%Y-%m-%d %H:%M:%S}"), QStandardItem(why),
                     QStandardItem(f"{size / 1e6:.1f} MB"), QStandardItem(path.name)]  # fmt: skip
            items[0].setData(str(path), Qt.ItemDataRole.UserRole)
            self.autos.appendRow(items)

    # ---- actions -----------------------------------------------------------------------------------

    def backup_now(self) -> BackupDialog:
        dialog = BackupDialog(self.ctx, self)
        dialog.accepted.connect(lambda: self._backed_up(dialog.result_value))
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def _backed_up(self, result: BackupResult | None) -> None:
        if result is None:
            return
        QMessageBox.information(
            self,
            self.tr("备份完成"),
            self.tr("已备份到：\n{path}\n（{mb:.1f} MB，用时 {s:.1f} 秒{enc}）").format(
                path=result.path, mb=result.size / 1e6, s=result.seconds,
                enc=self.tr("，已加密") if result.encrypted else "",
            ),
        )  # fmt: skip

    def restore_selected(self) -> RestoreDialog | None:
        rows = self.auto_view.selectionModel().selectedRows()
        if not rows:
            QMessageBox.information(self, self.tr("从备份恢复"), self.tr("请先在列表中选中一份自动备份。"))
            return None
        return self.restore_from(self.autos.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole))

    def restore_from(self, path: str | None) -> RestoreDialog:
        dialog = RestoreDialog(self.ctx, path, self)
        dialog.accepted.connect(lambda: self._restored(dialog))
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def _restored(self, dialog: RestoreDialog) -> None:
        result = dialog.result_value
        if result is None:
            return
        lines = [self.tr("已从备份恢复：{p}").format(p=result.source)]
        if result.kept_aside:
            lines.append(self.tr("原来的数据库已另存为：{p}").format(p=result.kept_aside))
        lines.append(
            self.tr("学生 {n} 名，操作记录 {a} 条。").format(
                n=result.counts.get("student", 0), a=result.counts.get("audit_entry", 0)
            )
        )
        if result.accounts:
            from aidoffice.safety.backup import accounts_text

            lines.append(self.tr("备份中的账户：{a}").format(a=accounts_text(result.accounts)))
        if result.account_problems:
            lines.append(
                self.tr("注意：有 {n} 个账户与操作记录不符，在管理员重新设置前不能登录。").format(
                    n=len(result.account_problems)
                )
            )
        if result.trail_problems:
            lines.append(
                self.tr("注意：这个备份的操作记录有 {n} 处与封存时不一致，“检查数据库”会继续报告。").format(
                    n=len(result.trail_problems)
                )
            )
        lines.append(self.tr("程序现在关闭并重新打开，以使用恢复后的数据。"))
        QMessageBox.information(self, self.tr("恢复完成"), "\n".join(lines))
        self.restart_requested.emit(self.tr("已从备份恢复"))

    def save_idle(self) -> Task:
        self.last_task = safety.set_idle_minutes(
            self.ctx, self, self.idle.value(),
            lambda _r: QMessageBox.information(self, self.tr("已保存"), self.tr("空闲锁定时间已保存。")),
            self._refused,
        )  # fmt: skip
        return self.last_task

    def save_keep(self) -> Task:
        self.last_task = safety.set_backup_keep(
            self.ctx, self, self.keep.value(),
            lambda _r: QMessageBox.information(self, self.tr("已保存"), self.tr("保留的自动备份份数已保存。")),
            self._refused,
        )  # fmt: skip
        return self.last_task

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, AidofficeError):
            QMessageBox.warning(self, self.tr("未保存"), problems_text(exc))
        else:
            show_error(self, exc, self.tr("保存设置"))
