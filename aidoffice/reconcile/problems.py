"""The problem list (问题清单, 销号管理): each finding becomes a problem that someone takes, notes,
fixes and closes with a resolution, and a re-run of the comparison keeps that history.

On a re-run (`sync_problems`), within the scopes the run looks at (the term, its school year, and the
problems of no term):
- a finding the list does not have yet opens a new problem;
- an open or in-progress problem the data still shows stays as it is (notes, who took it); its
  evidence and wording are refreshed and it is marked seen today;
- an open or in-progress problem the data no longer shows is closed as “数据已更正” with the date;
- a problem closed as “数据已更正” that the data shows again is reopened, with a note;
- a problem a clerk closed that the data still shows is **not** reopened: it stays closed with its
  resolution, is marked 仍存在 (`still_present`), and a note says so once, so the clerk can review it.
Every status change and every note is a row of `problem_note`; nothing a clerk wrote is lost.

A clerk's work on a problem is `problem_actions`, fixing its cause `problem_fixes`, reading the list
`problem_queries`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.db.audit import actor_of
from aidoffice.db.bulk import insert_many
from aidoffice.db.models import (
    Problem,
    ProblemNote,
    ProblemStatus,
    Recovery,
    RecoveryStatus,
)
from aidoffice.domain.terms import Term as TermValue
from aidoffice.domain.text import typed_text
from aidoffice.errors import NotFound
from aidoffice.reconcile.findings import Finding
from aidoffice.reconcile.kinds import NO_LONGER_SERVED, RESOLVED_BY_DATA, label

_CHUNK = 900
_CONTENT = (
    "kind", "scope", "person_key", "id_number", "name", "student_id", "policy_code", "grade", "class_name",
    "village", "group_codes", "rank", "detail", "evidence",
)  # fmt: skip


def _actor(session: Session, who: str | None = None) -> str:
    return (who or actor_of(session))[:60]


def scopes_for(term_code: str) -> tuple[str, str, str]:
    """The problems a run for `term_code` looks at again: its own, its school year's, and those of no term."""
    return (term_code, TermValue.parse(term_code).school_year, "")


def group_codes(groups: Iterable[str]) -> str | None:
    codes = sorted(set(groups))
    return ("," + ",".join(codes) + ",")[:300] if codes else None


def content(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "scope": f.scope,
        "person_key": f.person_key[:30],
        "id_number": f.id_number,
        "name": f.name[:50],
        "student_id": f.student_id,
        "policy_code": f.policy_code,
        "grade": f.grade,
        "class_name": f.class_name,
        "village": (f.village or None) and f.village[:50],
        "group_codes": group_codes(f.groups),
        "rank": f.rank,
        "detail": f.detail,
        "evidence": f.evidence,
    }


@dataclass
class SyncResult:
    new: int = 0
    kept: int = 0  # open or in progress, still shown
    reopened: int = 0  # closed by the data earlier, shown again
    closed_by_data: int = 0
    still_present: int = 0  # closed by a clerk, still shown by the data
    ids: dict[str, int] = field(default_factory=dict)  # identity → problem id
    closed_now: list[int] = field(default_factory=list)  # closed by the data in this run
    new_identities: set[str] = field(default_factory=set)

    def as_json(self) -> dict[str, int]:
        return {
            "new": self.new,
            "kept": self.kept,
            "reopened": self.reopened,
            "closed_by_data": self.closed_by_data,
            "closed_but_still_present": self.still_present,
        }


def _notes(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(ProblemNote), rows)


