"""The audit trail (留痕), written by one mechanism for every session: a listener that sees each flush
and each bulk ORM statement, so no service has to remember to record what it changed.

Who is acting comes from `session.info["actor"]` (set by the unit of work); the batch a change belongs
to (an imported file, a demo fill) from `session.info["batch_id"]` (see `start_batch`)."""

from __future__ import annotations

import enum
import getpass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from aidoffice import clock
from aidoffice.db.models import (
    Audited,
    AuditEntry,
    Award,
    ImportBatch,
    Policy,
    Problem,
    ProblemNote,
    Recovery,
    Student,
)

_SKIP = {"updated_at", "created_at", "name_pinyin", "name_initials", "name_sort", "person_key", "version"}


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some Windows service accounts
        return "unknown"


def actor_of(session: Session) -> str:
    """Who the audit trail names for work done in `session`: the signed-in account when there is one
    (whether or not the session has touched the database yet), else the actor the unit of work was
    opened for, else the operating-system login."""
    user = session.info.get("user")
    if user is not None:
        return user.login
    return session.info.get("actor") or default_actor()


def _account(value: Any) -> Any:
    """Bank and 社保卡 accounts are kept in the trail as their last four digits and a short hash: a
    change stays visible and checkable, the number itself does not spread (ID numbers are kept whole:
    they are the identity every change is traced by, and the trail is for administrators only)."""
    if not value:
        return value
    import hashlib

    digest = hashlib.sha256(str(value).encode()).hexdigest()[:10]
    return f"****{str(value)[-4:]} #{digest}"


