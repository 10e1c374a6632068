"""Filling a county's own roster template (发放花名册) with openpyxl, keeping everything else as the
county made it.

`analyse()` finds, on the sheet whose header it recognises best: the header (one or two rows, merged),
the sample/first data row, the 合计 row (with or without a formula), the footer (制表人/审核人/学校负责人 …),
the columns by the synonym table, and the cells that ask for the school's name and a date.

`fill()` puts N rows between the header and the total row, styled like the sample row, and moves the
block under them (total row, footer) by itself instead of `insert_rows`, which moves cells only: here
merges, row heights, formulas anywhere in the workbook, print area and titles, data validation,
conditional formatting, filters, defined names, page breaks, images and frozen panes all follow. The
total covers exactly the data rows (a formula stays a formula, re-ranged). IDs, 学籍号, accounts and
phones are written as text (`aidoffice.sheets.cells`).

Both work on a plain grid of values, so the county's consolidation reads filled workbooks (through
calamine) with the same header, total and footer rules.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, MergedCell
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.styles import Border
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from aidoffice.domain.money import format_amount
from aidoffice.errors import InputRefused
from aidoffice.privacy import free_text
from aidoffice.sheets.cells import formula, set_value
from aidoffice.sheets.headers import IGNORE, column_letter, header_key, synonyms
from aidoffice.sheets.rowmoves import CELL, RowShift, move_block, rewrite_formula, split_sheet, unquote

SCAN_ROWS = 40

# The fields a roster template's columns may hold (codes of resources/importing/synonyms.toml).
TEMPLATE_FIELDS = frozenset(
    {
        "seq", "name", "sex", "id_type", "id_number", "student_no", "birth_date", "ethnicity", "school_name",
        "school_code", "stage", "grade", "class_name", "boarding", "category", "assessment_level",
        "assessed_on", "assessment_reason", "policy", "term", "standard", "amount", "paid_on", "guardian_name",
        "guardian_relation", "guardian_phone", "bank_name", "bank_account", "account_holder", "hukou_address",
        "current_address", "hukou_township", "hukou_village", "notes", "left_behind", "migrant", "orphan",
        "disabled",
    }
)  # fmt: skip
# Identifying numbers: always text, so no program turns them into 1.30624E+17.
TEXT_FIELDS = frozenset({"id_number", "student_no", "bank_account", "guardian_phone", "school_code"})
MONEY_FIELDS = frozenset({"amount", "standard"})
BLANK_WORDS = frozenset({"留空", "不填", "空", "空白", "不导入", "忽略", "ignore", "blank"})

_SPACES = re.compile(r"[\s\u3000]+")
_TOTAL = re.compile(r"^(?:合计|总计|共计|小计|本页合计|全校合计|本表合计)")
_FOOTER = re.compile(
    r"(制表人|填表人|审核人|复核人|负责人|经办人|校长|制表|填表|盖章|签字|签名|填报日期|制表日期|日期|联系电话)"
    r"\s*(?:[:：（(]|$)"
)
_BLANK_DATE = re.compile(r"(?<![0-9０-９])([ \u3000_]*)年([ \u3000_]+)月([ \u3000_]+)日")
_YEAR_ONLY_DATE = re.compile(r"([0-9]{4})\s*年([ \u3000_]+)月([ \u3000_]+)日")
_SCHOOL_LABEL = re.compile(
    r"((?:学校名称|填报学校|填报单位|单位名称|学校|单位)(?:[（(][^）)]*[）)])?[:：])([ \u3000_]*)(?=$|[ \u3000]{2,}\S)"
)
_SCHOOL_BLANK = re.compile(r"(?:_{2,}|＿{2,}|×{2,}|X{2,})(?=学校)学校")
_COUNT_BLANK = re.compile(r"(共[ \u3000_]*)([ \u3000_]+)(人)")
_UPPER_LABEL = re.compile(r"(大写[）)]?[:：])([ \u3000_]*)(?=$|[ \u3000]{2,}\S)")
_LOWER_LABEL = re.compile(r"(小写[）)]?[:：])([ \u3000_]*)(?=$|[ \u3000]{2,}\S)")
# A person word over a generic field in a two-row header (监护人/身份证号) is not the student's field.
_PERSON_PARENTS = ("监护人", "家长", "户主", "持卡人", "开户人", "父亲", "母亲", "领款人", "收款人")


def norm(text: Any) -> str:
    if text is None:
        return ""
    return _SPACES.sub("", str(text))


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# ---- a grid of values: an openpyxl sheet or a calamine table ---------------------------------------


class Grid(Protocol):
    max_row: int
    max_col: int
    merged: list[tuple[int, int, int, int]]  # (row0, col0, row1, col1), 1-based, inclusive

    def value(self, row: int, col: int) -> Any: ...

    def has_border(self, row: int, col: int) -> bool: ...


class SheetGrid:
    """An openpyxl worksheet seen as values (a merged range reads as its top-left cell)."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.max_row, self.max_col = ws.max_row, ws.max_column
        self.merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        self._top_left: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, c0, r1, c1 in self.merged:
            if r0 <= SCAN_ROWS + 2:
                for r in range(r0, r1 + 1):
                    for c in range(c0, c1 + 1):
                        self._top_left[(r, c)] = (r0, c0)

    def value(self, row: int, col: int) -> Any:
        cell = self.ws._cells.get(self._top_left.get((row, col), (row, col)))
        if cell is None:
            return None
        v = cell.value
        return str(v) if v is not None and not isinstance(v, str | int | float | Decimal | date) else v

    def has_border(self, row: int, col: int) -> bool:
        cell = self.ws._cells.get((row, col))
        if cell is None or not cell.has_style:
            return False
        b = cell.border
        return any(getattr(b, side).style for side in ("left", "right", "top", "bottom"))


