"""Files as the office receives them, built by the tests: a 学籍 export, a poverty list, a civil-affairs
CSV, an award list — clean or with the dirt of the field (title rows, merged two-level headers, 合计
rows, repeated headers, Excel-mangled IDs, GB18030, .xls, .ods)."""

from __future__ import annotations

import csv
import random
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aidoffice.domain.idnumber import make_id

ENROLLMENT_HEADER = [
    "学校标识码", "学校名称", "年级", "班级", "姓名", "性别", "出生日期", "民族", "身份证件类型", "身份证件号",
    "全国学籍号", "户口所在地", "现住址", "住宿情况", "是否留守儿童", "是否随迁子女", "是否孤儿", "是否残疾人",
    "监护人姓名", "监护人联系电话", "入学年月", "学生状态",
]  # fmt: skip

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
_GIVEN = "子涵欣怡梓轩浩然雨萱宇轩一诺依诺思远佳怡俊杰博文晨曦雅琪志强建国秀英桂兰明辉丽娟晓燕海涛"
_GRADES = ["七年级", "八年级", "九年级"]


def name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(_SURNAMES) + given


def enrollment_rows(n: int, seed: int = 7, school_code: str = "3113006241") -> list[list[Any]]:
    """n students of a junior school as the 学籍 system exports them (IDs as text)."""
    rng = random.Random(seed)
    rows = []
    used: set[str] = set()
    for i in range(n):
        grade = _GRADES[i % 3]
        birth = date(2013 - _GRADES.index(grade), rng.randint(1, 12), rng.randint(1, 28))
        while True:
            idn = make_id("130624", birth, rng.randint(0, 999))
            if idn not in used:
                used.add(idn)
                break
        sex = "男" if int(idn[16]) % 2 else "女"
        rows.append(
            [
                school_code, "阜平县城关中学", grade, f"{rng.randint(1, 8)}班", name(rng), sex, f"{birth:%Y-%m-%d}",
                "汉族", "居民身份证", idn, "G" + idn, "河北省保定市阜平县龙泉关镇黑崖沟村", "河北省保定市阜平县城关镇",
                rng.choice(("住校", "走读")), rng.choice(("是", "否", "否")), "否", "否", "否", name(rng),
                f"13{rng.randint(100000000, 999999999)}", f"{2024 - _GRADES.index(grade)}-09", "在读",
            ]
        )  # fmt: skip
    return rows


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    merges: Sequence[str] = (),
    extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
    first_sheet_empty: bool = False,
) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if first_sheet_empty:
        ws.title = "说明"
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for title, data in (extra_sheets or {}).items():
        other = wb.create_sheet(title)
        for row in data:
            other.append(list(row))
    wb.save(path)
    return path


def write_fast_xlsx(path: Path, rows: Sequence[Sequence[Any]], sheet: str = "学生信息") -> Path:
    """Large files: openpyxl's write-only mode."""
    from openpyxl import Workbook

    from aidoffice.sheets.headers import column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    # Excel and WPS write the used range at the top of the sheet; openpyxl's write-only mode does not
    width = max(len(r) for r in rows)
    dimension = f'<dimension ref="A1:{column_letter(width - 1)}{len(rows)}"/>'.encode()
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == member:
                data = data.replace(b"<sheetViews>", dimension + b"<sheetViews>", 1)
            z.writestr(info, data)
    return path


