"""Filling a county's roster template: the header, sample row, 合计 row and footer are found in each
shape counties use, the rows go between header and total styled like the sample row, and everything
else — title, merges, styles, widths, heights, print titles and area, frozen pane, validation,
conditional formats, formulas, other sheets — comes back exactly as the county made it."""

from __future__ import annotations

from copy import copy
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Border, Side

from aidoffice.errors import InputRefused
from aidoffice.exporting import template as tpl
from aidoffice.exporting.samples import COLUMNS, Shape, build
from aidoffice.sheets.headers import IGNORE
from tests.factories import an_id

TEXT = ("id_number", "student_no", "bank_account", "guardian_phone")


def rows_for(layout: tpl.TemplateLayout, n: int, **override) -> tuple[list[list], list[int]]:
    """n rows of plausible values for the template's columns (and the columns they fill)."""
    fields = {c: f for f, c in layout.fields.items() if f != "seq"}
    cols = sorted(fields)
    out = []
    for i in range(n):
        values = {
            "name": f"学生{i + 1}",
            "sex": "男",
            "id_number": an_id(),
            "student_no": None,
            "grade": "七年级",
            "class_name": "1班",
            "category": "脱贫家庭",
            "boarding": "是",
            "standard": Decimal("750.00"),
            "amount": Decimal("750.00") if i % 2 == 0 else Decimal("375.50"),
            "guardian_name": "家长",
            "guardian_phone": "13812345678",
            "bank_name": "农业银行",
            "bank_account": f"62284800000000{i:05d}",
            "notes": None,
        } | override
        out.append([values.get(fields[c]) for c in cols])
    return out, cols


def fill_file(
    tmp_path: Path, shape: Shape, n: int, name: str = "t.xlsx", **kw
) -> tuple[Path, Path, tpl.FillResult]:
    src = tmp_path / ("模板-" + name)
    build(shape).save(src)
    wb = load_workbook(src, rich_text=True)
    layout = tpl.analyse_workbook(wb)
    rows, cols = rows_for(layout, n)
    text = [layout.fields[f] for f in TEXT if f in layout.fields]
    res = tpl.fill(wb, layout, rows, cols, text_cols=text, **kw)
    out = tmp_path / name
    wb.save(out)
    return src, out, res


def style(cell) -> tuple:
    """The cell's look, comparable across workbooks (openpyxl hands out proxies that never compare equal)."""
    return copy(cell.font), copy(cell.border), copy(cell.fill), cell.number_format, copy(cell.alignment)


def snapshot(ws, row: int, width: int) -> list:
    return [(ws.cell(row, c).value, *style(ws.cell(row, c))) for c in range(1, width + 1)]


# ---- finding the parts --------------------------------------------------------------------------------


def test_one_row_header_sample_total_and_footer_are_found():
    """The title and the seal line are not the header; the 合计 row ends the data; signatures follow."""
    layout = tpl.analyse_workbook(build(Shape()))
    assert layout.header_rows == (3,)
    assert (layout.first_data_row, layout.last_data_row, layout.total_row, layout.footer_row) == (4, 4, 5, 7)
    assert layout.unplaced == []
    assert layout.fields["id_number"] == 4 and layout.fields["amount"] == 11 and layout.fields["seq"] == 1
    assert (
        layout.fields["category"] == 8
        and layout.fields["boarding"] == 9
        and layout.fields["bank_account"] == 15
    )


def test_two_row_merged_header_is_read_as_one():
    """学生信息 over 姓名|性别|身份证号|学籍号, 监护人 over 姓名|联系电话: the guardian's name is not the student's."""
    layout = tpl.analyse_workbook(build(Shape(two_row_header=True, instructions_sheet=True)))
    assert layout.sheet == "花名册"  # not the instructions sheet in front of it
    assert layout.header_rows == (3, 4) and layout.first_data_row == 5
    assert layout.fields["name"] == 2 and layout.fields["guardian_name"] == 12
    assert layout.fields["guardian_phone"] == 13 and layout.fields["bank_account"] == 15


