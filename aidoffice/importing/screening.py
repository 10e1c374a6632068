"""What every cell of every import goes through before a kind of file reads it: the dirt no column
may carry into the ledger, found per row and column.

- control characters (and the invisible bidirectional overrides) are removed, with a warning;
- an Excel error value (#REF!, #N/A …) is named as one: a row whose key cell holds one is refused,
  any other cell is left out with a warning (never silently a blank, never "不能为空");
- a value longer than its database column is refused with the row and column; the limits are read
  from the models, so there is one source."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

from aidoffice.db.models import (
    Award,
    HardshipAssessment,
    Household,
    HouseholdMember,
    ListEntry,
    Student,
    Township,
    Village,
)
from aidoffice.domain.text import control_characters, squeeze, without_control_characters
from aidoffice.importing.report import ImportReport
from aidoffice.importing.rows import DataRow
from aidoffice.messages import excel_error_cell, too_long
from aidoffice.sheets.headers import IGNORE, field_label
from aidoffice.sheets.readers import excel_error

# field → the model column the field's text is stored in, per kind of file
_STORED: dict[str, dict[str, Any]] = {
    "students": {
        "name": Student.name, "ethnicity": Student.ethnicity, "class_name": Student.class_name,
        "student_no": Student.student_no, "id_type": Student.id_type, "hukou_address": Student.hukou_address,
        "hukou_township": Student.hukou_township, "hukou_village": Student.hukou_village,
        "current_address": Student.current_address, "guardian_name": Student.guardian_name,
        "guardian_relation": Student.guardian_relation, "guardian_phone": Student.guardian_phone,
        "bank_name": Student.bank_name, "bank_account": Student.bank_account,
    },
    "households": {
        "township": Township.name, "village": Village.name, "household_no": Household.household_no,
        "head_name": Household.head_name, "name": HouseholdMember.name, "relation": HouseholdMember.relation,
        "school_name": HouseholdMember.school_name, "schooling": HouseholdMember.schooling,
    },
    "list": {
        "name": ListEntry.name, "township": ListEntry.township, "village": ListEntry.village,
        "household_no": ListEntry.household_no, "head_name": ListEntry.head_name, "relation": ListEntry.relation,
        "category": ListEntry.category, "household_type": ListEntry.category, "list_status": ListEntry.status,
        "school_name": ListEntry.school_name, "schooling": ListEntry.schooling,
    },
    "awards": {"batch": Award.batch},
    "assessments": {
        "name": Student.name, "assessed_by": HardshipAssessment.decided_by,
        "school_year": HardshipAssessment.school_year,
    },
}  # fmt: skip

# Cells without which a row cannot be placed or judged: an Excel error in one refuses the row.
KEY_FIELDS = frozenset(
    {"id_number", "student_no", "name", "grade", "class_name", "township", "village", "household_no",
     "head_name", "head_id_number", "policy", "term", "amount", "birth_date", "category", "household_type",
     "list_status", "status"}
)  # fmt: skip


# Cells that are read as a code, a date, a number or a word from a short list: nothing valid is longer
# than this, and a message quoting a longer one would be a wall of text.
PARSED_LIMIT = 100
_PARSED = frozenset(
    {"id_number", "student_no", "head_id_number", "school_code", "grade", "sex", "birth_date", "boarding",
     "left_behind", "migrant", "orphan", "disabled", "enrolled_on", "status", "term", "amount", "paid_on",
     "policy", "people_count", "monthly_amount"}
)  # fmt: skip


@functools.cache
def parsed_limits(kind: str) -> dict[str, int]:
    stored = column_limits(kind)
    return {f: PARSED_LIMIT for f in _PARSED if f not in stored}


@functools.cache
def column_limits(kind: str) -> dict[str, int]:
    """field → the most characters its database column holds, for one kind of file."""
    out = {}
    for f, attr in _STORED.get(kind, {}).items():
        length = getattr(attr.property.columns[0].type, "length", None)
        if length:
            out[f] = length
    return out


def screen_rows(rows: Iterable[DataRow], report: ImportReport, kind: str) -> Iterator[DataRow]:
    """Each row with its cells cleaned in place; what could not be cleaned is in `row.problems`."""
    layout = report.layout
    columns = {f: layout.columns[i] for f, i in layout.fields.items()}
    # only the fields the file has (a row's cells hold no others), and of those only the columns
    # where some cell is longer than the limit: one pass down each column instead of a test per cell
    table_rows = report.table.rows
    limits = [
        (f, n, stored)
        for f, n, stored in (
            *((f, n, True) for f, n in column_limits(kind).items()),
            *((f, n, False) for f, n in parsed_limits(kind).items()),
        )
        if f in columns and f != IGNORE and _longest(table_rows, layout.fields[f]) > n
    ]
    for row in rows:
        cells = row.cells
        # the common row is decided by one test of all its text at once, in C
        joined = "".join([v for v in cells.values() if isinstance(v, str)])
        if "#" in joined or not joined.isprintable():
            _screen_cells(row, report, columns)
        for f, limit, stored in limits:
            value = cells.get(f)
            if value.__class__ is str and len(value) > limit:
                shown = squeeze(value)
                if len(shown) > limit:
                    row.problems.append(f"{_where(columns, f)}{too_long(shown, limit, stored)}")
                    cells[f] = shown[:limit]  # the row is refused; later checks see no huge value
        yield row


def _longest(rows: list[list[Any]], index: int) -> int:
    """The most characters of any text in one column (every row of the sheet: header rows too)."""
    return max((len(v) for r in rows if index < len(r) and (v := r[index]).__class__ is str), default=0)


def _screen_cells(row: DataRow, report: ImportReport, columns: dict[str, Any]) -> None:
    """Excel errors and control characters, cell by cell (rare: only rows that hold either)."""
    cells = row.cells
    for f, value in cells.items():
        if not isinstance(value, str) or not value:
            continue
        if value[:1] == "#" and (code := excel_error(value)) is not None:
            cells[f] = None
            row.named.add(field_label(f))
            if f in KEY_FIELDS:
                row.problems.append(f"{_where(columns, f)}：{excel_error_cell(code)}")
            else:
                report.warn(
                    row.number, field_label(f), f"{_where(columns, f)}{excel_error_cell(code)}，本项未导入"
                )
            continue
        if not value.isprintable():  # true for Chinese text too
            found = control_characters(value)
            if found:
                cells[f] = without_control_characters(value)
                report.warn(
                    row.number,
                    field_label(f),
                    f"{_where(columns, f)}含有不可见的控制字符（{'、'.join(found[:5])}），已删除",
                )


def _where(columns: dict[str, Any], f: str) -> str:
    col = columns.get(f)
    return col.describe() if col is not None else f"“{field_label(f)}”"
