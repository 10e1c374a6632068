"""The data rows under a header, without the noise: blank rows, 合计/小计 rows, a header repeated on
every printed page and the signature lines at the bottom are skipped quietly. Cells merged down over
several rows (a 户编号 over each member of the household) are read in every row they cover."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aidoffice.importing.report import Action, Outcome
from aidoffice.sheets.headers import IGNORE, Layout
from aidoffice.sheets.readers import Table

_TOTAL = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|共\s*计|累\s*计|本页合计|总合计|全部合计)")
_FOOTER = re.compile(
    r"(制表人|审核人|负责人|填表人|填报人|经办人|盖章|制表日期|填表日期|填报日期|^注[:：]|^说明[:：])"
)


@dataclass(slots=True)
class DataRow:
    number: int  # the row number Excel shows
    cells: dict[str, Any]  # field → raw value
    raw: list[Any]
    problems: list[str] = field(default_factory=list)  # why the row cannot be imported (screening)
    named: set[str] = field(default_factory=set)  # fields whose cell screening emptied and named why

    def outcome(self) -> Outcome:
        """The row's outcome, refused already for what screening found."""
        out = Outcome(self.number, Action.NEW)
        for p in self.problems:
            out.refuse(p)
        return out


def fill_merged(table: Table, start: int) -> None:
    """Copy the value of each merged range below the header into every cell it covers."""
    rows = table.rows
    for r0, c0, r1, c1 in table.merged:
        if r0 < start or r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, c1 + 1):
                if c >= len(row):
                    row.extend([None] * (c + 1 - len(row)))
                if (r, c) != (r0, c0):
                    row[c] = top


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def data_rows(table: Table, layout: Layout) -> Iterator[DataRow]:
    fields = layout.fields
    wanted = [(f, i) for f, i in fields.items() if f != IGNORE]
    key_cols = [fields[f] for f in ("id_number", "student_no", "name") if f in fields]
    # A header repeated on every printed page shows its own column names in the key columns.
    repeated = {}
    for i in key_cols:
        header = layout.columns[i].header
        repeated[i] = {header, header.split("/")[-1], header.replace("/", ""), " ".join(header.split())}
    first_key = key_cols[0] if key_cols else None
    for index in range(layout.data_start, len(table.rows)):
        raw = table.rows[index]
        width = len(raw)
        key = raw[first_key] if first_key is not None and first_key < width else None
        # the common case is decided by one cell: an ID (or name) neither blank nor a repeated header
        if not _plainly_data(key, repeated.get(first_key, set())) and _noise(raw, key_cols, repeated):
            continue
        yield DataRow(index + 1, {f: (raw[i] if i < width else None) for f, i in wanted}, raw)


def _plainly_data(key: Any, headers: set[str]) -> bool:
    if key.__class__ is str:
        key = key.strip()
        return bool(key) and key not in headers and not _TOTAL.match(key)
    return key is not None


def _noise(raw: list[Any], key_cols: list[int], repeated: dict[int, set[str]]) -> bool:
    """A blank row, a 合计 row, a repeated header or a signature line."""
    filled = [v for v in raw if v is not None and v != ""]
    if not filled or all(isinstance(v, str) and not v.strip() for v in filled):
        return True
    if any(isinstance(v, str) and _TOTAL.match(v) for v in filled[:4]):
        return True
    keys = [raw[c] if c < len(raw) else None for c in key_cols]
    if any(v.__class__ is str and v.strip() in repeated[c] for c, v in zip(key_cols, keys, strict=True)):
        return True
    if all(_blank(v) for v in keys):
        text = "".join(str(v) for v in filled)
        return bool(_FOOTER.search(text)) or (len(filled) == 1 and len(text) > 15)
    return False
