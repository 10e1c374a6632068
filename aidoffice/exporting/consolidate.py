"""County mode (县级汇总): many schools' filled rosters of one template merged into one workbook in the
same template, with a sheet of per-school totals and a sheet of problems — a child aided by two schools
for the same policy and term, invalid ID numbers, totals that do not add up, rows without an account.

Each school's workbook is read with calamine (never opened for writing, never changed); the first one
is the template of the result (its data rows replaced by everyone's)."""

from __future__ import annotations

import html
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from sqlalchemy.orm import Session

from aidoffice.access.checks import require
from aidoffice.domain.idnumber import InvalidIdNumber, id_from_student_no, normalize_student_no, parse_id
from aidoffice.domain.money import InvalidAmount, format_amount, parse_amount
from aidoffice.domain.text import shorten
from aidoffice.errors import InputRefused
from aidoffice.exporting import template as tpl
from aidoffice.exporting.checks import account_problem
from aidoffice.exporting.words import PROBLEM_KINDS
from aidoffice.files import atomic_path, check_target
from aidoffice.messages import id_problem, id_recovered_from_student_no
from aidoffice.privacy import mask_id, scrub
from aidoffice.progress import Progress, no_progress
from aidoffice.sheets.cells import set_value
from aidoffice.sheets.cleaning import read_id_cell
from aidoffice.sheets.headers import IGNORE
from aidoffice.sheets.readers import Table, read_table

_FILLED_SCHOOL = re.compile(
    r"((?:学校名称|填报学校|填报单位|单位名称|学校|单位)(?:[（(][^）)]*[）)])?[:：])[ \u3000]*([^\s:：]{2,40})"
)

# Formulas no roster needs: they open web pages, run programs or fetch data. A school's workbook is not
# trusted as a template is, so such a formula becomes the text it was, where the county can see it.
_DANGEROUS = re.compile(r"HYPERLINK|WEBSERVICE|FILTERXML|IMPORTXML|IMPORTDATA|CALL\(|REGISTER|EXEC|\|", re.I)


def _defuse(wb: Any, problem: Any) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str) and _DANGEROUS.search(cell.value):
                    text = cell.value
                    set_value(cell, text)
                    problem("formula", ws.title, cell.row, cell.column, text)


@dataclass
class Problem:
    kind: str
    school: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    name: str
    id_number: str
    detail: str
    out_row: int | None = None  # the row of the consolidated sheet

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "school": self.school,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "name": self.name,
            "id_number": mask_id(self.id_number),
            "detail": scrub(self.detail),
            "out_row": self.out_row,
        }


@dataclass
class SchoolPart:
    school: str
    file: str
    sheet: str | None
    rows: int
    amount: Decimal
    file_total: Decimal | None
    first_out_row: int = 0
    last_out_row: int = 0

    @property
    def agrees(self) -> bool | None:
        return None if self.file_total is None else self.file_total == self.amount


@dataclass
class ConsolidateResult:
    path: str
    rows: int
    total: Decimal
    schools: list[SchoolPart]
    problems: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        counts = Counter(p.kind for p in self.problems)
        return {
            "out": self.path,
            "files": len(self.schools),
            "rows": self.rows,
            "total": str(self.total),
            "schools": [
                {"school": s.school, "file": s.file, "rows": s.rows, "amount": str(s.amount),
                 "file_total": None if s.file_total is None else str(s.file_total), "agrees": s.agrees,
                 "out_rows": [s.first_out_row, s.last_out_row]}
                for s in self.schools
            ],
            "problems": [p.as_json() for p in self.problems],
            "counts": dict(counts),
        }  # fmt: skip

    def message(self) -> str:
        lines = [
            f"已汇总 {len(self.schools)} 所学校 {self.rows} 人，合计 {format_amount(self.total)} 元：{self.path}"
        ]
        counts = Counter(p.kind for p in self.problems)
        if counts:
            lines.append(
                "发现的问题：" + "，".join(f"{PROBLEM_KINDS.get(k, k)} {n} 处" for k, n in counts.items())
            )
            for p in self.problems[:30]:
                where = f"{p.school}「{p.file}」" + (f"第 {p.row} 行" if p.row else "")
                lines.append(
                    f"  {PROBLEM_KINDS.get(p.kind, p.kind)}：{where} {p.name} {mask_id(p.id_number)} {scrub(p.detail)}"
                )
            if len(self.problems) > 30:
                lines.append(f"  ……另有 {len(self.problems) - 30} 处，见汇总表的“问题”工作表")
        else:
            lines.append("没有发现问题。")
        return "\n".join(lines)