class TableGrid:
    """Rows read by calamine (`aidoffice.sheets.readers.Table`)."""

    def __init__(self, rows: list[list[Any]], merged: Iterable[tuple[int, int, int, int]] = ()):
        self.rows = rows
        self.max_row = len(rows)
        self.max_col = max((len(r) for r in rows), default=0)
        self.merged = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for r0, c0, r1, c1 in merged]
        self._top_left: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, c0, r1, c1 in self.merged:
            if r0 <= SCAN_ROWS + 2:
                for r in range(r0, r1 + 1):
                    for c in range(c0, c1 + 1):
                        self._top_left[(r, c)] = (r0, c0)

    def value(self, row: int, col: int) -> Any:
        row, col = self._top_left.get((row, col), (row, col))
        if row < 1 or row > self.max_row:
            return None
        line = self.rows[row - 1]
        if col < 1 or col > len(line):
            return None
        v = line[col - 1]
        return None if v == "" else v

    def has_border(self, row: int, col: int) -> bool:
        return False


# ---- what the template looks like -----------------------------------------------------------------


@dataclass
class TemplateColumn:
    index: int  # 1-based column number
    header: str  # as the template shows it; two rows joined with "/"
    key: str  # normalized, for remembering a mapping
    field: str | None  # a field code, IGNORE (recognised, left blank) or None (nobody placed it)
    how: str = "synonym"  # synonym / remembered / mapped / forced (against its header: not remembered)

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)

    @property
    def name(self) -> str:
        """How the user names the column in --map: its header, or 列E when it has none."""
        return self.header or f"列{self.letter}"

    def describe(self) -> str:
        return f"「{self.header}」列（{self.letter} 列）" if self.header else f"{self.letter} 列（无列名）"


@dataclass
class TemplateLayout:
    sheet: str
    header_rows: tuple[int, ...]  # 1-based
    first_data_row: int  # the sample row (or where data starts when the template has none)
    last_data_row: int  # the end of the template's data area (first_data_row - 1 when it is empty)
    total_row: int | None
    footer_row: int | None  # first row of the signature lines (制表人 …), when found
    columns: list[TemplateColumn]
    width: int  # the columns a data row spans
    fingerprint: str
    school_cells: list[tuple[int, int]] = field(default_factory=list)
    date_cells: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, int]:
        """field → column number (the first column of a field wins)."""
        out: dict[str, int] = {}
        for c in self.columns:
            if c.field and c.field != IGNORE and c.field not in out:
                out[c.field] = c.index
        return out

    @property
    def unplaced(self) -> list[TemplateColumn]:
        return [c for c in self.columns if c.field is None]

    @property
    def sample_rows(self) -> int:
        return self.last_data_row - self.first_data_row + 1

    def column(self, index: int) -> TemplateColumn | None:
        for c in self.columns:
            if c.index == index:
                return c
        return None

    def data_rows_of(self, grid: Grid) -> range:
        """The rows of a filled sheet that hold data: from the first data row to the total row (or the
        footer, or the last row with content)."""
        return range(self.first_data_row, self.last_data_row + 1)

    def preview(self, grid: Grid) -> list[list[str]]:
        """The header cells as the template shows them (for the mapping dialog and the CLI)."""
        rows = []
        for r in self.header_rows:
            rows.append([cell_text(grid.value(r, c)) for c in range(1, self.width + 1)])
        return rows

    def describe_columns(self) -> str:
        label = synonyms().labels
        parts = []
        for c in self.columns:
            if c.field is None:
                what = "？（认不出）"
            elif c.field == IGNORE:
                what = "留空"
            else:
                what = label.get(c.field, c.field)
            parts.append(f"{c.letter}「{c.header or '无列名'}」→{what}")
        return "；".join(parts)


