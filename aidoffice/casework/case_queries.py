"""What the 控辍保学 page and `aidoffice cases list` read: the cases (filtered, masked), one case with
its history, and the dashboard's figures (open and returned this term, overdue actions, by village and
by responsible teacher). Reads need `cases.view`; a head teacher sees only the cases of their classes;
ID numbers and phones pass through aidoffice.privacy; reasons and notes are shown only to roles with
the right (a role without it never reaches these functions)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import allowed, class_scope, require
from aidoffice.casework.cases import ATTEMPT, get_case, require_case
from aidoffice.casework.words import ACTION_KIND_NAMES, SOURCE_NAMES
from aidoffice.db.models import CASE_STATUS_NAMES, CaseAction, CasePerson, CaseStatus, DropoutCase, Term
from aidoffice.domain.grades import make_grade
from aidoffice.domain.terms import Term as TermValue
from aidoffice.privacy import Field, Level, free_text, show


def view_level(session: Session, full: bool = False) -> Level:
    """FULL only when asked for and the role may see whole numbers."""
    return Level.FULL if full and allowed(session, "students.view_full_ids") else Level.MASKED


def scope_condition(session: Session) -> Any:
    """Cases the acting user may see: all, or a head teacher's classes (a case with no class: none)."""
    scope = class_scope(session)
    if scope is None:
        return None
    if not scope:
        return false()
    return or_(*(and_(DropoutCase.grade == g, DropoutCase.class_name == c) for g, c in sorted(scope)))


def class_words(grade: int | None, class_name: str | None) -> str:
    if grade is None:
        return ""
    try:
        return f"{make_grade(grade).name}{class_name or ''}"
    except ValueError:
        return class_name or ""


@dataclass(frozen=True)
class CaseFilter:
    status: CaseStatus | None = None  # None: every case
    village: str | None = None
    reason: str | None = None
    overdue_only: bool = False
    search: str = ""  # a name, or the end of an ID number


class CaseRow(NamedTuple):
    id: int
    name: str
    id_number: str  # as the level shows it
    class_label: str
    place: str  # 乡镇 村
    reason: str
    status: str
    opened_on: date
    next_due: date | None
    overdue: bool
    escalated_on: date | None
    outcome: str
    closed_on: date | None
    responsible: str  # 班主任 李老师；村干部 王主任
    source: str
    times_opened: int
    attempts: int = 0  # 劝返 recorded (actions of kind "act"; notices, escalation, opening, closing are not)
    last_attempt: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self._asdict().items()}


def _today(today: date | None) -> date:
    return today or clock.today()


def case_ids(session: Session, f: CaseFilter = CaseFilter(), today: date | None = None) -> list[int]:
    require(session, "cases.view")
    q = select(DropoutCase.id)
    cond = scope_condition(session)
    if cond is not None:
        q = q.where(cond)
    if f.status is not None:
        q = q.where(DropoutCase.status == f.status)
    if f.village:
        q = q.where(DropoutCase.village == f.village)
    if f.reason:
        q = q.where(DropoutCase.reason == f.reason)
    if f.overdue_only:
        q = q.where(DropoutCase.status == CaseStatus.OPEN, DropoutCase.next_due < _today(today))
    text = f.search.strip()
    if text:
        q = q.where(or_(DropoutCase.name.contains(text), DropoutCase.id_number.endswith(text)))
    # open first, the most overdue first; then the closed, latest first
    q = q.order_by(
        (DropoutCase.status == CaseStatus.CLOSED),
        DropoutCase.next_due,
        DropoutCase.closed_on.desc(),
        DropoutCase.id,
    )
    return list(session.scalars(q))


def fetch_cases(
    session: Session, ids: list[int], *, level: Level = Level.MASKED, today: date | None = None
) -> list[CaseRow]:
    require(session, "cases.view")
    if not ids:
        return []
    day = _today(today)
    cases: dict[int, DropoutCase] = {}
    tries = attempts(session, ids)
    for i in range(0, len(ids), 900):
        q = select(DropoutCase).where(DropoutCase.id.in_(ids[i : i + 900]))
        cond = scope_condition(session)
        if cond is not None:
            q = q.where(cond)
        cases.update((c.id, c) for c in session.scalars(q))
    people: dict[int, list[str]] = defaultdict(list)
    for i in range(0, len(ids), 900):
        for cid, role, name in session.execute(
            select(CasePerson.case_id, CasePerson.role, CasePerson.name)
            .where(CasePerson.case_id.in_(ids[i : i + 900]))
            .order_by(CasePerson.id)
        ):
            people[cid].append(f"{role} {name}")
    rows = []
    for cid in ids:
        c = cases.get(cid)
        if c is None:
            continue
        open_ = c.status is CaseStatus.OPEN
        rows.append(
            CaseRow(
                c.id, c.name, show(Field.ID_NUMBER, c.id_number, level) or "", class_words(c.grade, c.class_name),
                f"{c.township or ''}{c.village or ''}", c.reason, CASE_STATUS_NAMES[c.status], c.opened_on,
                c.next_due, bool(open_ and c.next_due and c.next_due < day), c.escalated_on, c.outcome or "",
                c.closed_on, "；".join(people[cid]), SOURCE_NAMES.get(c.source, c.source), c.times_opened,
                *tries.get(cid, (0, None)),
            )
        )  # fmt: skip
    return rows


