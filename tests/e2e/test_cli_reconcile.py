"""`aidoffice reconcile` and `aidoffice import assessments` run as a county script or a clerk runs them."""

from __future__ import annotations

import os
import shutil

import pytest
from openpyxl import load_workbook
from sqlalchemy import make_url

from aidoffice.privacy import find_sensitive
from tests.e2e.cli import last_json, run
from tests.sheets import write_xlsx


def _pg(name: str, template: str | None = None) -> str:
    from tests.pg import fresh_pg_url

    return fresh_pg_url(name, template)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def template(request, tmp_path_factory, worker_id):
    """A demo office made once per engine; each test works on its own copy."""
    home = tmp_path_factory.mktemp("reconcile-cli")
    if request.param == "sqlite":
        db = str(home / "template.db")
    else:
        if not os.environ.get("AIDOFFICE_TEST_PG_URL"):
            pytest.skip("PostgreSQL 测试已跳过：未设置 AIDOFFICE_TEST_PG_URL")
        db = _pg(f"reccli_{worker_id}_tpl")
    assert run("init", "--school", "阜平县实验学校", home=home, db=db).returncode == 0
    assert run("demo", "--students", "300", home=home, db=db).returncode == 0
    return request.param, db, worker_id


@pytest.fixture
def office(template, tmp_path):
    engine, db, worker_id = template
    if engine == "sqlite":
        copy = tmp_path / "office.db"
        shutil.copy(db, copy)
        return str(copy)
    return _pg(f"reccli_{worker_id}", make_url(db).database)


def test_reconcile_json_follows_the_contract(office, tmp_path):
    """County scripts read the comparison's JSON: fields, counts and problem ids must hold, and no ID in the words."""
    r = run("--json", "reconcile", home=tmp_path, db=office)
    assert r.returncode == 0, r.stderr
    out = last_json(r)
    assert out["findings"], "the demo plants missed and unsupported aid"
    for f in out["findings"]:
        assert {"kind", "id_number", "name", "detail"} <= set(f)
        assert find_sensitive(f["detail"]) == []  # the ID is in id_number, never in the words
    assert out["counts"]["total"] == len(out["findings"])
    assert sum(v for k, v in out["counts"].items() if k != "total") == len(out["findings"])
    kinds = {f["kind"] for f in out["findings"]}
    assert {"MISSED_AID", "UNSUPPORTED_AID"} <= kinds
    missed = next(f for f in out["findings"] if f["kind"] == "MISSED_AID")
    assert len(missed["id_number"]) == 18 and missed["problem_id"] > 0
    assert out["problems"]["new"] == len(out["findings"])

    again = last_json(run("--json", "reconcile", home=tmp_path, db=office))
    assert (again["problems"]["new"], again["problems"]["kept"]) == (0, len(out["findings"]))


def test_reconcile_prints_masked_ids_and_writes_the_workbook(office, tmp_path):
    """A terminal can be seen over a shoulder: IDs printed masked, and the workbook still saved where asked."""
    book = tmp_path / "问题清单.xlsx"
    r = run("reconcile", "--out", str(book), home=tmp_path, db=office)
    assert r.returncode == 0, r.stderr
    assert "双向比对" in r.stdout and "问题清单工作簿已保存" in r.stdout
    assert find_sensitive(r.stdout) == []
    wb = load_workbook(book)
    assert wb.sheetnames[:2] == ["汇总", "问题清单"]


def test_wrong_usage_and_refused_input_have_their_exit_codes(office, tmp_path):
    """Scripts tell a wrong call (2) from refused input (1); a bad term or a missing folder must not crash."""
    assert run("reconcile", "--full-ids", home=tmp_path, db=office).returncode == 2
    bad = run("reconcile", "--term", "2026秋", home=tmp_path, db=office)
    assert bad.returncode == 1 and "学期" in bad.stderr
    nowhere = run("reconcile", "--out", str(tmp_path / "没有的文件夹" / "a.xlsx"), home=tmp_path, db=office)
    assert nowhere.returncode == 1


@pytest.mark.today("2026-11-22")  # the dates it records are in that autumn term
def test_the_assessment_workbook_imports_from_the_command_line(office, tmp_path):
    """The autumn assessment can be imported by a script: a row that matches the ledger goes in, nothing refused."""
    r = run(
        "--json",
        "export",
        "ledger",
        "school",
        "--out",
        str(tmp_path / "ledger.xlsx"),
        home=tmp_path,
        db=office,
    )
    assert r.returncode == 0, r.stderr
    ws = load_workbook(tmp_path / "ledger.xlsx").active
    header = [c.value for c in ws[2]]
    first = [c.value for c in ws[3]]
    name, number = first[header.index("姓名")], first[header.index("身份证件号")]
    book = write_xlsx(
        tmp_path / "认定表.xlsx",
        [["姓名", "身份证件号", "认定级别", "认定时间"], [name, number, "一般困难", "20261012"]],
    )
    r = run("--json", "import", "assessments", str(book), "--year", "2026-2027", home=tmp_path, db=office)
    assert r.returncode == 0, r.stderr
    out = last_json(r)
    assert (out["created"], out["rejected"]) == (1, [])