def field_label(code: str) -> str:
    return "留空" if code == IGNORE else synonyms().labels.get(code, code)


def _labels(grid: Grid, top: int, bottom: int | None, width: int) -> list[tuple[str, list[str], str]]:
    """Per column: (display header, names to try in order, parent text). A column the lowest header
    cell merely continues (姓名 merged over two columns) has no name of its own: one field, one column."""
    low = bottom if bottom is not None else top
    continued = {c for r0, c0, r1, c1 in grid.merged if r0 <= low <= r1 for c in range(c0 + 1, c1 + 1)}
    out = []
    for c in range(1, width + 1):
        if c in continued:
            out.append(("", [], ""))
            continue
        parent = cell_text(grid.value(top, c))
        child = cell_text(grid.value(bottom, c)) if bottom is not None else ""
        if bottom is None or not child or parent == child:
            name = parent or child
            out.append((name, [name] if name else [], ""))
        elif not parent:
            out.append((child, [child], ""))
        else:
            out.append((f"{parent}/{child}", [parent + child, child, parent], parent))
    return out


@functools.lru_cache(maxsize=4096)
def _field_of(name: str, allowed: frozenset[str]) -> str | None:
    """The synonym table's answer, remembered: a header scan asks about the same texts many times."""
    return synonyms().fields_of(name, allowed)


def _place(
    labels: list[tuple[str, list[str], str]],
    allowed: frozenset[str],
    remembered: Mapping[str, str],
) -> list[TemplateColumn]:
    columns = []
    for i, (shown, names, parent) in enumerate(labels, 1):
        key = header_key(names[0]) if names else header_key(f"列{column_letter(i - 1)}")
        if key in remembered:
            columns.append(TemplateColumn(i, shown, key, remembered[key] or IGNORE, "remembered"))
            continue
        found = None
        for n, name in enumerate(names):
            found = _field_of(name, allowed)
            if found and n == 1 and parent and any(p in parent for p in _PERSON_PARENTS):
                # 监护人/身份证号: the guardian's number, not the student's; let the user say
                found = None
                break
            if found:
                break
        columns.append(TemplateColumn(i, shown, key, found))
    return columns


def _score(columns: list[TemplateColumn]) -> int:
    return len({c.field for c in columns if c.field and c.field != IGNORE})


def _row_texts(grid: Grid, row: int, width: int) -> list[tuple[int, str]]:
    out = []
    covered = {
        (row, c)
        for r0, c0, r1, c1 in grid.merged
        if r0 <= row <= r1
        for c in range(c0, c1 + 1)
        if (row, c) != (r0, c0)
    }
    for c in range(1, width + 1):
        if (row, c) in covered:
            continue
        v = grid.value(row, c) if row <= grid.max_row else None
        if isinstance(v, str) and v.strip():
            out.append((c, v))
    return out


def _is_total_row(grid: Grid, row: int, width: int) -> bool:
    for c in range(1, min(width, 6) + 1):
        v = grid.value(row, c)
        if isinstance(v, str):
            t = norm(v)
            if _TOTAL.match(t) and len(t) <= 10:
                return True
    return False


def _is_footer_row(grid: Grid, row: int, width: int, id_col: int | None = None) -> bool:
    if id_col is not None and cell_text(grid.value(row, id_col)):
        return False  # a data row whose note happens to say “日期：”
    return any(_FOOTER.search(norm(t)) for _, t in _row_texts(grid, row, width))


def _row_has_content(grid: Grid, row: int, width: int) -> bool:
    for c in range(1, width + 1):
        v = grid.value(row, c)
        if v is not None and cell_text(v):
            return True
        if grid.has_border(row, c):
            return True
    return False


