"""Money records are never deleted by a review: a paid award taken off the roster becomes a recovery
(收回) to be done, its problem stays open until the recovery is recorded as done; row ids are never
reused; every audit entry about an award or a problem names the child and the project."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from aidoffice.access.checks import PermissionDenied, Principal, act_as
from aidoffice.catalogue import load_catalogue
from aidoffice.db.audit import start_batch
from aidoffice.db.models import (
    AuditEntry,
    Award,
    Problem,
    ProblemStatus,
    Recovery,
    RecoveryStatus,
    Student,
)
from aidoffice.errors import ValidationError
from aidoffice.exporting import recoveries, roster
from aidoffice.ledgers.school import ensure_term, require_school
from aidoffice.ledgers.students import add_student
from aidoffice.reconcile.kinds import RESOLVED_BY_DATA
from aidoffice.reconcile.problem_actions import add_note
from aidoffice.reconcile.problem_queries import problem_detail
from aidoffice.reconcile.problems import RECOVERED, recovery_summaries
from aidoffice.reconcile.service import run_reconcile
from aidoffice.reconcile.statistics import term_statistics
from aidoffice.safety.auditlog import AuditFilter, audit_ids, audit_rows
from tests.factories import LIVING, TERM, TODAY, roster_school, student

pytestmark = pytest.mark.today("2026-09-20")
POLICY = "compulsory_living_junior_boarding"


@pytest.fixture
def school(school_db):
    """The roster school: six students of various standing (tests/factories.py)."""
    return school_db, roster_school(school_db)


def pay_imported(db, ids, name="普通生", amount="750") -> int:
    """An award list imported from the county (money paid on 9-10): the award of one student."""
    with db.unit_of_work(actor="资助专干") as s:
        cat = load_catalogue(s)
        batch = start_batch(s, "awards", file_name="县资助中心发放名单.xlsx")
        st = s.scalars(select(Student).where(Student.id_number == ids[name])).one()
        term = ensure_term(s, roster.parse_term(TERM))
        award = Award(student_id=st.id, policy_id=cat.policy_ids[POLICY], term_id=term.id, amount=Decimal(amount),
                      paid_on=date(2026, 9, 10), batch="2026秋第一批", batch_id=batch.id)  # fmt: skip
        s.add(award)
        s.flush()
        return award.id


def review_removing(db, key, reason="无认定材料，误助"):
    with db.unit_of_work(actor="资助专干") as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        roster.remove(p, key, reason)
        return roster.confirm(s, p)


def unsupported(db, name="普通生甲"):
    with db.reading() as s:
        return s.scalars(select(Problem).where(Problem.kind == "UNSUPPORTED_AID", Problem.name == name)).one()


def test_removing_a_paid_award_keeps_it_and_records_a_recovery_to_be_done(school):
    db, ids = school
    award_id = pay_imported(db, ids)
    result = review_removing(db, ids["普通生"])
    assert (result.deleted, result.recovered) == (0, 1)
    with db.reading() as s:
        award = s.get(Award, award_id)
        assert award is not None and award.amount == Decimal("750.00")  # the money record is kept
        rec = s.scalars(select(Recovery)).one()
        assert (rec.award_id, rec.name, rec.amount, rec.reason, rec.status) == (
            award_id,
            "普通生甲",
            Decimal("750.00"),
            "无认定材料，误助",
            RecoveryStatus.PENDING,
        )
        assert rec.recorded_by == "资助专干" and rec.recorded_at.date() == date(2026, 9, 20)
        assert rec.policy_name and "寄宿" in rec.policy_name and rec.term_code == TERM
    # the next review and the export of what was paid leave the child off, saying why
    with db.unit_of_work() as s:
        again = roster.propose(s, LIVING, TERM, today=TODAY)
        line = next(x for x in again.lines if x.name == "普通生甲")
        assert not line.included and line.recovery_status == "pending" and "待收回" in line.removed_reason
        assert again.summary()["recoveries"] == 1
        with pytest.raises(roster.InputRefused, match="已登记收回"):
            roster.add(s, again, ids["普通生"], "补上")
        second = roster.confirm(s, again)
        assert (second.deleted, second.recovered) == (0, 0)
        assert "普通生甲" not in [
            x.name for x in roster.recorded_roster(s, LIVING, TERM, today=TODAY).included
        ]
    with db.reading() as s:
        assert s.get(Award, award_id) is not None
        assert len(s.scalars(select(Recovery)).all()) == 1


def test_an_unpaid_roster_confirmation_taken_off_later_is_only_a_plan_and_is_deleted(school):
    db, ids = school
    with db.unit_of_work() as s:
        roster.confirm(s, roster.propose(s, LIVING, TERM, today=TODAY))
    result = review_removing(db, ids["一般困难生"], "已转学")
    assert (result.deleted, result.recovered) == (1, 0)
    with db.reading() as s:
        assert s.scalars(select(Recovery)).all() == []


def test_the_problem_stays_open_until_the_recovery_is_recorded_as_done(school):
    db, ids = school
    pay_imported(db, ids)
    with db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)
    assert unsupported(db).status is ProblemStatus.OPEN
    review_removing(db, ids["普通生"])
    with db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)
    p = unsupported(db)
    assert p.status is ProblemStatus.OPEN and p.resolution != RESOLVED_BY_DATA  # not closed by itself
    with db.reading() as s:
        stats = term_statistics(s, TERM, today=TODAY)
        assert (stats.recoveries.pending, stats.recoveries.pending_amount) == (1, Decimal("750.00"))
        rec_id = s.scalars(select(Recovery.id)).one()
        # the problem list says so: on the problem itself and in the term's totals
        (shown,) = problem_detail(s, p.id).recoveries
        assert "750.00 元" in shown and "无认定材料，误助" in shown and shown.endswith("待收回")
        assert recovery_summaries(s)[TERM].describe() == "待收回 1 笔，750.00 元；已收回 0 笔，0.00 元"
    with db.unit_of_work(actor="资助专干") as s:
        recoveries.mark_done(s, rec_id, date(2026, 9, 18), "退回", "家长到校退回现金")
    p = unsupported(db)
    assert (p.status, p.resolution) == (ProblemStatus.CLOSED, RECOVERED)
    with db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)  # the recovered money is no longer aid: not "still present"
    p = unsupported(db)
    assert (p.status, p.resolution, p.still_present) == (ProblemStatus.CLOSED, RECOVERED, False)
    with db.reading() as s:
        rec = s.get(Recovery, rec_id)
        assert (rec.status, rec.done_on, rec.method, rec.done_by) == (
            RecoveryStatus.DONE,
            date(2026, 9, 18),
            "退回",
            "资助专干",
        )
        stats = term_statistics(s, TERM, today=TODAY)
        assert (stats.recoveries.pending, stats.recoveries.done, stats.recoveries.done_amount) == (
            0,
            1,
            Decimal("750.00"),
        )
        assert "已于 2026-09-18 退回（家长到校退回现金）" in problem_detail(s, p.id).recoveries[0]
        rows = recoveries.list_recoveries(s, TERM)
        assert [r.status_name for r in rows] == ["已收回"] and "退回" in rows[0].describe()


def test_recording_a_recovery_as_done_refuses_what_cannot_be_true(school):
    db, ids = school
    pay_imported(db, ids)
    review_removing(db, ids["普通生"])
    with db.reading() as s:
        rec_id = s.scalars(select(Recovery.id)).one()
    for done_on, method, note, words in (
        (date(2026, 9, 25), "退回", None, "还没有到"),
        (date(2026, 9, 1), "退回", None, "早于这笔资助的发放日期 2026-09-10"),
        (date(2026, 9, 19), "没收", None, "请选择"),
        (date(2026, 9, 19), "其他", "  ", "写明怎样收回"),
    ):
        with pytest.raises(ValidationError, match=words), db.unit_of_work() as s:
            recoveries.mark_done(s, rec_id, done_on, method, note)
    with pytest.raises(PermissionDenied), db.unit_of_work() as s:
        act_as(s, Principal(999, "county", "县中心", "county_viewer"))
        recoveries.mark_done(s, rec_id, date(2026, 9, 19), "抵扣")
    with db.unit_of_work() as s:
        recoveries.mark_done(s, rec_id, date(2026, 9, 19), "抵扣", "在下学期发放中扣除")
    with pytest.raises(ValidationError, match="已于 2026-09-19 登记为已收回"), db.unit_of_work() as s:
        recoveries.mark_done(s, rec_id, date(2026, 9, 19), "退回")
    with db.reading() as s:
        assert s.get(Recovery, rec_id).method == "抵扣"


def test_row_ids_are_never_reused(school):
    """The audit trail names rows by id: a deleted last row's id must not go to another child."""
    db, _ids = school
    with db.unit_of_work() as s:
        sid = require_school(s).id
        last = add_student(s, sid, student("末位生甲", "七年级", "2班"), today=date(2026, 9, 1))
        cat, term = load_catalogue(s), ensure_term(s, roster.parse_term(TERM))
        award = Award(
            student_id=last.id, policy_id=cat.policy_ids[POLICY], term_id=term.id, amount=Decimal(1)
        )
        problem = Problem(identity="x", kind="UNSUPPORTED_AID", person_key=last.person_key, name=last.name,
                          detail="d", first_seen_on=TODAY, last_seen_on=TODAY)  # fmt: skip
        s.add_all([award, problem])
        s.flush()
        old = {"student": last.id, "award": award.id, "problem": problem.id}
    with db.unit_of_work() as s:
        s.delete(s.get(Problem, old["problem"]))
        s.delete(s.get(Student, old["student"]))  # its award goes with it
    with db.unit_of_work() as s:
        new = add_student(s, sid, student("新来生乙", "七年级", "2班"), today=date(2026, 9, 1))
        award = Award(student_id=new.id, policy_id=cat.policy_ids[POLICY], term_id=term.id, amount=Decimal(2))
        problem = Problem(identity="y", kind="UNSUPPORTED_AID", person_key=new.person_key, name=new.name,
                          detail="d", first_seen_on=TODAY, last_seen_on=TODAY)  # fmt: skip
        s.add_all([award, problem])
        s.flush()
        assert new.id > old["student"] and award.id > old["award"] and problem.id > old["problem"]