def test_a_template_without_total_or_footer_still_has_a_data_area():
    """Some counties send a bare header with no 合计 or signature lines; the roster must still be fillable."""
    layout = tpl.analyse_workbook(build(Shape(total="none", footer=False, seal_line=False)))
    assert layout.header_rows == (2,) and layout.total_row is None and layout.footer_row is None
    assert (layout.first_data_row, layout.last_data_row) == (3, 3)


def test_no_header_is_refused_with_the_sheet():
    """A workbook that is not a roster template must be refused as such, not filled in some random place."""
    wb = Workbook()
    wb.active["A1"] = "这不是花名册"
    with pytest.raises(InputRefused, match="找不到花名册"):
        tpl.analyse_workbook(wb, file="x.xlsx")
    with pytest.raises(InputRefused, match=r"工作表「Sheet」.*找不到花名册"):
        tpl.analyse_workbook(wb, file="x.xlsx", sheet="Sheet")


def test_a_guardian_id_under_a_person_header_is_left_to_the_user():
    """监护人/身份证号 must never receive the child's ID number."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "身份证号", "监护人", None, "金额"])
    ws.append([None, None, None, "姓名", "身份证号", None])
    ws.merge_cells("D1:E1")
    for col in "ABCF":
        ws.merge_cells(f"{col}1:{col}2")
    layout = tpl.analyse_workbook(wb)
    assert layout.fields["id_number"] == 3 and layout.fields["guardian_name"] == 4
    assert [c.header for c in layout.unplaced] == ["监护人/身份证号"]


# ---- filling ---------------------------------------------------------------------------------------


def test_rows_go_between_header_and_total_and_the_total_covers_exactly_them(tmp_path):
    """The county reads the 合计 row; it must sum exactly the students written, with seal line and date filled."""
    _src, out, res = fill_file(tmp_path, Shape(), 7, school_name="阜平县城关中学", on_date=date(2026, 9, 15))
    ws = load_workbook(out)["花名册"]
    assert (res.first_row, res.last_row, res.total_row) == (4, 10, 11)
    assert [ws.cell(r, 1).value for r in range(4, 11)] == list(range(1, 8))
    assert ws.cell(4, 2).value == "学生1" and ws.cell(10, 2).value == "学生7"
    assert ws.cell(11, 1).value == "合    计"
    assert ws.cell(11, 11).value == "=SUM(K4:K10)"  # the county's formula, re-ranged
    assert res.totals[11] == Decimal("750.00") * 4 + Decimal("375.50") * 3
    assert ws.cell(2, 1).value == "学校（盖章）：阜平县城关中学"
    assert "2026年9月15日" in ws.cell(2, 11).value
    assert ws.cell(13, 1).value == "制表人：" and ws.cell(13, 11).value == "学校负责人："


def test_every_data_row_is_styled_like_the_sample_row(tmp_path):
    """Row 30 of a printed roster must look like row 1: same borders, fonts, formats and height."""
    src, out, _ = fill_file(tmp_path, Shape(), 30)
    before = load_workbook(src)["花名册"]
    ws = load_workbook(out)["花名册"]
    for r in (4, 17, 33):
        for c in range(1, len(COLUMNS) + 1):
            got, want = style(ws.cell(r, c)), style(before.cell(4, c))
            assert got == want, (r, c)
        assert ws.row_dimensions[r].height == before.row_dimensions[4].height


def test_ids_and_accounts_are_text_so_no_program_turns_them_into_numbers(tmp_path):
    """Stored as numbers, an ID or bank account would lose its last digits when the county opens the file."""
    _, out, _ = fill_file(tmp_path, Shape(), 3)
    ws = load_workbook(out)["花名册"]
    for c in (4, 15, 13):
        cell = ws.cell(5, c)
        assert cell.data_type == "s" and cell.number_format == "@" and isinstance(cell.value, str)
    assert len(ws.cell(5, 4).value) == 18


@pytest.mark.parametrize(
    "shape",
    [
        Shape(),
        Shape(two_row_header=True, instructions_sheet=True),
        Shape(total="none", footer=False, seal_line=False),
        Shape(total="value"),
        Shape(sample_rows=12),
    ],
    ids=["one-row", "two-row-merged", "no-total", "total-typed", "twelve-blank-rows"],
)
@pytest.mark.parametrize("n", [1, 5, 40])
def test_the_template_comes_back_intact_apart_from_the_data(tmp_path, shape, n):
    """Everything above the data and everything below it (moved by the number of rows) is exactly the
    county's: values, fonts, borders, fills, formats, merges, widths, heights, print setup."""
    src, out, res = fill_file(tmp_path, shape, n)
    a_wb, b_wb = load_workbook(src), load_workbook(out)
    a, b = a_wb["花名册"], b_wb["花名册"]
    layout = tpl.analyse_workbook(a_wb)
    width = layout.width
    shift = res.last_row - layout.last_data_row
    for r in range(1, layout.first_data_row):
        assert snapshot(b, r, width) == snapshot(a, r, width), r
        assert b.row_dimensions[r].height == a.row_dimensions[r].height
    for r in range(layout.last_data_row + 1, a.max_row + 1):
        got, want = snapshot(b, r + shift, width), snapshot(a, r, width)
        if r == layout.total_row:  # the total's own column formula is re-ranged; the rest is as it was
            got = [g for c, g in enumerate(got, 1) if c != 11]
            want = [w for c, w in enumerate(want, 1) if c != 11]
        assert got == want, r
        assert b.row_dimensions[r + shift].height == a.row_dimensions[r].height
    moved = set()
    for m in a.merged_cells.ranges:
        if m.max_row < layout.first_data_row:
            moved.add(m.coord)
        elif m.min_row > layout.last_data_row:
            moved.add(
                f"{m.coord.split(':')[0][0]}{m.min_row + shift}:{m.coord.split(':')[1][0]}{m.max_row + shift}"
            )
    assert {m.coord for m in b.merged_cells.ranges} == moved
    for col, dim in a.column_dimensions.items():
        assert b.column_dimensions[col].width == dim.width
    assert b.freeze_panes == a.freeze_panes
    assert b.print_title_rows == a.print_title_rows
    if shape.print_setup:
        last_row = a.max_row + shift
        assert b.print_area == f"'花名册'!$A$1:$P${last_row}"
    assert (b.page_setup.orientation, b.page_setup.paperSize, b.page_setup.fitToWidth) == (
        a.page_setup.orientation, a.page_setup.paperSize, a.page_setup.fitToWidth)  # fmt: skip
    assert b.print_options.horizontalCentered == a.print_options.horizontalCentered
    assert b.oddFooter.center.text == a.oddFooter.center.text
    assert a_wb.sheetnames == b_wb.sheetnames
    if shape.instructions_sheet:
        assert [c.value for c in b_wb["填表说明"]["A"]] == [c.value for c in a_wb["填表说明"]["A"]]
    if layout.total_row is not None:
        assert b.cell(res.total_row, 11).value == f"=SUM(K{res.first_row}:K{res.last_row})"


