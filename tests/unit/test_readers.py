"""Reading the files as the office receives them; every file here is built by the test itself."""

import zipfile

import pytest
import xlwt
from openpyxl import Workbook

from aidoffice.errors import InputRefused
from aidoffice.importing.readers import read_table

HEADER = ["序号", "姓名", "身份证件号"]
ROW = [1, "张三", "130624201305030111"]


def _xlsx(path, sheets):
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_rows_keep_the_numbers_excel_shows(tmp_path):
    path = _xlsx(tmp_path / "学籍.xlsx", {"Sheet1": [["2026年秋季学籍名单"], [], HEADER, ROW]})
    table = read_table(path)
    assert table.rows[2][:3] == HEADER  # Excel row 3
    assert table.rows[3][1] == "张三"  # Excel row 4


def test_the_first_sheet_with_data_is_chosen_and_a_named_one_on_request(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", {"说明": [], "名单": [HEADER, ROW], "备用": [["x"]]})
    assert read_table(path).sheet == "名单"
    assert read_table(path, sheet="备用").rows == [["x"]]
    with pytest.raises(InputRefused, match=r"没有名为“汇总”的工作表.*说明、名单、备用"):
        read_table(path, sheet="汇总")


def test_old_xls_files_are_read(tmp_path):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("脱贫人口")
    for c, v in enumerate(HEADER):
        ws.write(0, c, v)
    for c, v in enumerate(ROW):
        ws.write(1, c, v)
    wb.save(str(tmp_path / "脱贫.xls"))
    assert read_table(tmp_path / "脱贫.xls").rows[1][1] == "张三"


@pytest.mark.parametrize(
    ("encoding", "expected"), [("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")]
)
def test_csv_in_the_encodings_chinese_excel_and_wps_write(tmp_path, encoding, expected):
    path = tmp_path / "低保.csv"
    path.write_bytes("乡镇,姓名,身份证号码\r\n城南庄镇,李四,130624201305030111\r\n".encode(encoding))
    table = read_table(path)
    assert table.encoding == expected
    assert table.rows[1] == ["城南庄镇", "李四", "130624201305030111"]


def test_tab_separated_text_is_read_too(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("姓名\t身份证号\n王五\t130624201305030111\n", encoding="utf-8")
    assert read_table(path).rows[1] == ["王五", "130624201305030111"]


def test_a_word_document_renamed_to_xlsx_is_refused_by_name(tmp_path):
    path = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InputRefused, match="Word 文档") as err:
        read_table(path)
    assert "名单.xlsx" in str(err.value)


def test_a_password_protected_workbook_is_refused_with_how_to_fix(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _xlsx(tmp_path / "plain.xlsx", {"S": [HEADER, ROW]})
    locked = tmp_path / "加密.xlsx"
    with plain.open("rb") as src, locked.open("wb") as dst:
        OOXMLFile(src).encrypt("123456", dst)
    with pytest.raises(InputRefused, match=r"打开密码.*取消密码"):
        read_table(locked)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "空的"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x00\x01\x02binary", "不是表格文件"),
        (b"PK\x03\x04broken", "损坏"),
    ],
)
def test_files_that_are_not_tables(tmp_path, content, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputRefused, match=message):
        read_table(path)


def test_an_empty_workbook_is_refused(tmp_path):
    with pytest.raises(InputRefused, match="空"):
        read_table(_xlsx(tmp_path / "e.xlsx", {"Sheet1": []}))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(InputRefused, match="不存在"):
        read_table(tmp_path / "nope.xlsx")


def test_excel_turns_long_numbers_into_floats_which_we_can_spot(tmp_path):
    from aidoffice.importing.cleaning import excel_mangled_id

    path = _xlsx(tmp_path / "m.xlsx", {"S": [HEADER, [1, "张三", 130624201305030111]]})
    cell = read_table(path).rows[1][2]
    assert excel_mangled_id(cell)
    assert excel_mangled_id("1.30624E+17") and not excel_mangled_id("130624201305030111")
    assert read_table(path).rows[0][0] == "序号"


def test_a_stray_cell_at_the_far_end_of_the_sheet_is_refused_before_it_exhausts_memory(tmp_path):
    """A space typed into XFD1 and A1048576 makes the sheet 17 billion cells; reading it would abort
    the program. It is refused at once, naming the cells to delete."""
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    ws.append(["张三", "130624201305030011"])
    ws["A1048576"] = " "
    ws["XFD1"] = " "
    path = tmp_path / "名单.xlsx"
    wb.save(path)
    with pytest.raises(InputRefused) as exc:
        read_table(path)
    assert "A1048576" in str(exc.value) and "XFD1" in str(exc.value) and "删除" in str(exc.value)
