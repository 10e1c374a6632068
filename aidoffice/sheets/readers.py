"""Reading a table from whatever the office was sent: .xlsx/.xls/.ods through python-calamine, CSV in
UTF-8, UTF-8 with BOM (WPS), GB18030 (Chinese Excel) or UTF-16 ("Unicode text" from Excel). The real
type is read from the file's first bytes, not its name, so a renamed Word document or an encrypted
workbook gets a clear refusal. Whatever a reader library throws becomes an InputRefused naming the
file: a broken file is a normal outcome, not a bug.

Rows keep the spreadsheet's own numbering: rows[0] is row 1 as Excel shows it. A cell holding an Excel
error (#REF!, #N/A …) arrives as an `ExcelError`, never as a blank."""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aidoffice.errors import AidofficeError, InputRefused

_PASSWORD = "工作簿设置了打开密码。请在 Excel 中打开，取消密码（文件→信息→保护工作簿）后另存再导入。"
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOM_UTF8 = codecs.BOM_UTF8

# The most rows one import takes. A school district's 学籍 export is a few tens of thousands; a list
# above this is a whole county's or a mistake, and would need more memory than a clerk's PC has.
MAX_ROWS = 200_000

# Error values Excel and WPS show in a cell; calamine hands them over as blanks, so they are found in
# the sheet's XML and put back (see _error_cells).
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
     "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!"}
)  # fmt: skip

csv.field_size_limit(16 * 1024 * 1024)  # the default (131,072) would fail a long cell with csv.Error


class ExcelError(str):
    """A cell that holds an Excel error value (#REF!, #N/A …), as the cell shows it."""

    __slots__ = ()


def excel_error(value: Any) -> str | None:
    """The error value a cell holds ('#REF!'), or None."""
    if value.__class__ is ExcelError:
        return str(value)
    if value.__class__ is str and value[:1] == "#" and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


@dataclass
class Table:
    file: str
    sheet: str | None  # None for CSV
    rows: list[list[Any]]
    sheets: list[str] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1), 0-based
    encoding: str | None = None


def _too_many_rows(count: int, file: str, sheet: str | None = None) -> InputRefused:
    return InputRefused(
        f"表格有 {count:,} 行，超过一次导入的上限 {MAX_ROWS:,} 行。请按年级、乡镇或村分成几个文件分别导入。",
        file=file,
        sheet=sheet,
    )


_PLAUSIBLE = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff00-\uffef\x20-\x7e\t\r\n]")


