"""The national aid system's import templates as profiles: the shipped rules load, the sample templates
are the ones the profiles build, and the check reports every cell the system would refuse on upload."""

from __future__ import annotations

from openpyxl import Workbook, load_workbook

from aidoffice.exporting import profiles
from aidoffice.exporting.template import analyse_workbook
from tests.factories import an_id


def test_the_shipped_profiles_load_with_their_rules():
    """The three national upload templates and their allowed values must load, or no check can run at all."""
    found = profiles.profiles()
    assert set(found) == {"national_family", "national_assessment", "national_aid_list"}
    level = next(c for c in found["national_assessment"].columns if c.title == "认定级别")
    assert level.choices == ("不困难", "一般困难", "比较困难", "特别困难") and level.required
    assert profiles.find_profile("资助名单").code == "national_aid_list"


def test_the_shipped_sample_templates_are_what_the_profiles_build():
    """A profile edited without regenerating its sample would hand the office a wrong template."""
    for p in profiles.profiles().values():
        shipped = load_workbook(profiles.profiles_dir() / f"{p.name}导入模板.xlsx")
        assert shipped.sheetnames == [p.sheet]
        assert [c.value for c in shipped.active[1]] == p.titles


def test_the_county_samples_are_recognised_as_templates():
    """The sample county templates we ship must fill without asking the clerk to place any column."""
    from aidoffice.exporting.samples import SAMPLES
    from aidoffice.paths import resources_dir

    for name in SAMPLES:
        layout = analyse_workbook(load_workbook(resources_dir() / "templates" / "county" / name))
        assert layout.unplaced == [] and "amount" in layout.fields


def test_lengths_count_a_chinese_character_as_two():
    """The national system measures length in bytes, two per Chinese character; we must count as it does."""
    assert profiles.byte_length("张三") == 4 and profiles.byte_length("Li Lei") == 6


def _rows(p, **cells):
    return [[cells.get(t) for t in p.titles]]


def test_every_refused_cell_is_reported_by_row_and_column():
    """Every cell the national system would refuse must be named by row and column before the upload fails."""
    p = profiles.find_profile("困难学生认定")
    good = an_id()
    rows = [
        [None, good, None, "特别困难", "20260905", None],  # no name
        [
            "王五",
            good[:6] + " " + good[7:],
            None,
            "困难",
            "2026-09-05",
            "因" * 120,
        ],  # spaces, level, date, length
        ["赵六", good, "G123", "一般困难", "20260231", None],  # ID twice, bad 学籍号, no such day
    ]
    reasons = {(c.row, c.column): c.reason for c in profiles.check_rows(p, rows)}
    assert reasons[(2, "A")] == "必填项为空"
    assert reasons[(3, "B")] == "证件号中有空格"
    assert "不是字典值" in reasons[(3, "D")]
    assert "20201014" in reasons[(3, "E")]
    assert "超过上限 200" in reasons[(3, "F")]
    assert "重复" in reasons[(4, "B")] and "第 2 行" in reasons[(4, "B")]
    assert "学籍号" in reasons[(4, "C")]
    assert "不存在" in reasons[(4, "E")]


def test_a_group_flag_written_no_is_refused():
    """The system takes a flag only as “是” or blank; “否” is refused on upload."""
    p = profiles.find_profile("家庭经济信息")
    rows = _rows(p, 姓名="李四", 身份证件号=an_id(), 是否低保家庭学生="否", 是否孤儿="是")
    reasons = {c.title: c.reason for c in profiles.check_rows(p, rows)}
    assert list(reasons) == ["是否低保家庭学生"] and "不能填“否”" in reasons["是否低保家庭学生"]


def test_a_name_not_as_in_the_ledger_is_refused():
    """The national system refuses a name that differs from 学籍; the clerk must see the ledger's spelling."""
    p = profiles.find_profile("资助名单")
    ident = an_id()
    rows = _rows(p, 姓名="张 三", 身份证件号=ident, 资助项目="生活补助", **{"资助金额(元)": "750"})
    reasons = {c.title: c.reason for c in profiles.check_rows(p, rows, ledger_names={ident: "张三"})}
    assert reasons == {"姓名": "与学籍不一致（学籍中为“张三”）"}


def test_a_file_with_wrong_header_titles_is_reported_before_its_cells(tmp_path):
    """A renamed header makes the system reject the whole file; it must be reported first, then the cells."""
    p = profiles.find_profile("资助名单")
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", *p.titles[2:]])
    wb.active.append(["李四", an_id(), None, "生活补助", 0])
    wb.save(tmp_path / "f.xlsx")
    found = profiles.check_file(tmp_path / "f.xlsx", p)
    assert [(c.row, c.column) for c in found] == [(1, "B")] and "身份证件号" in found[0].reason
    wb.active["B1"] = "身份证件号"
    wb.save(tmp_path / "f.xlsx")
    found = profiles.check_file(tmp_path / "f.xlsx", p)
    assert [(c.row, c.column, c.reason) for c in found] == [(2, "E", "金额应大于 0")]
