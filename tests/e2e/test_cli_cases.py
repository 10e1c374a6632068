"""`aidoffice cases …` and `aidoffice dropout ledgers` as a clerk's script runs them: one child from a
需核实去向 finding through a case back to school, each step's JSON on the last line, refusals exit 1 with
the reason, wrong usage exits 2, and nothing printed or written carries a full ID number."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from aidoffice.privacy import find_sensitive
from tests.e2e.cli import last_json, run

DAY = {"AIDOFFICE_TODAY": "2026-12-06"}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    home = tmp_path_factory.mktemp("cases-cli")
    db = str(home / "office.db")
    assert run("init", "--school", "阜平县实验学校", home=home, db=db, **DAY).returncode == 0
    assert run("demo", "--students", "300", home=home, db=db, **DAY).returncode == 0
    r = run("--json", "reconcile", home=home, db=db, **DAY)
    assert r.returncode == 0, r.stderr
    return home, db, last_json(r)["findings"]


def test_a_child_is_followed_from_a_finding_through_a_case_back_to_school(office, tmp_path):
    home, db, findings = office
    finding = next(f for f in findings if f["kind"] == "NOT_ENROLLED" and not f["student_id"])

    def cli(*args: str):  # type: ignore[no-untyped-def]
        return run("--json", *args, home=home, db=db, **DAY)

    r = cli("cases", "open", "--problem", str(finding["problem_id"]), "--reason", "外出务工", "--plan", "每周家访",
            "--person", "班主任:李老师:13900001111", "--person", "村干部:王主任")  # fmt: skip
    assert r.returncode == 0, r.stderr
    case = last_json(r)["case"]
    cid = case["id"]
    assert (case["name"], case["status"], case["source"]) == (
        finding["name"],
        "劝返中",
        "比对发现（需核实去向）",
    )
    assert "*" in case["id_number"]
    r = cli("cases", "act", str(cid), "--way", "家访", "--said", "讲义务教育法", "--result", "答应回校")
    assert r.returncode == 0, r.stderr
    pdf = tmp_path / "复学通知书.pdf"
    r = cli("cases", "notice", str(cid), "--deadline", "2026-12-20", "--out", str(pdf))
    assert r.returncode == 0, r.stderr and pdf.is_file()
    assert last_json(r)["notice"]["deadline"] == "2026-12-20"
    r = cli("cases", "close", str(cid), "--outcome", "复学", "--note", "12月8日回校")
    out = last_json(r)
    assert r.returncode == 0 and out["case"]["status"] == "已结案" and out["case"]["outcome"] == "复学"
    assert [a["kind"] for a in out["case"]["actions"]] == ["立案", "劝返", "发出通知书", "结案"]
    listed = last_json(cli("cases", "list"))
    assert listed["counts"]["returned_this_term"] == 1 and listed["cases"][0]["outcome"] == "复学"
    r = cli("cases", "act", str(cid), "--way", "电话", "--said", "再问问")
    assert r.returncode == 1 and "结案" in last_json(r)["error"]
    out_x = tmp_path / "台账.xlsx"
    r = cli("dropout", "ledgers", "--out", str(out_x))
    assert r.returncode == 0, r.stderr
    assert last_json(r)["rows"]["roll"] > 100
    wb = load_workbook(out_x)
    assert wb.sheetnames == ["适龄儿童花名册", "疑似辍学", "辍学学生", "月报"]
    cells = " ".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert [k for k, _v in find_sensitive(cells) if k == "id"] == []


def test_wrong_usage_exits_2_and_a_refusal_exits_1_with_nothing_written(office, tmp_path):
    home, db, _f = office
    r = run("--json", "cases", "open", "--problem", "1", "--reason", "不想上", home=home, db=db, **DAY)
    assert r.returncode == 2
    r = run("--json", "cases", "open", "--name", "马小花", "--reason", "其他", home=home, db=db, **DAY)
    assert r.returncode == 2 and "--village" in last_json(r)["error"]
    r = run("--json", "cases", "open", "--name", "马小花", "--village", "火星/无名村", "--reason", "其他",
            home=home, db=db, **DAY)  # fmt: skip
    assert r.returncode == 1 and "乡镇/村" in last_json(r)["error"]
    r = run("--json", "cases", "act", "9999", "--way", "电话", "--said", "…", home=home, db=db, **DAY)
    assert r.returncode == 1 and "9999" in last_json(r)["error"]
    out = tmp_path / "x.pdf"
    r = run(
        "--json",
        "cases",
        "notice",
        "9999",
        "--deadline",
        "2026-12-01",
        "--out",
        str(out),
        home=home,
        db=db,
        **DAY,
    )
    assert r.returncode == 1 and not out.exists()
    before = len(last_json(run("--json", "cases", "list", home=home, db=db, **DAY))["cases"])
    problem = [f for f in _f if f["kind"] == "NOT_ENROLLED"][-1]["problem_id"]
    r = run("--json", "cases", "open", "--problem", str(problem), "--reason", "其他", "--person", "班主任:李老师",
            "--person", "村干部:王主任:1380013800", home=home, db=db, **DAY)  # fmt: skip
    assert r.returncode == 1
    assert "第 2 位（村干部 王主任）的电话“1380013800”手机号应为 11 位" in last_json(r)["error"]
    assert len(last_json(run("--json", "cases", "list", home=home, db=db, **DAY))["cases"]) == before


def test_whole_id_numbers_listed_with_full_ids_are_recorded_in_the_trail(office):
    """`cases list --full-ids` prints whole ID numbers: like any export of them it leaves an entry in the
    audit trail, and says so; without --full-ids nothing is recorded and the numbers are masked."""
    import sqlite3

    home, db, findings = office
    # a child the other test of this module does not take (it opens a case for the first such finding)
    finding = [f for f in findings if f["kind"] == "NOT_ENROLLED" and not f["student_id"]][1]
    r = run("--json", "cases", "open", "--problem", str(finding["problem_id"]), "--reason", "外出务工",
            home=home, db=db, **DAY)  # fmt: skip
    assert r.returncode == 0, r.stderr

    def recorded() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "SELECT count(*) FROM audit_entry WHERE entity = 'dropout_case' AND action = 'export'"
            ).fetchone()[0]

    before = recorded()
    masked = run("--json", "cases", "list", home=home, db=db, **DAY)
    assert masked.returncode == 0 and not find_sensitive(masked.stdout)
    assert recorded() == before
    full = run("--json", "cases", "list", "--full-ids", home=home, db=db, **DAY)
    assert full.returncode == 0, full.stderr
    out = last_json(full)
    assert out["full_ids"] is True
    assert any("*" not in c["id_number"] for c in out["cases"] if c["id_number"])
    assert recorded() == before + 1
    told = run("cases", "list", "--full-ids", home=home, db=db, **DAY)
    assert told.returncode == 0 and "含完整证件号，已记入操作记录" in told.stdout
    assert recorded() == before + 2
    # a case that does not exist shows no number: refused, and nothing recorded
    missing = run("--json", "cases", "list", "--case", "9999", "--full-ids", home=home, db=db, **DAY)
    assert missing.returncode == 1 and recorded() == before + 2