def _utf16(head: bytes) -> str | None:
    """'utf-16' for a file with a UTF-16 byte-order mark, 'utf-16-le'/'utf-16-be' for one without a
    mark whose bytes read as sensible text in that byte order (the ASCII parts — commas, tabs,
    digits — put a zero in every other byte; Chinese text reads as Chinese), else None."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    best, best_share = None, 0.9
    for encoding, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros == 0:
            continue
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
            continue
        share = len(_PLAUSIBLE.findall(text)) / max(1, len(text))
        if share > best_share:
            best, best_share = encoding, share
    return best


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
    except OSError as exc:
        raise InputRefused(
            f"文件无法读取（{exc.strerror or exc}），请检查文件是否被占用或权限。", file=name
        ) from None
    if not head:
        raise InputRefused("文件是空的（0 字节）。", file=name)
    if head.startswith(ZIP):
        try:
            names = set(zipfile.ZipFile(path).namelist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
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
    # a binary file has zero bytes everywhere; a text table with a stray NUL in a cell is still text
    # (screening removes it, naming the row)
    if head.count(0) * 20 > len(head) and _utf16(head) is None:
        raise InputRefused("文件不是表格文件（.xlsx、.xls、.ods 或 .csv）。", file=name)
    return "csv"


# ---- CSV ------------------------------------------------------------------------------------------

_TWO_CJK = re.compile(r"[\u4e00-\u9fff].*?[\u4e00-\u9fff]", re.S)
_ENCODING_ADVICE = "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入（或用记事本另存为 UTF-8 编码）。"


def detect_encoding(path: Path) -> str:
    """The encoding of a text table, read line by line so memory stays flat: UTF-16 by its mark or
    its zero bytes, else UTF-8 (with or without BOM) when every line is UTF-8, else GB18030 (a
    superset of GBK/GB2312). A file whose lines are partly UTF-8 Chinese and partly another
    encoding is refused naming both lines: guessing would store garbled names."""
    name = path.name
    with path.open("rb") as fh:
        head = fh.read(4096)
        if enc := _utf16(head):
            return enc
        fh.seek(0)
        bom = head.startswith(BOM_UTF8)
        first_utf8 = first_other = None
        for number, line in enumerate(fh, 1):
            if number == 1 and bom:
                line = line[3:]
            if line.isascii():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                if first_other is None:
                    first_other = number
            else:
                if first_utf8 is None and _TWO_CJK.search(text):
                    first_utf8 = number
            if first_other is not None and first_utf8 is not None:
                raise InputRefused(
                    f"文件中混有两种文字编码：第 {first_utf8} 行是 UTF-8，第 {first_other} 行却不是"
                    f"（可能是 GBK），无法同时读出。{_ENCODING_ADVICE}",
                    file=name,
                )
    if first_other is None:
        return "utf-8-sig" if bom else "utf-8"
    decoder = codecs.getincrementaldecoder("gb18030")()
    line_no = 1
    with path.open("rb") as fh:
        if bom:
            fh.read(3)
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line_no += chunk[: max(exc.start, 0)].count(b"\n")
                raise InputRefused(
                    f"无法识别文件的文字编码（既不是 UTF-8 也不是 GBK/GB18030，第 {line_no} 行附近有无法识别的字节）。"
                    + _ENCODING_ADVICE,
                    file=name,
                ) from None
            line_no += chunk.count(b"\n")
    return "gb18030-bom" if bom else "gb18030"


def _line_count(path: Path) -> int:
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def read_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    python_encoding = {"gb18030-bom": "gb18030"}.get(encoding, encoding)
    # a file with more lines than the limit is counted by records before any row is kept, so a
    # million-row file is refused in seconds with flat memory (a quoted cell may hold line breaks:
    # lines alone would overstate it)
    if not encoding.startswith("utf-16") and _line_count(path) > MAX_ROWS:
        with path.open("r", encoding=python_encoding, newline="") as fh:
            records = sum(1 for _ in csv.reader(fh))
        if records > MAX_ROWS:
            raise _too_many_rows(records, path.name)
    with path.open("r", encoding=python_encoding, newline="") as fh:
        if encoding == "gb18030-bom":
            fh.buffer.read(3)  # a UTF-8 mark before GBK text (some converters write one)
        sample = fh.read(4096)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(_chain(sample, fh), dialect)
        rows: list[list[Any]] = []
        intern: dict[str, str] = {}
        count = 0
        try:
            for row in reader:
                count += 1
                if count > MAX_ROWS:
                    continue  # counted, not kept: the refusal says how many there are
                rows.append([intern.setdefault(v, v) if len(v) < 64 else v for v in row])
        except csv.Error as exc:
            raise InputRefused(
                f"第 {reader.line_num} 行无法按表格读取（{exc}），请用 Excel 打开后另存为 .xlsx 再导入。",
                file=path.name,
            ) from None
    if count > MAX_ROWS:
        raise _too_many_rows(count, path.name)
    return Table(file=path.name, sheet=None, rows=rows, encoding=encoding)


def _chain(first: str, rest: io.TextIOBase) -> Iterator[str]:
    """The sniffed sample, then the rest of the file, as lines for csv.reader."""
    buffered = io.StringIO(first + rest.readline())
    yield from buffered
    yield from rest


def _has_data(rows: list[list[Any]]) -> bool:
    return any(v.__class__ is not str or v.strip() for row in rows for v in row if v is not None and v != "")


# ---- xlsx: what calamine cannot be trusted with -----------------------------------------------------

# calamine allocates every cell of a sheet's bounding box at once; a stray value in XFD1048576 would
# ask for 17 billion cells and abort the whole program. Above this many cells the extent is checked.
MAX_CELLS = 10_000_000
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_VALUE_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?>(?:<f[^>]*?(?:/>|>.*?</f>))?<(?:v|is)[ >]')
_ERROR_CELL = re.compile(rb'<c ([^>]*?\bt="e"[^>]*)>(.*?)</c>', re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def xlsx_sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
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


@dataclass
class _SheetScan:
    """What one streaming pass over a sheet's XML tells, before calamine allocates anything."""

    last_row: int = 0
    letters: int = 1  # the longest column name seen (1: A–Z, 2: AA–ZZ, 3: AAA–XFD)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row0, col0) → '#REF!'


_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_LONGER = {1: re.compile(rb'<c r="[A-Z]{2}'), 2: re.compile(rb'<c r="[A-Z]{3}')}


