"""请更正: a department's list with a child's ID mistyped. The department gets a workbook of its rows to
correct (its row, the name, its ID and the school's, masked as it needs); marked as sent, the typo
problem is 处理中 and the two records count as one child meanwhile (the list's group counts, the roster
is not held up); the corrected list closes the problem. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aidoffice.db.models import PersonLink, Problem, ProblemStatus
from aidoffice.errors import InputRefused
from aidoffice.importing.service import ImportOptions, run_import
from aidoffice.ledgers.groups import group_facts
from aidoffice.ledgers.students import add_student
from aidoffice.privacy import find_sensitive
from aidoffice.reconcile.corrections import corrections_due, mark_sent, write_corrections
from aidoffice.reconcile.problem_queries import open_problem_texts
from aidoffice.reconcile.service import run_reconcile
from tests.factories import student
from tests.sheets import write_xlsx

TODAY = date(2026, 11, 22)
TERM = "2026-2027-1"
DEPARTMENT = "阜平县乡村振兴局"


def _list(db, path, source=DEPARTMENT):
    with db.unit_of_work(actor="资助专干") as s:
        return run_import(
            s,
            path,
            ImportOptions(kind="list", list_kind="poverty", source=source, today=TODAY, known_on=TODAY),
        )


def _reconcile(db):
    with db.unit_of_work(actor="资助专干") as s:
        return run_reconcile(s, TERM, today=TODAY)


@pytest.fixture
def typo_world(school_db, tmp_path):
    """王杰天 in the 学籍台账; the poverty list has his ID with the 15th digit mistyped, on its row 3."""
    with school_db.unit_of_work() as s:
        kid = add_student(s, 1, student("王杰天", "七年级", "1班", birth=date(2013, 11, 24)))
        other = add_student(s, 1, student("李文", "八年级", "2班", birth=date(2012, 3, 2)))
    right = kid.id_number
    typo = right[:14] + ("8" if right[14] != "8" else "7") + right[15:]
    header = ["姓名", "身份证号", "户类型"]
    path = write_xlsx(
        tmp_path / "脱贫户.xlsx", [header, ["李文", other.id_number, "脱贫户"], ["王杰天", typo, "脱贫户"]]
    )
    _list(school_db, path)
    _reconcile(school_db)
    return right, typo, tmp_path


def test_the_department_gets_its_rows_to_correct_masked_but_for_the_digits_to_change(school_db, typo_world):
    right, typo, tmp_path = typo_world
    with school_db.reading() as s:
        (due,) = corrections_due(s)
    assert (due.department, due.row, due.name, due.their_id, due.our_id) == (
        DEPARTMENT,
        3,
        "王杰天",
        typo,
        right,
    )
    assert due.where == "七年级1班" and not due.sent
    with school_db.unit_of_work(actor="资助专干") as s:
        written = write_corrections(s, tmp_path / "请更正", today=TODAY)
    path = written[DEPARTMENT]
    assert path.name == f"请更正_{DEPARTMENT}.xlsx"
    ws = load_workbook(path).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    header = next(r for r in values if r and r[0] == "序号")
    row = dict(zip(header, values[values.index(header) + 1], strict=False))
    assert (row["贵单位名单行号"], row["姓名"]) == (3, "王杰天")
    theirs, ours = row["贵单位名单中的证件号"], row["学校记录中的证件号"]
    assert theirs[14] == typo[14] and ours[14] == right[14] and theirs[14] != ours[14]
    assert theirs.startswith(right[:6]) and "*" in theirs and "*" in ours
    assert "第15位" in row["不同之处"]
    text = " ".join(str(c) for r in values for c in r if c is not None)
    assert find_sensitive(text) == []  # no whole ID of a child leaves the school by default
    with school_db.unit_of_work(actor="资助专干") as s:
        full = write_corrections(s, tmp_path / "完整", full_ids=True, today=TODAY)[DEPARTMENT]
    cells = [c for r in load_workbook(full).active.iter_rows(values_only=True) for c in r]
    assert typo in cells and right in cells


def test_marked_as_sent_the_two_records_count_as_one_child_until_the_list_is_corrected(school_db, typo_world):
    right, _typo, tmp_path = typo_world
    with school_db.reading() as s:
        assert not any(f.group.startswith("poverty") for f in group_facts(s, [right]).get(right, []))
        assert any("证件号" in t for t in open_problem_texts(s, [right]).get(right, []))
    with school_db.unit_of_work(actor="资助专干") as s:
        (marked,) = mark_sent(s, who="资助专干", today=TODAY)
    assert marked.department == DEPARTMENT
    with school_db.reading() as s:
        problem = s.scalars(select(Problem).where(Problem.kind == "ID_TYPO_SUSPECT")).one()
        assert problem.status is ProblemStatus.IN_PROGRESS
        assert any(DEPARTMENT in n.text and "按同一名学生计" in n.text for n in problem.notes)
        assert any(f.group.startswith("poverty") for f in group_facts(s, [right])[right])  # the group counts
        assert open_problem_texts(s, [right]).get(right) is None  # the roster is not held up
        assert corrections_due(s)[0].sent
    with school_db.unit_of_work(actor="资助专干") as s:
        assert mark_sent(s, today=TODAY) == []  # marking again adds nothing
    res = _reconcile(school_db)  # the department has not corrected yet: still open, still linked
    assert any(f.kind == "MISSED_AID" and f.name == "王杰天" for f in res.comparison.findings)
    with school_db.reading() as s:
        assert s.scalars(select(Problem).where(Problem.kind == "ID_TYPO_SUSPECT")).one().status is (
            ProblemStatus.IN_PROGRESS
        )
    header = ["姓名", "身份证号", "户类型"]
    fixed = write_xlsx(tmp_path / "脱贫户（更正）.xlsx", [header, ["王杰天", right, "脱贫户"]])
    _list(school_db, fixed)
    _reconcile(school_db)
    with school_db.reading() as s:
        problem = s.scalars(select(Problem).where(Problem.kind == "ID_TYPO_SUSPECT")).one()
        assert problem.status is ProblemStatus.CLOSED
        assert corrections_due(s) == []


def test_a_problem_that_is_not_a_departments_typo_is_not_marked(school_db, typo_world):
    with school_db.unit_of_work(actor="资助专干") as s, pytest.raises(InputRefused):
        mark_sent(s, [9999], today=TODAY)
    with school_db.reading() as s:
        assert s.scalars(select(PersonLink)).all() == []