def sync_problems(
    session: Session,
    findings: Sequence[Finding],
    scopes: Sequence[str],
    *,
    today: date | None = None,
    label_text: str = "",
    served: set[str] | None = None,
) -> SyncResult:
    """Bring the problem list in line with the findings of a run (see the module docstring). `served`:
    the names of the villages the school serves now; a 需核实去向 problem of a village no longer among
    them is closed as such (the clerk changed the setting), not as if the data had been corrected."""
    today = today or clock.today()
    now = clock.now()
    actor = _actor(session)
    note_prefix = f"重新比对（{today:%Y-%m-%d}{f'，{label_text}' if label_text else ''}）"
    result = SyncResult()
    cols = [getattr(Problem, c) for c in _CONTENT]
    existing = {
        r.identity: r
        for r in session.execute(
            select(
                Problem.id, Problem.identity, Problem.status, Problem.still_present, Problem.resolution, *cols
            ).where(Problem.scope.in_(list(scopes)))
        )
    }
    found: dict[str, Finding] = {}
    for f in findings:
        found.setdefault(f.identity, f)
    new_rows: list[dict[str, Any]] = []
    seen_ids: list[int] = []
    changed_rows: list[dict[str, Any]] = []
    reopen: dict[int, dict[str, Any]] = {}
    flag: dict[int, bool] = {}  # closed by a clerk: still_present becomes …
    close: dict[int, dict[str, Any]] = {}
    notes: list[dict[str, Any]] = []
    for identity, f in found.items():
        values = content(f)
        old = existing.get(identity)
        if old is None:
            new_rows.append(
                {
                    "identity": identity,
                    **values,
                    "status": ProblemStatus.OPEN,
                    "still_present": True,
                    "first_seen_on": today,
                    "last_seen_on": today,
                }
            )
            continue
        result.ids[identity] = old.id
        changed = {k: v for k, v in values.items() if getattr(old, k) != v}
        if old.status is ProblemStatus.CLOSED and old.resolution in (RESOLVED_BY_DATA, NO_LONGER_SERVED):
            reopen[old.id] = changed
            result.reopened += 1
            notes.append(
                {"problem_id": old.id, "at": now, "actor": actor, "action": "reopen",
                 "text": f"{note_prefix}：数据中再次出现此问题，已重新打开"}
            )  # fmt: skip
            continue
        if old.status is ProblemStatus.CLOSED:
            result.still_present += 1
            if not old.still_present:
                flag[old.id] = True
                notes.append(
                    {"problem_id": old.id, "at": now, "actor": actor, "action": "rerun",
                     "text": f"{note_prefix}：数据仍显示此问题；销号结论“{old.resolution}”保留，请复核"}
                )  # fmt: skip
        else:
            result.kept += 1
        seen_ids.append(old.id)
        if changed:
            changed_rows.append({"id": old.id, **changed})
    for identity, old in existing.items():
        if identity in found:
            continue
        if old.status is not ProblemStatus.CLOSED:
            unserved = (
                served is not None
                and old.kind == "NOT_ENROLLED"
                and bool(old.village)
                and old.village not in served
            )
            resolution = NO_LONGER_SERVED if unserved else RESOLVED_BY_DATA
            close[old.id] = {"resolution": resolution}
            result.closed_by_data += 1
            result.closed_now.append(old.id)
            why = (
                f"“{old.village}”已不在本校服务村中（服务村设置已改）"
                if unserved
                else "数据中已不再出现此问题"
            )
            notes.append(
                {"problem_id": old.id, "at": now, "actor": actor, "action": "rerun",
                 "text": f"{note_prefix}：{why}，自动销号（{resolution}）"}
            )  # fmt: skip
        elif old.still_present:
            flag[old.id] = False
            notes.append(
                {"problem_id": old.id, "at": now, "actor": actor, "action": "rerun",
                 "text": f"{note_prefix}：数据中已不再出现此问题"}
            )  # fmt: skip

    if new_rows:
        # thousands of new problems on a first run: one driver-level insert (the ORM's per-row work
        # took longer than the comparison itself), recorded in the audit trail as one entry
        before = session.scalar(select(func.max(Problem.id))) or 0
        if session.get_bind().dialect.name == "postgresql":  # the driver adapts JSON itself
            from psycopg.types.json import Json

            new_rows = [{**row, "evidence": Json(row["evidence"])} for row in new_rows]
        insert_many(session, Problem.__table__, new_rows)
        made = session.execute(
            select(
                Problem.identity,
                Problem.id,
                Problem.student_id,
                Problem.name,
                Problem.policy_code,
                Problem.kind,
            )
            .where(Problem.id > before, Problem.scope.in_(list(scopes)))
            .order_by(Problem.id)
        ).all()
        for identity, pid, *_rest in made:
            result.ids[identity] = pid
        _record_new(session, made, f"{session.info.get('audit_note') or '双向比对'}：新增问题")
        result.new_identities = {row["identity"] for row in new_rows}
        result.new = len(new_rows)
    for i in range(0, len(seen_ids), _CHUNK):
        session.execute(
            update(Problem).where(Problem.id.in_(seen_ids[i : i + _CHUNK])).values(last_seen_on=today),
            execution_options={"synchronize_session": False},
        )
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in changed_rows:
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    for rows in by_keys.values():
        session.execute(update(Problem), rows)
    # status changes one by one through the ORM, so each is in the audit trail with before and after
    touched = list(reopen) + list(close) + list(flag)
    for i in range(0, len(touched), _CHUNK):
        for p in session.scalars(select(Problem).where(Problem.id.in_(touched[i : i + _CHUNK]))):
            if p.id in reopen:
                for k, v in reopen[p.id].items():
                    setattr(p, k, v)
                p.status, p.resolution, p.closed_by, p.closed_at = ProblemStatus.OPEN, None, None, None
                p.still_present, p.last_seen_on = True, today
            elif p.id in close:
                p.status, p.resolution, p.closed_by, p.closed_at = (
                    ProblemStatus.CLOSED, close[p.id].get("resolution", RESOLVED_BY_DATA), actor, now,
                )  # fmt: skip
                p.still_present = False
            else:
                p.still_present = flag[p.id]
    session.flush()
    _notes(session, notes)
    session.flush()
    return result


