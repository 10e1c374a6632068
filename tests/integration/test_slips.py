"""Slips coming back: a clerk scans or types codes; the counts, the missing lists, the applicants and
the objections follow."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aidoffice.db.models import AuditEntry, Problem, ProblemStatus, Slip
from aidoffice.domain import slipcode
from aidoffice.errors import InputRefused
from aidoffice.publicity import slips
from aidoffice.publicity.letters import produce_letters
from aidoffice.reconcile.service import run_reconcile
from aidoffice.services import slip_desk
from tests.letters_world import LETTER_DAY, print_letters


@pytest.fixture
def printed(school_db, tmp_path):
    """The school's policy letters and aid letters of this term are printed: slips issued."""
    return print_letters(school_db, tmp_path)


def _mistype(code: str) -> str:
    last = slipcode.ALPHABET[(slipcode.ALPHABET.index(code[-1]) + 1) % slipcode.MODULUS]
    return code[:-1] + last


def test_a_scanned_code_is_received_once_and_a_second_scan_says_already(school_db, printed):
    """A slip scanned twice must not change the family's recorded answer; the clerk is told it is already in."""
    policy, _ = printed
    code = policy.slips[0]
    with school_db.unit_of_work(actor="资助专干") as s:
        first = slip_desk.receive(s, code, "apply")
        again = slip_desk.receive(s, slipcode.display(code).lower(), "decline")
    assert first.outcome is slips.Outcome.RECEIVED and "已登记" in first.message
    assert again.outcome is slips.Outcome.REPEATED and "符合、申请" in again.message
    with school_db.reading() as s:
        slip = s.scalars(select(Slip).where(Slip.code == code)).one()
        assert (slip.answer, slip.received_by) == ("apply", "资助专干")  # the second scan changed nothing


def test_a_mistyped_or_unknown_code_registers_nothing(school_db, printed):
    """A typo must never tick off another family's slip; the clerk is told to check the code instead."""
    policy, _ = printed
    unknown = slipcode.make_code("22222")
    while unknown in policy.slips:
        unknown = slipcode.new_code()
    with school_db.unit_of_work() as s:
        typo = slip_desk.receive(s, _mistype(policy.slips[0]))
        junk = slip_desk.receive(s, "hello")
        nobody = slip_desk.receive(s, unknown)
    assert typo.outcome is slips.Outcome.MISTYPED and "校验码" in typo.message
    assert junk.outcome is slips.Outcome.MISTYPED
    assert nobody.outcome is slips.Outcome.UNKNOWN and "查无此回执" in nobody.message
    status = _status(school_db)
    assert status.returned == 0


def _status(db, **kw):
    with db.reading() as s:
        return slips.slip_status(s, **kw)


def test_an_answer_that_does_not_fit_the_slip_is_refused(school_db, printed):
    """“有异议” cannot be the answer on a policy letter's slip: a wrong key must not be recorded."""
    policy, _ = printed
    with pytest.raises(InputRefused, match="选项只能是"), school_db.unit_of_work() as s:
        slip_desk.receive(s, policy.slips[0], "object")


def test_counts_per_class_and_the_outstanding_lists_follow_the_scans(school_db, printed, tmp_path):
    """Head teachers chase the slips not yet back; the counts and the list of missing ones must follow each scan."""
    policy, _ = printed
    with school_db.unit_of_work() as s:
        for code in policy.slips[:3]:
            slip_desk.receive(s, code, "decline")
    status = _status(school_db, kind="policy")
    by_class = {c.label: c for c in status.classes}
    assert status.total == 7 and status.returned == 3
    assert list(by_class) == ["六年级1班", "七年级2班", "七年级10班"]
    assert sum(c.returned for c in by_class.values()) == 3
    with school_db.reading() as s:
        missing = slips.outstanding(s, kind="policy")
        path, rows = slips.export_outstanding(s, tmp_path / "未交.xlsx", kind="policy")
    assert sum(len(v) for v in missing.values()) == rows == 4
    assert not {line.code for lines in missing.values() for line in lines} & set(policy.slips[:3])
    wb = load_workbook(path)
    assert wb.sheetnames == ["各班回执", "未交回执"]
    listed = [r[4] for r in wb["未交回执"].iter_rows(min_row=3, values_only=True)]
    assert listed == [slipcode.display(line.code) for lines in missing.values() for line in lines]
    assert wb["各班回执"].cell(row=3, column=1).value == "六年级1班"


def test_families_that_apply_are_listed_for_the_hardship_assessment(school_db, printed):
    """A family that applies on its slip must reach the assessment list; one that declines must not."""
    policy, _ = printed
    with school_db.unit_of_work() as s:
        slip_desk.receive(s, policy.slips[1], "apply")
        slip_desk.receive(s, policy.slips[2], "decline")
    with school_db.reading() as s:
        found = slips.applicants(s)
    assert [a.code for a in found] == [policy.slips[1]]


