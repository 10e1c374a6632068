"""The standard workbook every list the program writes uses when no county template is given (ledgers,
award rosters, slip status, the problem list): a title row, a bold header with the title repeated on
every printed page, frozen under the header, filters, column widths that fit Chinese text, A4
landscape fitted to the page width. Streams rows (openpyxl write-only), so memory stays flat.

    book = StandardWorkbook()
    sheet = book.sheet("学籍台账", "某校学籍台账（2026-2027-1）", [Column("姓名"), Column("身份证件号", text=True)])
    for row in rows:
        sheet.append([...])
    book.save(path)           # to a temporary file, renamed into place
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from aidoffice.files import atomic_path, discard_write_only
from aidoffice.sheets.cells import number_like, safe_row, text_cell

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
A4 = 9
_SAMPLE = 200  # rows looked at to size the columns
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    title: str
    width: float | None = None  # None: fitted to the header and the first rows
    text: bool = False  # an identifying number kept as text (ID, 学籍号, account, phone)
    number_format: str | None = None  # e.g. "#,##0.00" for money
    wrap: bool = False  # long text wrapped inside the column's width (reasons, evidence, notes)


def display_width(value: Any) -> float:
    """Width in Excel's character units: a Chinese character takes two."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


# points per line of 11-point text: Chinese fallback fonts (宋体, Noto/Droid) stand taller than Calibri
LINE_HEIGHT = 16


def _lines(value: Any, width: float) -> int:
    """How many lines `value` takes in a wrapped column `width` characters wide. Rather one line too
    many than a printed reason cut off: a Chinese character is drawn a little wider than two digits, and
    lines break at whole characters and punctuation, so only nine tenths of the width is counted."""
    usable = max(1.0, (width - 1) * 0.9)
    return sum(max(1, -(-int(display_width(part)) // int(usable))) for part in str(value).split("\n"))


class StandardSheet:
    def __init__(self, book: StandardWorkbook, title: str, heading: str | None, columns: Sequence[Column]):
        self.ws = book.wb.create_sheet(title[:31])
        self.columns = list(columns)
        self.heading = heading
        self.header_row = 2 if heading else 1
        self.rows = 0
        self._pending: list[list[Any]] | None = []
        self._formats = [
            (i, c.number_format) for i, c in enumerate(self.columns) if c.number_format and not c.text
        ]
        self._text = [i for i, c in enumerate(self.columns) if c.text]
        self._wrap = [i for i, c in enumerate(self.columns) if c.wrap and not c.text]
        self._widths: list[float] = []
        self._written = 0

    def append(self, values: Sequence[Any]) -> None:
        self.rows += 1
        if self._pending is not None:
            self._pending.append(list(values))
            if len(self._pending) >= _SAMPLE:
                self._flush()
            return
        self._write(values)

    def _write(self, values: Sequence[Any]) -> None:
        ws = self.ws
        row = safe_row(ws, values)
        for i in self._text:
            v = values[i]
            if v is not None and number_like(v):
                row[i] = text_cell(ws, v)
        for i, fmt in self._formats:
            v = values[i]
            if v.__class__ is float or (v.__class__ is int and v is not True and v is not False):
                cell = WriteOnlyCell(ws, v)
                cell.number_format = fmt
                row[i] = cell
        lines = 1
        for i in self._wrap:
            if i < len(row) and row[i] is not None and values[i] != "":
                cell = row[i] if hasattr(row[i], "alignment") else WriteOnlyCell(ws, row[i])
                cell.alignment = WRAP
                row[i] = cell
                lines = max(lines, _lines(values[i], self._widths[i]))
        self._written += 1
        if lines > 1:  # Excel and LibreOffice do not grow a row for wrapped text on opening a file
            ws.row_dimensions[self.header_row + self._written].height = min(409, LINE_HEIGHT * lines)
            for i, v in enumerate(row):  # the row's other cells read from the top, beside the text
                if v is not None and i not in self._wrap:
                    cell = v if hasattr(v, "alignment") else WriteOnlyCell(ws, v)
                    if not cell.alignment.wrap_text:
                        cell.alignment = TOP
                    row[i] = cell
        ws.append(row)

    def _flush(self) -> None:
        pending, self._pending = self._pending or [], None
        ws = self.ws
        for i, col in enumerate(self.columns):
            width = col.width
            if width is None:
                seen = [display_width(col.title)] + [display_width(r[i]) for r in pending if i < len(r)]
                width = min(MAX_WIDTH, max(6.0, max(seen) + 2))
            ws.column_dimensions[get_column_letter(i + 1)].width = width
            self._widths.append(width)
        ws.freeze_panes = f"A{self.header_row + 1}"
        ws.print_title_rows = f"1:{self.header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        if self.heading:
            title = WriteOnlyCell(ws, self.heading)
            title.font = TITLE_FONT
            ws.append([title])
        header = []
        for col in self.columns:
            cell = WriteOnlyCell(ws, col.title)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            header.append(cell)
        ws.append(header)
        for values in pending:
            self._write(values)

    def close(self) -> None:
        if self._pending is not None:
            self._flush()
        last = self.header_row + self.rows
        self.ws.auto_filter.ref = (
            f"A{self.header_row}:{get_column_letter(len(self.columns))}{max(last, self.header_row)}"
        )


class StandardWorkbook:
    def __init__(self) -> None:
        self.wb = Workbook(write_only=True)
        self.sheets: list[StandardSheet] = []

    def __enter__(self) -> StandardWorkbook:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if exc is not None:  # filling it failed or was cancelled: its writers closed now, not by the GC
            discard_write_only(self.wb)

    def sheet(self, title: str, heading: str | None, columns: Sequence[Column]) -> StandardSheet:
        sheet = StandardSheet(self, title, heading, columns)
        self.sheets.append(sheet)
        return sheet

    def save(self, path: str | Path) -> Path:
        try:
            for sheet in self.sheets:
                sheet.close()
            with atomic_path(path) as tmp:
                self.wb.save(tmp)
        except BaseException:
            discard_write_only(self.wb)
            raise
        return Path(path)