def _record_new(session: Session, made: Sequence[Any], why: str) -> None:
    """One audit entry per new problem, naming the child and the project (and carrying the student's
    id for the per-student filter), written in one driver-level insert like the problems themselves."""
    from aidoffice.db.audit import subject_words
    from aidoffice.db.models import AuditEntry, Policy

    policies = dict(session.execute(select(Policy.code, Policy.name)).all())
    now, actor, batch = clock.now(), actor_of(session), session.info.get("batch_id")
    rows = [
        {"at": now, "actor": actor, "action": "insert", "entity": "problem", "entity_id": pid,
         "before": None, "after": {"kind": kind, "name": name, "policy_code": code, "student_id": sid},
         "note": f"【{subject_words(name, policies.get(code) if code else None)}】{why}（{label(kind)}）"[:200],
         "batch_id": batch, "student_id": sid}
        for _identity, pid, sid, name, code, kind in made
    ]  # fmt: skip
    for i in range(0, len(rows), 5000):
        session.execute(insert(AuditEntry.__table__), rows[i : i + 5000])


def record_finding(session: Session, finding: Finding, *, today: date | None = None) -> Problem:
    """One finding made into a problem now, outside a comparison run (an objection registered from
    its slip): a new problem opens; one the data had closed reopens; an open one is brought up to date."""
    today = today or clock.today()
    values = content(finding)
    problem = session.scalars(select(Problem).where(Problem.identity == finding.identity)).first()
    if problem is None:
        problem = Problem(
            identity=finding.identity,
            **values,
            status=ProblemStatus.OPEN,
            still_present=True,
            first_seen_on=today,
            last_seen_on=today,
        )
        session.add(problem)
        session.flush()
        return problem
    for k, v in values.items():
        if getattr(problem, k) != v:
            setattr(problem, k, v)
    problem.last_seen_on = today
    if problem.status is ProblemStatus.CLOSED and problem.resolution in (RESOLVED_BY_DATA, NO_LONGER_SERVED):
        problem.status, problem.resolution, problem.closed_by, problem.closed_at = (
            ProblemStatus.OPEN,
            None,
            None,
            None,
        )
        _add_note(session, problem, "reopen", "再次出现此问题，已重新打开", _actor(session))
    problem.still_present = True
    session.flush()
    return problem


def settle_by_data(session: Session, identity: str, why: str) -> None:
    """Close an open problem whose cause the data no longer shows (its slip registration was undone)."""
    problem = session.scalars(select(Problem).where(Problem.identity == identity)).first()
    if problem is None or problem.status is ProblemStatus.CLOSED:
        return
    problem.status, problem.resolution = ProblemStatus.CLOSED, RESOLVED_BY_DATA
    problem.closed_by, problem.closed_at, problem.still_present = _actor(session), clock.now(), False
    _add_note(session, problem, "rerun", f"{why}，自动销号（{RESOLVED_BY_DATA}）", _actor(session))
    session.flush()


