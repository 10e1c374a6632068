"""Which term is current, read without writing (the one read function every screen, export and command
uses), and the terms the database knows. The one write function is `ledgers.school.ensure_current_term`
(it creates the term row and marks it current); a read-only operation never calls it.

The current term is the term marked current, else the term containing today (`clock.today()`): the
term `ensure_current_term` would mark. Until it is written it has no row (`CurrentTerm.id` is None)
and nothing in the database refers to it: no award, slip or session is of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.db.models import Term
from aidoffice.domain.terms import Term as TermValue


@dataclass(frozen=True)
class CurrentTerm:
    """A term as the screens and commands use it: plain values, safe to hand to another thread."""

    code: str
    starts_on: date
    ends_on: date
    id: int | None = None  # the row's id; None: not recorded yet (nothing refers to it)
    marked: bool = False  # the database marks it current (else it is the term containing today)

    @property
    def label(self) -> str:
        return TermValue.parse(self.code).label

    @property
    def value(self) -> TermValue:
        return TermValue.parse(self.code)


def read_current_term(session: Session, today: date | None = None) -> CurrentTerm:
    """The current term; never writes (no row is made or marked)."""
    row = session.scalars(select(Term).where(Term.is_current.is_(True)).order_by(Term.id).limit(1)).first()
    if row is not None:
        return CurrentTerm(row.code, row.starts_on, row.ends_on, row.id, True)
    value = TermValue.containing(today or clock.today())
    known = session.scalar(select(Term.id).where(Term.code == value.code))
    return CurrentTerm(value.code, value.starts_on, value.ends_on, known, False)


def as_current_term(row: Term) -> CurrentTerm:
    """A term row as plain values (what leaves a session)."""
    return CurrentTerm(row.code, row.starts_on, row.ends_on, row.id, bool(row.is_current))


@dataclass(frozen=True)
class TermChoices:
    """What a term combo offers: the known terms, newest first, with the current one among them."""

    codes: list[str]
    current: str


def term_choices(session: Session, today: date | None = None) -> TermChoices:
    current = read_current_term(session, today).code
    codes = list(session.scalars(select(Term.code).order_by(Term.starts_on.desc(), Term.code.desc())))
    if current not in codes:
        codes = sorted([*codes, current], reverse=True)  # codes sort as the terms do
    return TermChoices(codes, current)
