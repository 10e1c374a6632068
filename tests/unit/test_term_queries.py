"""The current term is read one way and made one way: reading it never writes a row."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select, text

from aidoffice.db.models import Term
from aidoffice.ledgers.school import ensure_current_term
from aidoffice.ledgers.term_queries import read_current_term, term_choices


def _drop_terms(db) -> None:  # type: ignore[no-untyped-def]
    """A school whose database has no term yet (an older copy, or a term never made)."""
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM term"))


@pytest.mark.today("2026-11-22")
def test_reading_the_current_term_of_a_database_without_one_writes_nothing(school_db):
    _drop_terms(school_db)
    with school_db.reading() as s:
        term = read_current_term(s)
        choices = term_choices(s)
        assert not s.new and not s.dirty
    assert (term.code, term.id, term.marked) == ("2026-2027-1", None, False)
    assert term.label == "2026-2027学年第一学期"
    assert choices.current == "2026-2027-1" and choices.codes == ["2026-2027-1"]
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Term)) == 0


@pytest.mark.today("2026-11-22")
def test_the_term_made_is_the_term_read_before_it_was_made(school_db):
    _drop_terms(school_db)
    with school_db.reading() as s:
        before = read_current_term(s)
    with school_db.unit_of_work(actor="测试员") as s:
        row = ensure_current_term(s)
        made = (row.id, row.code)
    with school_db.reading() as s:
        after = read_current_term(s)
    assert made[1] == before.code == after.code
    assert after.id == made[0] and after.marked


@pytest.mark.today("2027-04-02")
def test_a_term_marked_current_wins_over_the_calendar(school_db):
    """The office moves to the next term when it is ready, not when the calendar says."""
    _drop_terms(school_db)
    with school_db.unit_of_work(actor="测试员") as s:
        ensure_current_term(s, date(2026, 11, 22))
    with school_db.reading() as s:
        term = read_current_term(s)
        choices = term_choices(s)
    assert term.code == "2026-2027-1" and term.marked
    assert choices.current == "2026-2027-1"


@pytest.mark.today("2026-11-22")
def test_the_1222_lists_and_previews_of_a_term_not_yet_made_write_nothing(school_db, tmp_path):
    """Opening the slip, class-session and letter screens on a database without this term's row (a
    copy from before the term began) lists nothing and previews a letter, and makes no term row: only
    work that records something of the term (letters printed, a slip registered) makes it."""
    from aidoffice.ledgers.students import add_student
    from aidoffice.publicity import letters, notice, sessions, slips
    from tests.factories import student

    _drop_terms(school_db)
    with school_db.unit_of_work() as s:
        kid = add_student(s, 1, student("王小明", "七年级", "1班")).id
    writes: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement[:80])

    event.listen(school_db.engine, "before_cursor_execute", watch)
    with school_db.reading() as s:
        assert slips.slip_status(s).classes == []
        assert slips.outstanding(s) == {} and slips.applicants(s) == [] and slips.objections(s) == []
        assert sessions.list_sessions(s) == [] and sessions.list_sessions(s, whole_year=True) == []
        assert [m.class_label for m in sessions.missing_sessions(s)] == ["七年级1班"]
        assert notice.notice_held(s) == []
        assert letters.plan_letters(s, "policy").letters == 1
        out = letters.preview_letter(s, "policy", kid, tmp_path / "预览.pdf")
        # the lists saved as workbooks for the head teachers and the inspection read the same way
        assert slips.export_outstanding(s, tmp_path / "未交.xlsx", kind="policy")[1] == 0
        assert sessions.export_sessions(s, tmp_path / "两节课.xlsx")[0].is_file()
        assert not s.new and not s.dirty
    event.remove(school_db.engine, "before_cursor_execute", watch)
    assert writes == []
    assert out.stat().st_size > 0
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Term)) == 0


def test_the_office_moves_to_the_next_term_when_it_says_so_and_the_screens_say_when_it_is_due(school_db):
    """The autumn term stays current into March (its work is not done); the school's details say the
    calendar has moved on; moving on marks the spring term alone as current, and the trail has it."""
    from aidoffice.clock import pinned_to
    from aidoffice.db.models import AuditEntry
    from aidoffice.ledgers.school import set_current_term
    from aidoffice.ledgers.school_queries import school_info

    _drop_terms(school_db)
    with pinned_to(date(2026, 11, 22)), school_db.unit_of_work(actor="测试员") as s:
        ensure_current_term(s)
    with pinned_to(date(2027, 3, 15)):
        with school_db.reading() as s:
            info = school_info(s)
            assert (info.term, info.calendar_term, info.behind) == ("2026-2027-1", "2026-2027-2", True)
            assert read_current_term(s).code == "2026-2027-1"
        with school_db.unit_of_work(actor="测试员") as s:
            assert set_current_term(s, "2026-2027学年第二学期").code == "2026-2027-2"
        with school_db.reading() as s:
            info = school_info(s)
            assert (info.term, info.behind) == ("2026-2027-2", False)
            marked = s.scalars(select(Term.code).where(Term.is_current.is_(True))).all()
            notes = s.scalars(select(AuditEntry.entity).where(AuditEntry.entity == "term")).all()
    assert marked == ["2026-2027-2"] and len(notes) >= 2  # the old term unmarked, the new one made and marked


def test_a_term_that_cannot_be_read_is_refused_and_nothing_moves(school_db):
    from aidoffice.errors import InputRefused
    from aidoffice.ledgers.school import set_current_term

    with pytest.raises(InputRefused, match="学期“下学期”无法识别"), school_db.unit_of_work() as s:
        set_current_term(s, "下学期")
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Term).where(Term.is_current.is_(True))) == 1