def attempts(session: Session, ids: list[int] | None = None) -> dict[int, tuple[int, date]]:
    """Per case, how many times the family was persuaded (劝返: actions of kind ATTEMPT) and the day of
    the latest; a notice printed, a report to the township, opening or closing is no attempt. The one
    count the list, the case file and the 辍学学生 ledger show. `ids` None: every case."""
    q = select(CaseAction.case_id, func.count(), func.max(CaseAction.on)).where(CaseAction.kind == ATTEMPT)
    out: dict[int, tuple[int, date]] = {}
    if ids is None:
        chunks: list[list[int] | None] = [None]
    else:
        chunks = [ids[i : i + 900] for i in range(0, len(ids), 900)]
    for chunk in chunks:
        part = q if chunk is None else q.where(CaseAction.case_id.in_(chunk))
        for cid, n, last in session.execute(part.group_by(CaseAction.case_id)):
            out[cid] = (n, last)
    return out


def list_cases(
    session: Session, f: CaseFilter = CaseFilter(), *, level: Level = Level.MASKED, today: date | None = None
) -> list[CaseRow]:
    return fetch_cases(session, case_ids(session, f, today), level=level, today=today)


class ActionRow(NamedTuple):
    id: int
    kind: str
    on: date
    who: str
    way: str
    said: str
    result: str
    due: date | None
    recorded_by: str


class PersonRow(NamedTuple):
    role: str
    name: str
    phone: str


@dataclass
class CaseDetail:
    row: CaseRow
    reason_note: str
    plan: str
    guardian: str
    guardian_phone: str
    address: str
    outcome_note: str
    problem_id: int | None
    student_id: int | None
    people: list[PersonRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = self.row.as_json()
        out.update(
            reason_note=self.reason_note, plan=self.plan, guardian=self.guardian,
            guardian_phone=self.guardian_phone, address=self.address, outcome_note=self.outcome_note,
            problem_id=self.problem_id, student_id=self.student_id,
            people=[p._asdict() for p in self.people],
            actions=[{**a._asdict(), "on": a.on.isoformat(), "due": a.due.isoformat() if a.due else None}
                     for a in self.actions],
        )  # fmt: skip
        return out


def case_detail(
    session: Session, case_id: int, *, level: Level = Level.MASKED, today: date | None = None
) -> CaseDetail:
    case = get_case(session, case_id)
    require_case(session, "cases.view", case)
    (row,) = fetch_cases(session, [case_id], level=level, today=today)
    text_level = Level.FULL if level is Level.FULL else Level.MASKED
    return CaseDetail(
        row=row,
        reason_note=free_text(case.reason_note, text_level),
        plan=free_text(case.plan, text_level),
        guardian=case.guardian_name or "",
        guardian_phone=show(Field.PHONE, case.guardian_phone, level) or "",
        address=show(Field.ADDRESS, case.address, level) or "",
        outcome_note=free_text(case.outcome_note, text_level),
        problem_id=case.problem_id,
        student_id=case.student_id,
        people=[PersonRow(p.role, p.name, show(Field.PHONE, p.phone, level) or "") for p in case.people],
        actions=[
            ActionRow(
                a.id,
                ACTION_KIND_NAMES.get(a.kind, a.kind),
                a.on,
                a.who,
                a.way or "",
                free_text(a.said, text_level),
                free_text(a.result, text_level),
                a.due,
                a.recorded_by,
            )
            for a in case.actions
        ],
    )


# ---- the dashboard ---------------------------------------------------------------------------------


class Tally(NamedTuple):
    label: str
    open: int
    returned: int  # closed with 复学 this term
    overdue: int


@dataclass
class Dashboard:
    term: str
    term_starts: date
    term_ends: date
    open: int
    opened_this_term: int
    returned_this_term: int
    closed_this_term: int
    overdue: int
    escalated_open: int
    by_village: list[Tally]
    by_teacher: list[Tally]
    by_reason: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("by_village", "by_teacher")}
        out["term_starts"], out["term_ends"] = self.term_starts.isoformat(), self.term_ends.isoformat()
        out["by_village"] = [t._asdict() for t in self.by_village]
        out["by_teacher"] = [t._asdict() for t in self.by_teacher]
        return out


