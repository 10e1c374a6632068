"""生成记录: every batch printed, and printing one again.

A part of the 1222宣传材料 page (ui/pages/publicity): its methods run on the page, which builds every
tab and holds their widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.operations import publicity as ops


class HistoryTab:
    # ---- 生成记录 -----------------------------------------------------------------------------------

    def _history_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        layout.addWidget(
            QLabel(
                self.tr(
                    "每次生成都登记谁、何时、范围和文件的 SHA-256；告知书批次可按当时的日期、文字和电话重新生成。"
                )
            )
        )
        self.batches = QStandardItemModel(0, 8, self)
        self.batches.setHorizontalHeaderLabels(
            [self.tr(t) for t in ("批次", "种类", "学期", "范围", "操作人", "时间", "页数", "SHA-256")]
        )
        self.batch_view = QTableView()
        self.batch_view.setModel(self.batches)
        self.batch_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.batch_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.batch_view.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.batch_view)
        row = QHBoxLayout()
        self.remake_btn = QPushButton(self.tr("重新生成所选批次…"))
        refresh = QPushButton(self.tr("刷新"))
        row.addWidget(self.remake_btn)
        row.addWidget(refresh)
        row.addStretch()
        layout.addLayout(row)
        self.remake_btn.clicked.connect(self._remake)
        refresh.clicked.connect(lambda: ops.load_batches(self.ctx, self, self._show_batches))
        return w

    def _show_batches(self, rows: list[ops.BatchRow]) -> None:
        self.batches.removeRows(0, self.batches.rowCount())
        for r in rows:
            items = [
                QStandardItem(str(v))
                for v in (r.id, r.kind, r.term, r.scope, r.actor, r.at, r.pages, r.fingerprint)
            ]
            items[0].setData(r.id, Qt.ItemDataRole.UserRole)
            self.batches.appendRow(items)

    def _remake(self) -> None:
        index = self.batch_view.currentIndex()
        if not index.isValid():
            return
        batch_id = self.batches.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        path, _ = QFileDialog.getSaveFileName(self, self.tr("重新生成"), f"批次{batch_id}.pdf", "PDF (*.pdf)")
        if not path:
            return
        ops.remake(
            self.ctx,
            self,
            batch_id,
            path,
            lambda res: QMessageBox.information(self, self.tr("已重新生成"), res.summary()),
        )
