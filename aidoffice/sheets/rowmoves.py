"""Moving the rows under a template's data area: every reference (formulas, merges, print area, data
validation, conditional formats, defined names, tables, drawings) follows the rows it points at."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)$")
_COL = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROWREF = re.compile(r"^(\$?)([0-9]+)$")


def unquote(sheet: str) -> str:
    sheet = sheet[:-1]  # the "!"
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet


@dataclass(frozen=True)
class RowShift:
    """Rows first..last of the template's data area become first..first+count-1; rows below move by
    `shift`. Ranges over the data area grow or shrink with it."""

    first: int
    last: int
    count: int

    @property
    def shift(self) -> int:
        return self.count - (self.last - self.first + 1)

    @property
    def new_last(self) -> int:
        return self.first + self.count - 1

    def row(self, r: int) -> int:
        return r + self.shift if r > self.last else r

    def rows(self, r1: int, r2: int) -> tuple[int, int]:
        if r2 < self.first:
            return r1, r2
        if r1 > self.last:
            return r1 + self.shift, r2 + self.shift
        n1 = r1 if r1 < self.first else self.first
        n2 = r2 + self.shift if r2 > self.last else self.new_last
        return n1, max(n1, n2)

    def range(self, cr: CellRange) -> CellRange | None:
        """None: the range lay inside the data area's rows below the new end (dropped)."""
        r1, r2 = self.rows(cr.min_row, cr.max_row)
        return CellRange(min_col=cr.min_col, min_row=r1, max_col=cr.max_col, max_row=r2)

    def ref(self, text: str) -> str:
        """An A1 reference (cell, range, whole rows or columns, without a sheet name)."""
        parts = text.split(":")
        if len(parts) == 1:
            m = CELL.match(text)
            if m:
                return f"{m[1]}{m[2]}{m[3]}{self.row(int(m[4]))}"
            return text
        if len(parts) != 2:
            return text
        a, b = parts
        ma, mb = CELL.match(a), CELL.match(b)
        if ma and mb:
            r1, r2 = self.rows(int(ma[4]), int(mb[4]))
            return f"{ma[1]}{ma[2]}{ma[3]}{r1}:{mb[1]}{mb[2]}{mb[3]}{r2}"
        ra, rb = _ROWREF.match(a), _ROWREF.match(b)
        if ra and rb:
            r1, r2 = self.rows(int(ra[2]), int(rb[2]))
            return f"{ra[1]}{r1}:{rb[1]}{r2}"
        return text  # whole columns (K:K) and names stay


def split_sheet(value: str) -> tuple[str, str]:
    if "!" in value:
        sheet, ref = value.rsplit("!", 1)
        return sheet + "!", ref
    return "", value


def rewrite_formula(text: str, own_sheet: bool, target_title: str, mapper: Callable[[str], str]) -> str:
    """`text` with every reference to the target sheet passed through `mapper` (references without a
    sheet name count when the formula lives on the target sheet)."""
    try:
        tokens = Tokenizer(text).items
    except Exception:  # a formula openpyxl cannot tokenise is left exactly as it was
        return text
    changed = False
    out = []
    for tok in tokens:
        value = tok.value
        if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
            sheet, ref = split_sheet(value)
            if (sheet and unquote(sheet) == target_title) or (not sheet and own_sheet):
                new = mapper(ref)
                if new != ref:
                    value, changed = sheet + new, True
        out.append(value)
    return "=" + "".join(out) if changed else text


def _sqref(ranges: Iterable[CellRange], shift: RowShift) -> MultiCellRange:
    out = []
    for cr in ranges:
        new = shift.range(cr)
        if new is not None:
            out.append(new.coord)
    return MultiCellRange(" ".join(dict.fromkeys(out)))