@dataclass
class _Source:
    path: Path
    table: Table
    layout: tpl.TemplateLayout
    grid: tpl.TableGrid
    school: str


def _read(path: Path, sheet: str | None) -> _Source:
    table = read_table(path, sheet)
    names = [n for n in table.sheets if n != table.sheet] if sheet is None else []
    refusal = None
    while True:
        grid = tpl.TableGrid(table.rows, table.merged)
        try:
            layout = tpl.analyse(grid, table.sheet or "", file=path.name)
            break
        except InputRefused as exc:
            refusal = refusal or exc
            if not names:
                raise refusal from None
            try:
                table = read_table(path, names.pop(0))
            except InputRefused:
                continue
    return _Source(path, table, layout, grid, _school_of(path, grid, layout))


def _school_of(path: Path, grid: tpl.TableGrid, layout: tpl.TemplateLayout) -> str:
    col = layout.fields.get("school_name")
    if col is not None:
        names = Counter(
            tpl.cell_text(grid.value(r, col))
            for r in layout.data_rows_of(grid)
            if tpl.cell_text(grid.value(r, col))
        )
        if names:
            return names.most_common(1)[0][0]
    for r in range(1, layout.header_rows[0]):
        for c in range(1, grid.max_col + 1):
            v = grid.value(r, c)
            if isinstance(v, str) and (m := _FILLED_SCHOOL.search(v)):
                return m[2]
    return path.stem


def _formula_cells(path: Path, sheet: str | None, row: int) -> dict[int, str]:
    """Formulas of one row, from the sheet's XML (calamine gives values only; a workbook written by a
    program without cached values shows its 合计 as empty)."""
    from aidoffice.sheets.readers import xlsx_sheet_paths

    try:
        z = zipfile.ZipFile(path)
        member = xlsx_sheet_paths(z).get(sheet or "")
        if member is None:
            return {}
        data = z.read(member).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError):
        return {}
    m = re.search(rf'<row [^>]*?r="{row}"[^>]*>(.*?)</row>', data, re.S)
    if not m:
        return {}
    out = {}
    for c in re.finditer(r'<c r="([A-Z]+)\d+"[^>]*?(?:/>|>(.*?)</c>)', m[1], re.S):
        f = re.search(r"<f[^>]*>(.*?)</f>", c[2] or "", re.S)
        if f:
            out[column_index_from_string(c[1])] = "=" + html.unescape(f[1])
    return out


def _number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return parse_amount(value)
    except (InvalidAmount, ValueError):
        return None


def _evaluate_sum(formula: str, grid: tpl.TableGrid) -> Decimal | None:
    """The value of a plain total formula (=SUM(K5:K40), =K5+K6 …) over the rows read; None when the
    formula is anything else."""
    try:
        tokens = Tokenizer(formula).items
    except Exception:
        return None
    total = Decimal(0)
    for tok in tokens:
        if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
            ref = tok.value.split("!")[-1].replace("$", "")
            parts = ref.split(":")
            m1 = re.match(r"^([A-Z]{1,3})(\d+)$", parts[0])
            m2 = re.match(r"^([A-Z]{1,3})(\d+)$", parts[-1])
            if not (m1 and m2):
                return None
            c1, c2 = column_index_from_string(m1[1]), column_index_from_string(m2[1])
            for r in range(int(m1[2]), int(m2[2]) + 1):
                for c in range(c1, c2 + 1):
                    total += _number(grid.value(r, c)) or Decimal(0)
        elif (tok.type == Token.FUNC and tok.value.upper() not in ("SUM(", ")")) or (
            tok.type == Token.OP_IN and tok.value != "+"
        ):
            return None
        elif tok.type == Token.OPERAND and tok.subtype == Token.NUMBER:
            total += Decimal(tok.value)
    return total.quantize(Decimal("0.01"))


