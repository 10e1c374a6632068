"""The audit trail as a read-only table model (`PagedByIdModel`, as the student table): the ids of the
filter, newest first, then rows by id a page at a time in the background. Nothing here can change an
entry: the model has no setData and the page has no edit or delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from aidoffice.privacy import Level
from aidoffice.safety.auditlog import AuditFilter, AuditRow
from ui.models.paged import Index, PagedByIdModel
from ui.operations import AppContext
from ui.operations import security as ops

_REFUSED = QColor("#b91c1c")


class AuditTableModel(PagedByIdModel[AuditRow]):
    MAX_PAGES = 30
    COLUMNS = ["id", "at", "actor", "action", "entity", "subject", "summary", "note"]
    ROW_NUMBERS = False  # the entry's own number is the first column

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent, [])
        self.filter = AuditFilter()
        self.level = Level.MASKED
        self.headers = [self.tr("编号"), self.tr("时间"), self.tr("操作人"), self.tr("操作"), self.tr("对象"),
                        self.tr("学生"), self.tr("改了什么"), self.tr("说明")]  # fmt: skip

    def _load_ids(self, done: Callable[[list[int]], None]) -> None:
        ops.load_audit_ids(self.ctx, self.view_parent, self.filter, done)  # type: ignore[arg-type]

    def _load_rows(self, ids: list[int], done: Callable[[list[AuditRow]], None]) -> None:
        ops.load_audit_rows(self.ctx, self.view_parent, ids, self.level, done)  # type: ignore[arg-type]

    def set_filter(self, f: AuditFilter) -> None:
        self.filter = f
        self.refresh()

    def set_level(self, level: Level) -> None:
        """Full numbers or masked: the cached rows were made at the old level, so fetch again."""
        if level is self.level:
            return
        self.level = level
        self._drop_cache()

    def flags(self, index: Index) -> Qt.ItemFlag:
        # selectable to read, never editable
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if index.isValid()
            else Qt.ItemFlag.NoItemFlags
        )

    def cell(self, r: AuditRow, key: str, role: int) -> Any:
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
