"""The problem list across re-runs: notes and resolutions survive, what the data no longer shows closes
by itself, a clerk's closure is never silently undone, and fixing a cause from a problem goes through
the audited ledger services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from aidoffice import clock
from aidoffice.catalogue import load_catalogue
from aidoffice.db.models import AuditEntry, Award, Problem, ProblemNote, ProblemStatus, StudyElsewhere
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import ValidationError
from aidoffice.privacy import find_sensitive
from aidoffice.reconcile.kinds import RESOLVED_BY_DATA
from aidoffice.reconcile.problem_actions import add_note, close_problem, reopen_problem, take_problem
from aidoffice.reconcile.problem_fixes import (
    fix_add_assessment,
    fix_add_roster_group,
    fix_correct_id,
    fix_record_elsewhere,
)
from aidoffice.reconcile.problem_queries import (
    ProblemFilter,
    fetch_problems,
    open_problem_texts,
    open_problems_of,
    problem_detail,
    problem_ids,
)
from aidoffice.reconcile.service import run_reconcile
from aidoffice.reconcile.statistics import term_statistics
from tests.reconcile_world import EXPECTED, TERM, TODAY, plant

# the planted world is dated 2026-11-22 (tests/reconcile_world.py): compare as of that day
pytestmark = pytest.mark.today("2026-11-22")


@pytest.fixture
def world(school_db, tmp_path):
    return school_db, plant(school_db, tmp_path)


def rerun(db, today=TODAY, term=TERM):
    with db.unit_of_work(actor="资助专干") as s:
        return run_reconcile(s, term, today=today)


def problem(db, kind, name, scope=None):
    with db.reading() as s:
        q = select(Problem).where(Problem.kind == kind, Problem.name == name)
        if scope is not None:
            q = q.where(Problem.scope == scope)
        return s.scalars(q).one()


def notes(db, pid):
    with db.reading() as s:
        return [
            (n.action, n.text) for n in s.scalars(select(ProblemNote).where(ProblemNote.problem_id == pid))
        ]


def test_the_first_run_opens_one_problem_per_finding(world):
    """Each finding becomes exactly one open problem, so the list a clerk works through is complete and not doubled."""
    db, _w = world
    result = rerun(db)
    assert result.sync.new == len(EXPECTED)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Problem)) == len(EXPECTED)
        assert set(s.scalars(select(Problem.status))) == {ProblemStatus.OPEN}


def test_a_rerun_on_unchanged_data_changes_nothing_a_clerk_sees(world):
    """Running the comparison twice must not duplicate problems or touch their history."""
    db, _w = world
    rerun(db)
    missed = problem(db, "MISSED_AID", "张小明")
    with db.unit_of_work(actor="王老师") as s:
        take_problem(s, missed.id, note="已联系家长，准备材料")
    again = rerun(db, today=date(2026, 11, 29))
    assert (again.sync.new, again.sync.closed_by_data, again.sync.kept) == (0, 0, len(EXPECTED))
    after = problem(db, "MISSED_AID", "张小明")
    assert (after.status, after.assigned_to, after.first_seen_on, after.last_seen_on) == (
        ProblemStatus.IN_PROGRESS,
        "王老师",
        TODAY,
        date(2026, 11, 29),
    )
    assert notes(db, missed.id) == [("take", "王老师接手处理：已联系家长，准备材料")]


def test_a_problem_the_data_no_longer_shows_closes_itself_and_keeps_its_notes(world):
    """Once the data is fixed the problem closes itself, and reopens if the fix is undone, with every note kept."""
    db, w = world
    rerun(db)
    missed = problem(db, "MISSED_AID", "张小明")
    with db.unit_of_work(actor="王老师") as s:
        take_problem(s, missed.id)
        add_note(s, missed.id, "家长已交申请表")
    with db.unit_of_work(actor="资助专干") as s:  # the subsidy is paid and the award list imported
        pid = load_catalogue(s).policy_ids["compulsory_living_junior_day"]
        s.add(Award(student_id=w.students["张小明"], policy_id=pid, term_id=w.term_id, amount=Decimal("375")))
    result = rerun(db, today=date(2026, 12, 5))
    assert result.sync.closed_by_data == 1
    closed = problem(db, "MISSED_AID", "张小明")
    assert (closed.status, closed.resolution, closed.still_present) == (
        ProblemStatus.CLOSED,
        RESOLVED_BY_DATA,
        False,
    )
    assert closed.closed_at is not None and closed.closed_by == "资助专干"  # who ran the comparison
    texts = [t for _a, t in notes(db, missed.id)]
    assert texts[:2] == ["王老师接手处理", "家长已交申请表"]
    assert "数据中已不再出现此问题，自动销号" in texts[2] and "2026-12-05" in texts[2]

    with db.unit_of_work(actor="资助专干") as s:  # the award was imported by mistake and is removed
        s.delete(s.scalars(select(Award).where(Award.student_id == w.students["张小明"])).one())
    reopened = rerun(db, today=date(2026, 12, 6))
    assert reopened.sync.reopened == 1
    assert problem(db, "MISSED_AID", "张小明").status is ProblemStatus.OPEN
    assert len(notes(db, missed.id)) == 4  # nothing was lost on the way


def test_a_clerk_closure_stays_closed_when_the_data_still_shows_it(world):
    """王五's aid was checked and justified on paper; the data still lacks a group. The clerk's word
    stands (not reopened), the problem is marked 仍存在, and the note says so once."""
    db, _w = world
    rerun(db)
    p = problem(db, "UNSUPPORTED_AID", "王五")
    with db.unit_of_work(actor="李老师") as s:
        close_problem(s, p.id, "已核实无误", "残联证明已存档，名单尚未更新")
    first = rerun(db, today=date(2026, 11, 29))
    rerun(db, today=date(2026, 11, 30))
    after = problem(db, "UNSUPPORTED_AID", "王五")
    assert first.sync.still_present == 1
    assert (after.status, after.resolution, after.closed_by, after.still_present) == (
        ProblemStatus.CLOSED,
        "已核实无误",
        "李老师",
        True,
    )
    texts = [t for _a, t in notes(db, p.id)]
    assert texts[0] == "销号：已核实无误。残联证明已存档，名单尚未更新"
    assert sum("数据仍显示此问题" in t for t in texts) == 1
    with db.reading() as s:
        rows = fetch_problems(s, [p.id])
        assert rows[0].status_name == "已销号（仍存在）"


def test_closing_needs_a_resolution_and_the_data_word_is_reserved(world):
    """A closure with no reason, or posing as an automatic one, would mislead an inspector reading the history."""
    db, _w = world
    rerun(db)
    p = problem(db, "AMOUNT_OFF_STANDARD", "吴十")
    for resolution in ("", RESOLVED_BY_DATA):
        with pytest.raises(ValidationError), db.unit_of_work() as s:
            close_problem(s, p.id, resolution)
    with db.unit_of_work(actor="李老师") as s:
        close_problem(s, p.id, "补助已补发", "补发 12.50 元")
    with pytest.raises(ValidationError), db.unit_of_work() as s:
        take_problem(s, p.id)
    with db.unit_of_work(actor="李老师") as s:
        reopen_problem(s, p.id, "补发记录未到账")
    assert problem(db, "AMOUNT_OFF_STANDARD", "吴十").status is ProblemStatus.OPEN


def test_another_terms_run_leaves_this_terms_aid_problems_alone(world):
    """Aid problems belong to their term: comparing the spring term must not close autumn's."""
    db, _w = world
    rerun(db)
    spring = rerun(db, term="2026-2027-2", today=TODAY)
    assert spring.sync.closed_by_data == 0
    assert problem(db, "MISSED_AID", "张小明", TERM).status is ProblemStatus.OPEN
    assert problem(db, "MISSED_AID", "张小明", "2026-2027-2").status is ProblemStatus.OPEN  # its own