def fingerprint_of(columns: Sequence[TemplateColumn]) -> str:
    """Names a template by its header (not its file name): the same county form keeps its mapping."""
    text = "|".join(header_key(c.header) for c in columns)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def analyse(
    grid: Grid,
    sheet: str,
    *,
    remembered: Mapping[str, str] | None = None,
    allowed: frozenset[str] = TEMPLATE_FIELDS,
    file: str | None = None,
    max_scan: int | None = None,
) -> TemplateLayout:
    """Find header, data area, total row and footer of one sheet. Raises InputRefused when no row of
    the first 40 looks like a roster header."""
    remembered = remembered or {}
    best: tuple[int, tuple[int, ...]] | None = None
    best_columns: list[TemplateColumn] = []
    width = grid.max_col
    for r in range(1, min(grid.max_row, SCAN_ROWS) + 1):
        for rows in ((r,), (r, r + 1)):
            if rows[-1] > grid.max_row:
                continue
            columns = _place(
                _labels(grid, rows[0], rows[1] if len(rows) == 2 else None, width), allowed, remembered
            )
            score = _score(columns)
            if (
                best is None
                or score > best[0]
                or (score == best[0] and len(rows) < len(best[1]) and rows[-1] == best[1][-1])
            ):
                best, best_columns = (score, rows), columns
    if best is None or best[0] < 2:
        raise InputRefused(
            "在前 40 行中找不到花名册的表头（例如“姓名”“身份证号”所在的那一行）。请确认模板的表头没有被删掉，"
            "或选对了工作表。",
            file=file,
            sheet=sheet,
        )
    header_rows = best[1]
    # A header cell merged down past the rows that named the fields is still header (资助 over 标准|金额).
    while len(header_rows) < 3 and any(
        r0 <= header_rows[-1] < r1 and r0 >= header_rows[0] for r0, _c0, r1, _c1 in grid.merged
    ):
        header_rows = (*header_rows, header_rows[-1] + 1)
    if len(header_rows) > len(best[1]):
        bottom = header_rows[-1]
        best_columns = _place(_labels(grid, header_rows[0], bottom, width), allowed, remembered)
    # The data row spans the header's columns (the last one with a name, or a merge over it).
    last = max((c.index for c in best_columns if c.header), default=1)
    for r0, c0, r1, c1 in grid.merged:
        if r0 <= header_rows[-1] and r1 >= header_rows[0] and c0 <= last:
            last = max(last, c1)
    columns = [c for c in best_columns if c.index <= last]
    for c in columns:
        if c.field is None and not c.header:
            c.field = IGNORE  # a column without a name: nothing to place, nothing to ask
    width = last
    first = header_rows[-1] + 1
    id_col = next((c.index for c in columns if c.field in ("id_number", "name")), None)
    end = grid.max_row if max_scan is None else min(grid.max_row, first + max_scan)
    total_row = footer_row = None
    for r in range(first, end + 1):
        if _is_total_row(grid, r, width):
            total_row = r
            break
        if _is_footer_row(grid, r, width, id_col):
            footer_row = r
            break
    if total_row is not None:
        last_data = total_row - 1
        for r in range(total_row + 1, min(grid.max_row, total_row + 15) + 1):
            if _is_footer_row(grid, r, width):
                footer_row = r
                break
    else:
        limit = (footer_row - 1) if footer_row is not None else end
        last_data = first - 1
        for r in range(limit, first - 1, -1):
            if _row_has_content(grid, r, width):
                last_data = r
                break
    layout = TemplateLayout(
        sheet=sheet,
        header_rows=header_rows,
        first_data_row=first,
        last_data_row=last_data,
        total_row=total_row,
        footer_row=footer_row,
        columns=columns,
        width=width,
        fingerprint=fingerprint_of(columns),
    )
    _find_fill_cells(grid, layout)
    return layout


def _outside_rows(grid: Grid, layout: TemplateLayout) -> Iterable[int]:
    yield from range(1, layout.header_rows[0])
    yield from range(layout.last_data_row + 1, grid.max_row + 1)


def _find_fill_cells(grid: Grid, layout: TemplateLayout) -> None:
    for r in _outside_rows(grid, layout):
        if r > layout.last_data_row + 40:
            break
        for c, t in _row_texts(grid, r, max(layout.width, grid.max_col)):
            if _SCHOOL_LABEL.search(t) or (r < layout.header_rows[0] and _SCHOOL_BLANK.search(t)):
                layout.school_cells.append((r, c))
            if _BLANK_DATE.search(t) or _YEAR_ONLY_DATE.search(t):
                layout.date_cells.append((r, c))


