"""Finding the header under the title rows and knowing each column by its many names.

The synonym table is `resources/importing/synonyms.toml`. A two-level header (“监护人” merged over
“姓名 | 联系电话”) is read as the joined name first (监护人姓名), then the lower cell alone. Columns
nobody recognises are returned as unplaced; the user maps them once and the mapping is remembered per
kind of file (`remembered`: normalized header → field, "ignore" to leave a column out)."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aidoffice.domain.text import to_halfwidth, without_control_characters
from aidoffice.errors import InputRefused, WrongFileKind
from aidoffice.paths import resources_dir
from aidoffice.sheets.kinds import KINDS, Kind
from aidoffice.sheets.readers import Table

IGNORE = "ignore"
SCAN_ROWS = 40
_MARKS = re.compile(r"[\s*:：()（）\[\]【】<>《》\"'“”‘’、,，。.·\-—_/\\|#№?？]")
_BRACKETED = re.compile(r"[（(\[【<《][^）)\]】>》]*[）)\]】>》]")


def header_key(text: Any) -> str:
    """The form headers are compared in: half-width, lower case, without spaces, marks or brackets."""
    if text is None:
        return ""
    return _MARKS.sub("", to_halfwidth(str(text)).lower())


def _keys(text: str) -> list[str]:
    keys = [header_key(text), header_key(_BRACKETED.sub("", to_halfwidth(text)))]
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


def column_letter(index: int) -> str:
    """0 → A, 27 → AB: the column name Excel shows."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Synonyms:
    labels: dict[str, str]  # field → Chinese label
    by_key: dict[str, tuple[str, ...]]  # normalized name → fields that use it
    groups: tuple[tuple[str, str], ...]  # (word, group code), longest first
    inactive: tuple[str, ...]

    def fields_of(self, text: str, allowed: frozenset[str] | None = None) -> str | None:
        for key in _keys(text):
            for f in self.by_key.get(key, ()):
                if allowed is None or f in allowed or f == IGNORE:
                    return f
        return None

    def group_of(self, text: str) -> str | None:
        """The priority group a list's category cell names (农村低保 → dibao), or None."""
        s = header_key(text)
        for word, code in self.groups:
            if word in s:
                return code
        return None

    def is_inactive(self, status: str) -> bool:
        s = header_key(status)
        return any(word in s for word in self.inactive)


@functools.cache
def synonyms() -> Synonyms:
    data = tomllib.loads((resources_dir() / "importing" / "synonyms.toml").read_text("utf-8"))
    labels: dict[str, str] = {}
    by_key: dict[str, list[str]] = {}
    for code, spec in data["fields"].items():
        labels[code] = spec["label"]
        for name in [spec["label"], *spec["names"]]:
            for key in _keys(name):
                if code not in by_key.setdefault(key, []):
                    by_key[key].append(code)
    groups = sorted(
        ((header_key(w), code) for code, words in data["groups"].items() for w in words),
        key=lambda p: -len(p[0]),
    )
    inactive = tuple(header_key(w) for w in data["status"]["inactive"])
    return Synonyms(labels, {k: tuple(v) for k, v in by_key.items()}, tuple(groups), inactive)


def field_label(code: str) -> str:
    return synonyms().labels.get(code, code)


@dataclass
class Column:
    index: int
    header: str  # as the file shows it; two levels joined with "/"
    key: str  # normalized, for remembering a mapping
    field: str | None  # a field code, IGNORE, or None when nobody recognised it
    how: str = "synonym"  # synonym / remembered / duplicate

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    def describe(self) -> str:
        return f"「{self.header}」列（{self.letter} 列）" if self.header else f"{self.letter} 列（无列名）"

    @property
    def name(self) -> str:
        """How the user names the column in a mapping: its header, or 列E when it has none."""
        return self.header or f"列{self.letter}"


@dataclass
class Layout:
    header_rows: tuple[int, ...]  # 0-based row indexes
    data_start: int  # 0-based index of the first row after the header
    columns: list[Column]
    notes: list[str] = field(default_factory=list)
    any_fields: frozenset[str] = frozenset()  # what the columns would be in a file of any kind

    @property
    def fields(self) -> dict[str, int]:
        return {
            c.field: c.index for c in self.columns if c.field and c.field != IGNORE and c.how != "duplicate"
        }

    @property
    def unplaced(self) -> list[Column]:
        return [c for c in self.columns if c.field is None]

    def column_of(self, field_code: str) -> Column | None:
        idx = self.fields.get(field_code)
        return None if idx is None else self.columns[idx]

    @property
    def header_row_numbers(self) -> str:
        return "、".join(str(r + 1) for r in self.header_rows)