def test_correcting_an_id_from_the_problem_goes_through_the_ledger(world):
    """The school had 黄磊's ID wrong: correcting it closes the typo problem, is audited, and the
    poverty group filed under the right ID now reaches him (a new missed-aid problem)."""
    db, w = world
    rerun(db)
    p = problem(db, "ID_TYPO_SUSPECT", "黄磊")
    with db.unit_of_work(actor="资助专干") as s:
        fix_correct_id(s, p.id, w.ids["黄磊′"], today=TODAY)
    fixed = problem(db, "ID_TYPO_SUSPECT", "黄磊")
    assert (fixed.status, fixed.resolution) == (ProblemStatus.CLOSED, "已更正证件号")
    with db.reading() as s:
        changes = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "student",
                AuditEntry.entity_id == w.students["黄磊"],
                AuditEntry.action == "update",
            )
        ).all()
        assert any("id_number" in (e.after or {}) for e in changes)
    result = rerun(db, today=date(2026, 11, 29))
    kinds = {(f.kind, f.name) for f in result.comparison.findings}
    assert ("ID_TYPO_SUSPECT", "黄磊") not in kinds
    assert ("MISSED_AID", "黄磊") in kinds
    assert problem(db, "ID_TYPO_SUSPECT", "黄磊").still_present is False