def analyse_workbook(
    wb: Workbook,
    *,
    sheet: str | None = None,
    remembered_by_fingerprint: Mapping[str, Mapping[str, str]] | None = None,
    file: str | None = None,
) -> TemplateLayout:
    """The layout of the named sheet, or of the sheet whose header is recognised best."""
    names = [sheet] if sheet else wb.sheetnames
    if sheet and sheet not in wb.sheetnames:
        raise InputRefused(
            f"模板中没有名为“{sheet}”的工作表；工作表有：{'、'.join(wb.sheetnames)}。", file=file
        )
    found: list[TemplateLayout] = []
    refusal: InputRefused | None = None
    for name in names:
        ws = wb[name]
        if ws.sheet_state != "visible" and not sheet:
            continue
        grid = SheetGrid(ws)
        try:
            layout = analyse(grid, name, file=file)
        except InputRefused as exc:
            refusal = refusal or exc
            continue
        remembered = (remembered_by_fingerprint or {}).get(layout.fingerprint)
        if remembered:
            layout = analyse(grid, name, remembered=remembered, file=file)
            layout.notes.append("已按上次为这个模板指定的列对应填写")
        found.append(layout)
    if not found:
        if refusal and sheet:
            raise refusal
        raise InputRefused(
            "模板的各个工作表中都找不到花名册表头（例如“姓名”“身份证号”所在的那一行）。", file=file
        )
    return max(found, key=lambda lay: _score(lay.columns))  # the first of equals: max keeps the first


def apply_mapping(
    layout: TemplateLayout, mapping: Mapping[str, str], *, file: str | None = None, force: bool = False
) -> None:
    """The user's own placements: {"列名" or "列E": "项目" (a field label, code or “留空”)}. A placement
    that contradicts a header the program recognised (“姓名=身份证件号”) is refused unless `force`
    (the user confirmed it: --force-map, or the dialog's question); leaving such a column blank is not."""
    syn = synonyms()
    labels = {header_key(v): k for k, v in syn.labels.items() if k in TEMPLATE_FIELDS}
    for name, target in mapping.items():
        key = header_key(name)
        col = next(
            (
                c
                for c in layout.columns
                if key
                in {
                    header_key(c.header),
                    c.key,
                    header_key(c.header.split("/")[-1]),
                    header_key(f"列{c.letter}"),
                    header_key(c.letter),
                }
            ),
            None,
        )
        if col is None:
            raise InputRefused(
                f"--map 中的“{name}”不是模板的列。模板的列有：{'、'.join(c.name for c in layout.columns)}。",
                file=file,
                sheet=layout.sheet,
            )
        t = (target or "").strip()
        if header_key(t) in {header_key(w) for w in BLANK_WORDS} or not t:
            col.field, col.how = IGNORE, "mapped"
            continue
        code = t if t in TEMPLATE_FIELDS else labels.get(header_key(t)) or syn.fields_of(t, TEMPLATE_FIELDS)
        if not code or code == IGNORE:
            choices = "、".join(sorted({syn.labels[f] for f in TEMPLATE_FIELDS if f in syn.labels}))
            raise InputRefused(
                f"--map “{name}={target}”：不认识“{target}”。可以填的项目有：{choices}；或写“留空”。",
                file=file,
                sheet=layout.sheet,
            )
        against = col.how in ("synonym", "forced") and col.field not in (None, IGNORE, code)
        if against and not force:
            raise MappingContradicts(
                f"--map “{name}={target}”与列名不符：模板的{col.describe()}按列名应填“{field_label(col.field)}”，"
                f"不是“{field_label(code)}”。如果是写错了，请去掉这一项 --map（认出的列不用指定）；"
                "确实要这样填，请加 --force-map 确认（只用于这一次导出，不会记住）。",
                file=file,
                sheet=layout.sheet,
            )
        # a placement against the header is this export's only: remembered, it would fill the next
        # roster the same way without anyone asking again
        col.field, col.how = code, "forced" if against else "mapped"


class MappingContradicts(InputRefused):
    """A --map placement against a header the program recognised: needs the user's confirmation."""


# What a value of a field looks like, for the check of every filled column against its header
_ID_SHAPE = re.compile(r"^(?:[0-9]{15}|[0-9]{17}[0-9X])$")
_ACCOUNT_SHAPE = re.compile(r"^[0-9]{12,19}$")
_PHONE_SHAPE = re.compile(r"^(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}|[0-9]{7,8})$")
_NAME_FIELDS = frozenset({"name", "guardian_name", "account_holder"})