def test_every_audit_entry_about_an_award_or_a_problem_names_the_child_and_the_project(school):
    db, ids = school
    award_id = pay_imported(db, ids)
    with db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)
        pid = s.scalars(
            select(Problem.id).where(Problem.name == "普通生甲", Problem.kind == "UNSUPPORTED_AID")
        ).one()
        add_note(s, pid, "已电话联系家长")
    with db.unit_of_work() as s:
        s.get(Award, award_id).amount = Decimal("700")
    with db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)  # the problem's wording follows the new amount
    review_removing(db, ids["普通生"])
    with db.unit_of_work() as s:
        sid = s.scalars(select(Student.id).where(Student.id_number == ids["普通生"])).one()
        rec_id = s.scalars(select(Recovery.id)).one()
        recoveries.mark_done(s, rec_id, date(2026, 9, 19), "退回")
        policy = s.get(Recovery, rec_id).policy_name
    with db.reading() as s:
        entries = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity.in_(["award", "problem", "problem_note", "recovery"]),
                AuditEntry.entity_id.is_not(None),
            )
        ).all()
        mine = [e for e in entries if e.student_id == sid]
        kinds = {(e.entity, e.action) for e in mine}
        assert {("award", "insert"), ("award", "update"), ("problem", "insert"), ("problem", "update"),
                ("problem_note", "insert"), ("recovery", "insert"), ("recovery", "update")} <= kinds  # fmt: skip
        for e in entries:
            assert e.note and e.note.startswith("【"), (e.entity, e.action, e.note)
        for e in mine:
            assert "普通生甲" in e.note and policy in e.note, e.note
        refreshed = [
            e for e in mine if e.entity == "problem" and e.action == "update" and "detail" in e.after
        ]
        assert refreshed and "700" in refreshed[-1].after["detail"]  # the re-run's new wording, one entry
        # what stays a statement: the re-run's "seen today" date on every problem still present
        for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "bulk_update")):
            assert e.entity == "problem" and "last_seen_on" in e.after["statement"]
        # the per-student filter finds them all, and nothing of another child
        found = set(audit_ids(s, AuditFilter(student_id=sid)))
        assert {e.id for e in mine} <= found
        rows = audit_rows(s, sorted(found))
        assert {r.subject for r in rows} == {"普通生甲"}
        other = s.scalars(select(Student.id).where(Student.id_number == ids["低保生"])).one()
        assert not found & set(audit_ids(s, AuditFilter(student_id=other)))


