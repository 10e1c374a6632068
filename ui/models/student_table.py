"""The student ledger as a Qt table model over the database: the row count comes from one COUNT, rows
are fetched a page at a time when the view asks for them, so 100,000 students open at once."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from aidoffice.db.engine import Database
from aidoffice.db.models import STATUS_NAMES, StudentStatus
from aidoffice.domain.grades import make_grade
from aidoffice.ledgers.students import StudentFilter, StudentRow, count_students, fetch_page
from aidoffice.privacy import mask_id

Index = QModelIndex | QPersistentModelIndex


class StudentTableModel(QAbstractTableModel):
    PAGE = 200
    MAX_PAGES = 40
    COLUMNS = ["name", "sex", "id_number", "student_no", "grade", "class_name", "status", "boarding", "village",
               "groups", "guardian_name", "guardian_phone"]  # fmt: skip
    SORTABLE = {"name", "sex", "id_number", "student_no", "grade", "class_name", "status", "boarding", "village",
                "guardian_name", "guardian_phone"}  # fmt: skip

    def __init__(self, db: Database, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.db = db
        self.filter = StudentFilter()
        self.sort_key, self.descending = "grade", False
        self.mask = True
        self._count = 0
        self._pages: OrderedDict[int, list[StudentRow]] = OrderedDict()
        self.headers = [self.tr("姓名"), self.tr("性别"), self.tr("身份证件号"), self.tr("全国学籍号"), self.tr("年级"),
                        self.tr("班级"), self.tr("状态"), self.tr("住宿"), self.tr("户籍村"), self.tr("重点群体"),
                        self.tr("监护人"), self.tr("联系电话")]  # fmt: skip

    # -- loading --------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.beginResetModel()
        self._pages.clear()
        with self.db.reading() as s:
            self._count = count_students(s, self.filter)
        self.endResetModel()

    def set_filter(self, f: StudentFilter) -> None:
        self.filter = f
        self.refresh()

    def set_mask(self, mask: bool) -> None:
        self.mask = mask
        if self._count:
            self.dataChanged.emit(self.index(0, 2), self.index(self._count - 1, 3))

    def row_at(self, row: int) -> StudentRow | None:
        if not 0 <= row < self._count:
            return None
        page = row // self.PAGE
        rows = self._pages.get(page)
        if rows is None:
            with self.db.reading() as s:
                rows = fetch_page(s, self.filter, page * self.PAGE, self.PAGE, self.sort_key, self.descending)
            self._pages[page] = rows
            while len(self._pages) > self.MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        offset = row - page * self.PAGE
        return rows[offset] if offset < len(rows) else None

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
        r = self.row_at(index.row())
        if r is None:
            return None
        key = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        if role == Qt.ItemDataRole.ForegroundRole and r.status is not StudentStatus.ENROLLED:
            return QColor("#9a3412") if r.status is StudentStatus.DROPPED_OUT else QColor("#6b7280")
        if role == Qt.ItemDataRole.ToolTipRole and key == "groups" and r.groups:
            return "、".join(r.groups)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        match key:
            case "id_number":
                return mask_id(r.id_number) if self.mask else r.id_number
            case "student_no":
                return mask_id(r.student_no) if self.mask else r.student_no
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
            case "guardian_phone":
                return (
                    (r.guardian_phone[:3] + "****" + r.guardian_phone[-4:])
                    if self.mask and r.guardian_phone and len(r.guardian_phone) == 11
                    else r.guardian_phone
                )
            case _:
                return getattr(r, key)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.COLUMNS[column]
        if key not in self.SORTABLE:
            return
        self.sort_key, self.descending = key, order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def student_id(self, row: int) -> int | None:
        r = self.row_at(row)
        return r.id if r else None