def _fits(field: str, value: Any) -> bool | None:
    """Whether `value` looks like a value of `field`; None: nothing to say about this field."""
    text = _SPACES.sub("", cell_text(value)).upper()
    if field in _NAME_FIELDS:
        return not any(ch.isdigit() for ch in text)
    if field == "id_number":
        return bool(_ID_SHAPE.match(text))
    if field == "student_no":
        return bool(re.match(r"^[A-Z]?[0-9]{10,}[0-9X]?$", text))
    if field == "bank_account":
        return bool(_ACCOUNT_SHAPE.match(text.replace("-", "")))
    if field == "guardian_phone":
        return bool(_PHONE_SHAPE.match(text))
    if field in MONEY_FIELDS:
        try:
            float(text.replace(",", ""))
        except ValueError:
            return False
        return True
    if field == "sex":
        return text in ("男", "女")
    return None


def header_field(header: str) -> str | None:
    """The field a header names by itself (None when it names none, or a person other than the
    student: 监护人/身份证号 is the guardian's number)."""
    parts = [p for p in header.split("/") if p]
    if not parts:
        return None
    if len(parts) > 1 and any(w in parts[0] for w in _PERSON_PARENTS):
        return None
    found = _field_of(parts[-1], TEMPLATE_FIELDS) or _field_of(header, TEMPLATE_FIELDS)
    return None if found == IGNORE else found


def content_mismatches(columns: Sequence[tuple[int, str, str]], rows: Sequence[Sequence[Any]]) -> list[str]:
    """Every filled column whose values do not look like what its header names: a 姓名 column holding
    ID numbers, an ID column holding names. `columns` as (index, field, header), `rows` in that order.
    In words, one line per column, with a (masked) example."""
    problems = []
    for i, (index, code, header) in enumerate(columns):
        named = header_field(header)
        if not named or named == code:
            continue
        bad = [r[i] for r in rows if i < len(r) and r[i] not in (None, "") and _fits(named, r[i]) is False]
        if bad:
            problems.append(
                f"「{header}」列（{get_column_letter(index)} 列）按列名应是“{field_label(named)}”，"
                f"却要填入“{field_label(code)}”：{len(bad)} 行不像{field_label(named)}"
                f"（如“{free_text(cell_text(bad[0]))[:30]}”）"
            )
    return problems


def mapping_to_remember(layout: TemplateLayout) -> dict[str, str]:
    """The placements worth remembering for this template: every column the user mapped or left blank."""
    return {
        c.key: ("" if c.field == IGNORE else c.field or "")
        for c in layout.columns
        if c.how in ("mapped", "remembered")
    }


# ---- filling ----------------------------------------------------------------------------------------


@dataclass
class FillResult:
    rows: int
    first_row: int
    last_row: int
    total_row: int | None
    totals: dict[int, Decimal]  # column → sum of the rows written
    notes: list[str] = field(default_factory=list)


def _sample(
    ws: Worksheet, layout: TemplateLayout
) -> tuple[dict[int, Any], dict[int, str], float | None, list[tuple[int, int]], set[int]]:
    """The sample row's styles, formulas, height, merges and text-formatted columns."""
    styles: dict[int, Any] = {}
    formulas: dict[int, str] = {}
    text_cols: set[int] = set()
    merges: list[tuple[int, int]] = []
    height = None
    r = layout.first_data_row
    if layout.sample_rows >= 1:
        for c in range(1, layout.width + 1):
            cell = ws._cells.get((r, c))
            if cell is None:
                continue
            styles[c] = copy(cell._style)
            if cell.number_format == "@":
                text_cols.add(c)
            if cell.data_type == "f" and isinstance(cell.value, str):
                formulas[c] = cell.value
        dim = ws.row_dimensions.get(r)
        if dim is not None and dim.customHeight:
            height = dim.height
        merges = [
            (m.min_col, m.max_col)
            for m in ws.merged_cells.ranges
            if m.min_row == m.max_row == r and m.max_col > m.min_col
        ]
    else:
        # no sample row: borders like the header's bottom row, nothing else
        hr = layout.header_rows[-1]
        for c in range(1, layout.width + 1):
            cell = ws._cells.get((hr, c))
            if cell is not None and cell.has_style:
                probe = Cell(ws, row=hr, column=c)
                probe.border = copy(cell.border) if cell.border else Border()
                styles[c] = copy(probe._style)
    return styles, formulas, height, merges, text_cols


