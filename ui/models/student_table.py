"""The student ledger as a Qt table model that never touches the database itself (`PagedByIdModel`:
the ordered ids of the filter and sort once, then rows by id a page at a time in the background).

So that the first rows appear at once, a second read fetches the count and the first page in
parallel with the id list (it reads an index and a LIMIT); the table shows them and fills in the rest
when the id list arrives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from aidoffice.db.models import STATUS_NAMES, StudentStatus
from aidoffice.domain.grades import make_grade
from aidoffice.ledgers.student_queries import StudentFilter, StudentRow
from aidoffice.privacy import Level, show_column
from ui.models.paged import PagedByIdModel
from ui.operations import AppContext
from ui.operations import students as ops

_GREY, _RUST = QColor("#6b7280"), QColor("#9a3412")


class StudentTableModel(PagedByIdModel[StudentRow]):
    COLUMNS = ["name", "sex", "id_number", "student_no", "grade", "class_name", "status", "boarding", "village",
               "groups", "guardian_name", "guardian_phone"]  # fmt: skip
    SORTABLE = {"name", "sex", "id_number", "student_no", "grade", "class_name", "status", "boarding", "village",
                "guardian_name", "guardian_phone"}  # fmt: skip

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent, [])
        self.filter = StudentFilter()
        self.sort_key, self.descending = "grade", False
        self.level = Level.MASKED
        self._started = False  # the count and first page are showing
        self.headers = [self.tr("姓名"), self.tr("性别"), self.tr("身份证件号"), self.tr("全国学籍号"), self.tr("年级"),
                        self.tr("班级"), self.tr("状态"), self.tr("住宿"), self.tr("户籍村"), self.tr("重点群体"),
                        self.tr("监护人"), self.tr("联系电话")]  # fmt: skip

    # -- loading (all in the background) -----------------------------------------------------------
    def _load_ids(self, done: Callable[[list[int]], None]) -> None:
        ops.load_ids(self.ctx, self.view_parent, self.filter, self.sort_key, self.descending, done)  # type: ignore[arg-type]

    def _load_rows(self, ids: list[int], done: Callable[[list[StudentRow]], None]) -> None:
        ops.load_rows(self.ctx, self.view_parent, ids, done)  # type: ignore[arg-type]

    def refresh(self) -> None:
        """Ask for the count and first page, and in parallel for the ids of the current filter and sort;
        the rows on screen stay until they come."""
        self._generation += 1
        generation = self._generation
        self.loading = True
        self._started = False
        ops.load_start(self.ctx, self.view_parent, self.filter, self.sort_key, self.descending, self.PAGE,  # type: ignore[arg-type]
                       lambda start: self._got_start(generation, *start))  # fmt: skip
        self._load_ids(lambda ids: self._got_ids(generation, ids))

    def _got_start(self, generation: int, count: int, rows: list[StudentRow]) -> None:
        if generation != self._generation or not self.loading:
            return  # stale, or the whole id list came first
        self._reset([], count)
        if rows:
            self._pages[0] = list(rows)
        self._started = True
        self.counted.emit(count)
        self.page_loaded.emit(0)

    def _got_ids(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return  # the filter changed while this list was being built
        first = self._pages.get(0) if self._started else None
        consistent = (
            first is not None and len(ids) == self._count and [r.id for r in first] == ids[: len(first)]  # type: ignore[union-attr]
        )
        if not consistent:
            super()._got_ids(generation, ids)
            return
        self.loading = False
        self.ids = ids  # the rows on screen stay; the rest can be fetched now
        waiting, self._waiting = self._waiting, set()
        for page in sorted(waiting):
            self._request(page)

    def set_filter(self, f: StudentFilter) -> None:
        self.filter = f
        self.refresh()

    def set_full_ids(self, full: bool) -> None:
        self.level = Level.FULL if full else Level.MASKED
        if self._count:
            self.dataChanged.emit(self.index(0, 2), self.index(self._count - 1, len(self.COLUMNS) - 1))

    def student_id(self, row: int) -> int | None:
        return self.id_at(row)

    # -- Qt ---------------------------------------------------------------------------------------
    def cell(self, r: StudentRow, key: str, role: int) -> Any:
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
                if r.township is None and r.village:  # not a village of the county: the place as written
                    return self.tr("{place}（外县或未对应到本县的村）").format(place=r.village)
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
