"""The problem list as a Qt table model that never touches the database (`PagedByIdModel`, as the
student table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from aidoffice.db.models import ProblemStatus
from aidoffice.domain.grades import make_grade
from aidoffice.privacy import Field, Level, show
from aidoffice.reconcile.problem_queries import ProblemFilter, ProblemRow
from ui.models.paged import PagedByIdModel
from ui.operations import AppContext
from ui.operations import reconcile as ops

_CLOSED, _FIRST = QColor("#6b7280"), QColor("#b45309")


def grade_name(grade: int | None) -> str:
    if grade is None:
        return ""
    try:
        return make_grade(grade).name
    except ValueError:
        return str(grade)


class ProblemTableModel(PagedByIdModel[ProblemRow]):
    COLUMNS = ["id", "kind", "rank", "name", "id_number", "grade", "class_name", "village", "detail", "status",
               "assigned_to", "resolution", "last_seen_on"]  # fmt: skip

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent, [])
        self.headers = [self.tr("编号"), self.tr("类别"), self.tr("优先"), self.tr("姓名"), self.tr("身份证件号"),
                        self.tr("年级"), self.tr("班级"), self.tr("村"), self.tr("说明"), self.tr("状态"),
                        self.tr("处理人"), self.tr("处理结果"), self.tr("最近发现")]  # fmt: skip
        self.filter = ProblemFilter(open_only=True)
        self.level = Level.MASKED

    def _load_ids(self, done: Callable[[list[int]], None]) -> None:
        ops.load_ids(self.ctx, self.view_parent, self.filter, done)  # type: ignore[arg-type]

    def _load_rows(self, ids: list[int], done: Callable[[list[ProblemRow]], None]) -> None:
        ops.load_rows(self.ctx, self.view_parent, ids, done)  # type: ignore[arg-type]

    def set_filter(self, f: ProblemFilter) -> None:
        self.filter = f
        self.refresh()

    def set_full_ids(self, full: bool) -> None:
        self.level = Level.FULL if full else Level.MASKED
        if self.ids:
            col = self.COLUMNS.index("id_number")
            self.dataChanged.emit(self.index(0, col), self.index(len(self.ids) - 1, col))

    def problem_id(self, row: int) -> int | None:
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def cell(self, r: ProblemRow, key: str, role: int) -> Any:
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
