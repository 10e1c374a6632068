"""The slip desk: registering returned slips (`aidoffice.publicity.slips`) and keeping the problem list
(`aidoffice.reconcile`) in step — an objection is a problem from the moment it is registered, and an
undone registration closes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.models import Slip
from aidoffice.domain import slipcode
from aidoffice.publicity import slips
from aidoffice.publicity.slips import Outcome, Receipt
from aidoffice.reconcile.from_slips import objection_finding, objection_identity
from aidoffice.reconcile.problems import record_finding, settle_by_data


def receive(
    session: Session,
    typed: str,
    answer: str | None = None,
    objection: str | None = None,
    *,
    when: datetime | None = None,
    term: str | None = None,
) -> Receipt:
    """Register one returned slip (see `publicity.slips.receive`); an objection becomes a problem in the
    problem list at once, without waiting for the next comparison."""
    receipt = slips.receive(session, typed, answer, objection, when=when, term=term)
    if receipt.outcome is Outcome.RECEIVED and answer == "object":
        slip = session.scalars(select(Slip).where(Slip.code == receipt.code)).one()
        finding = objection_finding(slip.student, slip.term.code, slip.code, slip.objection, slip.received_at)  # type: ignore[arg-type]
        record_finding(session, finding)
    return receipt


def undo_receipt(session: Session, code: str) -> None:
    """Take back a registration made by mistake; the problem its objection opened closes."""
    slip = session.scalars(select(Slip).where(Slip.code == slipcode.parse(code).code)).first()
    objected = slip is not None and slip.answer == "object"
    slip = slips.undo_receipt(session, code)
    if objected:
        settle_by_data(session, objection_identity(slip.student, slip.term.code, slip.code), "回执登记已撤销")