def test_validation_and_conditional_formats_cover_the_data_rows(tmp_path):
    """The county's 是/否 drop-down and highlighting must reach every student row, not just the first."""
    _, out, res = fill_file(tmp_path, Shape(), 25)
    ws = load_workbook(out)["花名册"]
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == [f"I4:I{res.last_row}"]
    assert ws.data_validations.dataValidation[0].formula1 == '"是,否"'
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == [f"K4:K{res.last_row}"]


def test_fewer_rows_than_the_template_prepared_close_the_gap(tmp_path):
    """A template with twelve blank rows and three students: the total follows the third row."""
    _, out, res = fill_file(tmp_path, Shape(sample_rows=12), 3)
    ws = load_workbook(out)["花名册"]
    assert (res.last_row, res.total_row) == (6, 7)
    assert ws.cell(7, 11).value == "=SUM(K4:K6)"
    assert ws.cell(9, 1).value == "制表人："


def test_a_typed_in_total_becomes_a_formula_over_the_rows(tmp_path):
    """A total the county typed as a number would be wrong for our rows; it must sum the rows written."""
    _, out, res = fill_file(tmp_path, Shape(total="value"), 4)
    assert load_workbook(out)["花名册"].cell(res.total_row, 11).value == "=SUM(K4:K7)"


