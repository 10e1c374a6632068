"""Moving the office to the next term from the command line: `init` says when the calendar has moved
past the current term, `init --term` moves it, and the commands' default term follows."""

from __future__ import annotations

from tests.e2e.cli import last_json, run


def test_the_autumn_term_stays_until_the_office_moves_to_spring(tmp_path):
    db = str(tmp_path / "office.db")
    autumn, spring = {"AIDOFFICE_TODAY": "2026-11-22"}, {"AIDOFFICE_TODAY": "2027-03-15"}
    r = run("--json", "init", "--school", "阜平县实验学校", home=tmp_path, db=db, **autumn)
    assert r.returncode == 0 and last_json(r)["term"] == "2026-2027-1"
    r = run("init", home=tmp_path, db=db, **spring)  # March: the autumn's slips and rosters may be unfinished
    assert r.returncode == 0
    assert "当前学期：2026-2027-1" in r.stdout
    assert (
        "按日历今天已是2026-2027学年第二学期" in r.stdout and "aidoffice init --term 2026-2027-2" in r.stdout
    )
    r = run("--json", "slips", "status", home=tmp_path, db=db, **spring)
    assert r.returncode == 0 and last_json(r)["term"] == "2026-2027-1"
    r = run("--json", "init", "--term", "2026-2027-2", home=tmp_path, db=db, **spring)
    out = last_json(r)
    assert r.returncode == 0 and (out["term"], out["calendar_term"]) == ("2026-2027-2", "2026-2027-2")
    r = run("--json", "slips", "status", home=tmp_path, db=db, **spring)
    assert last_json(r)["term"] == "2026-2027-2"
    r = run("--json", "init", "--term", "明年", home=tmp_path, db=db, **spring)
    assert r.returncode == 1 and "学期“明年”无法识别" in last_json(r)["error"]