def get_problem(session: Session, problem_id: int) -> Problem:
    p = session.get(Problem, problem_id)
    if p is None:
        raise NotFound(f"找不到编号为 {problem_id} 的问题，可能已被他人删除，请刷新。")
    return p


def _add_note(session: Session, p: Problem, action: str, text: str, who: str) -> None:
    # every note of the list (a clerk's, a head teacher's objection, a visit's need) as typed, without
    # control characters
    session.add(ProblemNote(problem_id=p.id, at=clock.now(), actor=who, action=action, text=typed_text(text)))


# ---- recoveries (收回) --------------------------------------------------------------------------------

# What a recovery done settles: the problems about the award taken back.
RECOVERY_SETTLES = frozenset(
    {"UNSUPPORTED_AID", "WRONG_VARIANT", "AMOUNT_OFF_STANDARD", "AID_AFTER_LEAVING", "DOUBLE_AID"}
)
RECOVERED = "已收回"


@dataclass
class RecoverySummary:
    """Recoveries (收回) of a term (or of every term): how many and how much, to do and done."""

    pending: int = 0
    pending_amount: Decimal = Decimal("0.00")
    done: int = 0
    done_amount: Decimal = Decimal("0.00")

    def as_json(self) -> dict[str, Any]:
        return {"pending": self.pending, "pending_amount": str(self.pending_amount), "done": self.done,
                "done_amount": str(self.done_amount)}  # fmt: skip

    def describe(self) -> str:
        from aidoffice.domain.money import format_amount

        if not (self.pending or self.done):
            return "没有收回记录"
        return (
            f"待收回 {self.pending} 笔，{format_amount(self.pending_amount)} 元；"
            f"已收回 {self.done} 笔，{format_amount(self.done_amount)} 元"
        )


def recovery_summary(session: Session, term_code: str | None = None) -> RecoverySummary:
    q = select(Recovery.status, func.count(), func.sum(Recovery.amount)).group_by(Recovery.status)
    if term_code:
        q = q.where(Recovery.term_code == term_code)
    out = RecoverySummary()
    for status, n, amount in session.execute(q):
        value = Decimal(amount or 0).quantize(Decimal("0.01"))
        if status is RecoveryStatus.DONE:
            out.done, out.done_amount = n, value
        else:
            out.pending, out.pending_amount = n, value
    return out


def recovery_summaries(session: Session) -> dict[str, RecoverySummary]:
    """Each term's recoveries (the problem list shows the chosen term's)."""
    out: dict[str, RecoverySummary] = {}
    for term, status, n, amount in session.execute(
        select(Recovery.term_code, Recovery.status, func.count(), func.sum(Recovery.amount)).group_by(
            Recovery.term_code, Recovery.status
        )
    ):
        one = out.setdefault(term, RecoverySummary())
        value = Decimal(amount or 0).quantize(Decimal("0.01"))
        if status is RecoveryStatus.DONE:
            one.done, one.done_amount = n, value
        else:
            one.pending, one.pending_amount = n, value
    return out


def settle_by_recovery(session: Session, recovery: Recovery, text: str) -> list[int]:
    """Close (as 已收回) the open problems about the award a recovery took back; their ids."""
    q = select(Problem).where(
        Problem.status != ProblemStatus.CLOSED,
        Problem.kind.in_(list(RECOVERY_SETTLES)),
        Problem.scope == recovery.term_code,
        Problem.policy_code == recovery.policy_code,
        (Problem.student_id == recovery.student_id)
        if recovery.student_id is not None
        else (Problem.person_key == recovery.person_key),
    )
    closed = []
    who = _actor(session)
    for p in session.scalars(q.order_by(Problem.id)):
        p.status, p.resolution, p.closed_by, p.closed_at = ProblemStatus.CLOSED, RECOVERED, who, clock.now()
        p.still_present = False
        _add_note(session, p, "fix", f"销号：{RECOVERED}。{text}", who)
        closed.append(p.id)
    session.flush()
    return closed
