"""A clerk's work on one problem of the problem list: take it, add a note, close it with a resolution,
reopen it. Every change is a row of `problem_note`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.models import (
    Problem,
    ProblemStatus,
)
from aidoffice.domain.text import typed_text
from aidoffice.errors import FieldProblem, ValidationError
from aidoffice.reconcile.kinds import NO_LONGER_SERVED, RESOLVED_BY_DATA
from aidoffice.reconcile.problems import _actor, _add_note, get_problem


def take_problem(
    session: Session, problem_id: int, who: str | None = None, note: str | None = None
) -> Problem:
    """open → in progress: who works on it (a note may say how)."""
    require(session, "problems.close")
    p = get_problem(session, problem_id)
    who = _actor(session, who)
    if p.status is ProblemStatus.CLOSED:
        raise ValidationError([FieldProblem("状态", "这个问题已销号；如需继续处理，请先重新打开")])
    p.status, p.assigned_to, p.taken_at = ProblemStatus.IN_PROGRESS, who, clock.now()
    _add_note(
        session, p, "take", f"{who}接手处理" + (f"：{note.strip()}" if note and note.strip() else ""), who
    )
    session.flush()
    return p


def add_note(session: Session, problem_id: int, text: str, who: str | None = None) -> Problem:
    require(session, "problems.close")
    p = get_problem(session, problem_id)
    text = typed_text(text)
    if not text:
        raise ValidationError([FieldProblem("备注", "不能为空")])
    _add_note(session, p, "note", text, _actor(session, who))
    session.flush()
    return p


def close_problem(
    session: Session,
    problem_id: int,
    resolution: str,
    note: str | None = None,
    who: str | None = None,
    *,
    action: str = "close",
) -> Problem:
    """Close (销号) with a resolution (补助已补发, 已核实无误, 已更正证件号 … or the clerk's own words)."""
    require(session, "problems.close")
    p = get_problem(session, problem_id)
    resolution = (resolution or "").strip()
    problems = []
    if not resolution:
        problems.append(FieldProblem("处理结果", "请选择或填写处理结果（如“补助已补发”“已核实无误”）"))
    elif resolution in (RESOLVED_BY_DATA, NO_LONGER_SERVED):
        problems.append(FieldProblem("处理结果", f"“{resolution}”由重新比对自动使用，请写明实际的处理结果"))
    if p.status is ProblemStatus.CLOSED:
        problems.append(FieldProblem("状态", f"这个问题已于 {p.closed_at:%Y-%m-%d} 销号（{p.resolution}）"))  # type: ignore[union-attr]
    if problems:
        raise ValidationError(problems)
    who = _actor(session, who)
    p.status, p.resolution, p.closed_by, p.closed_at = (
        ProblemStatus.CLOSED,
        resolution[:60],
        who,
        clock.now(),
    )
    p.still_present = False  # until a re-run says otherwise
    text = f"销号：{resolution}" + (f"。{note.strip()}" if note and note.strip() else "")
    _add_note(session, p, action, text, who)
    session.flush()
    return p


def reopen_problem(session: Session, problem_id: int, note: str, who: str | None = None) -> Problem:
    require(session, "problems.close")
    p = get_problem(session, problem_id)
    note = typed_text(note)
    if not note:
        raise ValidationError([FieldProblem("说明", "重新打开时请写明原因")])
    if p.status is not ProblemStatus.CLOSED:
        raise ValidationError([FieldProblem("状态", "这个问题没有销号，不需要重新打开")])
    who = _actor(session, who)
    p.status, p.resolution, p.closed_by, p.closed_at = ProblemStatus.OPEN, None, None, None
    _add_note(session, p, "reopen", f"重新打开：{note}", who)
    session.flush()
    return p
