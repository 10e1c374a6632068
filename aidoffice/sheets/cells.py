"""Putting values into workbook cells safely, for every writer (ledgers, import reports, rosters,
templates, problem lists):

- text a user typed that starts with = stays text (openpyxl would store it as a live formula:
  formula injection, e.g. =HYPERLINK(…) or =cmd|' /C calc'!A0), and is shown exactly as typed;
- control characters that Excel's file format cannot hold are replaced, so one bad cell never
  breaks a whole export;
- ID numbers, 学籍号 and account numbers are written as text with the text number format, so no
  program turns them into 1.30624E+17.

Formulas the program writes itself (a 合计 row) go through `formula()`.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

TEXT_FORMAT = "@"
# In a CSV a field starting with these is run as a formula by Excel and WPS (OWASP: CSV injection).
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# Invisible direction overrides (U+202E turns "txt.exe" into "exe.txt" on screen) are legal in a
# workbook but spoof what a reader sees; they are marked like control characters.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    """The text with the control characters Excel cannot store (and direction overrides) replaced by a
    visible mark."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if _BIDI.search(value):
        value = _BIDI.sub("\ufffd", value)
    return value


def _is_formula_like(value: str) -> bool:
    return value[:1] == "="


def cell_value(ws: Any, value: Any) -> Any:
    """A value for `ws.append([...])` in write-only mode: most values pass through untouched (the
    common case costs one type check); text that would become a formula is wrapped as a text cell."""
    if value.__class__ is not str:
        return value
    value = clean_text(value)
    if _is_formula_like(value):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value


# A number Excel would turn into 1.30624E+17 if the cell were ever typed into again.
_NUMBER_LIKE = re.compile(r"[GJLgjl]?[0-9]{6,}[0-9Xx]?")


def number_like(value: Any) -> bool:
    """An identifying number a spreadsheet program would turn into a number if it could."""
    return bool(_NUMBER_LIKE.fullmatch(value if value.__class__ is str else str(value)))


def text_cell(ws: Any, value: Any) -> Any:
    """A cell holding an identifying number (ID, 学籍号, account, phone): text, and in the text number
    format when it is all digits (a masked 130624********1234 is plainly text already)."""
    if value is None:
        return None
    value = clean_text(str(value))
    if not _NUMBER_LIKE.fullmatch(value):
        return cell_value(ws, value)
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    cell.number_format = TEXT_FORMAT
    return cell


# Anything in a row's text that needs a closer look: a control character, or a value starting with =.
_ROW_NEEDS_CARE = re.compile(
    r"(?:^|\n)=|[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]", re.MULTILINE
)


def safe_row(ws: Any, values: list[Any]) -> list[Any]:
    """`cell_value` over a row, checking all its text in one search (the common row needs no change)."""
    texts = [v for v in values if v.__class__ is str]
    if texts and _ROW_NEEDS_CARE.search("\n".join(texts)):
        return [cell_value(ws, v) for v in values]
    return list(values)


def set_value(cell: Cell, value: Any, *, as_text: bool = False) -> None:
    """Set a normal (not write-only) cell, with the same rules as `cell_value`."""
    if value.__class__ is str or (as_text and value is not None):
        value = clean_text(str(value))
        cell.value = value
        if as_text or _is_formula_like(value):
            cell.data_type = "s"
        if as_text:
            cell.number_format = TEXT_FORMAT
        return
    cell.value = value


def formula(cell: Cell, expression: str) -> None:
    """A formula the program itself writes (=SUM(K5:K40)), never one taken from a file."""
    if not expression.startswith("="):
        raise ValueError(expression)
    cell.value = expression