def test_formulas_elsewhere_follow_the_rows_they_point_at(tmp_path):
    """A footer line reading the total, another sheet reading it, and a per-row formula in the sample row."""
    wb = build(Shape())
    ws = wb["花名册"]
    ws["J4"] = "=K4*2"  # the sample row computes 资助标准 from 金额
    ws["K8"] = "=K5"  # in the footer: the total
    other = wb.create_sheet("汇总")
    other["A1"] = "='花名册'!K5"
    other["A2"] = "=SUM('花名册'!K4:K4)"
    src = tmp_path / "f.xlsx"
    wb.save(src)
    wb = load_workbook(src)
    layout = tpl.analyse_workbook(wb)
    layout_fields = {c: f for f, c in layout.fields.items() if f not in ("seq", "standard")}
    cols = sorted(layout_fields)
    rows = [
        [{"name": f"学生{i}", "amount": Decimal(100 + i)}.get(layout_fields[c]) for c in cols]
        for i in range(6)
    ]
    tpl.fill(wb, layout, rows, cols)
    ws, other = wb["花名册"], wb["汇总"]
    assert [ws.cell(r, 10).value for r in range(4, 10)] == [f"=K{r}*2" for r in range(4, 10)]
    assert ws["K10"].value == "=SUM(K4:K9)"
    assert ws["K13"].value == "=K10"
    assert other["A1"].value == "='花名册'!K10"
    assert other["A2"].value == "=SUM('花名册'!K4:K9)"


def test_zero_rows_keep_one_blank_sample_row(tmp_path):
    """A roster with nobody on it must still be a valid template with a total of the empty row, not broken."""
    _, out, res = fill_file(tmp_path, Shape(), 0)
    ws = load_workbook(out)["花名册"]
    assert (res.first_row, res.last_row, res.total_row) == (4, 4, 5)
    assert ws.cell(4, 2).value is None and ws.cell(5, 11).value == "=SUM(K4:K4)"


