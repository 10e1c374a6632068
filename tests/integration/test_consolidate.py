"""County consolidation: many schools' filled rosters of one template become one workbook in the same
template, with per-school totals and the problems county staff look for; the schools' files are never
touched."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aidoffice.db.models import AuditEntry
from aidoffice.errors import InputRefused
from aidoffice.exporting import template as tpl
from aidoffice.exporting.consolidate import consolidate
from aidoffice.exporting.samples import Shape
from aidoffice.privacy import find_sensitive
from tests.factories import an_id
from tests.sheets import school_file


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def three_schools(tmp_path):
    twice = an_id()
    a = school_file(tmp_path / "城关中学.xlsx", "城关中学",
                    [("王一", twice, 750, "6228480000000000011"), ("王二", an_id(), 750, "6228480000000000012")])  # fmt: skip
    bad = an_id()
    bad = bad[:17] + ("1" if bad[17] != "1" else "2")
    b = school_file(tmp_path / "龙泉关中学.xlsx", "龙泉关中学",
                    [("李一", bad, 750, "6228480000000000021"), ("李二", an_id(), 375.5, None)])  # fmt: skip
    c = school_file(tmp_path / "台峪中学.xlsx", "台峪中学",
                    [("王一", twice, 750, "6228480000000000031"), ("赵三", an_id(), 750, "6228480000000000032"),
                     ("赵四", an_id(), 750, "6228480000000000033")], total=2000)  # fmt: skip
    return [a, b, c], twice


def test_schools_are_merged_into_the_same_template_and_the_sources_never_change(three_schools, tmp_path):
    """The county hands in one roster in its own template and must trust the schools' files were left untouched."""
    files, _ = three_schools
    before = [digest(p) for p in files]
    out = tmp_path / "县汇总.xlsx"
    res = consolidate(files, out)
    assert [digest(p) for p in files] == before
    assert (res.rows, res.total) == (7, Decimal("4875.50"))
    wb = load_workbook(out)
    assert wb.sheetnames == ["花名册", "各校合计", "问题"]
    ws = wb["花名册"]
    assert ws["A1"].value.startswith("阜平县2026-2027学年") and ws["A3"].value == "序号"
    assert [ws.cell(r, 2).value for r in range(4, 11)] == [
        "王一",
        "王二",
        "李一",
        "李二",
        "王一",
        "赵三",
        "赵四",
    ]
    assert [ws.cell(r, 1).value for r in range(4, 11)] == list(range(1, 8))
    assert ws["K11"].value == "=SUM(K4:K10)" and ws["A11"].value == "合    计"
    assert ws["A13"].value == "制表人："
    assert ws["A2"].value == "学校（盖章）：各校汇总（3 所）"
    assert ws["D4"].data_type == "s" and len(ws["D4"].value) == 18
    summary = [[c.value for c in row] for row in wb["各校合计"].iter_rows(min_row=2, max_row=4)]
    assert [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in summary] == [
        ("城关中学", 2, 1500, 1500, "一致", "4—5"),
        ("龙泉关中学", 2, 1125.5, 1125.5, "一致", "6—7"),
        ("台峪中学", 3, 2250, 2000, "不一致", "8—10"),
    ]


def test_a_child_aided_by_two_schools_and_the_other_problems_are_listed(three_schools, tmp_path):
    """A child paid twice, a bad ID, no account or a wrong total must reach county staff; no full ID in the JSON."""
    files, twice = three_schools
    res = consolidate(files, tmp_path / "县汇总.xlsx")
    kinds = sorted((p.kind, p.school, p.row) for p in res.problems)
    assert kinds == [
        ("duplicate", "台峪中学", 4),
        ("invalid_id", "龙泉关中学", 4),
        ("no_account", "龙泉关中学", 5),
        ("total_mismatch", "台峪中学", 7),
    ]
    dup = next(p for p in res.problems if p.kind == "duplicate")
    assert dup.id_number == twice and "城关中学「城关中学.xlsx」第 4 行" in dup.detail and dup.out_row == 8
    mismatch = next(p for p in res.problems if p.kind == "total_mismatch")
    assert "2,000.00" in mismatch.detail and "2,250.00" in mismatch.detail and mismatch.column == "K"
    sheet = load_workbook(tmp_path / "县汇总.xlsx")["问题"]
    assert sheet["A2"].value in {"跨校重复资助", "证件号无效", "缺少卡号", "合计不符"}
    assert sheet.max_row == 5
    # the JSON a script reads carries no full ID number
    import json

    assert not find_sensitive(json.dumps(res.as_json(), ensure_ascii=False))


