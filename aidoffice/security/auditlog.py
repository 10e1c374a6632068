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
from aidoffice.db.audit import record
from aidoffice.db.models import STATUS_NAMES, AuditEntry, HouseholdMember, Student
from aidoffice.exporting.workbook import Column, StandardWorkbook
from aidoffice.files import check_target
from aidoffice.privacy import Level, scrub, show_column
from aidoffice.progress import Progress, Throttled, no_progress
from aidoffice.security.access import require

ACTION_NAMES = {
    "insert": "新增",
    "update": "修改",
    "delete": "删除",
    "bulk_insert": "批量新增",
    "bulk_update": "批量修改",
    "bulk_delete": "批量删除",
    "export": "导出",
    "import": "导入",
    "produce": "生成",
    "confirm": "确认",
    "sign_in": "登录",
    "sign_out": "退出登录",
    "lock": "锁定",
    "sign_in_failed": "登录失败",
    "user_add": "建立账户",
    "user_update": "修改账户",
    "user_lock": "停用账户",
    "user_unlock": "启用账户",
    "user_passwd": "修改密码",
    "user_reset": "重置密码",
    "setting": "修改设置",
    "backup": "备份",
    "restore": "恢复备份",
}
ENTITY_NAMES = {
    "student": "学生",
    "award": "资助发放",
    "household": "户",
    "household_member": "户成员",
    "group_membership": "重点群体身份",
    "priority_group": "重点群体类别",
    "school": "学校",
    "term": "学期",
    "township": "乡镇",
    "village": "村",
    "policy": "资助项目",
    "policy_family": "资助项目类别",
    "list_snapshot": "外部名单",
    "app_user": "账户",
    "database": "数据库",
    "publicity_batch": "宣传材料",
    "slip": "回执",
    "class_session": "宣讲课",
    "audit_entry": "操作记录",
    "consolidation": "县级汇总",
    "students": "学籍名单",
    "households": "户籍名册",
    "list": "外部名单",
    "awards": "资助发放名单",
    "recovery": "收回",
    "problem": "问题清单",
    "problem_note": "问题处理记录",
}
FIELD_NAMES = {
    "name": "姓名",
    "id_number": "身份证件号",
    "id_type": "证件类型",
    "student_no": "全国学籍号",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "stage": "学段",
    "grade": "年级",
    "class_name": "班级",
    "status": "学生状态",
    "status_changed_on": "状态变更日期",
    "status_note": "状态说明",
    "boarding": "住校",
    "enrolled_on": "入学年月",
    "hukou_address": "户口所在地",
    "hukou_township": "户籍乡镇",
    "hukou_village": "户籍村",
    "village_id": "所属村",
    "current_address": "现住址",
    "guardian_name": "监护人",
    "guardian_relation": "监护人关系",
    "guardian_phone": "监护人联系电话",
    "bank_name": "开户银行",
    "bank_account": "银行卡号",
    "notes": "备注",
    "amount": "金额",
    "paid_on": "发放日期",
    "group_code": "群体",
    "active": "有效",
    "relation": "与户主关系",
    "head_name": "户主",
    "household_no": "户编号",
    "phone": "电话",
    "address": "住址",
    "reason": "原因",
    "method": "收回方式",
    "done_on": "收回日期",
    "done_note": "收回说明",
    "policy_name": "资助项目",
    "term_code": "学期",
}


_STATUS = {status.value: name for status, name in STATUS_NAMES.items()}


@dataclass
class AuditFilter:
    actor: str | None = None  # login name or OS user as recorded
    student_id: int | None = None  # the student's own entries, their awards and household links
    entity: str | None = None  # student / award / app_user … (ENTITY_NAMES)
    action: str | None = None  # insert / update / … (ACTION_NAMES)
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


def _show(key: str, value: Any, level: Level) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "status" and value in _STATUS:
        return _STATUS[value]  # 在读 → 转出, as the ledger says it
    shown = show_column(key, value, level)
    text = "" if shown is None else str(shown)
    return text if level is Level.FULL else scrub(text)


def _label(entity: str, key: str) -> str:
    if key == "name" and entity not in ("student", "household_member"):
        return "名称"
    return FIELD_NAMES.get(key, key)


def summarize(entry: AuditEntry, level: Level = Level.MASKED) -> str:
    """A change in words: 监护人联系电话：138****0000 → 139****0000；…"""
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "update":
        keys = [k for k in after if k != "version"]
        return "；".join(
            f"{_label(entry.entity, k)}：{_show(k, before.get(k), level)} → {_show(k, after.get(k), level)}"
            for k in keys
        )
    if entry.action in ("insert", "delete"):
        values = after if entry.action == "insert" else before
        keys = [
            k for k in ("name", "grade", "class_name", "id_number", "amount", "group_code") if k in values
        ]
        return "，".join(f"{_label(entry.entity, k)}：{_show(k, values[k], level)}" for k in keys)
    if entry.action.startswith("bulk_") and isinstance(after, dict) and "rows" in after:
        return f"{after['rows']} 行"
    return ""


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
                ACTION_NAMES.get(e.action, e.action),
                ENTITY_NAMES.get(e.entity, e.entity),
                e.entity_id,
                subject,
                summarize(e, level),
                scrub(e.note or "") if level is not Level.FULL else (e.note or ""),
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