def test_upgrading_an_sqlite_database_keeps_its_rows_and_never_gives_a_freed_id_again(tmp_path):
    """A clerk's database from before 0010: the rebuilt tables keep every row and foreign key, the
    counters start past every id the audit trail names (award 3 was deleted before the upgrade), and
    the trail's existing entries learn which child they are about."""
    from alembic import command
    from sqlalchemy import insert, text

    from aidoffice.db.engine import Database, alembic_config, make_engine
    from aidoffice.db.models import School
    from aidoffice.db.models import Term as TermRow

    path = tmp_path / "old.db"
    engine = make_engine(str(path))
    command.upgrade(alembic_config(engine), "0008")
    with engine.begin() as c:
        c.execute(insert(School.__table__), {"id": 1, "name": "旧学校", "settings": {}})
        c.execute(insert(TermRow.__table__), {"id": 1, "code": TERM, "starts_on": date(2026, 9, 1),
                                              "ends_on": date(2027, 1, 31), "is_current": True})  # fmt: skip
        c.execute(  # the 0008 schema's own columns (the model has grown since)
            text("INSERT INTO policy (id, code, name, stage, amount_rule, boarding, eligible_groups, aliases) "
                 "VALUES (1, :code, '初中寄宿生生活补助', 'junior', '{}', 'boarding', '[]', '[]')"),
            {"code": POLICY},
        )  # fmt: skip
        for i in (1, 2, 3):
            c.execute(insert(Student.__table__), {"id": i, "school_id": 1, "person_key": f"K{i}", "id_type": "居民身份证",
                                                  "name": f"学生{i}", "name_pinyin": "x", "name_initials": "x",
                                                  "stage": "junior", "grade": 7, "class_name": "1班",
                                                  "status": "enrolled", "boarding": True})  # fmt: skip
            c.execute(
                insert(Award.__table__),
                {"id": i, "student_id": i, "policy_id": 1, "term_id": 1, "amount": 750},
            )
        c.execute(text("DELETE FROM award WHERE id = 3"))
        c.execute(
            text("INSERT INTO audit_entry (at, actor, action, entity, entity_id, before, note) "
                 "VALUES ('2026-09-10 10:00:00', '资助专干', 'delete', 'award', 3, :before, '花名册审核去掉')"),
            {"before": '{"student_id": 3, "amount": "750.00"}'},
        )  # fmt: skip
    engine.dispose()
    db = Database(str(path))
    try:
        with db.engine.connect() as c:
            assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1  # back on after the migration
            sql = c.execute(text("SELECT sql FROM sqlite_master WHERE name = 'award'")).scalar()
            assert "AUTOINCREMENT" in sql and "ON DELETE CASCADE" in sql
            entry = c.execute(text("SELECT student_id FROM audit_entry WHERE entity = 'award'")).scalar()
            assert entry == 3
        with db.unit_of_work() as s:
            assert [a.id for a in s.scalars(select(Award).order_by(Award.id))] == [1, 2]
            award = Award(student_id=3, policy_id=1, term_id=1, amount=Decimal(1))
            s.add(award)
            s.flush()
            assert award.id == 4  # not 3: the trail already names award 3 (学生3's deleted award)
        with db.engine.begin() as c:  # the database's own ON DELETE CASCADE, not the ORM's
            c.execute(text("DELETE FROM student WHERE id = 1"))
            assert [r[0] for r in c.execute(text("SELECT id FROM award ORDER BY id"))] == [2, 4]
    finally:
        db.dispose()