def _cell(rows: list[list[Any]], r: int, c: int) -> str:
    if r < 0 or r >= len(rows) or c >= len(rows[r]):
        return ""
    v = rows[r][c]
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v)
    if not text.isprintable():  # a header is quoted in messages: never with a control character
        text = without_control_characters(text)
    return " ".join(text.split())


class _Grid:
    """Cell texts of the top of a sheet, with merged ranges read as their top-left value."""

    def __init__(self, table: Table):
        self.rows = table.rows
        self.width = max((len(r) for r in table.rows[: SCAN_ROWS + 2]), default=0)
        self.merged_at: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, c0, r1, c1 in table.merged:
            if r0 > SCAN_ROWS + 2:
                continue
            for r in range(r0, min(r1, SCAN_ROWS + 2) + 1):
                for c in range(c0, c1 + 1):
                    self.merged_at[(r, c)] = (r0, c0)
        self.has_merges = bool(table.merged)

    def text(self, r: int, c: int) -> str:
        r0, c0 = self.merged_at.get((r, c), (r, c))
        return _cell(self.rows, r0, c0)

    def labels(self, top: int, bottom: int | None) -> list[tuple[str, list[str]]]:
        """Per column: (display header, candidate names in order of preference)."""
        out = []
        parent_fill = ""
        for c in range(self.width):
            child = self.text(bottom, c) if bottom is not None else ""
            parent = self.text(top, c)
            if bottom is not None and not self.has_merges:
                # CSV and unmerged copies: a parent written once over several children.
                if parent:
                    parent_fill = parent
                elif child:
                    parent = parent_fill
                else:
                    parent_fill = ""
            if bottom is None or not child or parent == child:
                name = parent or child
                out.append((name, [name] if name else []))
            elif not parent:
                out.append((child, [child]))
            else:
                out.append((f"{parent}/{child}", [parent + child, child, parent]))
        return out


def _resolve(
    labels: list[tuple[str, list[str]]], allowed: frozenset[str] | None, remembered: dict[str, str]
) -> list[Column]:
    syn = synonyms()
    columns = []
    for i, (shown, names) in enumerate(labels):
        key = header_key(names[0]) if names else header_key(f"列{column_letter(i)}")  # unnamed: by letter
        # a remembered choice wins under any of the column's names, so a column the user left out
        # (民族=不导入) counts as nothing in every candidate header, not as 民族 under a longer name
        known = next(
            (header_key(n) for n in names if header_key(n) in remembered), key if key in remembered else ""
        )
        if known:
            columns.append(Column(i, shown, key, remembered[known] or IGNORE, "remembered"))
            continue
        found = None
        for name in names:
            found = syn.fields_of(name, allowed)
            if found:
                break
        columns.append(Column(i, shown, key, found))
    return columns


_DATA_TEXT = re.compile(
    r"\d{15}|\d{17}[\dXx]|[GJLgjl]\d{17}[\dXx]|1[3-9]\d{9}|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{8}"
)


def looks_like_data(row: list[Any]) -> bool:
    """A row no header ever is: one holding an ID number, a 学籍号, a phone number or a date, or mostly
    numbers. Such a row is never taken as (part of) the header, whatever the words around it."""
    filled = numeric = 0
    for v in row:
        if v is None or v == "":
            continue
        filled += 1
        if v.__class__ is str:
            s = v.strip()
            if _DATA_TEXT.fullmatch(s):
                return True
            if s.replace(".", "", 1).isdigit():
                numeric += 1
        elif isinstance(v, int | float | date) and not isinstance(v, bool):
            if isinstance(v, int | float) and abs(v) >= 1e9:
                return True  # an ID or phone number Excel kept as a number
            numeric += 1
    return numeric >= 3 and numeric * 2 >= filled


def _score(columns: list[Column]) -> int:
    return len({c.field for c in columns if c.field and c.field != IGNORE})


