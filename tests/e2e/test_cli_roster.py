"""`aidoffice export roster` and `aidoffice consolidate` run as a clerk's script or a county batch would."""

from __future__ import annotations

import hashlib

import pytest
from openpyxl import load_workbook

from aidoffice import clock
from aidoffice.domain.terms import Term as TermValue
from aidoffice.exporting.samples import Shape, build
from aidoffice.privacy import find_sensitive
from tests.e2e.cli import last_json, run


def this_term() -> str:
    """The demo fills the term of the day the tests run on (the clock is pinned, any day of the year)."""
    return TermValue.containing(clock.today()).code


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def office(request, tmp_path):
    if request.param == "sqlite":
        db = str(tmp_path / "office.db")
    else:
        from tests.conftest import PG_URL, _worker_db_url

        if not PG_URL:
            pytest.skip("PostgreSQL 测试已跳过：未设置 AIDOFFICE_TEST_PG_URL")
        db = _worker_db_url(request.getfixturevalue("worker_id") + "_roster")  # a fresh database of its own
    assert (
        run("init", "--school", "阜平县城关中学", "--county", "阜平县", home=tmp_path, db=db).returncode == 0
    )
    assert run("demo", "--students", "300", home=tmp_path, db=db).returncode == 0
    return tmp_path, db


def test_preview_confirm_and_export_into_the_county_template(office):
    """A clerk previews with masked IDs, confirms, and gets the county's template filled with a total that adds up."""
    home, db = office
    template = home / "县模板.xlsx"
    build(Shape(two_row_header=True)).save(template)
    r = run(
        "--json",
        "export",
        "roster",
        "--policy",
        "生活补助",
        "--term",
        this_term(),
        "--dry-run",
        home=home,
        db=db,
    )
    assert r.returncode == 0, r.stderr
    preview = last_json(r)
    assert preview["dry_run"] and preview["out"] is None and preview["proposal"]["included"] > 0
    assert not find_sensitive(r.stdout)  # the preview masks ID numbers
    out = home / "花名册.xlsx"
    args = (
        "export",
        "roster",
        "--policy",
        "生活补助",
        "--term",
        this_term(),
        "--template",
        str(template),
        "--out",
        str(out),
    )
    # the demo pays a few students the eligibility rule does not name (误助, `aidoffice.demo`): the
    # preview lists them as blocking checks, and confirming without a reason is refused, nothing written
    blocking = [c for c in preview["checks"] if c["blocking"]]
    assert blocking and {c["kind"] for c in blocking} == {"not_eligible"}
    r = run("--json", *args, "--confirm", home=home, db=db)
    assert r.returncode == 1, r.stdout
    refused = last_json(r)
    assert refused["kind"] == "refused" and "--anyway" in refused["error"]
    assert [c["name"] for c in refused["checks"] if c["blocking"]] == [c["name"] for c in blocking]
    assert not out.exists()
    r = run("--json", *args, "--confirm", "--anyway", "县里同意先报，下周补材料", home=home, db=db)
    assert r.returncode == 0, r.stderr
    done = last_json(r)
    assert done["rows"] == preview["proposal"]["included"] and done["out"] == str(out)
    assert done["confirmed"]["created"] + preview["proposal"]["recorded"] == done["rows"]
    ws = load_workbook(out)["花名册"]
    first, total_row = done["first_row"], done["total_row"]
    assert total_row == first + done["rows"]
    assert ws.cell(total_row, 11).value == f"=SUM(K{first}:K{total_row - 1})"
    assert ws.cell(first, 4).data_type == "s" and len(ws.cell(first, 4).value) == 18
    amounts = sum(float(ws.cell(r, 11).value) for r in range(first, total_row))
    assert round(amounts, 2) == float(done["total"])
    # exporting again without review writes what was confirmed
    r = run("--json", *args, "--anyway", "同上", home=home, db=db)
    assert r.returncode == 0, r.stderr
    assert last_json(r)["rows"] == done["rows"] and "confirmed" not in last_json(r)


def test_an_unknown_column_is_refused_with_the_header_then_mapped(tmp_path):
    """At a terminal the clerk sees the unknown column and the header row, then settles it with --map."""
    home, db = tmp_path, str(tmp_path / "office.db")
    run("init", "--school", "阜平县城关中学", home=home, db=db)
    run("demo", "--students", "200", home=home, db=db)
    wb = build(Shape())
    wb["花名册"]["Q3"] = "领款签章"
    template = home / "县模板.xlsx"
    wb.save(template)
    args = ["export", "roster", "--policy", "一补", "--term", this_term(), "--template", str(template), "--confirm",
            "--anyway", "测试", "--out", str(home / "a.xlsx")]  # fmt: skip
    r = run("--json", *args, home=home, db=db)
    assert r.returncode == 1
    assert "领款签章" in r.stderr and "第 3 行：序号 | 姓名" in r.stderr and "--map" in r.stderr
    assert last_json(r)["unplaced"] == [{"column": "Q", "header": "领款签章"}]
    r = run("--json", *args, "--map", "领款签章=留空", home=home, db=db)
    assert r.returncode == 0, r.stderr


