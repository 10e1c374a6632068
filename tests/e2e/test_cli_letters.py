"""The 1222 commands as a county script or a clerk at a terminal runs them."""

from __future__ import annotations

import shutil

import pytest

from aidoffice.domain import slipcode
from tests.e2e.cli import last_json, run

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装")


@pytest.fixture(scope="module")
def pg_letters_url(worker_id: str) -> str:
    """A PostgreSQL database of its own (the shared CLI database already holds another demo)."""
    from tests.conftest import PG_URL, _worker_db_url

    if not PG_URL:
        pytest.skip("PostgreSQL 测试已跳过：未设置 AIDOFFICE_TEST_PG_URL")
    return _worker_db_url(worker_id + "_letters")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def office(request, tmp_path_factory):
    """One office database per engine for the module (a demo fill takes a few seconds)."""
    tmp_path = tmp_path_factory.mktemp("office")
    db = (
        str(tmp_path / "office.db")
        if request.param == "sqlite"
        else request.getfixturevalue("pg_letters_url")
    )
    assert run("init", "--school", "阜平县实验学校", home=tmp_path, db=db).returncode == 0
    assert run("demo", "--students", "120", home=tmp_path, db=db).returncode == 0
    r = run(
        "contacts",
        "--aid-office-phone",
        "0312-7251234",
        "--complaint-phone",
        "0312-7259999",
        home=tmp_path,
        db=db,
    )
    assert r.returncode == 0 and "0312-7259999" in r.stdout
    return tmp_path, db


def test_a_class_of_letters_then_its_slips_scanned_back(office):
    """A clerk prints a class's letters, scans slips back (typos and repeats told apart); a reprint is identical."""
    home, db = office
    out = home / "一年级1班.pdf"
    r = run(
        "--json",
        "letters",
        "policy",
        "--grade",
        "一年级",
        "--class",
        "1",
        "--out",
        str(out),
        "--date",
        "2026-09-01",
        home=home,
        db=db,
    )
    assert r.returncode == 0, r.stderr
    made = last_json(r)
    assert made["letters"] == len(made["slips"]) > 0 and made["pages"] == made["letters"] + 1
    assert out.exists() and made["warnings"]  # the county phone was never set: said, not hidden

    good, other = made["slips"][0], made["slips"][1]
    typo = good[:-1] + ("2" if good[-1] != "2" else "3")
    r = run(
        "--json",
        "slips",
        "receive",
        slipcode.display(good),
        typo,
        good,
        "--answer",
        "apply",
        home=home,
        db=db,
    )
    assert r.returncode == 1, r.stderr  # one code was not registered: a script must notice
    got = last_json(r)
    assert (got["received"], got["mistyped"], got["repeated"], got["unknown"]) == ([good], [typo], [good], [])

    r = run(
        "--json", "slips", "status", "--grade", "1", "--class", "1班", "--kind", "policy", home=home, db=db
    )
    status = last_json(r)
    assert (status["total"], status["returned"]) == (made["letters"], 1)
    assert status["answers"] == {"apply": 1}
    assert other != good and status["outstanding"] == made["letters"] - 1  # every other slip still out

    again = run(
        "--json",
        "letters",
        "policy",
        "--grade",
        "1",
        "--class",
        "1",
        "--out",
        str(home / "b.pdf"),
        "--date",
        "2026-09-01",
        home=home,
        db=db,
    )
    assert last_json(again)["slips"] == made["slips"]
    assert (home / "b.pdf").read_bytes() == out.read_bytes()


def test_a_slip_of_another_term_is_named_and_not_registered(office):
    """`slips receive` with last term's slip: the message names that term, nothing is registered, exit 1."""
    home, db = office
    r = run(
        "--json", "letters", "policy", "--term", "2024-2025-2", "--grade", "一年级", "--class", "1",
        "--out", str(home / "old.pdf"), home=home, db=db,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    old = last_json(r)["slips"][0]
    r = run("--json", "slips", "receive", old, "--answer", "apply", home=home, db=db)
    assert r.returncode == 1, r.stderr
    got = last_json(r)
    assert got["other_term"] == [old] and got["received"] == []
    said = got["results"][0]["message"]
    assert "2024-2025学年第二学期" in said and "不计入" in said


def test_aid_in_question_is_left_out_unless_a_reason_is_given(tmp_path):
    """After the comparison, `letters aid` and `notice` leave out children with an open 疑似误助 or
    离校仍资助 problem and name them; --include-flagged "理由" keeps them, with the reason."""
    home, db = tmp_path, str(tmp_path / "office.db")
    assert run("init", "--school", "阜平县实验学校", home=home, db=db).returncode == 0
    assert run("demo", "--students", "300", home=home, db=db).returncode == 0  # the GUI tests' school
    assert run("reconcile", home=home, db=db).returncode == 0
    r = run(
        "--json", "contacts", "--contact-name", "王丽", "--contact-phone", "13912345678", home=home, db=db
    )
    assert (last_json(r)["contact_name"], last_json(r)["contact_phone"]) == ("王丽", "13912345678")
    r = run("--json", "letters", "aid", "--out", str(home / "aid.pdf"), "--no-cover", home=home, db=db)
    assert r.returncode == 0, r.stderr
    left = last_json(r)
    assert left["held_back"] and left["included"] == []
    assert any("疑似误助" in w or "离校仍资助" in w for w in left["warnings"])
    r = run(
        "--json", "letters", "aid", "--out", str(home / "aid2.pdf"), "--no-cover",
        "--include-flagged", "已核实，材料已补交", home=home, db=db,
    )  # fmt: skip
    kept = last_json(r)
    assert kept["letters"] == left["letters"] + len(left["held_back"])
    assert {k["reason"] for k in kept["included"]} == {"已核实，材料已补交"}
    r = run("--json", "notice", "--out", str(home / "n.pdf"), home=home, db=db)
    assert r.returncode == 0, r.stderr
    assert last_json(r)["held_back"]
    r = run("letters", "policy", "--out", str(home / "p.pdf"), "--include-flagged", "x", home=home, db=db)
    assert r.returncode == 2 and "letters aid" in r.stderr + r.stdout


def test_poster_notice_and_refusals(office):
    """The poster and the notice work from a script; an unknown grade, a non-PDF name or a wrong kind is refused."""
    home, db = office
    r = run("--json", "poster", "--out", str(home / "海报.pdf"), "--size", "A4", home=home, db=db)
    assert r.returncode == 0 and last_json(r)["size"] == "A4"
    r = run("--json", "notice", "--out", str(home / "公示.pdf"), "--start", "2026-10-09", home=home, db=db)
    assert r.returncode == 0, r.stderr
    assert last_json(r)["to"] == "2026-10-15"
    r = run("letters", "policy", "--grade", "研一", "--out", str(home / "x.pdf"), home=home, db=db)
    assert r.returncode == 1 and "认不出" in r.stderr
    r = run("letters", "policy", "--out", str(home / "x.txt"), home=home, db=db)
    assert r.returncode == 1 and ".pdf" in r.stderr
    r = run("letters", "other", "--out", str(home / "x.pdf"), home=home, db=db)
    assert r.returncode == 2