def move_block(wb: Workbook, ws: Worksheet, shift: RowShift) -> None:
    """Remove the template's data rows and move everything under them, keeping every reference right."""
    first, last = shift.first, shift.last
    delta = shift.shift
    # cells: drop the data area, re-key the rows below
    cells: dict[tuple[int, int], Any] = {}
    for (r, c), cell in ws._cells.items():
        if first <= r <= last:
            continue
        if r > last and delta:
            cell.row = r + delta
            if getattr(cell, "_hyperlink", None) is not None:
                cell._hyperlink.ref = cell.coordinate
            cells[(r + delta, c)] = cell
        else:
            cells[(r, c)] = cell
    ws._cells = cells
    # row heights and hidden rows
    dims = list(ws.row_dimensions.items())
    ws.row_dimensions.clear()
    for r, dim in dims:
        if first <= r <= last:
            continue
        new = shift.row(r)
        dim.index = new
        ws.row_dimensions[new] = dim
    # merges: those inside the data area go (the sample row's are made again per row)
    for mcr in list(ws.merged_cells.ranges):
        if mcr.min_row >= first and mcr.max_row <= last:
            ws.merged_cells.remove(mcr)
            continue
        r1, r2 = shift.rows(mcr.min_row, mcr.max_row)
        if (r1, r2) != (mcr.min_row, mcr.max_row):
            mcr.shift(row_shift=r1 - mcr.min_row)
            mcr.max_row = r2
    # formulas on every sheet that point here
    for sheet in wb.worksheets:
        own = sheet is ws
        for cell in sheet._cells.values():
            v = cell.value
            if cell.data_type == "f" and isinstance(v, str):
                cell.value = rewrite_formula(v, own, ws.title, shift.ref)
    # print area and titles, filters, freeze, validation, conditional formats, names, breaks, pictures
    if ws._print_area:
        ws.print_area = [c.coord for c in _sqref(ws._print_area.ranges, shift).ranges]
    if ws._print_rows is not None:
        r1, r2 = shift.rows(ws._print_rows.min_row, ws._print_rows.max_row)
        ws.print_title_rows = f"{r1}:{r2}"
    if ws.auto_filter.ref:
        ws.auto_filter.ref = shift.ref(ws.auto_filter.ref.replace("$", ""))
    if ws.freeze_panes:
        m = CELL.match(ws.freeze_panes)
        if m and int(m[4]) > last:
            ws.freeze_panes = f"{m[2]}{shift.row(int(m[4]))}"
    for dv in ws.data_validations.dataValidation:
        dv.sqref = _sqref(dv.sqref.ranges, shift)
        for attr in ("formula1", "formula2"):
            f = getattr(dv, attr)
            if isinstance(f, str) and f:
                setattr(dv, attr, rewrite_formula("=" + f.lstrip("="), True, ws.title, shift.ref)[1:])
    old_cf = ws.conditional_formatting
    new_cf = ConditionalFormattingList()
    for cf in old_cf:
        rng = " ".join(c.coord for c in _sqref(cf.sqref.ranges, shift).ranges)
        for rule in cf.rules:
            rule.formula = [
                rewrite_formula("=" + f, True, ws.title, shift.ref)[1:] for f in rule.formula or []
            ]
            new_cf._cf_rules.setdefault(_cf_key(rng), []).append(rule)
    new_cf.max_priority = old_cf.max_priority
    ws.conditional_formatting = new_cf
    for holder, local in ((wb.defined_names, False), (ws.defined_names, True)):
        for dn in holder.values():
            if isinstance(dn.attr_text, str) and dn.attr_text:
                dn.attr_text = rewrite_formula("=" + dn.attr_text, local, ws.title, shift.ref)[1:]
    for brk in list(ws.row_breaks.brk):
        if first <= brk.id <= last:
            ws.row_breaks.brk.remove(brk)
        elif brk.id > last:
            brk.id += delta
    for table in ws.tables.values():
        table.ref = shift.ref(table.ref)
        if table.autoFilter is not None and table.autoFilter.ref:
            table.autoFilter.ref = shift.ref(table.autoFilter.ref)
    for obj in [*ws._images, *ws._charts]:
        anchor = getattr(obj, "anchor", None)
        for end in ("_from", "to"):
            marker = getattr(anchor, end, None)
            if marker is not None and marker.row + 1 > last:
                marker.row += delta
    ws._current_row = max((r for r, _ in ws._cells), default=0)


def _cf_key(rng: str):  # type: ignore[no-untyped-def]
    from openpyxl.formatting.formatting import ConditionalFormatting

    return ConditionalFormatting(rng)