def test_a_map_against_a_recognised_header_is_refused_and_not_remembered(tmp_path):
    """Issue 20 §4: `--map "姓名=身份证件号"` was accepted and remembered for the template, so later
    exports filled 姓名 with ID numbers. Refused (exit 1) naming the column and --force-map; confirmed
    with --force-map, the check of the column's content still refuses IDs under 姓名; nothing written."""
    home, db = tmp_path, str(tmp_path / "office.db")
    run("init", "--school", "阜平县城关中学", home=home, db=db)
    run("demo", "--students", "200", home=home, db=db)
    template = home / "县模板.xlsx"
    build(Shape()).save(template)
    out = home / "a.xlsx"
    args = ["export", "roster", "--policy", "一补", "--term", this_term(), "--template", str(template), "--confirm",
            "--anyway", "测试", "--out", str(out), "--map", "姓名=身份证件号"]  # fmt: skip
    r = run("--json", *args, home=home, db=db)
    assert r.returncode == 1 and "「姓名」列（B 列）" in r.stderr and "--force-map" in r.stderr
    r = run("--json", *args, "--force-map", home=home, db=db)
    assert r.returncode == 1 and "不像姓名" in r.stderr and not find_sensitive(r.stderr)
    assert not out.exists()
    r = run("--json", *args[:-2], home=home, db=db)  # without the wrong --map: the template as recognised
    assert r.returncode == 0, r.stderr
    ws = load_workbook(out)["花名册"]
    first = last_json(r)["first_row"]
    assert not any(ch.isdigit() for ch in ws.cell(first, 2).value)


def test_usage_mistakes_and_a_term_without_a_roster(tmp_path):
    """A removal without --confirm, a term with no awards, an unknown policy or no --days each says what to do."""
    home, db = tmp_path, str(tmp_path / "office.db")
    run("init", "--school", "阜平县城关中学", home=home, db=db)
    run("demo", "--students", "100", home=home, db=db)
    r = run("export", "roster", "--policy", "一补", "--term", this_term(), "--remove", "张三=转学", "--out",
            str(home / "x.xlsx"), home=home, db=db)  # fmt: skip
    assert r.returncode == 2 and "--confirm" in r.stderr
    r = run("export", "roster", "--policy", "一补", "--term", "2030-2031-1", "--out", str(home / "x.xlsx"),
            home=home, db=db)  # fmt: skip
    assert r.returncode == 1 and "还没有发放记录" in r.stderr and "--dry-run" in r.stderr
    r = run("export", "roster", "--policy", "大礼包", "--term", this_term(), "--dry-run", home=home, db=db)
    assert r.returncode == 1 and "不在资助项目目录中" in r.stderr
    r = run("export", "roster", "--policy", "营养餐", "--term", this_term(), "--dry-run", home=home, db=db)
    assert r.returncode == 1 and "--days" in r.stderr


def test_county_consolidation_from_the_command_line(tmp_path):
    """County staff merge the schools' files by script: counts and problems in JSON, no full ID, sources untouched."""
    from tests.factories import an_id
    from tests.sheets import school_file

    twice = an_id()
    a = school_file(tmp_path / "甲校.xlsx", "甲校", [("王一", twice, 750, "6228480000000000011")])
    b = school_file(tmp_path / "乙校.xlsx", "乙校", [("王一", twice, 750, "6228480000000000021"),
                                                     ("李二", an_id(), 375, "")])  # fmt: skip
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b)]
    out = tmp_path / "县汇总.xlsx"
    r = run(
        "--json", "consolidate", str(a), str(b), "--out", str(out), home=tmp_path, db=str(tmp_path / "c.db")
    )
    assert r.returncode == 0, r.stderr
    res = last_json(r)
    assert (res["files"], res["rows"], res["total"]) == (2, 3, "1875.00")
    assert res["counts"] == {"duplicate": 1, "no_account": 1}
    assert not find_sensitive(r.stdout)
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b)] == before
    assert load_workbook(out).sheetnames == ["花名册", "各校合计", "问题"]
    r = run("consolidate", str(a), str(tmp_path / "没有这个文件.xlsx"), "--out", str(out), home=tmp_path,
            db=str(tmp_path / "c.db"))  # fmt: skip
    assert r.returncode == 1 and "没有这个文件.xlsx" in r.stderr
