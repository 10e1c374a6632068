"""The school this database keeps, and its terms."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.catalogue import sync_catalogue
from aidoffice.db.models import School, Term
from aidoffice.domain.terms import InvalidTerm
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import FieldProblem, InputRefused, NotFound, ValidationError
from aidoffice.ledgers.term_queries import read_current_term


def get_school(session: Session) -> School | None:
    return session.scalars(select(School).order_by(School.id).limit(1)).first()


def require_school(session: Session) -> School:
    school = get_school(session)
    if school is None:
        raise NotFound(
            "数据库中还没有学校信息，请先运行“aidoffice init --school 学校名称”或在程序中完成首次设置。"
        )
    return school


def setup_school(
    session: Session, name: str | None, code: str | None = None, county: str | None = None
) -> School:
    """Create the school or update what was given; load the policy catalogue; make the current term."""
    require(session, "school.setup")
    problems = []
    name = (name or "").strip()
    code = (code or "").strip() or None
    if code is not None and not (code.isdigit() and len(code) == 10):
        problems.append(FieldProblem("学校标识码", f"“{code}”应为10位数字（学籍系统中的学校标识码）"))
    school = get_school(session)
    if school is None and not name:
        problems.append(FieldProblem("学校名称", "不能为空"))
    if problems:
        raise ValidationError(problems)
    if school is None:
        school = School(name=name, code=code, county=(county or "").strip() or None, settings={})
        session.add(school)
    else:
        if name:
            school.name = name
        if code:
            school.code = code
        if county:
            school.county = county.strip()
    sync_catalogue(session)
    ensure_current_term(session)
    session.flush()
    return school


def ensure_term(session: Session, term: TermValue) -> Term:
    row = session.scalars(select(Term).where(Term.code == term.code)).first()
    if row is None:
        row = Term(code=term.code, starts_on=term.starts_on, ends_on=term.ends_on, is_current=False)
        session.add(row)
        session.flush()
    return row


def ensure_current_term(session: Session, today: date | None = None) -> Term:
    """The term marked current, or the one containing today (created and marked if new): the one write
    function for the current term; a read uses `ledgers.term_queries.read_current_term`."""
    row = session.scalars(select(Term).where(Term.is_current.is_(True))).first()
    if row is not None:
        return row
    row = ensure_term(session, TermValue.containing(today or clock.today()))
    row.is_current = True
    session.flush()
    return row


def set_current_term(session: Session, term: str) -> Term:
    """The office moves to `term` (any notation): it becomes the current term of every screen, letter
    and comparison, and the term marked before is current no more. The office moves when it is ready
    (the autumn's work may run into March), never by itself; the screens say when the calendar has
    moved on (`school_queries.SchoolInfo.calendar_term`)."""
    require(session, "school.setup")
    row = ensure_term(session, _parse_term(term))
    for other in session.scalars(select(Term).where(Term.is_current.is_(True), Term.id != row.id)):
        other.is_current = False
    row.is_current = True
    session.flush()
    return row


def read_term(session: Session, term: str | None) -> Term:
    """The term named (any notation) or, with none named, the current one, for work that only reads
    (a list, a preview, a count): never writes. A term that has no row yet comes back unsaved (its id
    is None, so it matches no slip, letter or record) and is never added to the session."""
    if not term:
        current = read_current_term(session)  # the one rule for which term is current
        if current.id is not None:
            return session.get(Term, current.id)  # type: ignore[return-value]
        value = TermValue.parse(current.code)
    else:
        value = _parse_term(term)
    row = session.scalars(select(Term).where(Term.code == value.code)).first()
    if row is not None:
        return row
    return Term(code=value.code, starts_on=value.starts_on, ends_on=value.ends_on, is_current=not term)


def _parse_term(term: str) -> TermValue:
    try:
        return TermValue.parse(term)
    except InvalidTerm:
        raise InputRefused(f"学期“{term}”无法识别，应写作 2026-2027-1 或 2026-2027学年第一学期。") from None


def resolve_term(session: Session, term: str | None) -> Term:
    """The term named (any notation) or, with none named, the current one; its row is made when new
    (for work that records something of the term: letters, slips, a comparison)."""
    if not term:
        return ensure_current_term(session)
    return ensure_term(session, _parse_term(term))
