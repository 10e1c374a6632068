"""A table model that never touches the database itself (after Anki's browser table), shared by the
student ledger, the problem list and the audit trail: a background read gives the ordered ids of the
current filter once; rows are then fetched by id a page at a time, in the background, and cached (the
oldest pages dropped); until a page arrives its rows show a placeholder. A deep page costs what the
first page costs, and scrolling never blocks.

A subclass says how to read the ids (`_load_ids`) and a page of rows (`_load_rows`), and what a cell
shows (`cell`).

Two counters keep late answers out. `_generation` counts the id lists asked for: only the last one
asked is taken. `_epoch` counts the id lists (and caches) taken: a page is fetched by the ids on screen
when it was asked for, so it is kept only while that list is still on screen. (A page asked for while a
new filter's ids were on their way, and delivered after them, once showed the old filter's rows under
the new one: tests/gui/test_reconcile_page.py.)"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from ui.operations import AppContext

Index = QModelIndex | QPersistentModelIndex
LOADING = QColor("#9ca3af")
Row = TypeVar("Row")


class PagedByIdModel(QAbstractTableModel, Generic[Row]):
    PAGE = 200
    MAX_PAGES = 40
    COLUMNS: list[str] = []
    ROW_NUMBERS = True  # the vertical header counts the rows

    counted = Signal(int)  # the number of rows the filter selects, when the id list arrives
    page_loaded = Signal(int)  # a page of rows arrived (for tests and benchmarks)

    def __init__(self, ctx: AppContext, parent: QWidget | None, headers: list[str]):
        super().__init__(parent)
        self.ctx = ctx
        self.view_parent = parent
        self.headers = headers
        self.ids: list[int] = []
        self._count = 0  # rows the view shows: len(ids), or a count while the ids are on their way
        self._pages: OrderedDict[int, list[Row | None]] = OrderedDict()
        self._pending: set[int] = set()
        self._waiting: set[int] = set()  # pages asked for before the id list arrived
        self._generation = 0  # id lists asked for: the last one asked is the one taken
        self._epoch = 0  # id lists (and caches) taken: a page belongs to the one it was fetched by
        self.loading = False

    # -- what a subclass says ----------------------------------------------------------------------
    def _load_ids(self, done: Callable[[list[int]], None]) -> None:
        raise NotImplementedError

    def _load_rows(self, ids: list[int], done: Callable[[list[Row]], None]) -> None:
        raise NotImplementedError

    def cell(self, row: Row, key: str, role: int) -> Any:
        raise NotImplementedError

    def _row_id(self, row: Row) -> int:
        return row.id  # type: ignore[attr-defined]

    # -- loading (all in the background) -----------------------------------------------------------
    def refresh(self) -> None:
        """Ask again for the ids of the current filter; the rows on screen stay until they come."""
        self._generation += 1
        generation = self._generation
        self.loading = True
        self._load_ids(lambda ids: self._got_ids(generation, ids))

    def _got_ids(self, generation: int, ids: list[int]) -> None:
        if not isValid(self) or generation != self._generation:  # the page closed, or the filter changed
            return
        self.loading = False
        self._reset(ids, len(ids))
        self.counted.emit(len(ids))

    def _reset(self, ids: list[int], count: int) -> None:
        self._epoch += 1  # pages on their way were fetched by the ids of before: they go nowhere
        self.beginResetModel()
        self.ids = ids
        self._count = count
        self._pages.clear()
        self._pending.clear()
        self._waiting.clear()
        self.endResetModel()

    def _drop_cache(self) -> None:
        """The cached rows are stale (shown at another privacy level): fetch them again. An id list
        on its way is still the one wanted (the filter did not change)."""
        self._reset(self.ids, self._count)

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        if not self.ids:
            self._waiting.add(page)  # the id list is still on its way
            return
        self._pending.add(page)
        epoch = self._epoch
        ids = self.ids[page * self.PAGE : (page + 1) * self.PAGE]
        self._load_rows(ids, lambda rows: self._got_page(epoch, page, ids, rows))

    def _got_page(self, epoch: int, page: int, ids: list[int], rows: list[Row]) -> None:
        if not isValid(self) or epoch != self._epoch:  # the page closed, or another id list is on screen
            return
        self._pending.discard(page)
        by_id = {self._row_id(r): r for r in rows}
        self._pages[page] = [by_id.get(i) for i in ids]  # None: removed meanwhile
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * self.PAGE
        self.dataChanged.emit(self.index(first, 0), self.index(first + len(ids) - 1, len(self.COLUMNS) - 1))
        self.page_loaded.emit(page)

    def row_at(self, row: int) -> Row | None:
        """The row if its page has arrived; otherwise asks for the page and returns None."""
        if not 0 <= row < self._count:
            return None
        page = row // self.PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[row - page * self.PAGE]

    def id_at(self, row: int) -> int | None:
        if 0 <= row < len(self.ids):
            return self.ids[row]
        r = self.row_at(row) if 0 <= row < self._count else None
        return self._row_id(r) if r is not None else None

    def row_of(self, row_id: int) -> int | None:
        try:
            return self.ids.index(row_id)
        except ValueError:
            return None

    # -- Qt ---------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return str(section + 1) if self.ROW_NUMBERS else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self.id_at(index.row())
        r = self.row_at(index.row())
        if r is None:
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return self.tr("正在加载…")
            if role == Qt.ItemDataRole.ForegroundRole:
                return LOADING
            return None
        return self.cell(r, self.COLUMNS[index.column()], role)