def test_recording_studies_elsewhere_closes_the_child_and_the_village_counts_it(world):
    """A child found studying elsewhere is no longer a dropout suspect, and the village's count must include them."""
    db, w = world
    rerun(db)
    p = problem(db, "NOT_ENROLLED", "韩梅")
    with db.unit_of_work(actor="资助专干") as s:
        fix_record_elsewhere(
            s, p.id, "阜平县城关小学", date(2026, 11, 20), "张老师", place="县内", today=TODAY
        )
    with db.reading() as s:
        row = s.scalars(select(StudyElsewhere).where(StudyElsewhere.person_key == w.ids["韩梅"])).one()
        assert (row.school_name, row.verified_by) == ("阜平县城关小学", "张老师")
    result = rerun(db, today=date(2026, 11, 29))
    assert ("NOT_ENROLLED", "韩梅") not in {(f.kind, f.name) for f in result.comparison.findings}
    village = next(v for v in result.statistics.villages if v.village == "黑崖沟村")
    assert village.elsewhere == 2  # 王方 and now 韩梅
    assert problem(db, "NOT_ENROLLED", "韩梅").resolution == "已登记在外就读"


def test_adding_the_missing_group_or_assessment_from_the_problem(world):
    """王五 is disabled (the roster lacked the flag); a boarding student aided without basis was
    assessed but never recorded. Both fixes go through the ledger services and the re-run agrees."""
    db, w = world
    rerun(db)
    with db.unit_of_work(actor="资助专干") as s:
        fix_add_roster_group(s, problem(db, "UNSUPPORTED_AID", "王五").id, "disabled", today=TODAY)
    with db.unit_of_work(actor="资助专干") as s:
        pid = load_catalogue(s).policy_ids["compulsory_living_junior_boarding"]
        s.add(Award(student_id=w.students["蒋二"], policy_id=pid, term_id=w.term_id, amount=Decimal("750")))
    rerun(db)
    p = problem(db, "UNSUPPORTED_AID", "蒋二")
    with db.unit_of_work(actor="资助专干") as s:
        fix_add_assessment(s, p.id, "特别困难", date(2026, 10, 12), "学校资助工作领导小组", today=TODAY)
    result = rerun(db, today=date(2026, 11, 29))
    found = {(f.kind, f.name) for f in result.comparison.findings}
    assert ("UNSUPPORTED_AID", "王五") not in found and ("UNSUPPORTED_AID", "蒋二") not in found
    assert problem(db, "UNSUPPORTED_AID", "蒋二").resolution == "已补录认定"


