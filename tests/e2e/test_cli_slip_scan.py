"""`aidoffice slips scan` as a clerk's script runs it: the report as the last line of JSON, exit 0 when
the stack was read (doubtful slips queued, not refused), 1 when a file is not a scan, 2 for usage."""

from __future__ import annotations

import random

from tests.e2e.cli import last_json, run
from tests.scans import as_scanned, blank_page, mark_slip, pack_pdf, slip_pages


def test_a_scanned_stack_from_the_command_line(tmp_path):
    home, db = tmp_path, str(tmp_path / "office.db")
    assert run("init", "--school", "阜平县实验学校", home=home, db=db).returncode == 0
    assert run("demo", "--students", "60", home=home, db=db).returncode == 0
    r = run(
        "--json", "letters", "policy", "--grade", "一年级", "--class", "1", "--no-cover",
        "--out", str(home / "p.pdf"), "--date", "2026-09-01", home=home, db=db,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    codes = last_json(r)["slips"][:3]
    pages = slip_pages(home / "p.pdf")
    rng = random.Random(1)
    images = []
    for code, tick, box in zip(codes, ("pen", "pen", "double"), (0, 1, 0), strict=True):
        page = pages[code].copy()
        mark_slip(page, tick, box, rng)
        images.append(as_scanned(page, rng, angle=3))
    images.insert(1, blank_page("grey", rng))  # the blank back of the first letter
    stack = pack_pdf(images, home / "扫描.pdf")

    r = run("--json", "slips", "scan", str(stack), home=home, db=db)
    assert r.returncode == 0, r.stderr
    got = last_json(r)
    assert (got["pages"], got["blank_pages"], got["slips"], got["registered"]) == (4, 1, 3, 2)
    assert got["answers"] == {"apply": 1, "decline": 1}
    assert [(q["code"], q["reason"]) for q in got["queued"]] == [(codes[2], "two_ticks")]
    assert got["queue_size"] == 1 and got["queued"][0]["reason_text"] == "两个选项都勾了"

    again = last_json(run("--json", "slips", "scan", str(stack), home=home, db=db))
    assert (again["registered"], again["seen_before"], again["queue_size"]) == (0, 3, 1)
    said = run("slips", "scan", str(stack), home=home, db=db)  # the clerk's words, without --json
    assert said.returncode == 0 and "空白页 1 张，已跳过" in said.stdout
    status = last_json(run("--json", "slips", "status", "--kind", "policy", home=home, db=db))
    assert status["answers"] == {"apply": 1, "decline": 1}

    bad = home / "名单.xlsx"
    bad.write_bytes(b"PK")
    r = run("--json", "slips", "scan", str(bad), home=home, db=db)
    assert r.returncode == 1 and "不是扫描件" in r.stdout + r.stderr
    assert run("slips", "scan", home=home, db=db).returncode == 2  # no file named
