"""Template profiles of the national aid system (全国学生资助管理信息系统): its import templates
(家庭经济信息, 困难学生认定, 资助名单) as data in `resources/templates/national/*.toml`, a sample template
built from each, the conversion of the ledger's values into the words the system accepts, and a check
that reports every cell the system would refuse on upload, by row and column.

The system's rules as documented: header titles exactly as its template; names and ID numbers as in
学籍; group flags “是” or blank (never “否”); 认定级别 one of 不困难/一般困难/比较困难/特别困难;
dates written 20201014; an ID number or 学籍号 only once in a file; ID numbers of 15 or 18 characters
without spaces; lengths counted with a Chinese character as two bytes; the amount required."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from aidoffice.domain.idnumber import InvalidIdNumber, parse_id
from aidoffice.domain.money import InvalidAmount, parse_amount
from aidoffice.errors import InputRefused
from aidoffice.exporting.template import TemplateColumn, TemplateLayout, cell_text
from aidoffice.files import atomic_path
from aidoffice.messages import id_problem
from aidoffice.paths import resources_dir
from aidoffice.privacy import scrub

KINDS = ("text", "id", "student_no", "flag", "choice", "date8", "amount", "integer")
_KEYS = {"title", "field", "kind", "required", "unique", "max_bytes", "choices", "as_in_ledger"}
_TOP = {"code", "name", "sheet", "note", "column"}
_DATE8 = re.compile(r"^[0-9]{8}$")
_STUDENT_NO = re.compile(r"^[GJL][0-9]{17}[0-9X]$")


@dataclass(frozen=True)
class ProfileColumn:
    title: str
    field: str | None = None  # a roster field code, or flag:<group code>
    kind: str = "text"
    required: bool = False
    unique: bool = False
    max_bytes: int | None = None
    choices: tuple[str, ...] = ()
    as_in_ledger: bool = False  # must be spelled exactly as in 学籍


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    sheet: str
    columns: tuple[ProfileColumn, ...]
    note: str = ""
    path: Path | None = None

    @property
    def titles(self) -> list[str]:
        return [c.title for c in self.columns]


@dataclass
class CellProblem:
    row: int  # the spreadsheet's own row number
    column: str  # the column letter
    title: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "title": self.title, "reason": self.reason}

    def describe(self) -> str:
        return f"第 {self.row} 行 {self.column} 列「{self.title}」：{self.reason}"


def byte_length(text: str) -> int:
    """Length as the system counts it: a Chinese (wide) character is two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def profiles_dir() -> Path:
    return resources_dir() / "templates" / "national"