def test_an_imported_award_list_gives_each_award_an_entry_naming_the_child_and_the_project(school, tmp_path):
    """The county's list is inserted in one statement; the trail still has one entry per award, with
    its id, the child and the project, and the child's own audit view finds it."""
    from aidoffice.importing.service import ImportOptions, run_import
    from tests.sheets import write_xlsx

    db, ids = school
    header = ["序号", "姓名", "身份证号", "资助项目", "学年学期", "金额（元）"]
    rows = [
        [1, "普通生甲", ids["普通生"], "生活补助", TERM, 750],
        [2, "低保生甲", ids["低保生"], "生活补助", TERM, 750],
    ]
    with db.unit_of_work(actor="资助专干") as s:
        run_import(
            s,
            write_xlsx(tmp_path / "发放名单.xlsx", [header, *rows]),
            ImportOptions(kind="awards", today=TODAY),
        )
    with db.reading() as s:
        awards = {
            st.name: (a.id, st.id, a.policy.name)
            for a, st in s.execute(select(Award, Student).join(Student, Student.id == Award.student_id))
        }
        assert set(awards) == {"普通生甲", "低保生甲"}
        for name, (award_id, sid, policy) in awards.items():
            (entry,) = s.scalars(
                select(AuditEntry).where(AuditEntry.entity == "award", AuditEntry.entity_id == award_id)
            ).all()
            assert entry.student_id == sid and name in entry.note and policy in entry.note
            assert entry.id in audit_ids(s, AuditFilter(student_id=sid))
        assert not s.scalars(select(AuditEntry).where(AuditEntry.action == "bulk_insert")).all()


