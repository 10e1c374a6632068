"""The problem list as a Qt table model that never touches the database (like the student table): a
background read gives the ordered ids of the current filter once; rows are fetched by id a page at a
time in the background and cached; a placeholder shows until a page arrives."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from aidoffice.db.models import ProblemStatus
from aidoffice.domain.grades import make_grade
from aidoffice.privacy import Field, Level, show
from aidoffice.reconcile.problems import ProblemFilter, ProblemRow
from ui.operations import AppContext
from ui.operations import reconcile as ops

Index = QModelIndex | QPersistentModelIndex
_CLOSED, _LOADING, _FIRST = QColor("#6b7280"), QColor("#9ca3af"), QColor("#b45309")


def grade_name(grade: int | None) -> str:
    if grade is None:
        return ""
    try:
        return make_grade(grade).name
    except ValueError:
        return str(grade)


class ProblemTableModel(QAbstractTableModel):
    PAGE = 200
    MAX_PAGES = 40
    COLUMNS = ["id", "kind", "rank", "name", "id_number", "grade", "class_name", "village", "detail", "status",
               "assigned_to", "resolution", "last_seen_on"]  # fmt: skip

    counted = Signal(int)
    page_loaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.view_parent = ctx, parent
        self.filter = ProblemFilter(open_only=True)
        self.level = Level.MASKED
        self.ids: list[int] = []
        self._pages: OrderedDict[int, list[ProblemRow | None]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self.loading = False
        self.headers = [self.tr("编号"), self.tr("类别"), self.tr("优先"), self.tr("姓名"), self.tr("身份证件号"),
                        self.tr("年级"), self.tr("班级"), self.tr("村"), self.tr("说明"), self.tr("状态"),
                        self.tr("处理人"), self.tr("处理结果"), self.tr("最近发现")]  # fmt: skip

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.loading = True
        ops.load_ids(self.ctx, self.view_parent, self.filter, lambda ids: self._got_ids(generation, ids))  # type: ignore[arg-type]

    def _got_ids(self, generation: int, ids: list[int]) -> None:
        if not isValid(self) or generation != self._generation:  # the page closed, or the filter changed
            return
        self.beginResetModel()
        self.ids = ids
        self._pages.clear()
        self._pending.clear()
        self.loading = False
        self.endResetModel()
        self.counted.emit(len(ids))

    def set_filter(self, f: ProblemFilter) -> None:
        self.filter = f
        self.refresh()

    def set_full_ids(self, full: bool) -> None:
        self.level = Level.FULL if full else Level.MASKED
        if self.ids:
            col = self.COLUMNS.index("id_number")
            self.dataChanged.emit(self.index(0, col), self.index(len(self.ids) - 1, col))

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        generation = self._generation
        ids = self.ids[page * self.PAGE : (page + 1) * self.PAGE]
        ops.load_rows(self.ctx, self.view_parent, ids, lambda rows: self._got_page(generation, page, rows))  # type: ignore[arg-type]

    def _got_page(self, generation: int, page: int, rows: list[ProblemRow]) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._pending.discard(page)
        by_id = {r.id: r for r in rows}
        ids = self.ids[page * self.PAGE : (page + 1) * self.PAGE]
        self._pages[page] = [by_id.get(i) for i in ids]
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * self.PAGE
        self.dataChanged.emit(self.index(first, 0), self.index(first + len(ids) - 1, len(self.COLUMNS) - 1))
        self.page_loaded.emit(page)

    def row_at(self, row: int) -> ProblemRow | None:
        if not 0 <= row < len(self.ids):
            return None
        page = row // self.PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[row - page * self.PAGE]

    def problem_id(self, row: int) -> int | None:
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def row_of(self, problem_id: int) -> int | None:
        try:
            return self.ids.index(problem_id)
        except ValueError:
            return None

    # -- Qt ---------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self.problem_id(index.row())
        r = self.row_at(index.row())
        key = self.COLUMNS[index.column()]
        if r is None:
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return self.tr("正在加载…")
            if role == Qt.ItemDataRole.ForegroundRole:
                return _LOADING
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if r.status is ProblemStatus.CLOSED:
                return _CLOSED
            if key == "rank" and r.rank == 1:
                return _FIRST
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key == "detail":
            return r.detail
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        match key:
            case "kind":
                return r.kind_label
            case "rank":
                return self.tr("优先") if r.rank == 1 else ""
            case "id_number":
                return show(Field.ID_NUMBER, r.id_number, self.level) or ""
            case "grade":
                return grade_name(r.grade)
            case "status":
                return r.status_name
            case "last_seen_on":
                return f"{r.last_seen_on:%Y-%m-%d}"
            case _:
                value = getattr(r, key)
                return "" if value is None else value