def consolidate(
    files: Sequence[str | Path],
    out: str | Path,
    *,
    sheet: str | None = None,
    session: Session | None = None,
    progress: Progress = no_progress,
) -> ConsolidateResult:
    """`session`: the export is recorded there, and the acting user needs export.consolidate (a county
    viewer has it: the rows come from the schools' files, nothing in the database changes)."""
    if session is not None:
        require(session, "export.consolidate")
    paths = [Path(f) for f in files]
    target = check_target(out, (".xlsx",))
    for p in paths:
        if p.exists() and target.exists() and p.resolve() == target.resolve():
            raise InputRefused("汇总结果不能保存到参加汇总的文件上（各校的原表不会被改动）。", file=p.name)
    existing = [p.resolve() for p in paths if p.exists()]
    if len(set(existing)) < len(existing):
        raise InputRefused("同一个文件给了两次，请检查文件列表。")
    progress(0, len(paths), "读取各校花名册")
    sources = []
    for i, p in enumerate(paths):
        sources.append(_read(p, sheet))
        progress(i + 1, len(paths), f"读取 {p.name}")
    first = sources[0]
    wb = tpl.open_template(first.path)
    defused: list[tuple[str, int, int, str]] = []
    _defuse(wb, lambda _k, sheet, r, c, text: defused.append((sheet, r, c, text)))
    out_layout = tpl.analyse(
        tpl.SheetGrid(wb[first.table.sheet]), first.table.sheet or "", file=first.path.name
    )
    out_fields = out_layout.fields
    out_id_col = out_fields.get("id_number")
    seq_col = out_fields.get("seq")
    amount_col, account_col = out_fields.get("amount"), out_fields.get("bank_account")
    ws0 = wb[out_layout.sheet]
    formula_cols = {
        c
        for c in range(1, out_layout.width + 1)
        if out_layout.sample_rows >= 1
        and (cell := ws0._cells.get((out_layout.first_data_row, c))) is not None
        and cell.data_type == "f"
    }
    value_cols = [c for c in range(1, out_layout.width + 1) if c != seq_col]
    text_cols = [c for f, c in out_fields.items() if f in tpl.TEXT_FIELDS]
    rows: list[list[Any]] = []
    problems: list[Problem] = [
        Problem("formula", first.school, first.path.name, sheet_name, r, get_column_letter(c), "", "",
                f"第一份文件中的公式“{text[:60]}”可能打开网页或运行程序，已改为文字")
        for sheet_name, r, c, text in defused
    ]  # fmt: skip
    parts: list[SchoolPart] = []
    seen: dict[tuple[str, str, str], tuple[_Source, int, int]] = {}
    for src in sources:
        lay, grid = src.layout, src.grid
        name = src.path.name

        def problem(kind: str, row: int | None, col: int | None, who: str, ident: str, detail: str,
                    src: _Source = src, name: str = name) -> Problem:  # fmt: skip
            p = Problem(kind, src.school, name, src.table.sheet, row, get_column_letter(col) if col else None,
                        who, ident, detail)  # fmt: skip
            problems.append(p)
            return p

        same = lay.fingerprint == out_layout.fingerprint
        if same:
            source_of = {c: c for c in value_cols}
        else:
            theirs = lay.fields
            source_of = {c: theirs.get(f) for f, c in out_fields.items() if f != "seq"}
            lost = [
                c.header for c in lay.columns if c.field not in (None, IGNORE) and c.field not in out_fields
            ]
            problem("other_template", None, None, "", "",
                    "表头与第一份文件不同，已按列名对应合并" + (f"；这些列没有对应的位置：{'、'.join(lost)}" if lost else ""))  # fmt: skip
        s_id, s_no, s_name = lay.fields.get("id_number"), lay.fields.get("student_no"), lay.fields.get("name")
        s_amount, s_account = lay.fields.get("amount"), lay.fields.get("bank_account")
        s_policy, s_term = lay.fields.get("policy"), lay.fields.get("term")
        amount_sum = Decimal(0)
        sums: dict[int, Decimal] = {}
        start = len(rows)
        # the columns whose total the file states: a number in the 合计 row, or a formula there
        formulas: dict[int, str] = {}
        check_cols: set[int] = set()
        if lay.total_row is not None:
            blanks = False
            for c in range(1, lay.width + 1):
                v = grid.value(lay.total_row, c)
                if _number(v) is not None:
                    check_cols.add(c)
                elif v is None:
                    blanks = True
            if blanks:
                formulas = _formula_cells(src.path, src.table.sheet, lay.total_row)
                check_cols |= set(formulas)
        for r in lay.data_rows_of(grid):
            raw = [grid.value(r, c) for c in range(1, grid.max_col + 1)]
            if not any(tpl.cell_text(v) for v in raw):
                continue
            found_before = len(problems)
            who = tpl.cell_text(grid.value(r, s_name)) if s_name else ""
            id_raw = grid.value(r, s_id) if s_id else None
            if s_name and not who:
                problem("no_name", r, s_name, "", "", "姓名为空（或是一个没有结果的公式），请让学校补上")
            number, mangled = read_id_cell(id_raw) if id_raw is not None else ("", False)
            student_no = normalize_student_no(grid.value(r, s_no)) if s_no else ""
            # Excel turned the ID into a number: the G + ID 学籍号 of the same row gives it back, as on import
            formula = isinstance(id_raw, str) and id_raw.lstrip().startswith("=")
            if formula:
                number = ""  # a formula (=A1) is not a number, whatever it shows in Excel
            # an empty ID or one Excel ate: the G + ID 学籍号 of the same row gives it back, as on import
            recovered = id_from_student_no(student_no) if (mangled or not number) and student_no else None
            if s_id:
                if formula:
                    problem(
                        "invalid_id", r, s_id, who, "", f"证件号一栏是公式（{shorten(id_raw)}），不是号码"
                    )
                if recovered:
                    problem(
                        "id_recovered",
                        r,
                        s_id,
                        who,
                        recovered,
                        id_recovered_from_student_no(number, mask_id(recovered))
                        if mangled
                        else f"证件号为空，已按全国学籍号补为 {mask_id(recovered)}",
                    )
                elif mangled:
                    problem(
                        "invalid_id", r, s_id, who, "", f"证件号被 Excel 存成了数字（{number}），末几位已丢失"
                    )
                elif not number:
                    if not formula:
                        problem(
                            "invalid_id",
                            r,
                            s_id,
                            who,
                            "",
                            "没有证件号" + ("（学籍号也不是“G+证件号”）" if student_no else ""),
                        )
                else:
                    try:
                        parse_id(number)
                    except InvalidIdNumber as exc:
                        problem("invalid_id", r, s_id, who, number, f"身份证件号{id_problem(exc)}")
            if s_account or account_col:
                value = grid.value(r, s_account) if s_account else None
                bad = account_problem(tpl.cell_text(value) if value is not None else None)
                if bad:
                    problem("no_account" if value is None or not tpl.cell_text(value) else "bad_account",
                            r, s_account, who, number, bad)  # fmt: skip
            key = number if number and not mangled else (recovered or student_no)
            if key:
                pol = tpl.cell_text(grid.value(r, s_policy)) if s_policy else ""
                term = tpl.cell_text(grid.value(r, s_term)) if s_term else ""
                k = (key, pol, term)
                out_row = out_layout.first_data_row + len(rows)
                if k in seen:
                    other, other_row, _other_out = seen[k]
                    if other is src:
                        detail = f"同一学生在本文件中出现两次（第 {other_row} 行、第 {r} 行）"
                        problem("duplicate_in_file", r, s_id, who, key, detail).out_row = out_row
                    else:
                        detail = (
                            f"同一学生同一项目同一学期在两所学校都有资助：{other.school}「{other.path.name}」第 {other_row} 行，"
                            f"{src.school}「{name}」第 {r} 行"
                        )
                        problem("duplicate", r, s_id, who, key, detail).out_row = out_row
                else:
                    seen[k] = (src, r, out_row)
            if s_amount:
                amount = _number(grid.value(r, s_amount))
                amount_sum += amount or Decimal(0)
            for c in check_cols:
                v = _number(grid.value(r, c))
                if v is not None:
                    sums[c] = sums.get(c, Decimal(0)) + v
            values = []
            for c in value_cols:
                sc = source_of.get(c)
                if c in formula_cols or sc is None:
                    values.append(None)
                    continue
                v = grid.value(r, sc)
                if c == amount_col and (d := _number(v)) is not None:
                    v = d
                elif recovered and c == out_id_col:
                    v = recovered
                values.append(v)
            rows.append(values)
            out_row = out_layout.first_data_row + len(rows) - 1
            for p in problems[found_before:]:  # every finding of this row points at it in the county's sheet
                if p.out_row is None:
                    p.out_row = out_row
        part = SchoolPart(src.school, name, src.table.sheet, len(rows) - start, amount_sum, None)
        part.first_out_row = out_layout.first_data_row + start
        part.last_out_row = out_layout.first_data_row + len(rows) - 1
        parts.append(part)
        if lay.total_row is None:
            problem("no_total", None, None, "", "", "没有合计行，无法核对合计")
            continue
        for c in sorted(check_cols):
            if c == s_amount or c in sums:
                written = _number(grid.value(lay.total_row, c))
                if written is None:
                    f = formulas.get(c)
                    written = _evaluate_sum(f, grid) if f else None
                if written is None:
                    continue
                actual = (amount_sum if c == s_amount else sums.get(c, Decimal(0))).quantize(Decimal("0.01"))
                if c == s_amount:
                    part.file_total = written
                if written != actual:
                    col_name = (lay.column(c).header if lay.column(c) else "") or get_column_letter(c)
                    problem("total_mismatch", lay.total_row, c, "", "",
                            f"「{col_name}」的合计是 {format_amount(written)}，各行相加是 {format_amount(actual)}，"
                            f"相差 {format_amount(written - actual)}")  # fmt: skip
    total = sum((p.amount for p in parts), Decimal(0))
    progress(len(paths), len(paths), "写入汇总表")
    _relabel_school(wb, out_layout, len(parts))
    tpl.fill(wb, out_layout, rows, value_cols, text_cols=text_cols)
    _summary_sheet(wb, parts, total)
    _problem_sheet(wb, problems)
    if session is None:
        with atomic_path(target) as tmp:
            wb.save(tmp)
    else:
        from aidoffice.db.audit import record
        from aidoffice.files import publish_on_commit, temp_beside

        # recorded first, the file published when the record commits: both or neither
        record(
            session,
            "export",
            "consolidation",
            f"县级汇总（含完整证件号和卡号）：{len(parts)} 所学校 {len(rows)} 人到 {target.name}",
            {"file": str(target), "sources": [p.name for p in paths], "rows": len(rows), "total": str(total),
             "problems": len(problems), "full_numbers": True},
        )  # fmt: skip
        session.flush()
        tmp = temp_beside(target)
        try:
            wb.save(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        publish_on_commit(session, tmp, target)
    return ConsolidateResult(str(target), len(rows), total, parts, problems)


def _relabel_school(wb: Any, layout: tpl.TemplateLayout, schools: int) -> None:
    """The first school's name in the seal line would claim the whole county's rows: say what it is."""
    ws = wb[layout.sheet]
    for r in range(1, layout.header_rows[0]):
        for c in range(1, layout.width + 1):
            cell = ws._cells.get((r, c))
            if cell is not None and isinstance(cell.value, str) and _FILLED_SCHOOL.search(cell.value):
                set_value(
                    cell, _FILLED_SCHOOL.sub(lambda m: f"{m[1]}各校汇总（{schools} 所）", cell.value, count=1)
                )


def _sheet(wb: Any, title: str, headers: list[tuple[str, float]]) -> Any:
    ws = wb.create_sheet(title)
    for c, (h, width) in enumerate(headers, 1):
        cell = ws.cell(1, c)
        set_value(cell, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # every column on the page's width
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    return ws


def _summary_sheet(wb: Any, parts: list[SchoolPart], total: Decimal) -> None:
    ws = _sheet(
        wb,
        "各校合计",
        [("学校", 24), ("文件", 30), ("人数", 8), ("各行金额相加", 14), ("文件中的合计", 14), ("是否一致", 9),
         ("在汇总表中的行", 16)],
    )  # fmt: skip
    for r, p in enumerate(parts, 2):
        agrees = {None: "无合计", True: "一致", False: "不一致"}[p.agrees]
        values = [p.school, p.file, p.rows, p.amount, p.file_total, agrees,
                  f"{p.first_out_row}—{p.last_out_row}" if p.rows else ""]  # fmt: skip
        for c, v in enumerate(values, 1):
            set_value(ws.cell(r, c), v)
        for c in (4, 5):
            ws.cell(r, c).number_format = "#,##0.00"
        if p.agrees is False:
            ws.cell(r, 6).font = Font(bold=True, color="C00000")
    r = len(parts) + 2
    set_value(ws.cell(r, 1), "合计")
    ws.cell(r, 1).font = Font(bold=True)
    ws.cell(r, 3).value = f"=SUM(C2:C{r - 1})" if parts else 0
    ws.cell(r, 4).value = f"=SUM(D2:D{r - 1})" if parts else 0
    ws.cell(r, 4).number_format = "#,##0.00"
    ws.auto_filter.ref = f"A1:G{max(2, r - 1)}"
    del total


def _problem_sheet(wb: Any, problems: list[Problem]) -> None:
    ws = _sheet(
        wb,
        "问题",
        [("问题", 14), ("学校", 20), ("文件", 26), ("工作表", 12), ("原表行号", 9), ("列", 6), ("姓名", 10),
         ("证件号", 21), ("说明", 70), ("汇总表行号", 10)],
    )  # fmt: skip
    for r, p in enumerate(problems, 2):
        values = [PROBLEM_KINDS.get(p.kind, p.kind), p.school, p.file, p.sheet, p.row, p.column, p.name,
                  p.id_number, p.detail, p.out_row]  # fmt: skip
        for c, v in enumerate(values, 1):
            set_value(ws.cell(r, c), v, as_text=(c == 8 and bool(v)))
    if problems:
        ws.auto_filter.ref = f"A1:J{len(problems) + 1}"