def test_a_total_formula_that_misses_rows_is_found(tmp_path):
    """A school that added rows below its total's range: the formula's value is worked out and compared."""
    path = school_file(tmp_path / "a.xlsx", "城关中学", [("甲", an_id(), 100, "6228480000000000011"),
                                                          ("乙", an_id(), 200, "6228480000000000012")])  # fmt: skip
    wb = load_workbook(path)
    wb["花名册"]["K6"] = "=SUM(K4:K4)"
    wb.save(path)
    res = consolidate([path], tmp_path / "out.xlsx")
    assert [p.kind for p in res.problems] == ["total_mismatch"]
    assert res.schools[0].file_total == Decimal("100.00") and res.schools[0].amount == Decimal("300.00")


def test_a_file_of_another_template_is_merged_by_its_column_names(tmp_path):
    """A school that used another template must still be counted, its columns matched by name, and flagged."""
    a = school_file(tmp_path / "a.xlsx", "甲校", [("甲", an_id(), 100, "6228480000000000011")])
    b = school_file(tmp_path / "b.xlsx", "乙校", [("乙", an_id(), 200, "6228480000000000021")],
                    shape=Shape(two_row_header=True, instructions_sheet=True))  # fmt: skip
    res = consolidate([a, b], tmp_path / "out.xlsx")
    assert [p.kind for p in res.problems] == ["other_template"]
    ws = load_workbook(tmp_path / "out.xlsx")["花名册"]
    assert [ws.cell(r, 2).value for r in (4, 5)] == ["甲", "乙"]
    assert [ws.cell(r, 11).value for r in (4, 5)] == [100, 200]
    assert ws["O5"].value == "6228480000000000021"


def test_a_file_that_is_not_a_roster_is_refused_by_name(tmp_path):
    """A stray notice among the rosters is named and nothing written; the summary never overwrites a source."""
    a = school_file(tmp_path / "a.xlsx", "甲校", [("甲", an_id(), 100, "6228480000000000011")])
    bad = tmp_path / "通知.docx"
    bad.write_bytes(b"PK\x03\x04not really")
    with pytest.raises(InputRefused, match=r"通知\.docx"):
        consolidate([a, bad], tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
    with pytest.raises(InputRefused, match="不能保存到参加汇总的文件上"):
        consolidate([a], a)


def test_consolidation_is_recorded_with_who_did_it(db, tmp_path):
    """A county summary holds many schools' full numbers; the trail must say who made it from which files."""
    a = school_file(tmp_path / "a.xlsx", "甲校", [("甲", an_id(), 100, "6228480000000000011")])
    with db.unit_of_work(actor="县资助中心") as s:
        consolidate([a], tmp_path / "out.xlsx", session=s)
    with db.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "consolidation")).one()
    assert (
        entry.actor == "县资助中心" and entry.after["sources"] == ["a.xlsx"] and entry.after["full_numbers"]
    )


