"""Reading the audit trail (操作记录): filters by person, student, kind of change and date; rows fetched
by id for the page's table; export as a standard workbook. Read-only: no function here or anywhere in
the program edits or deletes an entry. Needs `audit.view` (administrators)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.audit import record
from aidoffice.db.models import AuditEntry, HouseholdMember, Policy, PriorityGroup, Student
from aidoffice.files import check_target
from aidoffice.privacy import Level, free_text, show_column
from aidoffice.progress import Progress, Throttled, no_progress
from aidoffice.safety.wording import (
    AUDIT_ACTION_NAMES,
    ENTITY_NAMES,
    FIELD_NAMES,
    action_name,
    entity_name,
    field_name,
    note_words,
    value_name,
)

# the wording of every entity, field and value shown lives in one table: aidoffice/safety/wording.py
__all__ = ["AUDIT_ACTION_NAMES", "ENTITY_NAMES", "FIELD_NAMES"]


@dataclass
class AuditFilter:
    actor: str | None = None  # login name or OS user as recorded
    student_id: int | None = None  # the student's own entries, their awards and household links
    entity: str | None = None  # student / award / app_user … (ENTITY_NAMES)
    action: str | None = None  # insert / update / … (AUDIT_ACTION_NAMES)
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    text: str = ""  # in the note


class AuditRow(NamedTuple):
    id: int
    at: datetime
    actor: str
    action: str  # Chinese
    entity: str  # Chinese
    entity_id: int | None
    subject: str  # the student's name for a student entry, else ""
    summary: str  # 姓名：甲 → 乙；…
    note: str


def _query(session: Session, f: AuditFilter) -> Select:
    q = select(AuditEntry.id)
    if f.actor:
        q = q.where(AuditEntry.actor == f.actor)
    if f.entity:
        q = q.where(AuditEntry.entity == f.entity)
    if f.action:
        q = q.where(AuditEntry.action == f.action)
    if f.date_from:
        q = q.where(AuditEntry.at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        q = q.where(AuditEntry.at < datetime.combine(f.date_to + timedelta(days=1), time.min))
    if f.text.strip():
        q = q.where(AuditEntry.note.contains(f.text.strip(), autoescape=True))
    if f.student_id is not None:
        # entries carry the child they are about (their awards, problems and recoveries too, even once
        # the row is gone); never matched by a row id alone, which another child's row may have had
        members = select(HouseholdMember.id).where(HouseholdMember.student_id == f.student_id)
        q = q.where(
            or_(
                AuditEntry.student_id == f.student_id,
                and_(AuditEntry.entity == "student", AuditEntry.entity_id == f.student_id),
                and_(AuditEntry.entity == "household_member", AuditEntry.entity_id.in_(members)),
            )
        )
    return q


def audit_ids(session: Session, f: AuditFilter) -> list[int]:
    """The ids of the matching entries, newest first (the page then fetches rows by id)."""
    require(session, "audit.view")
    return list(session.scalars(_query(session, f).order_by(AuditEntry.id.desc())))


def actors(session: Session) -> list[str]:
    require(session, "audit.view")
    return sorted(session.scalars(select(AuditEntry.actor).distinct()))


Names = dict[str, dict[str, str]]  # what the database names: group codes, policy codes


def _show(entity: str, key: str, value: Any, level: Level, names: Names | None = None) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if key == "password_hash":
        return "（已更改）"  # never even the hash
    said = value_name(entity, key, value, names)
    if said is not None:
        return said if level is Level.FULL else free_text(said, level, dates=False)
    shown = show_column(key, value, level)
    text = "" if shown is None else str(shown)
    return text if level is Level.FULL else free_text(text, level, dates=False)


def summarize(entry: AuditEntry, level: Level = Level.MASKED, names: Names | None = None) -> str:
    """A change in words: 监护人联系电话：138****0000 → 139****0000；…"""
    before, after = entry.before or {}, entry.after or {}
    e = entry.entity

    def show(k: str, v: Any) -> str:
        return _show(e, k, v, level, names)

    if entry.action == "update":
        keys = [k for k in after if k not in ("version", "updated_at")]
        return "；".join(
            f"{field_name(e, k)}：{show(k, before.get(k))} → {show(k, after.get(k))}" for k in keys
        )
    if entry.action in ("insert", "delete"):
        values = after if entry.action == "insert" else before
        wanted = (
            "name",
            "grade",
            "class_name",
            "id_number",
            "amount",
            "group_code",
            "kind",
            "action",
            "text",
        )
        keys = [k for k in wanted if k in values and values[k] not in (None, "")]
        return "，".join(f"{field_name(e, k)}：{show(k, values[k])}" for k in keys)
    if entry.action.startswith("bulk_") and isinstance(after, dict) and "rows" in after:
        return f"{after['rows']} 行"
    return ""


def _names(session: Session) -> Names:
    return {
        "group": dict(session.execute(select(PriorityGroup.code, PriorityGroup.name)).all()),
        "policy": dict(session.execute(select(Policy.code, Policy.name)).all()),
    }


def audit_rows(session: Session, ids: list[int], level: Level = Level.MASKED) -> list[AuditRow]:
    """The rows for `ids`, in that order; full numbers only for a role that may see them."""
    require(session, "audit.view")
    if level is Level.FULL:
        require(session, "students.view_full_ids")
    if not ids:
        return []
    entries = {e.id: e for e in session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids)))}
    student_ids = {e.entity_id for e in entries.values() if e.entity == "student" and e.entity_id}
    student_ids |= {e.student_id for e in entries.values() if e.student_id}
    names = dict(session.execute(select(Student.id, Student.name).where(Student.id.in_(student_ids))).all())
    coded = _names(session)
    out = []
    for i in ids:
        e = entries.get(i)
        if e is None:
            continue
        subject = names.get(e.entity_id, "") if e.entity == "student" else names.get(e.student_id, "")
        if not subject and e.entity == "student":
            subject = str((e.before or e.after or {}).get("name", ""))
        out.append(
            AuditRow(
                e.id,
                e.at,
                e.actor,
                action_name(e.action),
                entity_name(e.entity),
                e.entity_id,
                subject,
                summarize(e, level, coded),
                free_text(note_words(e.note or ""), level, dates=False)
                if level is not Level.FULL
                else note_words(e.note or ""),
            )
        )
    return out


@dataclass
class AuditExport:
    path: str
    rows: int


def export_audit(
    session: Session,
    f: AuditFilter,
    path: str | os.PathLike[str],
    *,
    full: bool = False,
    progress: Progress = no_progress,
) -> AuditExport:
    """The matching entries as a workbook (oldest first). Numbers are masked unless `full` (needs
    export.full_ids too); the export itself is recorded."""
    require(session, "audit.view")
    if full:
        require(session, "export.full_ids")
    check_target(path, (".xlsx",))  # refused before any work: never over the database or a backup
    level = Level.FULL if full else Level.MASKED
    ids = list(session.scalars(_query(session, f).order_by(AuditEntry.id)))
    from aidoffice.sheets.workbook import Column, StandardWorkbook  # openpyxl: not for reading the trail

    book = StandardWorkbook()
    sheet = book.sheet(
        "操作记录",
        f"操作记录（{clock.now():%Y-%m-%d %H:%M} 导出，共 {len(ids)} 条）",
        [
            Column("编号", 8),
            Column("时间", 20),
            Column("操作人", 12),
            Column("操作", 10),
            Column("对象", 12),
            Column("对象编号", 9),
            Column("学生", 10),
            Column("改了什么", 60),
            Column("说明", 40),
        ],
    )
    report = Throttled(progress, len(ids), message="导出操作记录")
    done = 0
    for start in range(0, len(ids), 1000):
        for r in audit_rows(session, ids[start : start + 1000], level):
            sheet.append(
                [
                    r.id,
                    r.at.strftime("%Y-%m-%d %H:%M:%S"),
                    r.actor,
                    r.action,
                    r.entity,
                    r.entity_id,
                    r.subject,
                    r.summary,
                    r.note,
                ]
            )
            done += 1
            report(done)
    saved = book.save(path)
    record(
        session,
        "export",
        "audit_entry",
        f"导出操作记录 {len(ids)} 条" + ("（含完整证件号）" if full else "") + f"：{saved.name}",
        {"rows": len(ids), "full_ids": full},
    )
    return AuditExport(str(saved), len(ids))