def find_layout(table: Table, kind: Kind, remembered: dict[str, str] | None = None) -> Layout:
    """Locate the header row (or two rows) and place each column. Raises InputRefused when no row of
    the first 40 looks like a header."""
    remembered = remembered or {}
    grid = _Grid(table)
    allowed = frozenset(kind.fields)
    everything = frozenset(c for k in KINDS.values() for c in k.fields)
    best: tuple[int, tuple[int, ...]] | None = None
    best_columns: list[Column] = []
    any_fields: frozenset[str] = frozenset()
    data_like = [looks_like_data(row) for row in table.rows[: SCAN_ROWS + 1]]
    for r in range(min(len(table.rows), SCAN_ROWS)):
        for rows in ((r,), (r, r + 1)):
            if rows[-1] >= len(table.rows) or data_like[rows[-1]] or data_like[rows[0]]:
                continue
            labels = grid.labels(rows[0], rows[1] if len(rows) == 2 else None)
            anything = _resolve(labels, everything, remembered)
            score = _score(anything)
            # a second header row must earn its place: a title above a one-row header adds nothing
            if (
                best is None
                or score > best[0]
                or (score == best[0] and len(rows) < len(best[1]) and rows[-1] == best[1][-1])
            ):
                best = (score, rows)
                best_columns = _resolve(labels, allowed, remembered)
                any_fields = frozenset(c.field for c in anything if c.field and c.field != IGNORE)
    if best is None or best[0] < 2:
        raise InputRefused(
            "在前 40 行中找不到表头（例如“姓名”“身份证件号”所在的那一行）。请确认选对了工作表，"
            "并且表头没有被删掉。",
            file=table.file,
            sheet=table.sheet,
        )
    _, rows = best
    seen: dict[str, Column] = {}
    notes = []
    for col in best_columns:
        if col.field and col.field != IGNORE:
            if col.field in seen:
                col.how = "duplicate"
                notes.append(
                    f"{col.describe()}与{seen[col.field].describe()}都是“{field_label(col.field)}”，只用了前一列"
                )
            else:
                seen[col.field] = col
    # Columns without a header name and without data are not worth mentioning.
    data_start = rows[-1] + 1
    sample = table.rows[data_start : data_start + 200]
    for col in best_columns:
        if col.field is None and not col.header:
            if any(_cell(sample, i, col.index) for i in range(len(sample))):
                col.header = ""
            else:
                col.field = IGNORE
    return Layout(
        header_rows=rows, data_start=data_start, columns=best_columns, notes=notes, any_fields=any_fields
    )


def check_kind(layout: Layout, kind: Kind, table: Table) -> None:
    """Refuse a file that lacks a column the kind needs, saying which kind it looks like instead."""
    fields = set(layout.fields)
    missing = [alts for alts in kind.required if not fields & set(alts)]
    if not missing:
        if kind.code in ("list", "households"):
            other = _looks_like(layout, table, exclude=kind)
            own = fields & set(kind.signature)
            if other is not None and not own and other.code == "students":
                raise _wrong_kind(table, kind, other, layout)
        elif kind.code == "students":
            # an award list has 姓名, 证件号, 年级 and 班级 too: without a column only a 学籍 export has,
            # a file with the award list's own columns is an award list
            needed = {f for alts in kind.required for f in alts}
            other = _looks_like(layout, table, exclude=kind)
            if other is not None and other.code == "awards" and not fields & (set(kind.signature) - needed):
                raise _wrong_kind(table, kind, other, layout)
        return
    other = _looks_like(layout, table, exclude=kind)
    if other is not None:
        raise _wrong_kind(table, kind, other, layout)
    if ("id_number",) in missing or ("id_number", "student_no") in missing:
        names = "“身份证件号”“身份证号码”“证件号码”" + (
            "或“全国学籍号”" if "student_no" in kind.fields else ""
        )
        raise InputRefused(
            f"找不到身份证件号列（表头应有{names}等列名）。第 {layout.header_row_numbers} 行被当作表头，"
            f"其中的列有：{_list_headers(layout)}。如果证件号列用了别的名字，请在“列对应”中指定。",
            file=table.file,
            sheet=table.sheet,
        )
    need = "、".join("或".join(f"“{field_label(f)}”" for f in alts) for alts in missing)
    raise InputRefused(
        f"缺少必需的列：{need}。第 {layout.header_row_numbers} 行被当作表头，其中的列有：{_list_headers(layout)}。"
        "请补上这些列，或在“列对应”中指定哪一列是它们。",
        file=table.file,
        sheet=table.sheet,
    )


def _list_headers(layout: Layout) -> str:
    names = [c.header for c in layout.columns if c.header]
    return "、".join(names[:20]) + ("……" if len(names) > 20 else "") if names else "（无）"


def _looks_like(layout: Layout, table: Table, exclude: Kind) -> Kind | None:
    fields = set(layout.any_fields)
    best, best_score = None, 0
    for kind in KINDS.values():
        if kind is exclude:
            continue
        if any(not fields & set(alts) for alts in kind.required):
            continue
        score = len(fields & set(kind.signature))
        if score > best_score:
            best, best_score = kind, score
    return best if best_score >= 2 else None


def _wrong_kind(table: Table, asked: Kind, other: Kind, layout: Layout) -> InputRefused:
    """In the GUI's words (the name the 文件种类 list shows); the command line is told its command."""
    marks = [field_label(f) for f in other.signature if f in layout.any_fields][:3]
    return WrongFileKind(
        f"这个文件像是“{other.label}”（有“{'”“'.join(marks)}”等列），不是“{asked.label}”。"
        f"请在“文件种类”中选择“{other.label}”后再预览。",
        asked=asked.code,
        looks_like=other.code,
        cli_hint=f"命令行请改用“{other.command}”导入。",
        file=table.file,
        sheet=table.sheet,
    )