class _RowFormula:
    """A sample-row formula made once into parts, then written for each row: references into the data
    area's rows move with the row (unless absolute), the rest follow the block move."""

    def __init__(self, text: str, sample_row: int, shift: RowShift, title: str):
        self.parts: list[Any] = []
        try:
            tokens = Tokenizer(text).items
        except Exception:
            tokens = []
            self.parts = [text[1:]]
        for tok in tokens:
            if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
                sheet, ref = split_sheet(tok.value)
                if not sheet or unquote(sheet) == title:
                    self.parts.append((sheet, ref))
                    continue
            self.parts.append(tok.value)
        self.sample_row, self.shift = sample_row, shift

    def at(self, offset: int) -> str:
        out = ["="]
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
                continue
            sheet, ref = p
            out.append(sheet + self._ref(ref, offset))
        return "".join(out)

    def _ref(self, ref: str, offset: int) -> str:
        def one(m: re.Match[str]) -> str:
            r = int(m[4])
            if self.shift.first <= r <= self.shift.last and not m[3]:
                r = r + offset
            else:
                r = self.shift.row(r)
            return f"{m[1]}{m[2]}{m[3]}{r}"

        pieces = ref.split(":")
        return ":".join(CELL.sub(one, p) for p in pieces)


def fill(
    wb: Workbook,
    layout: TemplateLayout,
    rows: Sequence[Sequence[Any]],
    value_cols: Sequence[int],
    *,
    text_cols: Iterable[int] = (),
    school_name: str | None = None,
    on_date: date | None = None,
    progress: Callable[[int, int | None, str], None] | None = None,
) -> FillResult:
    """Write `rows` (each a list of values for `value_cols`, None = blank or the sample's formula) into
    the layout's sheet of `wb`, in place."""
    ws = wb[layout.sheet]
    n = len(rows)
    k = layout.sample_rows
    count = max(n, 1) if k >= 1 else n
    shift = RowShift(layout.first_data_row, layout.last_data_row, count)
    styles, formulas, height, merges, sample_text = _sample(ws, layout)
    tail = (shift.row(layout.last_data_row + 1), shift.row(ws.max_row), max(ws.max_column, layout.width))
    move_block(wb, ws, shift)
    first = layout.first_data_row
    new_total = shift.row(layout.total_row) if layout.total_row is not None else None
    as_text = set(text_cols) | (sample_text & set(value_cols))
    seq_col = layout.fields.get("seq")
    positions = list(enumerate(value_cols))
    value_index = {c: j for j, c in positions}
    row_formulas = {c: _RowFormula(f, first, shift, ws.title) for c, f in formulas.items() if c != seq_col}
    # the amount is what a total adds up (a total of 资助标准 means nothing, unless the county wrote one)
    money_cols = {layout.fields["amount"]} if "amount" in layout.fields else set()
    totals: dict[int, Decimal] = {c: Decimal(0) for c in money_cols}
    all_cols = range(1, layout.width + 1)
    cells = ws._cells
    for i in range(count):
        r = first + i
        values = rows[i] if i < n else None
        for c in all_cols:
            style = styles.get(c)
            cell = (
                Cell(ws, row=r, column=c, style_array=style)
                if style is not None
                else Cell(ws, row=r, column=c)
            )
            cells[(r, c)] = cell
        for c, rf in row_formulas.items():
            j = value_index.get(c)
            if values is None or j is None or values[j] is None:
                cells[(r, c)].value = rf.at(i)
        if values is None:
            continue
        if seq_col is not None:
            set_value(cells[(r, seq_col)], i + 1)
        for j, c in positions:
            v = values[j]
            if v is None:
                continue
            if v.__class__ is str and not v:
                continue
            set_value(cells[(r, c)], v, as_text=c in as_text)
            if c in totals and isinstance(v, Decimal | int | float) and not isinstance(v, bool):
                totals[c] += Decimal(str(v))
        if progress is not None and i % 2000 == 0:
            progress(i, n, "写入花名册")
    if height is not None:
        for i in range(count):
            ws.row_dimensions[first + i].height = height
    for c0, c1 in merges:
        for i in range(count):
            ws.merge_cells(start_row=first + i, start_column=c0, end_row=first + i, end_column=c1)
    ws._current_row = max(ws._current_row, first + count - 1)
    last_row = first + count - 1
    notes: list[str] = []
    if new_total is not None:
        _fix_total(ws, layout, new_total, first, last_row, money_cols, notes)
    amount_col = layout.fields.get("amount")
    _fill_text(
        ws, layout, shift, school_name, on_date, n, totals.get(amount_col) if amount_col else None, tail
    )
    return FillResult(n, first, last_row, new_total, totals, notes)


