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

Fixing the cause from a problem (`fix_*`) goes through the audited services of the ledgers and closes
the problem with the matching resolution."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import case, func, insert, or_, select, true, update
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.audit import actor_of
from aidoffice.db.bulk import insert_many
from aidoffice.db.models import (
    PROBLEM_STATUS_NAMES,
    PersonLink,
    PriorityGroup,
    Problem,
    ProblemNote,
    ProblemStatus,
    Recovery,
    RecoveryStatus,
    Student,
)
from aidoffice.domain.idnumber import InvalidIdNumber, normalize_id, parse_id
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import FieldProblem, NotFound, ValidationError
from aidoffice.ledgers.assessments import LEVEL_NAMES, record_assessment, sync_assessment_facts
from aidoffice.ledgers.elsewhere import record_elsewhere
from aidoffice.ledgers.student_queries import roster_groups
from aidoffice.ledgers.student_rules import StudentInput
from aidoffice.ledgers.students import get_student, update_student
from aidoffice.privacy import free_text, mask_id
from aidoffice.reconcile.findings import Finding
from aidoffice.reconcile.kinds import KINDS, NO_LONGER_SERVED, RESOLVED_BY_DATA, label

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


# ---- a clerk's work on one problem ----------------------------------------------------------------


def get_problem(session: Session, problem_id: int) -> Problem:
    p = session.get(Problem, problem_id)
    if p is None:
        raise NotFound(f"找不到编号为 {problem_id} 的问题，可能已被他人删除，请刷新。")
    return p


def _add_note(session: Session, p: Problem, action: str, text: str, who: str) -> None:
    session.add(ProblemNote(problem_id=p.id, at=clock.now(), actor=who, action=action, text=text))


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
    text = (text or "").strip()
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
    note = (note or "").strip()
    if not note:
        raise ValidationError([FieldProblem("说明", "重新打开时请写明原因")])
    if p.status is not ProblemStatus.CLOSED:
        raise ValidationError([FieldProblem("状态", "这个问题没有销号，不需要重新打开")])
    who = _actor(session, who)
    p.status, p.resolution, p.closed_by, p.closed_at = ProblemStatus.OPEN, None, None, None
    _add_note(session, p, "reopen", f"重新打开：{note}", who)
    session.flush()
    return p


# ---- fixing the cause from the problem ------------------------------------------------------------


def _student_of(session: Session, p: Problem, student_id: int | None) -> Student:
    sid = student_id or p.student_id
    if sid is None:
        raise ValidationError([FieldProblem("学生", "这个问题不涉及本校学籍台账中的学生")])
    return get_student(session, sid)


def fix_correct_id(
    session: Session,
    problem_id: int,
    new_id: str,
    *,
    student_id: int | None = None,
    who: str | None = None,
    note: str | None = None,
    today: date | None = None,
) -> Problem:
    """Correct the student's ID number (学籍台账) and close the problem as 已更正证件号. A 学籍号 of the
    form G + the old ID follows the new one; roster flags and assessment facts move with the key."""
    require(session, "students.edit")
    student = _student_of(session, get_problem(session, problem_id), student_id)
    old = student.id_number
    new = normalize_id(new_id)
    data = StudentInput.from_student(student)
    data.id_number = new
    try:  # sex and birth date read from the wrong number are read again from the right one
        was = parse_id(old) if old else None
    except InvalidIdNumber:
        was = None
    if was is not None:
        if data.sex == was.sex:
            data.sex = None
        if data.birth_date == was.birth_date:
            data.birth_date = None
    if student.student_no and old and student.student_no == "G" + old:
        data.student_no = "G" + new
    update_student(session, student.id, data, today)
    sync_assessment_facts(session, student)
    text = f"学籍台账中“{student.name}”的证件号由 {mask_id(old) or '（空）'} 更正为 {mask_id(new)}"
    return close_problem(
        session, problem_id, "已更正证件号", "；".join(filter(None, (text, note))), who, action="fix"
    )


def fix_record_elsewhere(
    session: Session,
    problem_id: int,
    school_name: str,
    verified_on: date,
    verified_by: str,
    *,
    place: str | None = None,
    note: str | None = None,
    who: str | None = None,
    today: date | None = None,
) -> Problem:
    """Record that the child studies at another school and close the problem as 已登记在外就读."""
    require(session, "households.edit")
    p = get_problem(session, problem_id)
    record_elsewhere(
        session,
        p.person_key,
        p.name,
        school_name,
        verified_on,
        verified_by,
        place=place,
        note=note,
        id_number=p.id_number,
        today=today,
    )
    text = f"核实在{school_name}就读（{place + '，' if place else ''}{verified_on:%Y-%m-%d}，{verified_by}）"
    return close_problem(session, problem_id, "已登记在外就读", text, who, action="fix")


def fix_add_assessment(
    session: Session,
    problem_id: int,
    level: str,
    decided_on: date,
    decided_by: str,
    *,
    school_year: str | None = None,
    note: str | None = None,
    who: str | None = None,
    today: date | None = None,
) -> Problem:
    """Record the school's hardship assessment the aid rests on and close the problem as 已补录认定."""
    require(session, "students.edit")
    p = get_problem(session, problem_id)
    student = _student_of(session, p, None)
    year = school_year or (TermValue.parse(p.scope).school_year if len(p.scope) == 11 else p.scope) or None
    if not year:
        year = TermValue.containing(today or clock.today()).school_year
    row = record_assessment(session, student.id, year, level, decided_on, decided_by, note, today=today)
    text = f"补录{year}学年认定：{LEVEL_NAMES[row.level]}（{decided_on:%Y-%m-%d}，{decided_by}）"
    return close_problem(session, problem_id, "已补录认定", text, who, action="fix")


# Groups a school records from a certificate it holds (the student form's flags); 脱贫、低保、特困 come
# only from the departments' lists (the national system accepts those flags only from confirmed lists).
SCHOOL_GROUPS = ("orphan", "no_carer", "disabled", "martyr")


def fix_add_roster_group(
    session: Session,
    problem_id: int,
    group_code: str,
    *,
    who: str | None = None,
    note: str | None = None,
    today: date | None = None,
) -> Problem:
    """Add the missing group to the student's record (孤儿, 残疾 … as the student form would) and close
    the problem as 已补登重点群体."""
    require(session, "students.edit")
    p = get_problem(session, problem_id)
    if group_code not in SCHOOL_GROUPS:
        raise ValidationError(
            [FieldProblem("重点群体", "脱贫家庭、监测对象、低保、特困等身份以相关部门的名单为准，请导入名单")]
        )
    student = _student_of(session, p, None)
    groups = roster_groups(session, student.person_key) | {group_code}
    update_student(session, student.id, StudentInput.from_student(student, roster_groups=groups), today)
    group = session.get(PriorityGroup, group_code)
    text = f"学籍台账中补登“{group.name if group else group_code}”"
    return close_problem(
        session, problem_id, "已补登重点群体", "；".join(filter(None, (text, note))), who, action="fix"
    )


# ---- reading the list ---------------------------------------------------------------------------


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
