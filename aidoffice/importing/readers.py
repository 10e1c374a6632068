"""Reading a table from whatever the office was sent: .xlsx/.xls/.ods through python-calamine, CSV in
UTF-8, UTF-8 with BOM (WPS) or GB18030 (Chinese Excel). The real type is read from the file's first
bytes, not its name, so a renamed Word document or an encrypted workbook gets a clear refusal.

Rows keep the spreadsheet's own numbering: rows[0] is row 1 as Excel shows it."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aidoffice.errors import InputRefused

_PASSWORD = "工作簿设置了打开密码。请在 Excel 中打开，取消密码（文件→信息→保护工作簿）后另存再导入。"
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Table:
    file: str
    sheet: str | None  # None for CSV
    rows: list[list[Any]]
    sheets: list[str] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1), 0-based
    encoding: str | None = None


def sniff(path: Path) -> str:
    """'xlsx', 'xls', 'ods' or 'csv'; raises InputRefused for anything else."""
    name = path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        raise InputRefused("文件不存在，请检查路径。", file=name) from None
    except IsADirectoryError:
        raise InputRefused("这是一个文件夹，请选择表格文件。", file=name) from None
    if not head:
        raise InputRefused("文件是空的（0 字节）。", file=name)
    if head.startswith(ZIP):
        try:
            names = set(zipfile.ZipFile(path).namelist())
        except zipfile.BadZipFile:
            raise InputRefused("文件已损坏，无法打开。请让对方重新导出或重新发送。", file=name) from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and "mimetype" in names:
            return "ods"
        if "word/document.xml" in names:
            raise InputRefused(
                "这是 Word 文档，不是表格。请在 Word 中把表格复制到 Excel 另存为 .xlsx 后再导入。", file=name
            )
        raise InputRefused("文件不是 Excel 或 WPS 表格。", file=name)
    if head.startswith(OLE):
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise InputRefused(_PASSWORD, file=name)
        if "WordDocument".encode("utf-16-le") in data:
            raise InputRefused("这是 Word 文档（.doc），不是表格。", file=name)
        return "xls"
    if head.startswith(b"%PDF"):
        raise InputRefused("这是 PDF 文件，无法读取其中的表格。请向对方要 Excel 原表。", file=name)
    if b"\x00" in head:
        raise InputRefused("文件不是表格文件（.xlsx、.xls、.ods 或 .csv）。", file=name)
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise InputRefused(
            "无法识别文件的文字编码（既不是 UTF-8 也不是 GB18030）。请用 Excel 打开后另存为 .xlsx。"
        ) from None


def read_csv(path: Path) -> Table:
    text, encoding = decode_text(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
    return Table(file=path.name, sheet=None, rows=rows, encoding=encoding)


def _has_data(rows: list[list[Any]]) -> bool:
    return any(str(v).strip() for row in rows for v in row if v is not None)


# calamine allocates every cell of a sheet's bounding box at once; a stray value in XFD1048576 would
# ask for 17 billion cells and abort the whole program. Above this many cells the extent is checked.
MAX_CELLS = 10_000_000
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_THREE_LETTERS = re.compile(rb'<c r="[A-Z]{3}')
_TWO_LETTERS = re.compile(rb'<c r="[A-Z]{2}[0-9]')
_ROW = re.compile(rb'<row r="(\d+)"')
_VALUE_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?>(?:<f[^>]*?(?:/>|>.*?</f>))?<(?:v|is)[ >]')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _xlsx_sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the XML member holding it."""
    workbook = z.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {
        m[1]: m[2] for m in re.finditer(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    } | {m[2]: m[1] for m in re.finditer(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    out = {}
    for m in re.finditer(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
        target = targets.get(m[2], "")
        out[html.unescape(m[1])] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def _rough_extent(z: zipfile.ZipFile, member: str) -> int:
    """An upper bound of the cells: the last row number times the widest column-name length allows."""
    last_row, letters = 0, 1
    with z.open(member) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            if letters < 3 and _THREE_LETTERS.search(data):
                letters = 3
            elif letters < 2 and _TWO_LETTERS.search(data):
                letters = 2
            tail = data[-512:]
        rows = _ROW.findall(tail)
        last_row = int(rows[-1]) if rows else 0
    return last_row * {1: 26, 2: 702, 3: 16384}[letters]


def check_xlsx_extent(path: Path, sheets: list[str]) -> None:
    """Refuse, before calamine sees it, a sheet whose content reaches absurdly far (a stray space in
    the last row of Excel): it would need more memory than any PC has."""
    try:
        z = zipfile.ZipFile(path)
        members = _xlsx_sheet_paths(z)
    except (KeyError, zipfile.BadZipFile):
        return  # calamine will say what is wrong
    for name in sheets:
        member = members.get(name)
        if member is None or member not in z.namelist():
            continue
        with z.open(member) as fh:
            head = fh.read(4096)
        m = _DIMENSION.search(head)
        if m and m[3] and m[4]:
            if int(m[4]) * _col_number(m[3]) <= MAX_CELLS:
                continue  # Excel and WPS write the extent at the top
        elif m:
            continue  # a single-cell dimension
        elif _rough_extent(z, member) <= MAX_CELLS:
            continue  # no extent written (some exporters): a quick upper bound usually settles it
        rows = cols = 0
        far_row = far_col = ""
        with z.open(member) as fh:
            tail = b""
            while chunk := fh.read(1 << 20):
                data = tail + chunk
                for c in _VALUE_CELL.finditer(data):
                    r, col = int(c[2]), _col_number(c[1])
                    if r > rows:
                        rows, far_row = r, (c[1] + c[2]).decode()
                    if col > cols:
                        cols, far_col = col, (c[1] + c[2]).decode()
                tail = data[-512:]
        if rows * cols > MAX_CELLS:
            raise InputRefused(
                f"表格的内容一直延伸到第 {rows} 行、第 {cols} 列（{far_row}、{far_col} 这样很远的单元格里有内容，"
                "常常只是一个空格），无法读取。请在 Excel 中选中数据下方和右侧的空白行列，删除后另存再导入。",
                file=path.name,
                sheet=name,
            )


def read_workbook(path: Path, sheet: str | None = None, kind: str | None = None) -> Table:
    """`kind`: what sniff() found, when the caller has already looked."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        if type(exc).__name__ == "PasswordError":  # an old .xls with a password
            raise InputRefused(_PASSWORD, file=path.name) from None
        raise InputRefused(f"文件已损坏或格式不受支持，无法打开（{exc}）。", file=path.name) from None
    names = list(wb.sheet_names)
    if sheet is not None and sheet not in names:
        raise InputRefused(
            f"没有名为“{sheet}”的工作表；本文件的工作表有：{'、'.join(names)}。", file=path.name
        )
    candidates = [sheet] if sheet is not None else names
    if (kind or sniff(path)) == "xlsx":
        check_xlsx_extent(path, candidates)
    for name in candidates:
        ws = wb.get_sheet_by_name(name)
        rows = ws.to_python(skip_empty_area=False)
        if _has_data(rows) or sheet is not None:
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
            if not _has_data(rows):
                raise InputRefused("工作表是空的。", file=path.name, sheet=name)
            return Table(file=path.name, sheet=name, rows=rows, sheets=names, merged=merged)
    raise InputRefused("所有工作表都是空的。", file=path.name)


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """The first sheet with data (or the named one) as rows of cell values."""
    path = Path(path)
    kind = sniff(path)
    table = read_csv(path) if kind == "csv" else read_workbook(path, sheet, kind)
    if not _has_data(table.rows):
        raise InputRefused("文件中没有任何数据。", file=path.name, sheet=table.sheet)
    return table


def read_ahead(path: str | Path, sheet: str | None = None):  # type: ignore[no-untyped-def]
    """Start reading on a worker thread and return a future of the Table. calamine parses without
    holding the GIL, so the command can load SQLAlchemy and open the database meanwhile (0.6 s of a
    20,000-row import)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
    future = pool.submit(read_table, path, sheet)
    pool.shutdown(wait=False)
    return future
