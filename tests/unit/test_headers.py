"""Knowing columns by their many names, and finding the header under title rows."""

from __future__ import annotations

import pytest

from aidoffice.errors import InputRefused
from aidoffice.sheets.headers import column_letter, find_layout, header_key, synonyms
from aidoffice.sheets.kinds import LIST, STUDENTS
from aidoffice.sheets.readers import Table


@pytest.mark.parametrize(
    "name",
    [
        "身份证件号",
        "身份证号",
        "身份证号码",
        "证件号码",
        "公民身份号码",
        "身份证件号码",
        " 身份证号码* ",
        "身份证号（18位）",
    ],
)
def test_every_name_of_the_id_column(name):
    """Each system names the ID column its own way; every usual name must find it, or no student is read."""
    assert synonyms().fields_of(name) == "id_number"


def test_header_keys_ignore_width_brackets_and_marks():
    """乡（镇） and 乡(镇) are one column to a clerk; messages must name columns by their Excel letters."""
    assert header_key("乡（镇）") == header_key("乡(镇)") == header_key("乡 镇") == "乡镇"
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(27) == "AB"


def test_list_words_name_groups_and_statuses():
    """Civil-affairs lists name groups and statuses in their own words; each must map to the right group."""
    syn = synonyms()
    assert syn.group_of("农村低保") == "dibao"
    assert syn.group_of("分散供养特困人员") == "tekun"
    assert syn.group_of("脱贫不稳定户") == "monitored"
    assert syn.group_of("一般农户") is None
    assert (
        syn.is_inactive("风险已消除")
        and syn.is_inactive("不享受政策")
        and not syn.is_inactive("继续享受政策")
    )


def test_a_two_level_header_written_once_over_its_columns_in_csv():
    """A merged 监护人 header over 姓名/联系电话 must give both guardian columns, not lose the phone."""
    rows = [
        ["2026年秋季学生名单"],
        ["姓名", "身份证号", "监护人", "", "年级", "班级"],
        ["", "", "姓名", "联系电话", "", ""],
        ["张三", "130624201305030011", "张大山", "13800001111", "七年级", "1班"],
    ]
    layout = find_layout(Table("x.csv", None, rows), STUDENTS)
    assert layout.header_rows == (1, 2) and layout.data_start == 3
    assert layout.fields == {
        "name": 0, "id_number": 1, "guardian_name": 2, "guardian_phone": 3, "grade": 4, "class_name": 5,
    }  # fmt: skip


def test_a_sheet_without_any_header_is_refused_with_advice():
    """A sheet with only data rows must be refused saying no header was found, not read with guessed columns."""
    rows = [["张三", "130624201305030011"], ["李四", "130624201305030027"]]
    with pytest.raises(InputRefused, match=r"找不到表头.*请确认选对了工作表"):
        find_layout(Table("x.xlsx", "Sheet1", rows), LIST)


@pytest.mark.parametrize("left_out", ["民族", "现住址", "是否孤儿", "学校名称"])
def test_a_column_left_out_never_makes_the_first_student_a_second_header_row(left_out):
    """With 民族=不导入 remembered, the header joined with the first student's row used to score one
    more known column; that student was silently never read, in every later import of the kind."""
    from tests.sheets import ENROLLMENT_HEADER, enrollment_rows

    table = Table("学籍.xlsx", "Sheet1", [ENROLLMENT_HEADER, *enrollment_rows(3)])
    layout = find_layout(table, STUDENTS, {header_key(left_out): "ignore"})
    assert layout.header_rows == (0,) and layout.data_start == 1
    assert layout.columns[ENROLLMENT_HEADER.index(left_out)].field == "ignore"


def test_a_row_of_id_numbers_dates_and_phones_is_never_a_header_row():
    """Data is data whatever the words above it: a header search must not swallow a student."""
    from aidoffice.sheets.headers import looks_like_data

    assert looks_like_data(["张三", "130624201305030111", "男"])
    assert looks_like_data(["张三", "G130624201305030111"])
    assert looks_like_data(["李四", "13812345678"])
    assert looks_like_data(["2013-05-03", "王五"])
    assert looks_like_data([1, 2, 3, 4, 5, "备注"])
    assert not looks_like_data(["序号", "姓名", "身份证件号", "出生日期", "联系电话"])
    assert not looks_like_data(["2026年秋季学期资助名单"])
    table = Table("x.xlsx", "S", [["姓名", "民族", "身份证件号"], ["张三", "汉族", "130624201305030111"]])
    # even with every name of the data row unknown, the header stays one row
    assert find_layout(table, LIST, {"民族": "ignore"}).header_rows == (0,)
