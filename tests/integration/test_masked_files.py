"""Masked files that gave the ID away (issue 20 §1), each on SQLite and PostgreSQL: the problem list's
birth dates beside masked IDs, the masked ledger's birth month, a parent's phone number copied from a
slip into the problem list and `reconcile`'s detail."""

from __future__ import annotations

import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aidoffice.db.models import Problem, Student
from aidoffice.exporting.ledger import export_school_ledger
from aidoffice.privacy import find_sensitive, free_text
from aidoffice.reconcile.service import run_reconcile
from aidoffice.services import slip_desk
from tests.letters_world import print_letters
from tests.reconcile_world import TERM, TODAY, plant


@pytest.fixture
def printed(school_db, tmp_path):
    """The school's policy and aid letters printed: slips issued."""
    return print_letters(school_db, tmp_path)


_BIRTH = re.compile(r"(19|20)\d\d-\d\d-\d\d")


def _cells(path):
    return [str(v) for ws in load_workbook(path) for row in ws.iter_rows(values_only=True) for v in row if v]


def test_the_masked_problem_list_prints_no_birth_date_beside_a_masked_id(school_db, tmp_path):
    """“130624********4041，出生 2018-06-16”: the two together are all 18 digits. Masked: no birth date
    anywhere beside a masked ID; with full IDs (recorded) the birth date is still there to compare."""
    world = plant(school_db, tmp_path)
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    with school_db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, out=masked, today=TODAY)
    with school_db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, out=full, full_ids=True, today=TODAY)
    births = {f"{n[6:10]}-{n[10:12]}-{n[12:14]}" for n in world.ids.values() if len(n) == 18}
    leaked = [c for c in _cells(masked) if "********" in c and any(b in c for b in births)]
    assert leaked == []
    assert not [c for c in _cells(masked) if "出生 " in c and _BIRTH.search(c)]
    assert any("出生 2013-08-08" in c for c in _cells(full))  # 黄磊's two records, side by side


def test_a_masked_ledger_shows_neither_the_birth_date_nor_the_birth_month(school_db, tmp_path):
    """First 6 + last 4 + the birth month left 2–4 candidates: the masked ledger keeps its 出生日期 column
    empty; the full ledger still has the dates."""
    from aidoffice.ledgers.school import require_school
    from aidoffice.ledgers.students import add_student
    from tests.factories import student

    with school_db.unit_of_work() as s:
        add_student(s, require_school(s).id, student("王小明", birth=date(2013, 6, 16)), today=TODAY)
    out, full = tmp_path / "m.xlsx", tmp_path / "f.xlsx"
    with school_db.unit_of_work() as s:
        export_school_ledger(s, out, mask=True)
    with school_db.unit_of_work() as s:
        export_school_ledger(s, full, purpose="核对")
    masked_cells, full_cells = _cells(out), _cells(full)
    assert "2013-06-16" in full_cells
    assert not [c for c in masked_cells if "2013-06" in c or "201306" in c]
    assert any(c.startswith("130624********") for c in masked_cells)  # the masked ID is there


def test_a_parents_words_reach_the_problem_list_with_their_numbers_masked(school_db, printed, tmp_path):
    """A phone or ID number written on the slip (in groups, with dashes, full-width) is masked in the
    problem's detail, `reconcile`'s JSON detail and every cell of the problem list; the words stay."""
    _, aid = printed
    with school_db.reading() as s:
        someone = s.scalars(select(Student).where(Student.id_number.is_not(None))).first().id_number
    spaced_id = f"{someone[:6]} {someone[6:14]} {someone[14:]}"
    said = f"金额不对，请回电 138 1234 5678 或 0312-7251234，孩子证件号 {spaced_id}，卡号６２２２０２１２３４５６７８９０１２３"
    with school_db.unit_of_work() as s:
        slip_desk.receive(s, aid.slips[0], "object", said)
    with school_db.reading() as s:
        [problem] = s.scalars(select(Problem).where(Problem.kind == "AID_OBJECTION")).all()
        detail = problem.detail
    out = tmp_path / "问题清单.xlsx"
    with school_db.unit_of_work() as s:
        result = run_reconcile(s, TERM, out=out)
        found = result.as_json()["findings"]
    texts = [detail, *(f["detail"] for f in found if "回执" in f["detail"]), *_cells(out)]
    digits = [
        re.sub(r"[\s\-]", "", t.translate(str.maketrans("０１２３４５６７８９", "0123456789"))) for t in texts
    ]
    for number in ("13812345678", "03127251234", someone, "6222021234567890123"):
        assert not [t for t in digits if number in t], number
    assert not [t for t in texts if find_sensitive(t)]
    assert "金额不对，请回电 138****5678" in detail and "130624********" in detail


def test_free_text_masks_numbers_however_people_write_them():
    """One function every writer calls on people's words: the forms parents write numbers in."""
    cases = {
        "电话13812345678": "电话138****5678",
        "电话 138 1234 5678 谢谢": "电话 138****5678 谢谢",
        "１３８１２３４５６７８": "138****5678",
        "130624 2013 0616 123x": "130624********123X",
        "座机0312-7251234": "座机0312****234",
        "卡号 6222 0212 3456 7890 123": "卡号 ****0123",
        "2026年11月20日领到1250元": "2026年11月20日领到1250元",  # dates and amounts are not numbers to hide
        "2026-11-20 13812345678": "2026-11-20 138****5678",
        "130624201306161234 13812345678": "130624********1234 138****5678",  # side by side: each masked
        "138 1234 5678 130624 2013 0616 1234": "138****5678 130624********1234",
        "6222-0212-3456-7890": "****7890",
    }
    for text, shown in cases.items():
        assert free_text(text) == shown, text


def test_an_objection_recorded_with_the_parents_words_as_written_is_shown_masked(school_db, printed):
    """A problem an older version recorded with the phone number in full is listed masked on screen."""
    from aidoffice.reconcile.problem_queries import ProblemFilter, fetch_problems, problem_ids

    _, aid = printed
    with school_db.unit_of_work() as s:
        slip_desk.receive(s, aid.slips[0], "object", "金额不对")
    with school_db.unit_of_work() as s:
        problem = s.scalars(select(Problem).where(Problem.kind == "AID_OBJECTION")).one()
        problem.detail += "，请回电13812345678"  # as the older version stored it
    with school_db.reading() as s:
        rows = fetch_problems(s, problem_ids(s, ProblemFilter()))
    [row] = [r for r in rows if r.kind == "AID_OBJECTION"]
    assert "请回电138****5678" in row.detail and not find_sensitive(row.detail)


@pytest.mark.today("2026-12-06")
def test_a_birthday_written_in_a_parents_words_is_masked_beside_the_masked_id():
    """Review finding: an objection reading “身份证130624201207101399……生日2012年7月10日” gave, in the
    masked problem list, 130624********1399 beside 2012年7月10日 — all 18 digits. Dates of recent events
    (a visit, a payment) stay."""
    from aidoffice.privacy import Level, free_text

    said = "身份证130624201207101399，电话0312-7212345，生日2012年7月10日，2012-07-10，家访于2026年11月20日"
    shown = free_text(said, Level.MASKED)
    assert "20120710" not in shown.replace("-", "").replace("年", "").replace("月", "").replace("日", "")
    assert "2012年**月**日" in shown and "2012-**-**" in shown and "0312-7212345" not in shown
    assert "2026年11月20日" in shown  # an event of this year is no birthday
    assert free_text(said, Level.FULL) == said