def test_the_list_filters_and_the_detail_a_problem_opens_with(world):
    """Clerks work the list by village, group, grade or ID digits; each filter and the evidence shown must be right."""
    db, w = world
    rerun(db)
    with db.reading() as s:
        ids = problem_ids(s, ProblemFilter(kind="NOT_ENROLLED", village="白庄村"))
        assert [r.name for r in fetch_problems(s, ids)] == ["邓丽"]
        by_group = fetch_problems(s, problem_ids(s, ProblemFilter(group="dibao")))
        assert {(r.kind, r.name) for r in by_group} == {
            ("DUPLICATE_ID", "李四"),
            ("AMOUNT_OFF_STANDARD", "吴十"),
        }
        grade7 = fetch_problems(s, problem_ids(s, ProblemFilter(grade=7, open_only=True)))
        assert {r.name for r in grade7} >= {"张小明", "王五", "周九"}
        assert [
            r.kind for r in fetch_problems(s, problem_ids(s, ProblemFilter(search=w.ids["韩梅"][-6:])))
        ] == ["NOT_ENROLLED"]
        detail = problem_detail(s, problem_ids(s, ProblemFilter(kind="MISSED_AID", search="张小明"))[0])
        assert detail.evidence["left"]["source"].startswith("学籍台账")
        assert detail.evidence["right"]
        open_for = open_problems_of(s, [w.students["冯十二"]])
        assert {r.kind for r in open_for[w.students["冯十二"]]} == {"WRONG_VARIANT", "DOUBLE_AID"}
        texts = open_problem_texts(s, [w.ids["冯十二"], w.ids["韩梅"]])  # the roster's check hook
        assert len(texts[w.ids["冯十二"]]) == 2 and texts[w.ids["韩梅"]][0].startswith("问题 #")
        assert all(find_sensitive(t) == [] for ts in texts.values() for t in ts)


def test_statistics_count_problems_closed_this_term(world):
    """Closures are counted in the term they happened in (the term of today's date here)."""
    db, _w = world
    rerun(db)
    with db.unit_of_work(actor="李老师") as s:
        close_problem(s, problem(db, "AMOUNT_OFF_STANDARD", "吴十").id, "补助已补发")
        close_problem(s, problem(db, "UNSUPPORTED_AID", "王五").id, "已核实无误")
    now = TermValue.containing(clock.today()).code
    with db.unit_of_work() as s:
        stats = term_statistics(s, now, today=clock.today())
    assert {k: n for k, _l, n in stats.closed_in_term} == {"UNSUPPORTED_AID": 1, "AMOUNT_OFF_STANDARD": 1}
    assert sorted(stats.closed_by_resolution) == [("已核实无误", 1), ("补助已补发", 1)]


def test_who_may_compare_and_close_follows_the_roles(world):
    """With accounts, a head teacher may not run the comparison or tick problems off; a clerk may."""
    from aidoffice.access.checks import PermissionDenied, act_as
    from aidoffice.safety.accounts import create_user, sign_in

    db, _w = world
    with db.unit_of_work() as s:
        create_user(s, "zhang", "张主任", "Mountain-2026", "admin")
    admin = sign_in(db, "zhang", "Mountain-2026")
    with db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, "li", "李老师", "River-2026x", "clerk", must_change_password=False)
        create_user(
            s, "wang", "王老师", "Lake-2026xy", "head_teacher", [(7, "1班")], must_change_password=False
        )
    clerk, teacher = sign_in(db, "li", "River-2026x"), sign_in(db, "wang", "Lake-2026xy")
    with pytest.raises(PermissionDenied, match="双向比对"), db.unit_of_work() as s:
        act_as(s, teacher)
        run_reconcile(s, TERM, today=TODAY)
    with db.unit_of_work() as s:
        act_as(s, clerk)
        run_reconcile(s, TERM, today=TODAY)
    p = problem(db, "MISSED_AID", "张小明")
    with pytest.raises(PermissionDenied, match="销号"), db.unit_of_work() as s:
        act_as(s, teacher)
        close_problem(s, p.id, "补助已补发")
    with db.unit_of_work() as s:
        act_as(s, clerk)
        close_problem(s, p.id, "补助已补发")
    assert problem(db, "MISSED_AID", "张小明").closed_by == "li"
