"""The rows of an import preview: what will happen to each row of the file, refused rows in red and
rows with warnings in yellow, ID numbers masked unless asked."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from aidoffice.importing.report import ROW_ACTION_NAMES, Action, ImportReport, Outcome
from aidoffice.privacy import mask_id

_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")
_RED, _YELLOW = QBrush(QColor("#fde2e2")), QBrush(QColor("#fff4c2"))
_ACTION_COLOURS = {
    Action.NEW: QBrush(QColor("#15803d")),
    Action.UPDATED: QBrush(QColor("#1d4ed8")),
    Action.UNCHANGED: QBrush(QColor("#6b7280")),
    Action.REFUSED: QBrush(QColor("#b91c1c")),
}
FILTERS = {
    "all": "全部行",
    "problems": "未导入和有提示的行",
    "refused": "只看未导入",
    "new": "只看新增",
    "updated": "只看更新",
}


class ImportPreviewModel(QAbstractTableModel):
    HEADERS = ("行号", "结果", "姓名", "证件号", "原因、变化或提示")

    def __init__(self, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.report: ImportReport | None = None
        self.rows: list[Outcome] = []
        self.notes: dict[int, str] = {}
        self.show_full_ids = False
        self.filter = "all"

    def set_report(self, report: ImportReport | None) -> None:
        self.beginResetModel()
        self.report = report
        self.notes = {}
        if report is not None:
            for row, warnings in report.warnings_by_row.items():
                self.notes[row] = "；".join(
                    f"{w.field + '：' if w.field else ''}{w.reason}" for w in warnings
                )
        self._apply_filter()
        self.endResetModel()

    def set_filter(self, key: str) -> None:
        self.beginResetModel()
        self.filter = key
        self._apply_filter()
        self.endResetModel()

    def set_show_full_ids(self, show: bool) -> None:
        self.show_full_ids = show
        if self.rows:
            self.dataChanged.emit(self.index(0, 3), self.index(len(self.rows) - 1, 3))

    def _apply_filter(self) -> None:
        outcomes = self.report.outcomes if self.report else []
        keep = {
            "all": lambda o: True,
            "problems": lambda o: o.action is Action.REFUSED or o.row in self.notes,
            "refused": lambda o: o.action is Action.REFUSED,
            "new": lambda o: o.action is Action.NEW,
            "updated": lambda o: o.action is Action.UPDATED,
        }[self.filter]
        self.rows = [o for o in outcomes if keep(o)]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        o = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return o.row
            if col == 1:
                return ROW_ACTION_NAMES[o.action]
            if col == 2:
                return o.name
            if col == 3:
                return o.key if self.show_full_ids else mask_id(o.key)
            text = "；".join(p for p in (o.detail, self.notes.get(o.row, "")) if p)
            return text if self.show_full_ids else _ID_IN_TEXT.sub(lambda m: mask_id(m[0]), text)
        if role == Qt.ItemDataRole.BackgroundRole:
            if o.action is Action.REFUSED:
                return _RED
            if o.row in self.notes:
                return _YELLOW
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return _ACTION_COLOURS[o.action]
        return None
