"""Reading the problem list: filters, pages of rows by id, one problem's detail, the open problems of
students (for the roster review), the choices of the filters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import case, or_, select, true
from sqlalchemy.orm import Session

from aidoffice.access.checks import require
from aidoffice.db.models import (
    PROBLEM_STATUS_NAMES,
    PersonLink,
    Problem,
    ProblemStatus,
    Recovery,
    RecoveryStatus,
)
from aidoffice.privacy import free_text
from aidoffice.reconcile.kinds import KINDS, label
from aidoffice.reconcile.problems import _CHUNK, RECOVERY_SETTLES, get_problem


@dataclass
class ProblemFilter:
    kind: str | None = None
    status: ProblemStatus | None = None  # None: every status
    open_only: bool = False  # open or in progress
    grade: int | None = None
    class_name: str | None = None
    village: str | None = None
    group: str | None = None  # a group code
    scopes: Sequence[str] | None = None
    search: str = ""  # a name, or the end of an ID number
    still_present: bool | None = None


class ProblemRow(NamedTuple):
    id: int
    kind: str
    kind_label: str
    status: ProblemStatus
    status_name: str
    still_present: bool
    rank: int
    name: str
    id_number: str | None
    student_id: int | None
    grade: int | None
    class_name: str | None
    village: str | None
    group_codes: str | None
    detail: str
    assigned_to: str | None
    resolution: str | None
    closed_at: datetime | None
    first_seen_on: date
    last_seen_on: date
    scope: str


_ROW_COLUMNS = (
    Problem.id, Problem.kind, Problem.status, Problem.still_present, Problem.rank, Problem.name,
    Problem.id_number, Problem.student_id, Problem.grade, Problem.class_name, Problem.village,
    Problem.group_codes, Problem.detail, Problem.assigned_to, Problem.resolution, Problem.closed_at,
    Problem.first_seen_on, Problem.last_seen_on, Problem.scope,
)  # fmt: skip


def status_name(status: ProblemStatus, still_present: bool) -> str:
    name = PROBLEM_STATUS_NAMES[status]
    return f"{name}（仍存在）" if status is ProblemStatus.CLOSED and still_present else name


def _row(r: Any) -> ProblemRow:
    (pid, kind, status, still, rank, name, idn, sid, grade, cls, village, groups, detail, who, res, closed_at,
     first, last, scope) = r  # fmt: skip
    if kind == "AID_OBJECTION":  # recorded by an older version with the parent's words as written
        detail = free_text(detail)
    return ProblemRow(
        pid, kind, label(kind), status, status_name(status, still), still, rank, name, idn, sid, grade, cls,
        village, groups, detail, who, res, closed_at, first, last, scope,
    )  # fmt: skip


def _conditions(f: ProblemFilter) -> list[Any]:
    conds: list[Any] = []
    if f.kind:
        conds.append(Problem.kind == f.kind)
    if f.status is not None:
        conds.append(Problem.status == f.status)
    if f.open_only:
        conds.append(Problem.status != ProblemStatus.CLOSED)
    if f.grade is not None:
        conds.append(Problem.grade == f.grade)
    if f.class_name:
        conds.append(Problem.class_name == f.class_name)
    if f.village:
        conds.append(Problem.village == f.village)
    if f.group:
        conds.append(Problem.group_codes.like(f"%,{f.group},%"))
    if f.scopes is not None:
        conds.append(Problem.scope.in_(list(f.scopes)))
    if f.still_present is not None:
        conds.append(Problem.still_present.is_(f.still_present))
    text = "".join((f.search or "").split())
    if text:
        if text.replace("X", "").replace("x", "").isdigit():
            conds.append(Problem.id_number.like(f"%{text.upper()}"))
        else:
            conds.append(or_(Problem.name.like(f"%{text}%"), Problem.village.like(f"%{text}%")))
    return conds


def problem_ids(session: Session, f: ProblemFilter) -> list[int]:
    """The ids of the problems the filter shows, in the list's order: open first, then by kind, rank,
    grade, class and name (the model fetches rows by id: no OFFSET)."""
    require(session, "reconcile.run")
    status_order = case((Problem.status == ProblemStatus.CLOSED, 1), else_=0)
    kinds = list(KINDS)
    kind_order = case({k: i for i, k in enumerate(kinds)}, value=Problem.kind, else_=len(kinds))
    q = (
        select(Problem.id)
        .where(*_conditions(f))
        .order_by(
            status_order,
            kind_order,
            Problem.rank,
            Problem.grade,
            Problem.class_name,
            Problem.name,
            Problem.id,
        )
    )
    return list(session.scalars(q))


def fetch_problems(session: Session, ids: Sequence[int]) -> list[ProblemRow]:
    """Rows for these ids, in the order given."""
    require(session, "reconcile.run")
    rows: dict[int, ProblemRow] = {}
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        for r in session.execute(select(*_ROW_COLUMNS).where(Problem.id.in_(ids[i : i + _CHUNK]))):
            rows[r[0]] = _row(r)
    return [rows[i] for i in ids if i in rows]


class NoteRow(NamedTuple):
    at: datetime
    actor: str
    action: str
    text: str


@dataclass
class ProblemDetail:
    row: ProblemRow
    evidence: dict[str, Any]
    notes: list[NoteRow]
    person_key: str
    policy_code: str | None
    closed_by: str | None
    recoveries: list[str] = field(default_factory=list)  # 收回 of the award the problem is about


def problem_detail(session: Session, problem_id: int) -> ProblemDetail:
    require(session, "reconcile.run")
    p = get_problem(session, problem_id)
    row = fetch_problems(session, [problem_id])[0]
    notes = [NoteRow(n.at, n.actor, n.action, n.text) for n in p.notes]
    return ProblemDetail(
        row,
        dict(p.evidence or {}),
        notes,
        p.person_key,
        p.policy_code,
        p.closed_by,
        recoveries_of(session, p),
    )


def recoveries_of(session: Session, p: Problem) -> list[str]:
    """The recoveries (收回) of the award a problem is about, in words."""
    from aidoffice.domain.money import format_amount

    if p.kind not in RECOVERY_SETTLES:
        return []
    q = select(Recovery).where(Recovery.person_key == p.person_key, Recovery.term_code == p.scope)
    if p.policy_code:
        q = q.where(Recovery.policy_code == p.policy_code)
    out = []
    for r in session.scalars(q.order_by(Recovery.id)):
        head = f"{r.policy_name} {format_amount(r.amount)} 元，{r.recorded_by} {r.recorded_at:%Y-%m-%d} 登记收回（{r.reason}）"
        if r.status is RecoveryStatus.DONE:
            out.append(
                f"{head}；已于 {r.done_on:%Y-%m-%d} {r.method}"
                + (f"（{r.done_note}）" if r.done_note else "")
            )
        else:
            out.append(f"{head}；待收回")
    return out


def open_problems_of(session: Session, student_ids: Iterable[int]) -> dict[int, list[ProblemRow]]:
    """Open or in-progress problems per student (the roster check and the student form show them)."""
    wanted = list(dict.fromkeys(student_ids))
    out: dict[int, list[ProblemRow]] = {}
    for i in range(0, len(wanted), _CHUNK):
        for r in session.execute(
            select(*_ROW_COLUMNS).where(
                Problem.student_id.in_(wanted[i : i + _CHUNK]), Problem.status != ProblemStatus.CLOSED
            )
        ):
            row = _row(r)
            out.setdefault(row.student_id, []).append(row)  # type: ignore[arg-type]
    return out


def filter_choices(session: Session) -> dict[str, list[Any]]:
    """The values the list's filters offer: kinds, grades, classes and villages that occur."""
    require(session, "reconcile.run")
    return {
        "kinds": [k for k in KINDS if k in set(session.scalars(select(Problem.kind).distinct()))],
        "grades": sorted(g for g in session.scalars(select(Problem.grade).distinct()) if g is not None),
        "classes": sorted(c for c in session.scalars(select(Problem.class_name).distinct()) if c),
        "villages": sorted(v for v in session.scalars(select(Problem.village).distinct()) if v),
    }