def write_csv(
    path: Path, rows: Sequence[Sequence[Any]], encoding: str = "gb18030", delimiter: str = ","
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(["" if v is None else v for v in r] for r in rows)
    return path


def write_xls(path: Path, rows: Sequence[Sequence[Any]], sheet: str = "Sheet1") -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_ods(
    path: Path, rows: Sequence[Sequence[Any]], sheet: str = "Sheet1", formulas: dict | None = None
) -> Path:
    """A minimal OpenDocument spreadsheet (as LibreOffice or WPS would save it). `formulas` maps
    (row, col) → (formula, cached value); a text cached value makes a text formula cell."""
    formulas = formulas or {}

    def cell(r: int, c: int, v: Any) -> str:
        if (r, c) in formulas:
            f, cached = formulas[(r, c)]
            if isinstance(cached, str):  # a text result: the cached text is what the cell shows
                return (
                    f'<table:table-cell table:formula="of:{escape(f, {chr(34): "&quot;"})}" '
                    f'office:value-type="string" office:string-value="{escape(cached)}">'
                    f"<text:p>{escape(cached)}</text:p></table:table-cell>"
                )
            return (
                f'<table:table-cell table:formula="of:{escape(f)}" office:value-type="float" '
                f'office:value="{cached}"><text:p>{cached}</text:p></table:table-cell>'
            )
        if v is None:
            return "<table:table-cell/>"
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join(
        "<table:table-row>" + "".join(cell(r, c, v) for c, v in enumerate(row)) + "</table:table-row>"
        for r, row in enumerate(rows)
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED
        )
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


POVERTY_HEADER = [
    "县", "乡(镇)", "村", "户编号", "户主姓名", "与户主关系", "成员姓名", "证件号码", "性别", "出生日期",
    "户类型", "享受政策状态", "在校生状况", "就读学校",
]  # fmt: skip


CHILD = make_id("130624", date(2014, 3, 9), 11)
SISTER = make_id("130624", date(2016, 7, 1), 22)
HEAD = make_id("130624", date(1982, 1, 5), 33)
OTHER = make_id("130624", date(2013, 9, 9), 45)


def poverty_file(tmp_path: Path, name: str = "脱贫户.xlsx", child_status="继续享受政策", with_other=True):
    rows = [
        ["阜平县", "龙泉关镇", "黑崖沟村", "1306240001", "张大山", "户主", "张大山", HEAD, "男", "1982-01-05",
         "脱贫户", "继续享受政策", "", ""],
        [None, None, None, None, None, "之子", "张小明", CHILD, "男", "2014-03-09", "脱贫户", child_status,
         "在校生", "阜平县城关中学"],
        [None, None, None, None, None, "之女", "张小红", SISTER, "女", "2016-07-01", "脱贫户", child_status,
         "在校生", "龙泉关镇中心小学"],
    ]  # fmt: skip
    if with_other:
        rows.append(
            ["阜平县", "城南庄镇", "后堡村", "1306240002", "李四", "之子", "李小四", OTHER, "男", "2013-09-09",
             "监测户", "风险未消除", "", ""]
        )  # fmt: skip
    return write_xlsx(
        tmp_path / name,
        [["阜平县2026年脱贫人口及监测对象名单"], POVERTY_HEADER, *rows],
        merges=["A1:N1", "A3:A5", "B3:B5", "C3:C5", "D3:D5", "E3:E5"],
    )


def school_file(path: Path, school: str, people: list[tuple], shape=None, total=None) -> Path:  # type: ignore[no-untyped-def]
    """A school's roster as the school sends it, in the county's sample template (`Shape`):
    (name, ID, amount, account) per row."""
    from decimal import Decimal

    from aidoffice.exporting import template as tpl
    from aidoffice.exporting.samples import Shape, build

    wb = build(shape or Shape())
    layout = tpl.analyse_workbook(wb)
    f = layout.fields
    cols = [f["name"], f["id_number"], f["amount"], f["bank_account"]]
    rows = [[n, i, Decimal(str(a)), acc] for n, i, a, acc in people]
    res = tpl.fill(wb, layout, rows, cols, text_cols=[f["id_number"], f["bank_account"]], school_name=school,
                   on_date=date(2026, 9, 20))  # fmt: skip
    if total is not None:
        wb[layout.sheet].cell(res.total_row, f["amount"]).value = total
    wb.save(path)
    return path


def corrupt_member(path, member="xl/worksheets/sheet1.xml"):
    """Flip bytes in the middle of a member's compressed data, keeping the zip's directory intact."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    data = bytearray(path.read_bytes())
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 2, start + info.compress_size - 2):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path