def _scan(z: zipfile.ZipFile, member: str) -> _SheetScan:
    """One streaming pass (memory stays flat): the last row, the longest column name, the cells
    holding an Excel error. The used range a sheet states at its top is not trusted (a file may
    lie, and calamine would size its grid by the cells it finds), and reading the whole member
    checks its CRC, so a corrupt sheet is found here."""
    scan = _SheetScan()
    tail = b""
    with z.open(member) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            while scan.letters < 3 and _LONGER[scan.letters].search(data):
                scan.letters += 1
            if b't="e"' in data:
                for m in _ERROR_CELL.finditer(data):
                    ref, value = _REF.search(m[1]), _V.search(m[2])
                    if ref and value:
                        key = (int(ref[2]) - 1, _col_number(ref[1]) - 1)
                        scan.errors[key] = value[1].decode("utf-8", "replace")
            numbers = _ROW_NUMBER.findall(data)  # every row's number: a far row may hide anywhere
            if numbers:
                scan.last_row = max(scan.last_row, max(map(int, numbers)))
            tail = data[-1024:]
    return scan


def _count_rows(z: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """<row> elements and cells holding a value (only for a sheet that reaches past the row limit)."""
    row_tags = value_cells = 0
    tail = b""
    with z.open(member) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            # what starts inside this chunk (the tail was counted with the chunk before)
            row_tags += data.count(b"<row ") - tail.count(b"<row ")
            value_cells += data.count(b"<v>") + data.count(b"<is>") - tail.count(b"<v>") - tail.count(b"<is>")
            tail = data[-16:]
    return row_tags, value_cells


def _far_cells(z: zipfile.ZipFile, member: str) -> tuple[int, int, str, str]:
    """The last row and column that hold a value, and a cell at each (slow: only for the rare sheet
    whose extent is absurd)."""
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
    return rows, cols, far_row, far_col


def check_xlsx_sheet(path: Path, name: str) -> dict[tuple[int, int], str]:
    """Refuse, before calamine sees it, a sheet that is genuinely too long (say how long), one whose
    content reaches absurdly far (a stray space in the last row of Excel: calamine would ask for
    more memory than any PC has and abort the program) and one whose XML is corrupt. Returns the
    cells holding Excel error values, which calamine reads as blanks."""
    try:
        z = zipfile.ZipFile(path)
        member = xlsx_sheet_paths(z).get(name)
    except Exception:  # no workbook part or relations: calamine's own refusal says what is wrong
        return {}
    if member is None or member not in z.namelist():
        return {}
    try:
        scan = _scan(z, member)
    except Exception as exc:  # a bad CRC, a corrupt deflate stream …
        raise _broken(path, exc, name) from None
    if scan.last_row > MAX_ROWS:
        row_tags, value_cells = _count_rows(z, member)
        if min(row_tags, value_cells) > MAX_ROWS:
            raise _too_many_rows(row_tags, path.name, name)
    if scan.last_row > MAX_ROWS or scan.last_row * {1: 26, 2: 702, 3: 16384}[scan.letters] > MAX_CELLS:
        rows, cols, far_row, far_col = _far_cells(z, member)
        if rows * cols > MAX_CELLS or rows > MAX_ROWS:
            cells = far_row if far_row == far_col else f"{far_row}、{far_col}"
            raise InputRefused(
                f"表格的内容一直延伸到第 {rows} 行、第 {cols} 列（{cells} 这样很远的单元格里有内容，"
                "常常只是一个空格），无法读取。请在 Excel 中选中数据下方和右侧的空白行列，删除后另存再导入。",
                file=path.name,
                sheet=name,
            )
    return scan.errors


def _broken(path: Path, exc: BaseException, sheet: str | None = None) -> InputRefused:
    detail = " ".join(str(exc).split())[:120]
    return InputRefused(
        "文件已损坏或格式不受支持，无法读取"
        + (f"（{detail}）" if detail else "")
        + "。请在 Excel 或 WPS 中打开它，确认内容完好后另存为 .xlsx 再导入；打不开的话，请让对方重新导出或重新发送。",
        file=path.name,
        sheet=sheet,
    )


class _TooLong(Exception):
    def __init__(self, rows: int):
        self.rows = rows


def _rows_of(ws: Any, intern: dict[Any, Any]) -> list[list[Any]]:
    """The sheet's rows from row 1 and column A on, each repeated value shared (a 学籍 export repeats
    its school, grades, addresses and 是/否 thousands of times: one string each, not one per cell)."""
    start, end = ws.start, ws.end
    if start is None or end is None:
        return []
    top, left = start
    if end[0] + 1 > MAX_ROWS + 1:
        raise _TooLong(end[0] + 1)
    rows: list[list[Any]] = []
    # every calamine value is hashable; map() keeps the loop in C. Numbers equal in value share one
    # object (1, 1.0 and TRUE): every reader of a cell (text, dates, amounts, 是/否) takes them alike.
    share = intern.setdefault
    iterator = iter(ws.iter_rows())
    first = next(iterator, None)
    if first is None:
        return rows
    if left and len(first) == end[1] + 1 - left:
        # calamine yields from the first used column on: pad so that row[0] is column A
        pad = [""] * left
        rows.append(pad + list(map(share, first, first)))
        rows.extend(pad + list(map(share, row, row)) for row in iterator)
    else:
        rows.append(list(map(share, first, first)))
        rows.extend(list(map(share, row, row)) for row in iterator)
    if top and len(rows) == end[0] + 1 - top:
        rows[0:0] = [[] for _ in range(top)]  # and from the first used row on, in some versions
    return rows


# A real workbook's XML compresses 5–20 times; a "zip bomb" (gigabytes of spaces in a few MB) would
# make the reading library allocate all of it at once. Deflate cannot exceed about 1,032 : 1, so a
# member whose compressed size could not hide more than this is trusted without reading it.
BOMB_BYTES = 100 * 1024 * 1024
BOMB_RATIO = 100
MAX_MEMBER_BYTES = 1536 * 1024 * 1024


def check_zip_bomb(path: Path) -> None:
    """Refuse, before any library unpacks it, a workbook whose parts unpack to absurd sizes (the zip's
    stated sizes are not trusted: each suspect part is decompressed and counted, in constant memory)."""
    try:
        z = zipfile.ZipFile(path)
        infos = z.infolist()
    except Exception:
        return  # not a readable zip: the reader's own refusal says so
    for info in infos:
        if info.compress_size * 1100 <= BOMB_BYTES and info.file_size <= BOMB_BYTES:
            continue
        size = 0
        try:
            with z.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_MEMBER_BYTES or (
                        size > BOMB_BYTES and size > BOMB_RATIO * max(1, info.compress_size)
                    ):
                        raise InputRefused(
                            f"文件中的“{info.filename}”解压后超过 {size // (1024 * 1024):,} MB"
                            f"（压缩前只有 {max(1, info.compress_size // 1024):,} KB），不是正常的表格，可能已损坏或是恶意文件，"
                            "没有读取。请向发来的单位要原表，或在 Excel 中打开后另存再导入。",
                            file=path.name,
                        )
        except InputRefused:
            raise
        except Exception:
            return  # a corrupt part: the reader's own refusal names it


def read_workbook(path: Path, sheet: str | None = None, kind: str | None = None) -> Table:
    """`kind`: what sniff() found, when the caller has already looked."""
    from python_calamine import CalamineWorkbook

    if (kind or sniff(path)) in ("xlsx", "ods"):
        check_zip_bomb(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        if type(exc).__name__ == "PasswordError":  # an old .xls with a password
            raise InputRefused(_PASSWORD, file=path.name) from None
        raise _broken(path, exc) from None
    names = list(wb.sheet_names)
    if sheet is not None and sheet not in names:
        raise InputRefused(
            f"没有名为“{sheet}”的工作表；本文件的工作表有：{'、'.join(names)}。", file=path.name
        )
    candidates = [sheet] if sheet is not None else names
    is_xlsx = (kind or sniff(path)) == "xlsx"
    intern: dict[Any, Any] = {}
    for name in candidates:
        errors = check_xlsx_sheet(path, name) if is_xlsx else {}
        try:
            ws = wb.get_sheet_by_name(name)
            rows = _rows_of(ws, intern)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
        except _TooLong as exc:
            raise _too_many_rows(exc.rows, path.name, name) from None
        except Exception as exc:  # a corrupt member (XmlError … corrupt deflate stream) and the like
            raise _broken(path, exc, name) from None
        del ws
        for (r, c), value in errors.items():
            if r < len(rows):
                row = rows[r]
                if c >= len(row):
                    row.extend([""] * (c + 1 - len(row)))
                row[c] = ExcelError(value)
        if _has_data(rows) or sheet is not None:
            if not _has_data(rows):
                raise InputRefused("工作表是空的。", file=path.name, sheet=name)
            return Table(file=path.name, sheet=name, rows=rows, sheets=names, merged=merged)
    raise InputRefused("所有工作表都是空的。", file=path.name)


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """The first sheet with data (or the named one) as rows of cell values. Whatever goes wrong in a
    reader library is an InputRefused naming the file."""
    path = Path(path)
    kind = sniff(path)
    try:
        table = read_csv(path) if kind == "csv" else read_workbook(path, sheet, kind)
    except AidofficeError:
        raise
    except MemoryError:
        raise InputRefused(
            "文件太大，内存不足，无法读取。请把它分成几个较小的文件分别导入。", file=path.name
        ) from None
    except UnicodeError as exc:
        raise InputRefused(
            f"文件的文字编码无法识别（{exc.__class__.__name__}）。{_ENCODING_ADVICE}", file=path.name
        ) from None
    except Exception as exc:  # any other failure of a reader library on a hostile file
        raise _broken(path, exc, sheet) from None
    if len(table.rows) > MAX_ROWS:
        raise _too_many_rows(len(table.rows), path.name, table.sheet)
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
