"""A read-only table of rows the page already holds (a proposal, a list of problems): plain values per
column, one column may mark a row red (a problem) or grey (left out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

_MARKS = {
    "red": QBrush(QColor("#fde2e2")),
    "grey": QBrush(QColor("#f3f4f6")),
    "yellow": QBrush(QColor("#fff4c2")),
}
_NUMERIC = (int, float)


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[Sequence[Any]] = []
        self.marks: list[str | None] = []

    def set_rows(self, rows: Sequence[Sequence[Any]], marks: Sequence[str | None] | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.marks = list(marks) if marks is not None else [None] * len(self.rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.BackgroundRole:
            mark = self.marks[index.row()]
            return _MARKS.get(mark) if mark else None
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, _NUMERIC):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return section + 1
        return None
