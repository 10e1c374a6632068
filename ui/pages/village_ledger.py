"""户籍台账 page: townships → villages → households → children, with the counts per village."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from aidoffice.ledgers.village_queries import VillageOverview
from ui.dialogs.served_villages import ServedVillagesDialog
from ui.models.village_tree import VillageTreeModel
from ui.operations import AppContext, Changes
from ui.operations import villages as ops
from ui.operations.security import may
from ui.permissions import Rights
from ui.tasks import Task


class VillageLedgerPage(QWidget):
    available = True
    RIGHTS = Rights(page="villages.view", controls={"export.ledger": ("export_btn",)})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        top.addWidget(self.summary)
        top.addStretch()
        self.expand_btn = QPushButton(self.tr("展开全部乡镇"))
        self.served_btn = QPushButton(self.tr("服务村…"))
        self.refresh_btn = QPushButton(self.tr("刷新"))
        self.export_btn = QPushButton(self.tr("导出户籍台账…"))
        for b in (self.expand_btn, self.served_btn, self.refresh_btn, self.export_btn):
            top.addWidget(b)
        layout.addLayout(top)
        # what to import when the ledger is empty; the proposal of served villages until confirmed
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background:#fffbeb;border:1px solid #f59e0b;padding:6px;color:#92400e")
        self.notice.hide()
        layout.addWidget(self.notice)
        hint = QLabel(self.tr("红字：学龄儿童既不在本校、名单上也没有就读学校，需核实去向。"))
        hint.setStyleSheet("color:#6b7280")
        layout.addWidget(hint)
        self.model = VillageTreeModel(ctx, self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 300)
        for col in range(1, 6):
            self.tree.setColumnWidth(col, 84)
        layout.addWidget(self.tree)
        self.expand_btn.clicked.connect(self.expand_townships)
        self.refresh_btn.clicked.connect(self.reload)
        self.served_btn.clicked.connect(self.edit_served)
        self.served_dialog: ServedVillagesDialog | None = None
        self.served_btn.setEnabled(may(ctx, "households.edit"))
        self.export_btn.clicked.connect(self.export)
        self._stale = True
        self.last_task: Task | None = None
        ctx.data_changed.connect(self._data_changed)

    def activate(self) -> None:
        if self._stale:
            self.reload()

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("students", "households", "groups", "awards", "lists", "settings"):
            self._stale = True
            if self.isVisible():
                self.reload()

    def reload(self) -> Task:
        self._stale = False
        self.last_task = ops.load_tree(
            self.ctx, self, self._loaded_tree, label=self.tr("正在统计各村学龄儿童…")
        )
        return self.last_task

    def _loaded_tree(self, result: VillageOverview) -> None:
        tree, term, ages = result.tree, result.term, result.ages
        confirmed, outside = result.served_confirmed, result.outside
        self.model.load(tree, term, ages)
        if not tree:
            self.notice.setText(
                self.tr("户籍台账中还没有村。请在“导入”页导入学籍系统导出的学生名单（按“户口所在地”自动对应到本县的乡镇和村），"
                        "再导入乡村振兴部门的脱贫户（监测对象）名单和民政部门的低保名单；有村里的户籍花名册时，"
                        "导入“户籍（村）花名册”补全各户。学校所在县请在“设置”中填写。"))  # fmt: skip
            self.notice.show()
        elif not confirmed:
            self.notice.setText(
                self.tr("服务村尚未确认：下面按在校学生的户籍所在村列出。请点“服务村…”核对并保存，"
                        "比对时将查找这些村名单上未在本校的学龄儿童。"))  # fmt: skip
            self.notice.show()
        else:
            self.notice.hide()
        villages = sum(len(t.villages) for t in tree)
        self.summary.setText(
            self.tr("{term}　{towns} 个乡镇、{villages} 个村　学龄儿童（{a}—{b}岁）{children} 人，在本校 {here} 人，"
                    "重点群体 {prio} 人，本学期受助 {aided} 人").format(
                term=term.code, towns=len(tree), villages=villages, a=ages[0], b=ages[1],
                children=sum(t.total("children") for t in tree), here=sum(t.total("in_school") for t in tree),
                prio=sum(t.total("priority") for t in tree), aided=sum(t.total("aided") for t in tree))
        )  # fmt: skip
        if outside.foreign or outside.unplaced:
            self.summary.setText(self.summary.text() + "\n" + self.tr(
                "另有在读学生：户籍在外县（随迁）{f} 人，户口所在地未能对应到本县的村 {u} 人（在学生信息中填写户籍乡镇、户籍村即可计入）"
            ).format(f=outside.foreign, u=outside.unplaced))  # fmt: skip
        if len(tree) == 1:
            self.tree.expand(self.model.index(0, 0))

    def edit_served(self) -> Task:
        self.last_task = ops.load_served(self.ctx, self, self._open_served)
        return self.last_task

    def _open_served(self, served) -> None:  # type: ignore[no-untyped-def]
        self.served_dialog = ServedVillagesDialog(self.ctx, served, self)
        self.served_dialog.open()

    def expand_townships(self) -> None:
        for row in range(self.model.rowCount()):
            self.tree.expand(self.model.index(row, 0))

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出户籍台账"), self.tr("户籍台账.xlsx"), "Excel (*.xlsx)"
        )
        if not path:
            return
        # a role without the right to full numbers (the county viewer) gets the masked ledger; one with
        # it says what the full numbers are for, for the trail
        mask = not may(self.ctx, "export.full_ids")
        purpose = None
        if not mask:
            purpose, ok = QInputDialog.getText(
                self, self.tr("导出完整证件号"),
                self.tr("表格中将有完整的证件号。请写明用途（记入操作记录）："), text=self.tr("报县资助中心核对"),
            )  # fmt: skip
            if not ok:
                return
        ops.export_ledger(self.ctx, self, path, mask, purpose,
                          lambda r: QMessageBox.information(self, self.tr("导出完成"),
                                                            self.tr("已导出 {n} 名学龄儿童到：\n{path}").format(n=r.rows, path=r.path)))  # fmt: skip
