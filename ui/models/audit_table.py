"""The audit trail as a read-only table model (as the student table): a background read gives the ids
of the filter, newest first; rows are fetched by id a page at a time in the background and cached.
Nothing here can change an entry: the model has no setData and the page has no edit or delete."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from aidoffice.privacy import Level
from aidoffice.security.auditlog import AuditFilter, AuditRow
from ui.operations import AppContext
from ui.operations import security as ops

Index = QModelIndex | QPersistentModelIndex
_LOADING = QColor("#9ca3af")
_REFUSED = QColor("#b91c1c")


class AuditTableModel(QAbstractTableModel):
    PAGE = 200
    MAX_PAGES = 30
    COLUMNS = ["id", "at", "actor", "action", "entity", "subject", "summary", "note"]

    counted = Signal(int)
    page_loaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.view_parent = parent
        self.filter = AuditFilter()
        self.level = Level.MASKED
        self.ids: list[int] = []
        self._pages: OrderedDict[int, list[AuditRow | None]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self.loading = False
        self.headers = [self.tr("编号"), self.tr("时间"), self.tr("操作人"), self.tr("操作"), self.tr("对象"),
                        self.tr("学生"), self.tr("改了什么"), self.tr("说明")]  # fmt: skip

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.loading = True
        ops.load_audit_ids(
            self.ctx, self.view_parent, self.filter, lambda ids: self._got_ids(generation, ids)
        )  # type: ignore[arg-type]

    def _got_ids(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.beginResetModel()
        self.ids = ids
        self._pages.clear()
        self._pending.clear()
        self.endResetModel()
        self.counted.emit(len(ids))

    def set_filter(self, f: AuditFilter) -> None:
        self.filter = f
        self.refresh()

    def set_level(self, level: Level) -> None:
        """Full numbers or masked: the cached rows were made at the old level, so fetch again."""
        if level is self.level:
            return
        self.level = level
        self._generation += 1
        self.beginResetModel()
        self._pages.clear()
        self._pending.clear()
        self.endResetModel()

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        generation = self._generation
        ids = self.ids[page * self.PAGE : (page + 1) * self.PAGE]
        ops.load_audit_rows(self.ctx, self.view_parent, ids, self.level,  # type: ignore[arg-type]
                            lambda rows: self._got_page(generation, page, ids, rows))  # fmt: skip

    def _got_page(self, generation: int, page: int, ids: list[int], rows: list[AuditRow]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        by_id = {r.id: r for r in rows}
        self._pages[page] = [by_id.get(i) for i in ids]
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * self.PAGE
        self.dataChanged.emit(self.index(first, 0), self.index(first + len(ids) - 1, len(self.COLUMNS) - 1))
        self.page_loaded.emit(page)

    def row_at(self, row: int) -> AuditRow | None:
        if not 0 <= row < len(self.ids):
            return None
        page = row // self.PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[row - page * self.PAGE]

    # -- Qt ------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section] if orientation == Qt.Orientation.Horizontal else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        # selectable to read, never editable
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if index.isValid()
            else Qt.ItemFlag.NoItemFlags
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row_at(index.row())
        key = self.COLUMNS[index.column()]
        if r is None:
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return self.tr("正在加载…")
            if role == Qt.ItemDataRole.ForegroundRole:
                return _LOADING
            return None
        if role == Qt.ItemDataRole.ForegroundRole and r.action in (
            "登录失败",
            "删除",
            "批量删除",
            "恢复备份",
        ):
            return _REFUSED
        if role == Qt.ItemDataRole.ToolTipRole and key in ("summary", "note"):
            return getattr(r, key) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "at":
            return r.at.strftime("%Y-%m-%d %H:%M:%S")
        if key == "entity" and r.entity_id is not None and r.entity not in ("账户",):
            return f"{r.entity} #{r.entity_id}"
        return getattr(r, key)