def test_a_child_whose_aid_is_being_taken_back_is_on_no_aid_letter_and_no_notice(school):
    """Review finding: after a removal (and after the money came back) the 公示 still listed the child
    and the aid letter still told the parents of the 750 元. An award under recovery is aid no longer."""
    from aidoffice.ledgers.school import resolve_term
    from aidoffice.publicity.common import Scope
    from aidoffice.publicity.letters import aided_students

    db, ids = school
    pay_imported(db, ids)
    pay_imported(db, ids, name="低保生")

    def aided_names():
        with db.reading() as s:
            term = resolve_term(s, TERM)
            students, _left = aided_students(s, Scope(), term, load_catalogue(s))
            return {st.name for st in students}

    assert aided_names() == {"普通生甲", "低保生甲"}
    review_removing(db, ids["普通生"])
    after = aided_names()  # the review confirmed the roster: its children are aided now
    assert "普通生甲" not in after and "低保生甲" in after  # a recovery to be done: no letter about it
    with db.unit_of_work(actor="资助专干") as s:
        rec = s.scalars(select(Recovery)).one()
        recoveries.mark_done(s, rec.id, date(2026, 9, 20), "退回")
    assert aided_names() == after


def test_a_recovery_recorded_by_mistake_can_be_cancelled_with_a_reason_but_not_once_done(school):
    """Review finding: a mistaken removal left a recovery nobody could take back (adding the child back
    was refused). Cancelling it, with a reason, lets the award stand again; a done one stays."""
    from aidoffice.errors import NotFound

    db, ids = school
    award_id = pay_imported(db, ids)
    review_removing(db, ids["普通生"], reason="审核时看错了行")
    with db.reading() as s:
        rec_id = s.scalars(select(Recovery.id)).one()
    with db.unit_of_work(actor="资助专干") as s, pytest.raises(ValidationError, match="写明原因"):
        recoveries.cancel(s, rec_id, "  ")
    with db.unit_of_work(actor="资助专干") as s:
        recoveries.cancel(s, rec_id, "审核时误删，该生符合条件")
    with db.reading() as s:
        assert s.get(Recovery, rec_id) is None and s.get(Award, award_id) is not None
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "recovery", AuditEntry.action == "delete")
        ).one()
        assert "审核时误删，该生符合条件" in entry.note and "普通生甲" in entry.note
        assert entry.actor == "资助专干"
    with db.unit_of_work(actor="资助专干") as s, pytest.raises(NotFound):
        recoveries.cancel(s, rec_id, "再撤一次")
    review_removing(db, ids["普通生"])
    with db.unit_of_work(actor="资助专干") as s:
        rec = s.scalars(select(Recovery)).one()
        recoveries.mark_done(s, rec.id, date(2026, 9, 20), "退回")
    with db.unit_of_work(actor="资助专干") as s, pytest.raises(ValidationError, match="不能撤销"):
        recoveries.cancel(s, rec.id, "想撤销")
