"""Sample county roster templates, built in code in the shapes counties use (title, seal and date line,
one- or two-row merged header, sample row, 合计 row with or without a formula, signature lines, print
titles and area, a frozen pane, data validation, a second sheet of instructions).

They are shipped in `resources/templates/county/` (`python -m aidoffice.exporting.samples` writes them
again), and the tests and benchmarks build the same shapes with their own variations."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from aidoffice.files import atomic_path

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# (header, width, number format) of a typical county living-subsidy roster
COLUMNS = [
    ("序号", 5, None),
    ("姓名", 9, None),
    ("性别", 5, None),
    ("身份证号", 20, "@"),
    ("学籍号", 21, "@"),
    ("年级", 7, None),
    ("班级", 6, None),
    ("困难类型", 10, None),
    ("是否寄宿", 6, None),
    ("资助标准", 8, "0.00"),
    ("金额", 12, "#,##0.00"),  # wide enough for a school's total (110,125.00), not only one row's
    ("监护人", 8, None),
    ("联系电话", 13, "@"),
    ("开户行", 16, None),  # 中国邮政储蓄银行
    ("银行卡号", 22, "@"),
    ("备注", 10, None),
]


@dataclass(frozen=True)
class Shape:
    two_row_header: bool = False
    total: str = "formula"  # formula / value / none
    footer: bool = True
    seal_line: bool = True
    instructions_sheet: bool = False
    freeze: bool = True
    validation: bool = True
    print_setup: bool = True
    sample_rows: int = 1
    title: str = "阜平县2026-2027学年第一学期义务教育家庭经济困难学生生活补助发放花名册"


def build(shape: Shape = Shape()) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    if shape.instructions_sheet:
        info = wb.create_sheet("填表说明", 0)
        info["A1"] = "填表说明"
        info["A1"].font = Font(bold=True, size=14)
        info["A2"] = "1. 身份证号、银行卡号请设置为文本格式，不得使用科学计数法。"
        info["A3"] = "2. 合计行请勿删除。"
        info.column_dimensions["A"].width = 60
        wb.active = 1
    n = len(COLUMNS)
    last = get_column_letter(n)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = shape.title
    ws["A1"].font = Font(name="宋体", bold=True, size=16)
    ws["A1"].alignment = CENTER
    ws.row_dimensions[1].height = 30
    row = 2
    if shape.seal_line:
        ws.merge_cells(f"A2:{get_column_letter(8)}2")
        ws["A2"] = "学校（盖章）："
        ws.merge_cells(f"{get_column_letter(11)}2:{last}2")
        ws[f"{get_column_letter(11)}2"] = "填报日期：      年    月    日"
        ws[f"{get_column_letter(11)}2"].alignment = Alignment(horizontal="right")
        row = 3
    header_top = row
    header_font = Font(name="宋体", bold=True, size=10)
    fill = PatternFill("solid", fgColor="D9D9D9")
    if shape.two_row_header:
        # 学生信息 over 姓名…学籍号, 监护人 over 姓名|联系电话, 银行信息 over 开户行|银行卡号
        groups = {(2, 5): "学生信息", (12, 13): "监护人", (14, 15): "银行信息"}
        sub = {12: "姓名", 13: "联系电话"}
        for c, (title, _w, _f) in enumerate(COLUMNS, 1):
            group = next(((a, b, t) for (a, b), t in groups.items() if a <= c <= b), None)
            top, bottom = ws.cell(row, c), ws.cell(row + 1, c)
            for cell in (top, bottom):
                cell.font, cell.border, cell.alignment, cell.fill = header_font, BOX, CENTER, fill
            if group is None:
                top.value = title
                ws.merge_cells(start_row=row, start_column=c, end_row=row + 1, end_column=c)
            else:
                if c == group[0]:
                    top.value = group[2]
                    ws.merge_cells(start_row=row, start_column=group[0], end_row=row, end_column=group[1])
                bottom.value = sub.get(c, title)
        ws.row_dimensions[row].height = 20
        ws.row_dimensions[row + 1].height = 20
        header_bottom = row + 1
    else:
        for c, (title, _w, _f) in enumerate(COLUMNS, 1):
            cell = ws.cell(row, c, title)
            cell.font, cell.border, cell.alignment, cell.fill = header_font, BOX, CENTER, fill
        ws.row_dimensions[row].height = 28
        header_bottom = row
    first = header_bottom + 1
    body_font = Font(name="宋体", size=10)
    for r in range(first, first + shape.sample_rows):
        for c, (_t, _w, fmt) in enumerate(COLUMNS, 1):
            cell = ws.cell(r, c)
            cell.border, cell.font = BOX, body_font
            cell.alignment = Alignment(vertical="center", horizontal="center" if c in (1, 3, 9) else None)
            if fmt:
                cell.number_format = fmt
        ws.row_dimensions[r].height = 18
    last_sample = first + shape.sample_rows - 1
    r = last_sample + 1
    total_row = None
    if shape.total != "none":
        total_row = r
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.cell(r, 1, "合    计").alignment = CENTER
        for c in range(1, n + 1):
            ws.cell(r, c).border = BOX
            ws.cell(r, c).font = Font(name="宋体", bold=True, size=10)
        amount = 11
        letter = get_column_letter(amount)
        ws.cell(r, amount).number_format = "#,##0.00"
        if shape.total == "formula":
            ws.cell(r, amount).value = f"=SUM({letter}{first}:{letter}{last_sample})"
        r += 1
    if shape.footer:
        r += 1
        ws.cell(r, 1, "制表人：")
        ws.cell(r, 6, "审核人：")
        ws.cell(r, 11, "学校负责人：")
        ws.cell(r + 1, 1, "注：本表一式三份，学校、中心校、县资助中心各存一份。")
        ws.cell(r + 1, 1).font = Font(name="宋体", size=9, italic=True)
    for c, (_t, width, _f) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    if shape.freeze:
        ws.freeze_panes = f"C{first}"
    if shape.validation:
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        dv.add(f"I{first}:I{last_sample}")
        ws.add_data_validation(dv)
        ws.conditional_formatting.add(
            f"K{first}:K{last_sample}",
            CellIsRule(operator="greaterThan", formula=["2000"], fill=PatternFill("solid", fgColor="FFC7CE")),
        )
    if shape.print_setup:
        ws.print_title_rows = f"{header_top}:{header_bottom}"
        end = ws.max_row
        ws.print_area = f"A1:{last}{end}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    del total_row
    return wb


SAMPLES = {
    "县级花名册-一行表头.xlsx": Shape(),
    "县级花名册-两行合并表头.xlsx": Shape(two_row_header=True, instructions_sheet=True),
    "县级花名册-无合计行.xlsx": Shape(total="none", footer=False, seal_line=False),
}


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, shape in SAMPLES.items():
        with atomic_path(folder / name) as tmp:
            build(shape).save(tmp)
        out.append(folder / name)
    return out


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    parser = argparse.ArgumentParser(description="重新生成 resources/templates/ 下的示例模板")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    from aidoffice.paths import resources_dir

    for p in write_samples(args.out or resources_dir() / "templates" / "county"):
        print(p)