def _fix_total(
    ws: Worksheet,
    layout: TemplateLayout,
    row: int,
    first: int,
    last: int,
    money_cols: set[int],
    notes: list[str],
) -> None:
    """Every total of a column sums exactly the data rows: a formula summing its own column is re-ranged;
    an empty or typed-in total under a money column becomes =SUM(…) of the data rows."""
    for c in range(1, layout.width + 1):
        cell = ws._cells.get((row, c))
        letter = get_column_letter(c)
        if cell is not None and cell.data_type == "f" and isinstance(cell.value, str):
            cell.value = _rerange_own_column(cell.value, letter, first, last)
            continue
        if c not in money_cols or isinstance(cell, MergedCell):
            continue
        if cell is None:
            cell = ws.cell(row=row, column=c)
        if cell.value is None or isinstance(cell.value, int | float | Decimal):
            formula(cell, f"=SUM({letter}{first}:{letter}{last})")


def _rerange_own_column(text: str, letter: str, first: int, last: int) -> str:
    def mapper(ref: str) -> str:
        parts = ref.split(":")
        if len(parts) != 2:
            return ref
        ma, mb = CELL.match(parts[0]), CELL.match(parts[1])
        if ma and mb and ma[2].upper() == letter and mb[2].upper() == letter:
            return f"{ma[1]}{ma[2]}{ma[3]}{first}:{mb[1]}{mb[2]}{mb[3]}{last}"
        return ref

    return rewrite_formula(text, True, "", mapper)


def _fill_text(
    ws: Worksheet,
    layout: TemplateLayout,
    shift: RowShift,
    school_name: str | None,
    on_date: date | None,
    count: int,
    amount: Decimal | None,
    tail: tuple[int, int, int],
) -> None:
    """The school's name after “学校（盖章）：”, the date in “  年  月  日”, the count in “共  人” and the
    amount after “大写：”, in the cells outside the data rows (the title, the seal line, the footer)."""
    from aidoffice.domain.money import to_upper

    seen: set[tuple[int, int]] = set()
    day = f"{on_date.year}年{on_date.month}月{on_date.day}日" if on_date else ""
    for r, c in [*layout.school_cells, *layout.date_cells]:
        pos = (shift.row(r), c)
        if pos in seen:
            continue
        seen.add(pos)
        cell = ws._cells.get(pos)
        if cell is None or not isinstance(cell.value, str):
            continue
        text = cell.value
        if school_name:
            text = _SCHOOL_LABEL.sub(lambda m: m[1] + school_name + ("  " if m[2] else ""), text, count=1)
            text = _SCHOOL_BLANK.sub(school_name, text, count=1)
        if day:
            text = _BLANK_DATE.sub(lambda m: (" " if m[1] else "") + day, text, count=1)
            text = _YEAR_ONLY_DATE.sub(day, text, count=1)
        if text != cell.value:
            set_value(cell, text)
    above = [
        (r, c) for r in range(1, layout.header_rows[0]) for c in range(1, tail[2] + 1)
    ]  # title, seal line
    below = [(r, c) for r in range(tail[0], tail[1] + 1) for c in range(1, tail[2] + 1)]  # total, footer
    for r, c in [*above, *below]:
        cell = ws._cells.get((r, c))
        if cell is None or not isinstance(cell.value, str) or cell.data_type == "f":
            continue
        text = cell.value
        text = _COUNT_BLANK.sub(lambda m: f"{m[1].rstrip()} {count} {m[3]}", text, count=1)
        if amount is not None:
            text = _UPPER_LABEL.sub(lambda m: m[1] + to_upper(amount), text, count=1)
            text = _LOWER_LABEL.sub(lambda m: m[1] + "¥" + format_amount(amount), text, count=1)
        if text != cell.value:
            set_value(cell, text)


# ---- files ------------------------------------------------------------------------------------------


def open_template(path: str | Path) -> Workbook:
    """The template as openpyxl keeps it (rich text kept); a clear refusal for anything else."""
    path = Path(path)
    from aidoffice.sheets.readers import sniff

    kind = sniff(path)
    if kind != "xlsx":
        raise InputRefused(
            "模板应是 .xlsx 工作簿（.xls 或 .ods 请先在 Excel/WPS 中另存为 .xlsx，格式和打印设置才能原样保留）。",
            file=path.name,
        )
    try:
        return load_workbook(path, rich_text=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputRefused(
            f"模板无法打开（{type(exc).__name__}）。请在 Excel 中打开后另存再试。", file=path.name
        ) from None
