"""Reading the files as the office receives them; every file here is built by the test itself."""

import zipfile

import pytest
import xlwt
from openpyxl import Workbook

from aidoffice.errors import InputRefused
from aidoffice.sheets.readers import read_table
from tests.sheets import corrupt_member

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
    """Messages cite rows by number; blank and title rows must be kept so "row 4" is row 4 in Excel."""
    path = _xlsx(tmp_path / "学籍.xlsx", {"Sheet1": [["2026年秋季学籍名单"], [], HEADER, ROW]})
    table = read_table(path)
    assert table.rows[2][:3] == HEADER  # Excel row 3
    assert table.rows[3][1] == "张三"  # Excel row 4


def test_the_first_sheet_with_data_is_chosen_and_a_named_one_on_request(tmp_path):
    """A workbook opening with an empty 说明 sheet must still be read; a wrong sheet name lists the real ones."""
    path = _xlsx(tmp_path / "a.xlsx", {"说明": [], "名单": [HEADER, ROW], "备用": [["x"]]})
    assert read_table(path).sheet == "名单"
    assert read_table(path, sheet="备用").rows == [["x"]]
    with pytest.raises(InputRefused, match=r"没有名为“汇总”的工作表.*说明、名单、备用"):
        read_table(path, sheet="汇总")


def test_old_xls_files_are_read(tmp_path):
    """Civil-affairs offices still send Excel 97 .xls files; the office must not have to convert them first."""
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
    """Chinese Excel saves CSV in GB18030, WPS in UTF-8 with or without a mark; each must give the right names."""
    path = tmp_path / "低保.csv"
    path.write_bytes("乡镇,姓名,身份证号码\r\n城南庄镇,李四,130624201305030111\r\n".encode(encoding))
    table = read_table(path)
    assert table.encoding == expected
    assert table.rows[1] == ["城南庄镇", "李四", "130624201305030111"]


def test_tab_separated_text_is_read_too(tmp_path):
    """Text copied out of a web system is tab-separated even when named .csv; it must still be read."""
    path = tmp_path / "list.csv"
    path.write_text("姓名\t身份证号\n王五\t130624201305030111\n", encoding="utf-8")
    assert read_table(path).rows[1] == ["王五", "130624201305030111"]


def test_a_word_document_renamed_to_xlsx_is_refused_by_name(tmp_path):
    """A Word document saved as .xlsx must be called a Word document, so the clerk knows what was sent."""
    path = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InputRefused, match="Word 文档") as err:
        read_table(path)
    assert "名单.xlsx" in str(err.value)


def test_a_password_protected_workbook_is_refused_with_how_to_fix(tmp_path):
    """A workbook with an open password must be refused saying to remove the password, not called corrupt."""
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
    """An empty file, a PDF, binary junk or a broken zip each get a message saying what the file is."""
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputRefused, match=message):
        read_table(path)


def test_an_empty_workbook_is_refused(tmp_path):
    """A workbook with no rows must be refused as empty, not imported as a list with nobody on it."""
    with pytest.raises(InputRefused, match="空"):
        read_table(_xlsx(tmp_path / "e.xlsx", {"Sheet1": []}))


def test_a_missing_file_is_refused(tmp_path):
    """A path to a file that is gone must say so in Chinese, not end in a traceback."""
    with pytest.raises(InputRefused, match="不存在"):
        read_table(tmp_path / "nope.xlsx")


def test_excel_turns_long_numbers_into_floats_which_we_can_spot(tmp_path):
    """An ID Excel stored as a number has lost digits; the importer must be able to spot it and say so."""
    from aidoffice.sheets.cleaning import excel_mangled_id

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


# ---- hostile files (issue 8 items 10 and 11) --------------------------------------------------------


def test_a_workbook_with_a_corrupt_sheet_is_refused_in_chinese_naming_the_file(tmp_path):
    """calamine's “XmlError … corrupt deflate stream” used to reach the user as an English crash (exit 3)."""
    rows = [HEADER] + [[i, f"学生{i}", "130624201305030111"] for i in range(300)]
    path = corrupt_member(_xlsx(tmp_path / "坏表.xlsx", {"Sheet1": rows}))
    with pytest.raises(InputRefused) as err:
        read_table(path)
    message = str(err.value)
    assert "坏表.xlsx" in message and "损坏" in message and "另存" in message