# What a roster settles by itself: a student it pays is no longer missed.
ROSTER_SETTLES = frozenset({"MISSED_AID"})


def open_problem_texts(
    session: Session, person_keys: Sequence[str], exclude_kinds: frozenset[str] = ROSTER_SETTLES
) -> dict[str, list[str]]:
    """Open or in-progress problems per person key, in words (masked numbers): the hook the roster's
    checks take (`aidoffice.exporting.checks.OpenProblems`)."""
    wanted = list(dict.fromkeys(k for k in person_keys if k))
    out: dict[str, list[str]] = {}
    for i in range(0, len(wanted), _CHUNK):
        for key, kind, pid, detail in session.execute(
            select(Problem.person_key, Problem.kind, Problem.id, Problem.detail)
            .where(
                Problem.person_key.in_(wanted[i : i + _CHUNK]),
                Problem.status != ProblemStatus.CLOSED,
                Problem.kind.not_in(list(exclude_kinds)) if exclude_kinds else true(),
                # a mistyped ID sent back to its department (请更正), the two records linked meanwhile
                Problem.id.not_in(select(PersonLink.problem_id).where(PersonLink.problem_id.is_not(None))),
            )
            .order_by(Problem.id)
        ):
            out.setdefault(key, []).append(f"问题 #{pid} {label(kind)}：{detail}")
    return out