def test_hostile_text_stays_text_and_rare_characters_survive(tmp_path):
    """A name typed as a formula never runs; control characters cannot break the file; 𠮷 is kept."""
    src = tmp_path / "h.xlsx"
    build(Shape()).save(src)
    wb = load_workbook(src)
    layout = tpl.analyse_workbook(wb)
    fields = {c: f for f, c in layout.fields.items() if f != "seq"}
    cols = sorted(fields)
    hostile = {
        "name": '=HYPERLINK("http://x","点我")',
        "notes": "坏\x07字符",
        "guardian_name": "𠮷野",
        "amount": Decimal(1),
    }
    tpl.fill(wb, layout, [[hostile.get(fields[c]) for c in cols]], cols)
    wb.save(tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx")["花名册"]
    assert ws["B4"].data_type == "s" and ws["B4"].value.startswith("=HYPERLINK")
    assert ws["P4"].value == "坏\ufffd字符"
    assert ws["L4"].value == "𠮷野"


def test_a_frozen_pane_below_the_header_and_page_breaks_stay_put(tmp_path):
    """The frozen header and the county's page breaks must still fall where the county put them after the rows."""
    wb = build(Shape())
    from openpyxl.worksheet.pagebreak import Break

    wb["花名册"].row_breaks.append(Break(id=6))
    src = tmp_path / "p.xlsx"
    wb.save(src)
    wb = load_workbook(src)
    layout = tpl.analyse_workbook(wb)
    rows, cols = rows_for(layout, 10)
    tpl.fill(wb, layout, rows, cols)
    ws = wb["花名册"]
    assert ws.freeze_panes == "C4"
    assert [b.id for b in ws.row_breaks.brk] == [15]


def test_naive_insert_rows_would_break_the_template():
    """Why the filler moves the block itself: insert_rows leaves merges, print area and the total's
    formula where they were."""
    wb = build(Shape())
    ws = wb["花名册"]
    ws.insert_rows(5, 10)
    assert "A5:C5" in {m.coord for m in ws.merged_cells.ranges}  # the 合计 merge did not move
    assert ws["K15"].value == "=SUM(K4:K4)"  # nor did its range grow


# ---- mapping -----------------------------------------------------------------------------------------


def _with_unknown_column() -> Workbook:
    wb = build(Shape())
    ws = wb["花名册"]
    ws["Q3"] = "持卡人签名栏"
    ws["Q3"].border = Border(left=Side(style="thin"))
    return wb


def test_an_unknown_column_is_unplaced_with_a_preview_and_can_be_mapped():
    """A column we do not know must be shown to the clerk with a preview and fillable once they say what it is."""
    wb = _with_unknown_column()
    layout = tpl.analyse_workbook(wb)
    assert [c.name for c in layout.unplaced] == ["持卡人签名栏"]
    preview = layout.preview(tpl.SheetGrid(wb["花名册"]))
    assert preview[0][:3] == ["序号", "姓名", "性别"] and preview[0][16] == "持卡人签名栏"
    tpl.apply_mapping(layout, {"持卡人签名栏": "监护人姓名"})
    assert layout.unplaced == [] and layout.fields["guardian_name"] == 12  # the first column of a field wins
    assert layout.column(17).field == "guardian_name"
    assert tpl.mapping_to_remember(layout) == {"持卡人签名栏": "guardian_name"}


def test_a_column_can_be_left_blank_and_is_remembered_by_the_header():
    """A clerk who said "leave this column blank" once must not be asked again for the same template."""
    wb = _with_unknown_column()
    layout = tpl.analyse_workbook(wb)
    tpl.apply_mapping(layout, {"列Q": "留空"})
    remembered = {layout.fingerprint: tpl.mapping_to_remember(layout)}
    again = tpl.analyse_workbook(_with_unknown_column(), remembered_by_fingerprint=remembered)
    assert again.unplaced == [] and again.column(17).field == IGNORE
    assert again.notes and "上次" in again.notes[0]


def test_a_mapping_to_nothing_known_is_refused_with_the_choices():
    """A mapping to an unknown field or a missing column must be refused listing what can be chosen."""
    layout = tpl.analyse_workbook(_with_unknown_column())
    with pytest.raises(InputRefused, match="可以填的项目有"):
        tpl.apply_mapping(layout, {"持卡人签名栏": "鞋码"})
    with pytest.raises(InputRefused, match="不是模板的列"):
        tpl.apply_mapping(layout, {"没有这列": "备注"})


def test_styles_of_the_title_survive_a_round_trip(tmp_path):
    """The county's title must keep its bold 16-point 宋体, centred, after we fill and save the template."""
    _src, out, _ = fill_file(tmp_path, Shape(), 2)
    title = load_workbook(out)["花名册"]["A1"]
    assert title.font.b and title.font.sz == 16 and title.font.name == "宋体"
    assert copy(title.alignment).horizontal == "center"


def test_the_count_blank_is_filled_on_the_seal_line_above_the_table_too(tmp_path):
    """Some counties put “共  人” beside the school's name above the table, not in the footer."""
    src = tmp_path / "模板.xlsx"
    wb = build(Shape())
    wb["花名册"]["I2"] = "共    人"
    wb.save(src)
    wb = tpl.open_template(src)
    layout = tpl.analyse_workbook(wb)
    rows, cols = rows_for(layout, 7)
    tpl.fill(wb, layout, rows, cols, school_name="阜平县城关中学", on_date=date(2026, 9, 15))
    assert wb["花名册"]["I2"].value == "共 7 人"