def load_profile(path: Path) -> Profile:
    try:
        data = tomllib.loads(path.read_text("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise InputRefused(f"模板规则文件格式错误（{exc}）。", file=path.name) from None
    unknown = set(data) - _TOP
    if unknown:
        raise InputRefused(f"模板规则中不认识的项“{'、'.join(sorted(unknown))}”。", file=path.name)
    cols = []
    for i, raw in enumerate(data.get("column", []), 1):
        bad = set(raw) - _KEYS
        if bad or not raw.get("title"):
            raise InputRefused(
                f"第 {i} 个 [[column]] 有不认识的项或缺少 title：{'、'.join(sorted(bad))}", file=path.name
            )
        kind = raw.get("kind", "text")
        if kind not in KINDS:
            raise InputRefused(f"列“{raw['title']}”的 kind 应为 {'、'.join(KINDS)} 之一。", file=path.name)
        cols.append(
            ProfileColumn(
                title=raw["title"],
                field=raw.get("field"),
                kind=kind,
                required=bool(raw.get("required", False)),
                unique=bool(raw.get("unique", False)),
                max_bytes=raw.get("max_bytes"),
                choices=tuple(raw.get("choices", ())),
                as_in_ledger=bool(raw.get("as_in_ledger", False)),
            )
        )
    if not cols:
        raise InputRefused("模板规则中没有任何列（[[column]]）。", file=path.name)
    return Profile(
        data["code"], data["name"], data.get("sheet") or data["name"], tuple(cols), data.get("note", ""), path
    )


def profiles() -> dict[str, Profile]:
    out = {}
    for path in sorted(profiles_dir().glob("*.toml")):
        p = load_profile(path)
        out[p.code] = p
    return out


def find_profile(name: str) -> Profile:
    """By code (national_aid_list) or name (资助名单)."""
    all_ = profiles()
    for p in all_.values():
        if name in (p.code, p.name) or name == f"全国{p.name}":
            return p
    names = "、".join(f"{p.name}（{p.code}）" for p in all_.values())
    raise InputRefused(f"没有名为“{name}”的模板规则。可用的有：{names}。")


# ---- the sample template ---------------------------------------------------------------------------


def build_template(profile: Profile) -> Workbook:
    """The system's import template as it looks: the titles in row 1, text-formatted number columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = profile.sheet[:31]
    for c, col in enumerate(profile.columns, 1):
        cell = ws.cell(1, c, col.title)
        cell.font = Font(bold=True, color="C00000" if col.required else None)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        width = max(10, min(24, len(col.title) * 2 + 2))
        if col.kind in ("id", "student_no"):
            width = 22
        ws.column_dimensions[get_column_letter(c)].width = width
        sample = ws.cell(2, c)
        if col.kind in ("id", "student_no", "date8", "text", "flag", "choice"):
            sample.number_format = "@"
    ws.freeze_panes = "A2"
    return wb


def layout_of(profile: Profile) -> TemplateLayout:
    """The template's layout, known from the profile (no guessing by synonyms)."""
    columns = [
        TemplateColumn(i, c.title, c.title, c.field or "ignore", "profile")
        for i, c in enumerate(profile.columns, 1)
    ]
    return TemplateLayout(
        sheet=profile.sheet[:31],
        header_rows=(1,),
        first_data_row=2,
        last_data_row=2,
        total_row=None,
        footer_row=None,
        columns=columns,
        width=len(columns),
        fingerprint=profile.code,
    )


def write_samples(folder: Path | None = None) -> list[Path]:
    folder = folder or profiles_dir()
    out = []
    for p in profiles().values():
        target = folder / f"{p.name}导入模板.xlsx"
        with atomic_path(target) as tmp:
            build_template(p).save(tmp)
        out.append(target)
    return out


# ---- values in the system's words ------------------------------------------------------------------


def convert(col: ProfileColumn, value: Any) -> Any:
    """A ledger value as the system wants it (flags 是/blank, dates YYYYMMDD, amounts as numbers)."""
    if value is None or value == "":
        return None
    if col.kind == "flag":
        return "是" if value in (True, "是") else None
    if col.kind == "date8":
        if isinstance(value, datetime | date):
            return f"{value:%Y%m%d}"
        return str(value).replace("-", "")
    return value


# ---- the check -------------------------------------------------------------------------------------


def check_rows(
    profile: Profile,
    rows: Sequence[Sequence[Any]],
    *,
    first_row: int = 2,
    ledger_names: Mapping[str, str] | None = None,
) -> list[CellProblem]:
    """Every cell of `rows` (values in the profile's column order) the system would refuse."""
    out: list[CellProblem] = []
    seen: dict[int, dict[str, int]] = {}
    id_col = next((i for i, c in enumerate(profile.columns) if c.kind == "id"), None)
    for n, values in enumerate(rows):
        r = first_row + n
        if not any(cell_text(v) for v in values):
            continue
        for i, col in enumerate(profile.columns):
            raw = values[i] if i < len(values) else None
            text = cell_text(raw) if not isinstance(raw, str) else raw
            letter = get_column_letter(i + 1)

            def refuse(reason: str, col: ProfileColumn = col, letter: str = letter, r: int = r) -> None:
                out.append(CellProblem(r, letter, col.title, reason))

            if not text.strip():
                if col.required:
                    refuse("必填项为空")
                continue
            if col.max_bytes and byte_length(text) > col.max_bytes:
                refuse(f"长度 {byte_length(text)} 超过上限 {col.max_bytes}（一个汉字算两个）")
            if col.kind == "id":
                if text != text.strip() or " " in text or "\u3000" in text:
                    refuse("证件号中有空格")
                    continue
                if len(text) == 15 and text.isdigit():
                    pass
                elif len(text) != 18:
                    refuse(f"应为 15 或 18 位，现为 {len(text)} 位")
                    continue
                else:
                    try:
                        parse_id(text)
                    except InvalidIdNumber as exc:
                        refuse(scrub(id_problem(exc)))
                        continue
            elif col.kind == "student_no" and not _STUDENT_NO.match(text):
                refuse("学籍号应为 G、J 或 L 加 18 位")
            elif col.kind == "flag" and text != "是":
                refuse(
                    "只能填“是”或留空（不是的请留空，不能填“否”）"
                    if text == "否"
                    else f"“{text}”不是字典值，只能填“是”或留空"
                )
            elif col.kind == "choice" and text not in col.choices:
                refuse(f"“{text}”不是字典值，应为：{'、'.join(col.choices)}")
            elif col.kind == "date8":
                if not _DATE8.match(text):
                    refuse(f"日期“{text}”应写作 8 位数字，如 20201014")
                else:
                    try:
                        date(int(text[:4]), int(text[4:6]), int(text[6:]))
                    except ValueError:
                        refuse(f"日期“{text}”不存在")
            elif col.kind in ("amount", "integer"):
                try:
                    amount = parse_amount(raw)
                except InvalidAmount:
                    refuse(f"“{text}”不是数字")
                    continue
                if col.kind == "amount" and amount <= 0 and col.required:
                    refuse("金额应大于 0")
                if col.kind == "integer" and amount != amount.to_integral_value():
                    refuse("应为整数")
            if col.unique:
                key = text.upper()
                first = seen.setdefault(i, {}).setdefault(key, r)
                if first != r:
                    refuse(f"与第 {first} 行重复（同一文件中只能出现一次）")
            if col.as_in_ledger and ledger_names is not None and id_col is not None:
                ident = cell_text(values[id_col]).upper() if id_col < len(values) else ""
                expected = ledger_names.get(ident)
                if expected is not None and expected != text:
                    refuse(f"与学籍不一致（学籍中为“{expected}”）")
    return out


def check_file(
    path: str | Path, profile: Profile, *, ledger_names: Mapping[str, str] | None = None
) -> list[CellProblem]:
    """Check a filled import file before uploading it: the header titles exactly as the template's, then
    every cell."""
    from aidoffice.sheets.readers import read_table

    table = read_table(Path(path))
    rows = table.rows
    header = [cell_text(v) for v in (rows[0] if rows else [])]
    problems = []
    for i, title in enumerate(profile.titles):
        got = header[i] if i < len(header) else ""
        if got != title:
            problems.append(
                CellProblem(1, get_column_letter(i + 1), title, f"列名应为“{title}”，而不是“{got or '空'}”")
            )
    if problems:
        return problems
    return check_rows(profile, rows[1:], first_row=2, ledger_names=ledger_names)