def test_hostile_content_in_a_schools_file_does_not_reach_the_county_live(tmp_path):
    """A school's workbook is not a trusted template: a link formula in its title, a formula in a name cell
    and a direction override reach the county workbook as visible text, and each is reported."""
    a = school_file(tmp_path / "甲校.xlsx", "甲校", [("王一", an_id(), 750, "6228480000000000011"),
                                                  ("王二", an_id(), 750, "6228480000000000012")])  # fmt: skip
    wb = load_workbook(a)
    ws = wb[tpl.analyse_workbook(wb).sheet]
    layout = tpl.analyse_workbook(wb)
    ws["A1"] = '=HYPERLINK("http://evil.example","学校A")'
    ws.cell(layout.first_data_row + 1, layout.fields["name"]).value = "=cmd|' /C calc'!A0"
    ws.cell(layout.first_data_row, layout.fields["name"]).value = "王\u202e一"
    wb.save(a)
    b = school_file(tmp_path / "乙校.xlsx", "乙校", [("李一", an_id(), 750, "6228480000000000021")])
    res = consolidate([a, b], tmp_path / "县汇总.xlsx")
    out = load_workbook(tmp_path / "县汇总.xlsx")
    cells = [c for w in out for row in w.iter_rows() for c in row if c.value is not None]
    live = [c.value for c in cells if c.data_type == "f"]
    assert live and all(v.lstrip("=").upper().startswith(("SUM", "SUBTOTAL")) for v in live), live
    assert any(c.value == '=HYPERLINK("http://evil.example","学校A")' and c.data_type == "s" for c in cells)
    assert not any(isinstance(c.value, str) and "\u202e" in c.value for c in cells)
    kinds = {p.kind for p in res.problems}
    assert {"formula", "no_name"} <= kinds


def test_an_id_excel_turned_into_a_number_is_recovered_from_the_student_number_and_rows_are_pointed_at(
    tmp_path,
):
    """A school's file where Excel ate the last digits of an ID: the G + ID 学籍号 of the same row gives
    it back (written as text, as on import), and every problem names its row in the county's sheet."""
    from openpyxl import load_workbook as load

    kid, other = an_id(), an_id()
    path = school_file(tmp_path / "城关中学.xlsx", "城关中学",
                       [("王一", kid, 750, "6228480000000000011"), ("王二", other, 750, None)])  # fmt: skip
    wb = load(path)
    layout = tpl.analyse_workbook(wb)
    ws = wb[layout.sheet]
    first, f = layout.first_data_row, layout.fields
    ws.cell(first, f["id_number"]).value = float(kid[:15] + "000")  # what Excel keeps of it
    ws.cell(first, f["student_no"]).value = "G" + kid
    wb.save(path)
    res = consolidate([path], tmp_path / "县汇总.xlsx")
    by_kind = {p.kind: p for p in res.problems}
    assert by_kind["id_recovered"].id_number == kid and "已按全国学籍号恢复" in by_kind["id_recovered"].detail
    assert by_kind["no_account"].out_row == by_kind["id_recovered"].out_row + 1
    out = load(tmp_path / "县汇总.xlsx")
    merged = out[layout.sheet].cell(by_kind["id_recovered"].out_row, f["id_number"])
    assert merged.value == kid and merged.data_type == "s"


def test_an_empty_or_formula_id_is_filled_from_the_student_number_or_reported_so_double_aid_is_found(
    tmp_path,
):
    """A school left one ID cell empty (its 学籍号 G+ID is there) and wrote =A1 in another: the first is
    filled from the 学籍号 and still meets its twin at another school; the formula's row is reported."""
    from openpyxl import load_workbook as load

    twice, other = an_id(), an_id()
    a = school_file(tmp_path / "甲校.xlsx", "甲校", [("王一", twice, 750, "6228480000000000011")])
    b = school_file(tmp_path / "乙校.xlsx", "乙校",
                    [("王一", twice, 750, "6228480000000000021"), ("李二", other, 750, "6228480000000000022")])  # fmt: skip
    wb = load(b)
    layout = tpl.analyse_workbook(wb)
    ws, first, f = wb[layout.sheet], layout.first_data_row, layout.fields
    ws.cell(first, f["id_number"]).value = None
    ws.cell(first, f["student_no"]).value = "G" + twice
    ws.cell(first + 1, f["id_number"]).value = "=A1"
    wb.save(b)
    res = consolidate([a, b], tmp_path / "县汇总.xlsx")
    kinds = {(p.kind, p.name) for p in res.problems}
    assert {("duplicate", "王一"), ("id_recovered", "王一"), ("invalid_id", "李二")} <= kinds
    formula = next(p for p in res.problems if p.kind == "invalid_id")
    # a formula with no number behind it reads as an empty cell: reported, pointing at its row
    assert ("公式" in formula.detail or "没有证件号" in formula.detail) and formula.out_row is not None