def test_an_objection_on_an_aid_slip_becomes_a_problem_with_the_familys_words(school_db, printed, tmp_path):
    """A parent's objection reaches the problem list at once, in their own words, and survives a re-run."""
    _, aid = printed
    with school_db.unit_of_work() as s:
        slip_desk.receive(s, aid.slips[0], "object", "金额与通知的不一致")
        slip_desk.receive(s, aid.slips[1], "agree")
    with school_db.reading() as s:
        found = slips.objections(s)
    assert len(found) == 1
    assert found[0].text == "金额与通知的不一致" and found[0].slip_code == aid.slips[0]

    def problems():
        with school_db.reading() as s:
            return s.scalars(select(Problem).where(Problem.kind == "AID_OBJECTION")).all()

    [problem] = problems()  # in the problem list at once, without waiting for a comparison
    assert problem.status is ProblemStatus.OPEN and "金额与通知的不一致" in problem.detail
    out = tmp_path / "问题清单.xlsx"
    with school_db.unit_of_work() as s:
        run_reconcile(s, found[0].term, out=out)
    sheet = [r for r in load_workbook(out)["家长有异议"].iter_rows(values_only=True)]
    header = list(sheet[1])
    row = dict(zip(header, sheet[2], strict=True))  # the family's words stand beside the school's record
    assert row["回执编号"] == aid.slips[0] and "家长意见：金额与通知的不一致" in row["另一方"]
    [again] = problems()
    assert (again.id, again.status) == (problem.id, ProblemStatus.OPEN)  # a comparison keeps it
    with school_db.unit_of_work() as s:
        slip_desk.undo_receipt(s, aid.slips[0])
    [undone] = problems()
    assert undone.status is ProblemStatus.CLOSED and undone.resolution == "数据已更正"


def test_an_objection_typed_with_control_characters_is_kept_as_the_family_meant(school_db, printed):
    """Pasted from a chat: ESC and BEL go, the line break stays; no U+FFFD in the family's words."""
    _, aid = printed
    with school_db.unit_of_work() as s:
        slip_desk.receive(s, aid.slips[0], "object", " 金额\x1b不对\r\n少发了\x07一学期 ")
    with school_db.reading() as s:
        (found,) = slips.objections(s)
    assert found.text == "金额不对\n少发了一学期"


def test_every_registration_is_in_the_audit_trail_and_can_be_undone(school_db, printed):
    """A slip registered by mistake can be undone, with both the registration and the undo on record."""
    policy, _ = printed
    with school_db.unit_of_work(actor="资助专干") as s:
        slip_desk.receive(s, policy.slips[0], "apply")
    with school_db.unit_of_work() as s:
        slip_desk.undo_receipt(s, policy.slips[0])
    assert _status(school_db, kind="policy").returned == 0
    with school_db.reading() as s:
        updates = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "slip", AuditEntry.action == "update")
            .order_by(AuditEntry.id)
        ).all()
    assert [u.after.get("answer") for u in updates] == ["apply", None]


@pytest.mark.today("2026-11-22")  # the dates it records are in that autumn term
def test_a_family_that_applies_is_on_the_assessment_to_do_list_until_assessed(school_db, printed):
    """□符合、申请 on the policy letter's slip puts the child on the hardship assessment's list (a 待认定
    problem); recording the assessment — whatever its level — takes the child off at the next comparison."""
    from datetime import date

    from aidoffice.ledgers.assessments import record_assessment

    policy, _ = printed
    with school_db.unit_of_work() as s:
        applied = slip_desk.receive(s, policy.slips[0], "apply")
        slip_desk.receive(s, policy.slips[1], "decline")
    with school_db.reading() as s:
        student_id = slips.applicants(s)[0].student_id
        term_code = s.scalars(select(Slip).where(Slip.code == policy.slips[0])).one().term.code

    def pending():
        with school_db.reading() as s:
            return s.scalars(select(Problem).where(Problem.kind == "ASSESSMENT_PENDING")).all()

    with school_db.unit_of_work() as s:
        run_reconcile(s, term_code)
    [problem] = pending()
    assert problem.status is ProblemStatus.OPEN and problem.student_id == student_id
    assert applied.student in problem.detail and "符合、申请" in problem.detail
    with school_db.unit_of_work() as s:
        record_assessment(s, student_id, problem.scope, "none", date(2026, 10, 9), "资助工作领导小组")
        run_reconcile(s, term_code)
    [settled] = pending()
    assert settled.status is ProblemStatus.CLOSED and settled.resolution == "数据已更正"


def test_a_slip_of_another_term_names_its_term_and_is_not_counted(school_db, printed, tmp_path):
    """A family that hands in last term's slip: the clerk learns whose and which term it is, and this
    term's count does not move (the old slip stays as it was)."""
    with school_db.unit_of_work(actor="资助专干") as s:
        old = produce_letters(s, "policy", tmp_path / "old.pdf", term="2025-2026-2", letter_date=LETTER_DAY)
        before = slips.slip_status(s, kind="policy").returned
        got = slip_desk.receive(s, old.slips[0], "apply")
        after = slips.slip_status(s, kind="policy").returned
        late = slip_desk.receive(s, old.slips[0], "apply", term="2025-2026-2")  # registered for its own term
    assert got.outcome is slips.Outcome.OTHER_TERM
    assert "2025-2026学年第二学期" in got.message and "不计入" in got.message and got.student
    assert before == after
    assert late.outcome is slips.Outcome.RECEIVED