_MASKED = {"bank_account": _account}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _values(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    loaded = state.dict
    return {
        a.key: _MASKED.get(a.key, _plain)(loaded[a.key])
        for a in state.mapper.column_attrs
        if a.key in loaded and a.key not in _SKIP
    }


def _entry(
    session: Session,
    action: str,
    obj: Any,
    before: Any,
    after: Any,
    note: str | None = None,
    subjects: _Subjects | None = None,
) -> dict:
    note = note or session.info.get("audit_note")
    student_id, named = subjects.of(obj) if subjects is not None else (None, "")
    if named:  # 【张三 · 初中寄宿生生活补助】花名册审核去掉：…
        note = f"【{named}】{note or ''}"[:200]
    return {
        "at": clock.now(),
        "actor": actor_of(session),
        "action": action,
        "entity": obj.__tablename__,
        "entity_id": getattr(obj, "id", None),
        "before": before,
        "after": after,
        "note": note,
        "batch_id": session.info.get("batch_id"),
        "student_id": student_id,
    }


def subject_words(name: str | None, policy: str | None) -> str:
    """How an entry names the child and the project: 张三 · 初中寄宿生生活补助."""
    return " · ".join(x for x in (name, policy) if x)


class _Subjects:
    """The child (and the project) each changed row of a flush is about, looked up once per flush: an
    audit entry about an award, a problem or a recovery names both, and carries the student's id for
    the per-student filter even after the row itself is gone."""

    def __init__(self, session: Session, objs: list[Any]) -> None:
        self.students: dict[int, str] = {}
        self.policies: dict[Any, str] = {}
        self.problems: dict[int, tuple[int | None, str, str | None]] = {}
        for obj in objs:
            if isinstance(obj, Student) and obj.id is not None:
                self.students[obj.id] = obj.name
            elif isinstance(obj, Problem) and obj.id is not None:
                self.problems[obj.id] = (obj.student_id, obj.name, obj.policy_code)
        conn = session.connection()
        want_students = {o.student_id for o in objs if isinstance(o, Award)} - set(self.students)
        if want_students:
            for sid, name in conn.execute(
                select(Student.id, Student.name).where(Student.id.in_(list(want_students)))
            ):
                self.students[sid] = name
        want_problems = {o.problem_id for o in objs if isinstance(o, ProblemNote)} - set(self.problems)
        if want_problems:
            for pid, sid, name, code in conn.execute(
                select(Problem.id, Problem.student_id, Problem.name, Problem.policy_code).where(
                    Problem.id.in_(list(want_problems))
                )
            ):
                self.problems[pid] = (sid, name, code)
        if any(isinstance(o, Award | Problem | ProblemNote) for o in objs):
            for pid, code, name in conn.execute(select(Policy.id, Policy.code, Policy.name)):
                self.policies[pid] = self.policies[code] = name

    def of(self, obj: Any) -> tuple[int | None, str]:
        if isinstance(obj, Student):
            return obj.id, ""
        if isinstance(obj, Award):
            name = self.students.get(obj.student_id)
            return obj.student_id, subject_words(
                name or f"学生#{obj.student_id}", self.policies.get(obj.policy_id)
            )
        if isinstance(obj, Recovery):
            return obj.student_id, subject_words(obj.name, obj.policy_name)
        if isinstance(obj, Problem | ProblemNote):
            pid = obj.id if isinstance(obj, Problem) else obj.problem_id
            sid, name, code = self.problems.get(pid, (None, "", None))
            return sid, subject_words(name, self.policies.get(code) if code else None)
        return getattr(obj, "student_id", None), ""


def record_flush(session: Session, _flush_context: Any) -> None:
    rows = []
    audited = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Audited)]
    if not audited:
        return
    subjects = _Subjects(session, audited)
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(_entry(session, "insert", obj, None, _values(obj), subjects=subjects))
    for obj in session.dirty:
        if not isinstance(obj, Audited) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        before, after = {}, {}
        for attr in state.mapper.column_attrs:
            if attr.key in _SKIP:
                continue
            hist = state.attrs[attr.key].history
            if hist.added or hist.deleted:
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                if old != new:
                    show = _MASKED.get(attr.key, _plain)
                    before[attr.key], after[attr.key] = show(old), show(new)
        if after:
            rows.append(_entry(session, "update", obj, before, after, subjects=subjects))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(_entry(session, "delete", obj, _values(obj), None, subjects=subjects))
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def record_bulk(state: ORMExecuteState) -> None:
    """(Installed by `aidoffice.db.audit_chain.install`.) Bulk inserts/updates/deletes bypass the flush; record one entry per statement."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, Audited):
        return
    params = state.parameters
    if state.is_insert and mapper.class_ is Award and isinstance(params, list) and params:
        return _record_award_rows(state, params)
    if state.is_update and mapper.class_ is Problem and isinstance(params, list) and params:
        return _record_problem_rows(state, params)
    count = len(params) if isinstance(params, list) else 1
    action = "bulk_insert" if state.is_insert else "bulk_update" if state.is_update else "bulk_delete"
    session = state.session
    note = session.info.get("audit_note") or f"{count} 条"
    session.connection().execute(
        insert(AuditEntry.__table__),
        [
            {
                "at": clock.now(),
                "actor": actor_of(session),
                "action": action,
                "entity": mapper.class_.__tablename__,
                "entity_id": None,
                "before": None,
                "after": {"rows": count} if state.is_insert else {"statement": str(state.statement)[:500]},
                "note": note,
                "batch_id": session.info.get("batch_id"),
            }
        ],
    )


def _record_award_rows(state: ORMExecuteState, params: list[dict[str, Any]]) -> Any:
    """An imported award list is inserted in one statement; each award still gets its own entry,
    naming the child and the project, with its id (found by the award's unique key once inserted)."""
    result = state.invoke_statement()
    session = state.session
    conn = session.connection()
    keys = {(p.get("student_id"), p.get("policy_id"), p.get("term_id")) for p in params}
    sids = sorted({k[0] for k in keys if k[0] is not None})
    ids: dict[tuple[Any, Any, Any], int] = {}
    names: dict[int, str] = {}
    for i in range(0, len(sids), 900):
        chunk = sids[i : i + 900]
        for aid, sid, pid, tid in conn.execute(
            select(Award.id, Award.student_id, Award.policy_id, Award.term_id).where(
                Award.student_id.in_(chunk)
            )
        ):
            if (sid, pid, tid) in keys:
                ids[(sid, pid, tid)] = aid
        names.update(conn.execute(select(Student.id, Student.name).where(Student.id.in_(chunk))).all())
    policies = dict(conn.execute(select(Policy.id, Policy.name)).all())
    note = session.info.get("audit_note") or "导入资助发放名单"
    now, actor, batch = clock.now(), actor_of(session), session.info.get("batch_id")
    rows = []
    for p in params:
        sid = p.get("student_id")
        named = subject_words(names.get(sid, f"学生#{sid}"), policies.get(p.get("policy_id")))
        rows.append(
            {"at": now, "actor": actor, "action": "insert", "entity": "award",
             "entity_id": ids.get((sid, p.get("policy_id"), p.get("term_id"))), "before": None,
             "after": {k: _MASKED.get(k, _plain)(v) for k, v in p.items()}, "note": f"【{named}】{note}"[:200],
             "batch_id": batch, "student_id": sid}
        )  # fmt: skip
    for i in range(0, len(rows), 5000):
        conn.execute(insert(AuditEntry.__table__), rows[i : i + 5000])
    return result


def _record_problem_rows(state: ORMExecuteState, params: list[dict[str, Any]]) -> Any:
    """Problems updated by primary key in one statement (a re-run refreshing their wording): one entry
    each, naming the child and the project."""
    session = state.session
    conn = session.connection()
    pids = sorted({p["id"] for p in params if "id" in p})
    about: dict[int, tuple[Any, str, Any]] = {}
    for i in range(0, len(pids), 900):
        for pid, sid, name, code in conn.execute(
            select(Problem.id, Problem.student_id, Problem.name, Problem.policy_code).where(
                Problem.id.in_(pids[i : i + 900])
            )
        ):
            about[pid] = (sid, name, code)
    result = state.invoke_statement()
    policies = dict(conn.execute(select(Policy.code, Policy.name)).all())
    note = session.info.get("audit_note") or "重新比对：更新问题内容"
    now, actor, batch = clock.now(), actor_of(session), session.info.get("batch_id")
    rows = []
    for p in params:
        sid, name, code = about.get(p.get("id"), (None, p.get("name", ""), p.get("policy_code")))
        named = subject_words(p.get("name") or name, policies.get(p.get("policy_code") or code))
        after = {k: ("（已更新）" if k == "evidence" else _plain(v)) for k, v in p.items() if k != "id"}
        rows.append(
            {"at": now, "actor": actor, "action": "update", "entity": "problem", "entity_id": p.get("id"),
             "before": None, "after": after, "note": f"【{named}】{note}"[:200], "batch_id": batch,
             "student_id": p.get("student_id", sid)}
        )  # fmt: skip
    for i in range(0, len(rows), 5000):
        conn.execute(insert(AuditEntry.__table__), rows[i : i + 5000])
    return result


def record(
    session: Session,
    action: str,
    entity: str,
    note: str,
    details: dict | None = None,
    *,
    entity_id: int | None = None,
    student_id: int | None = None,
) -> AuditEntry:
    """Record an event that changes no row but must be traceable (an export with full ID numbers)."""
    entry = AuditEntry(
        student_id=student_id,
        at=clock.now(),
        actor=actor_of(session),
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=None,
        after=details,
        note=note[:200],
        batch_id=session.info.get("batch_id"),
    )
    session.add(entry)
    return entry


def start_batch(
    session: Session,
    kind: str,
    *,
    file_name: str | None = None,
    fingerprint: str | None = None,
    sheet: str | None = None,
    note: str | None = None,
) -> ImportBatch:
    """Open a batch: rows the caller creates should carry its id (`batch_id`), and every audit entry
    written in this session from now on names it, so any imported or generated row can be traced to
    the file (and its SHA-256), the person and the time."""
    batch = ImportBatch(
        kind=kind,
        file_name=(file_name or None) and file_name[:200],
        fingerprint=fingerprint,
        sheet=sheet,
        actor=actor_of(session),
        at=clock.now(),
        rows=0,
        note=(note or None) and note[:200],
    )
    session.add(batch)
    session.flush()
    session.info["batch_id"] = batch.id
    return batch