def test_a_utf8_mark_before_gbk_text_is_read_as_gbk(tmp_path):
    """Some converters put a UTF-8 mark before GBK bytes; that used to crash with UnicodeDecodeError."""
    path = tmp_path / "低保.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "姓名,身份证号码\r\n李四,130624201305030111\r\n".encode("gbk"))
    table = read_table(path)
    assert table.rows[1] == ["李四", "130624201305030111"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_from_excel_is_read_with_or_without_its_mark(tmp_path, encoding):
    """Excel's “Unicode 文本” is UTF-16; it used to be called “not a table file”."""
    path = tmp_path / "名单.csv"
    path.write_bytes("姓名\t身份证号码\r\n王五\t130624201305030111\r\n".encode(encoding))
    table = read_table(path)
    assert table.rows[1] == ["王五", "130624201305030111"]
    assert table.encoding.startswith("utf-16")


def test_a_csv_mixing_utf8_and_gbk_is_refused_naming_the_file_and_both_lines(tmp_path):
    """Guessing one encoding would store garbled names for half the rows."""
    path = tmp_path / "合并的名单.csv"
    path.write_bytes(
        "姓名,身份证号码\r\n张三,130624201305030111\r\n".encode()
        + "李四,130624201305030222\r\n".encode("gbk")
    )
    with pytest.raises(InputRefused) as err:
        read_table(path)
    message = str(err.value)
    assert "合并的名单.csv" in message and "第 1 行是 UTF-8" in message and "第 3 行" in message


def test_a_file_in_no_known_encoding_is_refused_naming_the_file(tmp_path):
    """A file in no known encoding must be refused by name, never imported with garbled names."""
    path = tmp_path / "乱码.csv"
    path.write_bytes(b"name,id\r\n" + bytes([0x81, 0x20, 0xFF, 0x30]) * 4 + b"\r\n")
    with pytest.raises(InputRefused) as err:
        read_table(path)
    assert "乱码.csv" in str(err.value) and "编码" in str(err.value)


def test_excel_error_values_arrive_as_errors_not_blanks(tmp_path):
    """calamine reads #REF! and #N/A as empty cells; the importer must be able to name them."""
    from aidoffice.sheets.readers import ExcelError, excel_error

    path = _xlsx(
        tmp_path / "e.xlsx", {"S": [HEADER, [1, "#N/A", "#REF!"], [2, "张三", "130624201305030111"]]}
    )
    rows = read_table(path).rows
    assert isinstance(rows[1][2], ExcelError) and excel_error(rows[1][2]) == "#REF!"
    assert excel_error(rows[1][1]) == "#N/A"
    assert excel_error(rows[2][2]) is None


def test_a_genuine_million_row_sheet_is_refused_quickly_with_its_size_and_the_limit(tmp_path):
    """It used to take 40 s and blame “a far stray cell”; the clerk needs to know it is simply too long."""

    from aidoffice.sheets.readers import MAX_ROWS

    rows_xml = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>张{r}</t></is></c><c r="B{r}"><v>{r}</v></c></row>'
        for r in range(1, 1_000_001)
    )
    path = tmp_path / "全县.xlsx"
    _xlsx(path, {"Sheet1": [["x"]]})
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (
                    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="A1:B1000000"/><sheetData>{rows_xml}</sheetData></worksheet>'
                ).encode()
            z.writestr(info, data)
    with pytest.raises(InputRefused) as err:  # how fast: bench/bench_import.py --huge
        read_table(path)
    message = str(err.value)
    assert "1,000,000 行" in message and f"{MAX_ROWS:,}" in message and "空格" not in message


def test_a_million_row_csv_is_refused_with_its_size(tmp_path):
    """A CSV past the row limit must be refused with its size and the limit, not read until memory runs out."""
    from aidoffice.sheets.readers import MAX_ROWS

    path = tmp_path / "全县.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("姓名,身份证号码\n")
        for i in range(MAX_ROWS + 5):
            fh.write(f"张{i},{i}\n")
    with pytest.raises(InputRefused, match=f"{MAX_ROWS + 6:,} 行.*上限 {MAX_ROWS:,} 行"):
        read_table(path)


def test_a_cell_longer_than_the_csv_modules_limit_is_read(tmp_path):
    """A long remark past the csv module's field limit must not make the whole file unreadable."""
    path = tmp_path / "长.csv"
    path.write_text("姓名,备注\n张三," + "长" * 200_000 + "\n", encoding="utf-8")
    assert len(read_table(path).rows[1][1]) == 200_000


def test_a_zip_bomb_is_refused_before_anything_unpacks_it(tmp_path):
    """A few MB that unpack to gigabytes would exhaust a 4 GB office PC; it must be refused, quickly and
    in constant memory, naming the file."""
    import resource
    import zipfile

    from openpyxl import Workbook

    from aidoffice.sheets.readers import read_table

    plain = tmp_path / "plain.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "身份证件号"])
    wb.save(plain)
    bomb = tmp_path / "学籍导出.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, data)
                continue
            head, _, tail = data.partition(b"</sheetData>")
            with dst.open(info.filename, "w", force_zip64=True) as out:
                out.write(head)
                for _ in range(160):  # 160 MB of spaces inside the sheet
                    out.write(b" " * (1 << 20))
                out.write(b"</sheetData>" + tail)
    assert bomb.stat().st_size < 2_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputRefused, match="解压后超过") as err:
        read_table(bomb)
    assert err.value.file == "学籍导出.xlsx"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 60


def test_a_utf16_csv_without_a_byte_order_mark_is_read(tmp_path):
    """Some programs save UTF-16 with no mark; a Chinese header (一 is 00 4E in it) must still be read."""
    from aidoffice.sheets.readers import read_table

    rows = [["姓名", "身份证件号", "年级", "班级"], ["王一", "130624201305030011", "七年级", "1班"]]
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes("\r\n".join("\t".join(r) for r in rows).encode(encoding))
        table = read_table(path)
        assert table.rows[:2] == rows, encoding
