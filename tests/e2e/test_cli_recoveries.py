"""`aidoffice recoveries list|done`: a paid award the roster review took off, recorded as done from a
script, with the command line's contract (the last line JSON; exit 0 done, 1 refused, 2 usage)."""

from __future__ import annotations

import sqlite3

import pytest

from aidoffice.privacy import find_sensitive
from tests.e2e.cli import last_json, run

TERM = "2026-2027-1"
pytestmark = pytest.mark.today("2026-11-22")


def test_a_removal_in_review_becomes_a_recovery_a_script_records_as_done(tmp_path):
    db = str(tmp_path / "office.db")
    assert (
        run("init", "--school", "阜平县城关中学", "--county", "阜平县", home=tmp_path, db=db).returncode == 0
    )
    assert run("demo", "--students", "300", home=tmp_path, db=db).returncode == 0
    with sqlite3.connect(db) as c:  # a child whose living subsidy was paid this term
        award_id, id_number, name, amount = c.execute(
            "SELECT a.id, s.id_number, s.name, a.amount FROM award a JOIN student s ON s.id = a.student_id "
            "JOIN policy p ON p.id = a.policy_id JOIN term t ON t.id = a.term_id "
            "WHERE t.code = ? AND p.family = 'compulsory_living' AND s.id_number IS NOT NULL ORDER BY a.id LIMIT 1",
            (TERM,),
        ).fetchone()
    r = run("--json", "export", "roster", "--policy", "生活补助", "--term", TERM, "--remove",
            f"{id_number}=无认定材料，误助", "--confirm", "--anyway", "县里同意先报",
            "--out", str(tmp_path / "花名册.xlsx"), home=tmp_path, db=db)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert last_json(r)["confirmed"]["recovered"] == 1
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT amount FROM award WHERE id = ?", (award_id,)).fetchone() == (amount,)  # kept

    r = run("--json", "recoveries", "list", "--term", TERM, home=tmp_path, db=db)
    assert r.returncode == 0, r.stderr
    listed = last_json(r)
    (rec,) = listed["recoveries"]
    assert (rec["name"], rec["status"], rec["reason"]) == (name, "pending", "无认定材料，误助")
    assert listed["summary"]["pending"] == 1 and listed["summary"]["pending_amount"] == f"{amount:.2f}"

    for args, code, words in (
        (["--date", "2026-13-01", "--how", "退回"], 2, "--date 应写作"),
        (["--date", "2026-11-20", "--how", "没收"], 2, "invalid choice"),
        (["--date", "2026-12-30", "--how", "退回"], 1, "还没有到"),
        (["--date", "2026-11-20", "--how", "其他"], 1, "写明怎样收回"),
    ):
        r = run("--json", "recoveries", "done", str(rec["id"]), *args, home=tmp_path, db=db)
        assert r.returncode == code and words in (r.stderr + r.stdout), (args, r.stderr)
    r = run(
        "--json", "recoveries", "done", "99999", "--date", "2026-11-20", "--how", "退回", home=tmp_path, db=db
    )
    assert r.returncode == 1 and "找不到编号为 99999 的收回记录" in last_json(r)["error"]

    r = run("--json", "recoveries", "done", str(rec["id"]), "--date", "2026-11-20", "--how", "抵扣",
            "--note", "在下学期发放中扣除", home=tmp_path, db=db)  # fmt: skip
    assert r.returncode == 0, r.stderr
    done = last_json(r)
    assert (done["done"]["status"], done["done"]["done_on"], done["done"]["method"]) == (
        "done",
        "2026-11-20",
        "抵扣",
    )
    assert done["summary"]["pending"] == 0 and done["summary"]["done"] == 1
    r = run("recoveries", "list", home=tmp_path, db=db)
    assert r.returncode == 0 and "已收回（2026-11-20，抵扣）" in r.stdout
    assert not find_sensitive(r.stdout)  # names and amounts only, never an ID number
