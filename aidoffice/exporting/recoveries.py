"""收回 (recoveries): money already paid is never deleted by a roster review. Removing a paid award
keeps the award and records a recovery to be done (amount, reason, who, when); the comparison's problem
about it stays open until the recovery is recorded as done (date, how: 退回/抵扣/其他), which closes it
as 已收回. An award the roster confirmed and nobody has paid yet is only a plan: removing it deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require, scope_students
from aidoffice.db.audit import actor_of
from aidoffice.db.models import (
    RECOVERY_METHODS,
    RECOVERY_STATUS_NAMES,
    Award,
    ImportBatch,
    Policy,
    Recovery,
    RecoveryStatus,
    Student,
)
from aidoffice.db.models import Term as TermRow
from aidoffice.domain.money import format_amount
from aidoffice.errors import FieldProblem, NotFound, ValidationError
from aidoffice.reconcile.problems import RecoverySummary, recovery_summary, settle_by_recovery

__all__ = ["RECOVERY_METHODS", "RecoverySummary", "recovery_summary"]


def is_paid(session: Session, award: Award) -> bool:
    """Money that may have reached the family: a payment date, or any award not made by a roster
    confirmation (an imported 发放名单, an entry by hand). Only an unpaid roster confirmation is a plan."""
    if award.paid_on is not None or award.batch_id is None:
        return True
    kind = session.scalar(select(ImportBatch.kind).where(ImportBatch.id == award.batch_id))
    return kind != "roster"


def record_recovery(session: Session, award: Award, reason: str, *, batch_id: int | None = None) -> Recovery:
    """A paid award taken off the roster: the recovery to be done. The award stays."""
    require(session, "awards.confirm")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError([FieldProblem("原因", "收回已发放的资助需要写明原因")])
    existing = session.scalars(select(Recovery).where(Recovery.award_id == award.id)).first()
    if existing is not None:
        return existing
    student = session.get(Student, award.student_id)
    policy = session.get(Policy, award.policy_id)
    term = session.get(TermRow, award.term_id)
    rec = Recovery(
        award_id=award.id,
        student_id=award.student_id,
        person_key=student.person_key if student else "",
        name=student.name if student else "",
        policy_code=policy.code if policy else "",
        policy_name=policy.name[:60] if policy else "",
        term_code=term.code if term else "",
        amount=Decimal(award.amount).quantize(Decimal("0.01")),
        reason=reason[:200],
        status=RecoveryStatus.PENDING,
        recorded_by=actor_of(session)[:60],
        recorded_at=clock.now(),
        batch_id=batch_id,
    )
    session.add(rec)
    session.flush()
    return rec


@dataclass
class RecoveryRow:
    id: int
    student_id: int | None
    name: str
    grade: int | None
    class_name: str | None
    policy_name: str
    term_code: str
    amount: Decimal
    reason: str
    status: str  # pending / done
    status_name: str
    recorded_by: str
    recorded_at: datetime
    done_on: date | None
    method: str | None
    done_note: str | None
    done_by: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "policy": self.policy_name, "term": self.term_code,
            "amount": str(self.amount), "reason": self.reason, "status": self.status,
            "status_name": self.status_name, "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat(timespec="seconds"),
            "done_on": self.done_on.isoformat() if self.done_on else None, "method": self.method,
            "done_note": self.done_note, "done_by": self.done_by,
        }  # fmt: skip

    def describe(self) -> str:
        head = f"#{self.id} {self.name} {self.policy_name} {self.term_code} {format_amount(self.amount)} 元，原因：{self.reason}"
        if self.status == RecoveryStatus.DONE.value:
            return f"{head}；已收回（{self.done_on:%Y-%m-%d}，{self.method}）"  # type: ignore[union-attr]
        return f"{head}；待收回（{self.recorded_by} {self.recorded_at:%Y-%m-%d} 登记）"


def list_recoveries(
    session: Session, term: str | None = None, *, pending_only: bool = False
) -> list[RecoveryRow]:
    """The recoveries, to do first, then by term and name (a head teacher: their own classes)."""
    require(session, "export.roster")
    q = select(Recovery, Student.grade, Student.class_name).outerjoin(
        Student, Student.id == Recovery.student_id
    )
    if term:
        q = q.where(Recovery.term_code == term)
    if pending_only:
        q = q.where(Recovery.status == RecoveryStatus.PENDING)
    q = scope_students(session, q)
    rows = []
    for r, grade, cls in session.execute(q):
        rows.append(
            RecoveryRow(
                r.id,
                r.student_id,
                r.name,
                grade,
                cls,
                r.policy_name,
                r.term_code,
                Decimal(r.amount).quantize(Decimal("0.01")),
                r.reason,
                r.status.value,
                RECOVERY_STATUS_NAMES[r.status],
                r.recorded_by,
                r.recorded_at,
                r.done_on,
                r.method,
                r.done_note,
                r.done_by,
            )
        )
    rows.sort(key=lambda x: (x.status != RecoveryStatus.PENDING.value, x.term_code, x.name, x.id))
    return rows


def mark_done(
    session: Session,
    recovery_id: int,
    done_on: date,
    method: str,
    note: str | None = None,
    *,
    today: date | None = None,
) -> Recovery:
    """Record the recovery as done (the date and how); the problems about the award close as 已收回."""
    require(session, "awards.confirm")
    rec = session.get(Recovery, recovery_id)
    if rec is None:
        raise NotFound(f"找不到编号为 {recovery_id} 的收回记录，可能已被他人处理，请刷新。")
    today = today or clock.today()
    method = (method or "").strip()
    problems = []
    if rec.status is RecoveryStatus.DONE:
        problems.append(
            FieldProblem("状态", f"这笔已于 {rec.done_on:%Y-%m-%d} 登记为已收回（{rec.method}）")  # type: ignore[union-attr]
        )
    if method not in RECOVERY_METHODS:
        problems.append(FieldProblem("收回方式", f"请选择：{'、'.join(RECOVERY_METHODS)}"))
    elif method == "其他" and not (note or "").strip():
        problems.append(FieldProblem("说明", "收回方式为“其他”时请写明怎样收回的"))
    if done_on is None:
        problems.append(FieldProblem("收回日期", "请填写收回的日期"))
    else:
        if done_on > today:
            problems.append(FieldProblem("收回日期", f"{done_on:%Y-%m-%d} 还没有到，请填写实际收回的日期"))
        paid_on = rec.award.paid_on if rec.award is not None else None
        if paid_on is not None and done_on < paid_on:
            problems.append(FieldProblem("收回日期", f"早于这笔资助的发放日期 {paid_on:%Y-%m-%d}，请核对"))
    if problems:
        raise ValidationError(problems)
    rec.status, rec.done_on, rec.method = RecoveryStatus.DONE, done_on, method
    rec.done_note = (note or "").strip()[:200] or None
    rec.done_by, rec.done_at = actor_of(session)[:60], clock.now()
    session.flush()
    text = f"{rec.name}{rec.policy_name} {format_amount(rec.amount)} 元已于 {done_on:%Y-%m-%d} {method}" + (
        f"（{rec.done_note}）" if rec.done_note else ""
    )
    settle_by_recovery(session, rec, text)
    return rec


def cancel(session: Session, recovery_id: int, reason: str) -> Recovery:
    """Take back a recovery still to be done: the removal in the review was a mistake and the award
    stands (it counts again for letters, the 公示 and the next roster). Only an administrator-level right
    (awards.confirm), with a reason, recorded in the trail; a recovery already done cannot be undone."""
    require(session, "awards.confirm")
    rec = session.get(Recovery, recovery_id)
    if rec is None:
        raise NotFound(f"找不到编号为 {recovery_id} 的收回记录，可能已被他人处理，请刷新。")
    reason = (reason or "").strip()
    problems = []
    if rec.status is RecoveryStatus.DONE:
        problems.append(
            FieldProblem(
                "状态", f"这笔已于 {rec.done_on:%Y-%m-%d} 登记为已收回，不能撤销；如有错误请另作说明"
            )  # type: ignore[union-attr]
        )
    if not reason:
        problems.append(FieldProblem("原因", "撤销收回需要写明原因（如“审核时误删，该生符合条件”）"))
    if problems:
        raise ValidationError(problems)
    note = session.info.get("audit_note")
    session.info["audit_note"] = f"撤销收回：{reason[:150]}"
    try:
        session.delete(rec)
        session.flush()
    finally:
        session.info["audit_note"] = note
    return rec


def summary(session: Session, term: str | None = None) -> RecoverySummary:
    require(session, "export.roster")
    return recovery_summary(session, term)
