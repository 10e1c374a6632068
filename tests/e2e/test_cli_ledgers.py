"""A new school with only the 学籍 export and the two departments' lists, run as a clerk's script:
both ledgers are filled, the totals agree, and the children on the lists whom no ledger accounts for
are found (需核实去向), with their village."""

from __future__ import annotations

import os

import pytest
from openpyxl import load_workbook

from aidoffice.privacy import find_sensitive
from tests.e2e.cli import last_json, run
from tests.village_world import CODE, civil_file, poverty_file, students_file


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def office(request, tmp_path, worker_id):
    if request.param == "sqlite":
        return str(tmp_path / "office.db")
    if not os.environ.get("AIDOFFICE_TEST_PG_URL"):
        pytest.skip("PostgreSQL 测试已跳过：未设置 AIDOFFICE_TEST_PG_URL")
    from tests.pg import fresh_pg_url

    return fresh_pg_url(f"ledgers_{worker_id}")


def test_only_the_students_export_and_two_lists_fill_both_ledgers(office, tmp_path):
    home = tmp_path
    init = run(
        "init",
        "--school",
        "阜平县城关中学",
        "--school-code",
        CODE,
        "--county",
        "阜平县",
        home=home,
        db=office,
    )
    assert init.returncode == 0, init.stderr
    path, rows = students_file(tmp_path)
    students = last_json(run("--json", "import", "students", str(path), home=home, db=office))
    assert students["created"] == len(rows)
    assert [w["row"] for w in students["warnings"]] == [7]  # "阜平县城南庄镇": no village, said by row
    assert any("外县" in n and "第 6 行" in n for n in students["notes"])
    poverty = run("--json", "import", "list", str(poverty_file(tmp_path, rows)), "--kind", "poverty",
                  "--source", "乡村振兴局", home=home, db=office)  # fmt: skip
    assert poverty.returncode == 0, poverty.stderr
    civil = run("--json", "import", "list", str(civil_file(tmp_path)), "--kind", "civil", "--source", "民政局低保",
                home=home, db=office)  # fmt: skip
    assert civil.returncode == 0, civil.stderr

    book = tmp_path / "问题清单.xlsx"
    r = run("--json", "reconcile", "--out", str(book), home=home, db=office)
    assert r.returncode == 0, r.stderr
    found = {f["name"] for f in last_json(r)["findings"] if f["kind"] == "NOT_ENROLLED"}
    assert found == {"王小梅", "李小雨"}
    sheet = load_workbook(book)["问题清单"]
    header_row = next(
        row for row in sheet.iter_rows(values_only=True) if row and "村" in row and "姓名" in row
    )
    village = header_row.index("村")
    name = header_row.index("姓名")
    villages = {
        row[name]: row[village] for row in sheet.iter_rows(values_only=True) if row and row[name] in found
    }
    assert villages == {"王小梅": "黑崖沟村", "李小雨": "大岸底村"}

    ledger = tmp_path / "户籍台账.xlsx"
    r = run("export", "ledger", "village", "--out", str(ledger), home=home, db=office)
    assert r.returncode == 0, r.stderr
    wb = load_workbook(ledger)
    summary = [row for row in wb["村汇总"].iter_rows(min_row=3, values_only=True) if row[0]]
    by_village = {row[1]: row for row in summary}
    assert set(by_village) == {"黑崖沟村", "大岸底村", "城北社区"}
    children = [row for row in wb["学龄儿童"].iter_rows(min_row=3, values_only=True) if row[0]]
    assert len(children) == sum(row[3] for row in summary)  # 学龄儿童 total = the children listed
    for v, row in by_village.items():
        listed = [c for c in children if c[1] == v]
        assert row[3] == len(listed)
        assert row[4] == sum(1 for c in listed if str(c[9]).startswith("本校"))
    assert by_village["黑崖沟村"][4] == 3  # in this school: not 0

    masked = tmp_path / "户籍台账（打码）.xlsx"
    assert (
        run("export", "ledger", "village", "--out", str(masked), "--mask", home=home, db=office).returncode
        == 0
    )
    for row in load_workbook(masked)["学龄儿童"].iter_rows(values_only=True):
        assert find_sensitive(" ".join(str(c) for c in row if c is not None)) == []


def test_served_villages_from_the_command_line(office, tmp_path):
    home = tmp_path
    assert (
        run(
            "init",
            "--school",
            "阜平县城关中学",
            "--school-code",
            CODE,
            "--county",
            "阜平县",
            home=home,
            db=office,
        ).returncode
        == 0
    )
    path, _rows = students_file(tmp_path)
    assert run("import", "students", str(path), home=home, db=office).returncode == 0
    shown = last_json(run("--json", "villages", home=home, db=office))
    assert not shown["confirmed"]
    assert {v["village"] for v in shown["villages"] if v["served"]} == {"黑崖沟村", "大岸底村", "城北社区"}
    assert run("villages", "--set", "城南庄镇", home=home, db=office).returncode == 2  # not 乡镇/村
    r = run(
        "--json", "villages", "--set", "龙泉关镇/黑崖沟村", "--set", "龙泉关镇/骆驼湾村", home=home, db=office
    )
    assert r.returncode == 0, r.stderr
    out = last_json(r)
    assert out["confirmed"]
    assert {v["village"] for v in out["villages"] if v["served"]} == {"黑崖沟村", "骆驼湾村"}
    text = run("villages", home=home, db=office)
    assert "已确认" in text.stdout and "骆驼湾村" in text.stdout
