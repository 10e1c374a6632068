"""The student ledger as a Qt table model that never touches the database itself (after Anki's browser
table): a background read builds the ordered id list of the current filter and sort once; rows are
then fetched by id a page at a time, in the background, and cached; until a page arrives its rows
show a placeholder. A deep page costs what the first page costs, and scrolling never blocks.

So that the first rows appear at once, a second read fetches the count and the first page in
parallel with the id list (it reads an index and a LIMIT); the table shows them and fills in the rest
when the id list arrives."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from aidoffice.db.models import STATUS_NAMES, StudentStatus
from aidoffice.domain.grades import make_grade
from aidoffice.ledgers.student_queries import StudentFilter, StudentRow
from aidoffice.privacy import Level, show_column
from ui.operations import AppContext
from ui.operations import students as ops

Index = QModelIndex | QPersistentModelIndex
_GREY, _RUST = QColor("#6b7280"), QColor("#9a3412")
_LOADING = QColor("#9ca3af")


class StudentTableModel(QAbstractTableModel):
    PAGE = 200
    MAX_PAGES = 40
    COLUMNS = ["name", "sex", "id_number", "student_no", "grade", "class_name", "status", "boarding", "village",
               "groups", "guardian_name", "guardian_phone"]  # fmt: skip
    SORTABLE = {"name", "sex", "id_number", "student_no", "grade", "class_name", "status", "boarding", "village",
                "guardian_name", "guardian_phone"}  # fmt: skip

    counted = Signal(int)  # the number of students the filter selects, when the id list arrives
    page_loaded = Signal(int)  # a page of rows arrived (for tests and benchmarks)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.view_parent = parent
        self.filter = StudentFilter()
        self.sort_key, self.descending = "grade", False
        self.level = Level.MASKED
        self.ids: list[int] = []
        self._count = 0  # rows the view shows: len(ids), or the count while the ids are on their way
        self._pages: OrderedDict[int, list[StudentRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._waiting: set[int] = set()  # pages asked for before the id list arrived
        self._started = False  # the count and first page are showing
        self._generation = 0
        self.loading = False
        self.headers = [self.tr("姓名"), self.tr("性别"), self.tr("身份证件号"), self.tr("全国学籍号"), self.tr("年级"),
                        self.tr("班级"), self.tr("状态"), self.tr("住宿"), self.tr("户籍村"), self.tr("重点群体"),
                        self.tr("监护人"), self.tr("联系电话")]  # fmt: skip

    # -- loading (all in the background) -----------------------------------------------------------
    def refresh(self) -> None:
        """Ask again for the ids of the current filter and sort; the rows on screen stay until they come."""
        self._generation += 1
        generation = self._generation
        self.loading = True
        self._started = False
        parent = self.view_parent
        ops.load_start(self.ctx, parent, self.filter, self.sort_key, self.descending, self.PAGE,  # type: ignore[arg-type]
                       lambda start: self._got_start(generation, *start))  # fmt: skip
        ops.load_ids(self.ctx, parent, self.filter, self.sort_key, self.descending,  # type: ignore[arg-type]
                     lambda ids: self._got_ids(generation, ids))  # fmt: skip

    def _got_start(self, generation: int, count: int, rows: list[StudentRow]) -> None:
        if generation != self._generation or not self.loading:
            return  # stale, or the whole id list came first
        self.beginResetModel()
        self.ids = []
        self._count = count
        self._pages.clear()
        self._pending.clear()
        self._waiting.clear()
        if rows:
            self._pages[0] = list(rows)
        self._started = True
        self.endResetModel()
        self.counted.emit(count)
        self.page_loaded.emit(0)

    def _got_ids(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return  # the filter changed while this list was being built
        first = self._pages.get(0) if self._started else None
        consistent = (
            first is not None and len(ids) == self._count and [r.id for r in first] == ids[: len(first)]
        )
        self.loading = False
        if consistent:
            self.ids = ids  # the rows on screen stay; the rest can be fetched now
            waiting, self._waiting = self._waiting, set()
            for page in sorted(waiting):
                self._request(page)
            return
        self.beginResetModel()
        self.ids = ids
        self._count = len(ids)
        self._pages.clear()
        self._pending.clear()
        self._waiting.clear()
        self.endResetModel()
        self.counted.emit(len(ids))

    def set_filter(self, f: StudentFilter) -> None:
        self.filter = f
        self.refresh()

    def set_full_ids(self, full: bool) -> None:
        self.level = Level.FULL if full else Level.MASKED
        if self._count:
            self.dataChanged.emit(self.index(0, 2), self.index(self._count - 1, len(self.COLUMNS) - 1))

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        if not self.ids:
            self._waiting.add(page)  # the id list is still on its way
            return
        self._pending.add(page)
        generation = self._generation
        ids = self.ids[page * self.PAGE : (page + 1) * self.PAGE]
        ops.load_rows(self.ctx, self.view_parent, ids, lambda rows: self._got_page(generation, page, rows))  # type: ignore[arg-type]

    def _got_page(self, generation: int, page: int, rows: list[StudentRow]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        by_id = {r.id: r for r in rows}
        ids = self.ids[page * self.PAGE : (page + 1) * self.PAGE]
        self._pages[page] = [by_id.get(i) for i in ids]  # type: ignore[misc]  # None: removed meanwhile
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * self.PAGE
        self.dataChanged.emit(self.index(first, 0), self.index(first + len(ids) - 1, len(self.COLUMNS) - 1))
        self.page_loaded.emit(page)

    def row_at(self, row: int) -> StudentRow | None:
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

    def student_id(self, row: int) -> int | None:
        if 0 <= row < len(self.ids):
            return self.ids[row]
        r = self.row_at(row) if 0 <= row < self._count else None
        return r.id if r is not None else None

    # -- Qt ---------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

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
            return self.student_id(index.row())
        r = self.row_at(index.row())
        key = self.COLUMNS[index.column()]
        if r is None:
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return self.tr("正在加载…")
            if role == Qt.ItemDataRole.ForegroundRole:
                return _LOADING
            return None
        if role == Qt.ItemDataRole.ForegroundRole and r.status is not StudentStatus.ENROLLED:
            return _RUST if r.status is StudentStatus.DROPPED_OUT else _GREY
        if role == Qt.ItemDataRole.ToolTipRole and key == "groups" and r.groups:
            return "、".join(r.groups)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        match key:
            case "id_number" | "student_no" | "guardian_phone":
                return show_column(key, getattr(r, key), self.level)
            case "grade":
                return make_grade(r.grade, r.stage == "vocational").name
            case "status":
                return STATUS_NAMES[r.status]
            case "boarding":
                return self.tr("住校") if r.boarding else self.tr("走读")
            case "village":
                return f"{r.township or ''}{r.village or ''}"
            case "groups":
                return "、".join(r.groups)
            case _:
                return getattr(r, key)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.COLUMNS[column]
        descending = order == Qt.SortOrder.DescendingOrder
        if key not in self.SORTABLE or (
            (key, descending) == (self.sort_key, self.descending) and not self._generation
        ):
            return  # the view announcing the initial order: the first refresh comes with the page
        self.sort_key, self.descending = key, descending
        self.refresh()