def _term_bounds(session: Session, day: date) -> tuple[str, date, date]:
    row = session.scalars(select(Term).where(Term.is_current.is_(True))).first()
    if row is not None and row.starts_on <= day <= row.ends_on:
        return row.code, row.starts_on, row.ends_on
    value = TermValue.containing(day)
    return value.code, value.starts_on, value.ends_on


def dashboard(session: Session, today: date | None = None) -> Dashboard:
    """The case side of the 控辍保学 page's 看板 (households not contacted this month come from
    casework.visits, wired in by the page)."""
    require(session, "cases.view")
    day = _today(today)
    code, starts, ends = _term_bounds(session, day)
    q = select(
        DropoutCase.id, DropoutCase.status, DropoutCase.township, DropoutCase.village, DropoutCase.opened_on,
        DropoutCase.closed_on, DropoutCase.outcome, DropoutCase.next_due, DropoutCase.escalated_on,
        DropoutCase.reason,
    )  # fmt: skip
    cond = scope_condition(session)
    if cond is not None:
        q = q.where(cond)
    rows = session.execute(q).all()
    teachers: dict[int, list[str]] = defaultdict(list)
    for cid, name in session.execute(
        select(CasePerson.case_id, CasePerson.name).where(CasePerson.role == "班主任").order_by(CasePerson.id)
    ):
        teachers[cid].append(name)
    village: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    teacher: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    reasons: Counter[str] = Counter()
    n_open = opened = returned = closed = overdue = escalated = 0
    for cid, status, town, vil, opened_on, closed_on, outcome, due, esc, reason in rows:
        is_open = status is CaseStatus.OPEN
        late = is_open and due is not None and due < day
        back = status is CaseStatus.CLOSED and outcome == "复学" and closed_on and starts <= closed_on <= ends
        n_open += is_open
        overdue += late
        escalated += bool(is_open and esc)
        opened += starts <= opened_on <= ends
        returned += bool(back)
        closed += bool(status is CaseStatus.CLOSED and closed_on and starts <= closed_on <= ends)
        if is_open:
            reasons[reason] += 1
        keys = [("village", f"{town or ''}{vil or ''}" or "（未登记村）")]
        keys += [("teacher", t) for t in (teachers.get(cid) or ["（未指定班主任）"])]
        for which, key in keys:
            tally = (village if which == "village" else teacher)[key]
            tally[0] += is_open
            tally[1] += bool(back)
            tally[2] += late

    def tallies(d: dict[str, list[int]]) -> list[Tally]:
        return [
            Tally(k, *v) for k, v in sorted(d.items(), key=lambda kv: (-kv[1][0], -kv[1][2], kv[0])) if any(v)
        ]

    return Dashboard(
        code, starts, ends, n_open, opened, returned, closed, overdue, escalated, tallies(village),
        tallies(teacher), dict(reasons.most_common()),
    )  # fmt: skip


def case_count_by_status(session: Session) -> dict[str, int]:
    require(session, "cases.view")
    q = select(DropoutCase.status, func.count()).group_by(DropoutCase.status)
    cond = scope_condition(session)
    if cond is not None:
        q = q.where(cond)
    return {CASE_STATUS_NAMES[s]: n for s, n in session.execute(q)}


def recent_actions(session: Session, case_id: int) -> list[CaseAction]:
    case = get_case(session, case_id)
    require_case(session, "cases.view", case)
    return list(case.actions)


def not_contacted(session: Session) -> list[tuple[str, str, int]] | None:
    """The dashboard's “households nobody has contacted this month”: (village, contact teacher,
    households) from the 三包与家访 month view, the most first. None for a role that may not see the
    contact records (the dashboard says so instead of showing a zero)."""
    from aidoffice.casework import visits

    if not allowed(session, "visits.record"):
        return None
    counts = Counter((f"{r.township}{r.village}", r.teacher) for r in visits.due(session).rows)
    return [(v, t, n) for (v, t), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
