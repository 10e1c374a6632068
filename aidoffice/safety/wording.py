"""The audit trail in the clerk's words: one table naming every kind of record (entity), every field and
every coded value the 操作记录 page and its export show. Nothing reaches the clerk as a table name, a
column name or an internal value ("problem_note", "open → closed", "still_present"); a test walks
every table and column of the schema and fails on one this page does not name, and another walks the
entries of a whole term and fails on any identifier-looking word left on the page.

Values that already have a Chinese name elsewhere in the core (a problem's status, a slip's answer, a
finding's kind …) are taken from there, so the page says what the other pages say."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from aidoffice.casework.words import ACTION_KIND_NAMES as CASE_ACTION_NAMES
from aidoffice.casework.words import SOURCE_NAMES as CASE_SOURCE_NAMES
from aidoffice.db.models import CASE_STATUS_NAMES, PROBLEM_STATUS_NAMES, STATUS_NAMES, ProblemStatus
from aidoffice.domain.grades import make_grade
from aidoffice.domain.policies import BOARDING_NAMES, SOURCE_NAMES, STAGE_NAMES
from aidoffice.ledgers.assessments import LEVEL_NAMES
from aidoffice.publicity.common import MATERIAL_NAMES
from aidoffice.publicity.words import ANSWER_NAMES, SESSION_NAMES
from aidoffice.reconcile.kinds import KINDS as FINDING_KINDS
from aidoffice.sheets.kinds import KINDS as IMPORT_KINDS
from aidoffice.sheets.kinds import LIST_KINDS

AUDIT_ACTION_NAMES = {
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

# every table of the schema, and the names the services record for whole operations
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
    "list_entry": "外部名单中的一行",
    "app_user": "账户",
    "app_setting": "设置",
    "import_batch": "导入记录",
    "operation_lock": "操作锁",
    "study_elsewhere": "在外地就读核实",
    "hardship_assessment": "困难认定",
    "problem": "问题清单",
    "problem_note": "问题处理记录",
    "recovery": "收回",
    "person_link": "证件号抄错的同一人（待部门更正）",
    "contact_duty": "包保责任",
    "visit": "走访记录",
    "database": "数据库",
    "publicity_batch": "宣传材料",
    "slip": "回执",
    "slip_scan": "回执扫描",
    "slip_scan_image": "回执扫描图片",
    "class_session": "宣讲课",
    "audit_entry": "操作记录",
    "dropout_case": "控辍保学案件",
    "case_person": "案件责任人",
    "case_action": "案件处理记录",
    "consolidation": "县级汇总",
    "dropout_ledgers": "控辍保学台账",
    "students": "学籍名单",
    "households": "户籍名册",
    "list": "外部名单导入",
    "awards": "资助发放名单",
}

FIELD_NAMES = {
    "id": "编号",
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
    "township_id": "所属乡镇",
    "current_address": "现住址",
    "guardian_name": "监护人",
    "guardian_relation": "监护人关系",
    "guardian_phone": "监护人联系电话",
    "bank_name": "开户银行",
    "bank_account": "银行卡号",
    "notes": "备注",
    "note": "说明",
    "amount": "金额",
    "paid_on": "发放日期",
    "group_code": "群体",
    "group_codes": "群体",
    "active": "有效",
    "relation": "与户主关系",
    "head_name": "户主",
    "head_id_number": "户主证件号",
    "household_no": "户编号",
    "household_id": "所属户",
    "phone": "电话",
    "address": "住址",
    "person_key": "身份标识",
    "name_pinyin": "姓名拼音",
    "name_initials": "姓名首字母",
    "name_sort": "姓名排序",
    "school_id": "学校",
    "school_name": "就读学校",
    "schooling": "在校生状况",
    "student_id": "学生",
    "policy_id": "资助项目",
    "policy_code": "资助项目",
    "term_id": "学期",
    "term_code": "学期",
    "batch": "发放批次",
    "batch_id": "导入批次",
    "created_at": "建立时间",
    "updated_at": "修改时间",
    "version": "版本",
    "code": "代码",
    "county": "所在县",
    "township": "乡镇",
    "village": "村",
    "settings": "设置",
    "starts_on": "开始日期",
    "ends_on": "结束日期",
    "is_current": "当前学期",
    "priority": "优先保障",
    "sort_order": "排列顺序",
    "description": "说明",
    "aliases": "别名",
    "family": "项目类别",
    "amount_rule": "金额规则",
    "eligible_groups": "资助对象",
    "valid_from": "有效期起",
    "valid_to": "有效期止",
    "letter_text": "告知书文字",
    "source_kind": "来源",
    "source_label": "来源名称",
    "known_on": "信息日期",
    "list_kind": "名单类别",
    "file_name": "文件",
    "sheet": "工作表",
    "imported_at": "导入时间",
    "actor": "操作人",
    "rows": "行数",
    "fingerprint": "文件指纹",
    "snapshot_id": "所属名单",
    "row": "行号",
    "category": "类别",
    "extra": "其他列",
    "kind": "种类",
    "at": "时间",
    "held_on": "上课日期",
    "teacher": "授课教师",
    "topic": "主题",
    "attendance": "到课人数",
    "enrolled": "应到人数",
    "scope": "范围",
    "params": "参数",
    "pages": "页数",
    "items": "份数",
    "issued_at": "发出时间",
    "received_at": "收回时间",
    "received_by": "登记人",
    "answer": "家长的选择",
    "objection": "异议内容",
    "school_year": "学年",
    "level": "认定等级",
    "decided_on": "认定日期",
    "decided_by": "认定人",
    "place": "就读地",
    "verified_on": "核实日期",
    "verified_by": "核实人",
    "identity": "问题标识",
    "rank": "排序",
    "detail": "情况说明",
    "evidence": "依据",
    "still_present": "数据中仍存在",
    "first_seen_on": "首次发现",
    "last_seen_on": "最近发现",
    "assigned_to": "处理人",
    "taken_at": "接手时间",
    "resolution": "处理结果",
    "closed_by": "销号人",
    "closed_at": "销号时间",
    "problem_id": "所属问题",
    "text": "内容",
    "login": "登录名",
    "display_name": "姓名",
    "password_hash": "密码",
    "role": "角色",
    "classes": "所带班级",
    "failed_attempts": "连续输错次数",
    "locked_until": "锁定到",
    "must_change_password": "须修改密码",
    "last_sign_in": "最近登录",
    "key": "设置项",
    "value": "设置值",
    "holder": "占用人",
    "host": "电脑",
    "pid": "程序进程",
    "since": "开始时间",
    "action": "操作",
    "entity": "对象",
    "entity_id": "对象编号",
    "before": "修改前",
    "after": "修改后",
    "chain_seq": "封存序号",
    "chain_hash": "封存值",
    "pending": "待封存",
}

# the same column name meaning something else in one kind of record
ENTITY_FIELD_NAMES = {
    ("problem", "status"): "处理状态",
    ("problem", "kind"): "问题类别",
    ("problem", "name"): "姓名",
    ("problem", "village"): "户籍村",
    ("problem_note", "action"): "处理方式",
    ("slip", "kind"): "回执种类",
    ("slip", "code"): "回执编号",
    ("slip_scan", "fingerprint"): "扫描指纹",
    ("slip_scan", "code"): "回执编号",
    ("slip_scan", "slip_id"): "回执",
    ("slip_scan", "source"): "扫描文件",
    ("slip_scan", "page"): "页码",
    ("slip_scan", "status"): "处理状态",
    ("slip_scan", "reason"): "待核对原因",
    ("slip_scan", "read_answer"): "识别出的选择",
    ("slip_scan", "answer"): "登记的选择",
    ("slip_scan", "note_ink"): "异议栏有手写",
    ("slip_scan", "scanned_at"): "扫描时间",
    ("slip_scan", "scanned_by"): "扫描人",
    ("slip_scan", "resolved_at"): "核对时间",
    ("slip_scan", "resolved_by"): "核对人",
    ("slip_scan_image", "scan_id"): "回执扫描",
    ("slip_scan_image", "image"): "回执图片",
    ("slip_scan_image", "note"): "异议栏图片",
    ("publicity_batch", "kind"): "材料种类",
    ("class_session", "kind"): "课程",
    ("import_batch", "kind"): "导入种类",
    ("import_batch", "note"): "说明",
    ("award", "batch"): "发放批次",
    ("award", "batch_id"): "导入批次",
    ("app_setting", "value"): "设置值",
    ("hardship_assessment", "level"): "认定等级",
    ("recovery", "status"): "收回状态",
    ("recovery", "reason"): "收回原因",
    ("recovery", "method"): "收回方式",
    ("recovery", "done_on"): "收回日期",
    ("recovery", "done_note"): "收回说明",
    ("recovery", "done_by"): "登记收回的人",
    ("recovery", "done_at"): "登记收回的时间",
    ("recovery", "recorded_by"): "记录人",
    ("recovery", "recorded_at"): "记录时间",
    ("recovery", "award_id"): "发放记录",
    ("policy", "for_leavers"): "只写给毕业年级",
    ("person_link", "from_key"): "部门名单上的证件号",
    ("person_link", "to_key"): "学校记录中的证件号",
    ("person_link", "source_label"): "部门",
    ("person_link", "problem_id"): "问题",
    ("person_link", "sent_on"): "送部门更正日期",
    ("person_link", "sent_by"): "经办人",
    ("recovery", "policy_name"): "资助项目",
    ("dropout_case", "status"): "案件状态",
    ("dropout_case", "source"): "发现途径",
    ("dropout_case", "reason"): "辍学原因",
    ("dropout_case", "reason_note"): "原因说明",
    ("dropout_case", "plan"): "劝返方案",
    ("dropout_case", "left_on"): "辍学日期",
    ("dropout_case", "opened_on"): "立案日期",
    ("dropout_case", "opened_by"): "立案人",
    ("dropout_case", "next_due"): "下次跟进期限",
    ("dropout_case", "escalated_on"): "上报日期",
    ("dropout_case", "outcome"): "结案结果",
    ("dropout_case", "outcome_note"): "结案说明",
    ("dropout_case", "closed_on"): "结案日期",
    ("dropout_case", "closed_by"): "结案人",
    ("dropout_case", "times_opened"): "立案次数",
    ("dropout_case", "name"): "姓名",
    ("case_person", "name"): "姓名",
    ("case_person", "role"): "责任人身份",
    ("case_person", "case_id"): "所属案件",
    ("case_action", "case_id"): "所属案件",
    ("case_action", "kind"): "记录种类",
    ("case_action", "on"): "日期",
    ("case_action", "who"): "经办人",
    ("case_action", "way"): "方式",
    ("case_action", "said"): "沟通内容",
    ("case_action", "result"): "结果",
    ("case_action", "due"): "期限",
    ("case_action", "recorded_by"): "记录人",
    ("case_action", "recorded_at"): "记录时间",
    ("contact_duty", "teacher"): "包保教师",
    ("contact_duty", "teacher_login"): "包保教师的账户",
    ("contact_duty", "village_id"): "包保的村",
    ("contact_duty", "household_id"): "包保的户",
    ("contact_duty", "student_id"): "包保的学生",
    ("contact_duty", "ends_on"): "结束日期",
    ("contact_duty", "end_reason"): "结束原因",
    ("visit", "family_name"): "户主或学生",
    ("visit", "visited_on"): "联系日期",
    ("visit", "teacher"): "联系教师",
    ("visit", "way"): "联系方式",
    ("visit", "said"): "交流内容",
    ("visit", "needs"): "反映的需求",
    ("visit", "follow_up"): "后续跟进",
    ("visit", "problem_id"): "转入问题清单",
    ("visit", "recorded_by"): "记录人",
    ("visit", "recorded_at"): "记录时间",
}

NOTE_ACTION_NAMES = {
    "take": "接手",
    "note": "备注",
    "close": "销号",
    "reopen": "重新打开",
    "rerun": "重新比对",
    "fix": "处理",
}

SETTING_NAMES = {
    "idle_minutes": "无操作锁定时间",
    "single_clerk": "单人模式",
    "audit_head": "操作记录封存点",
    "contacts": "告知书联系人",
    "visit_rule": "家访联系频次",
}

_ROLE_NAMES_FALLBACK = {
    "admin": "管理员",
    "clerk": "资助专干",
    "head_teacher": "班主任",
    "county_viewer": "县级查看",
}


def _role_name(code: str) -> str | None:
    try:
        from aidoffice.access.roles import role_book

        return role_book().roles[code].name
    except Exception:
        return _ROLE_NAMES_FALLBACK.get(code)


def _problem_status(value: str) -> str | None:
    try:
        return PROBLEM_STATUS_NAMES[ProblemStatus(value)]
    except ValueError:
        return None


_STUDENT_STATUS = {status.value: name for status, name in STATUS_NAMES.items()}


def _grade(value: Any) -> str | None:
    try:
        return make_grade(int(value)).name
    except (TypeError, ValueError):
        return None


def _lookup(table: dict[str, str]) -> Callable[[Any], str | None]:
    return lambda value: table.get(str(value))


_FINDING_NAMES = {code: info.label for code, info in FINDING_KINDS.items()}
_SOURCE = {kind.value: name for kind, name in SOURCE_NAMES.items()}
_STAGES = {getattr(k, "value", k): v for k, v in STAGE_NAMES.items()}
_IMPORT_NAMES = {code: kind.label for code, kind in IMPORT_KINDS.items()}

# (entity or "*", field) → how a coded value is said; "*" applies to every kind of record
VALUE_NAMES: dict[tuple[str, str], Callable[[Any], str | None]] = {
    ("recovery", "status"): _lookup({"pending": "待收回", "done": "已收回"}),
    ("problem", "status"): _problem_status,
    ("dropout_case", "status"): _lookup({k.value: v for k, v in CASE_STATUS_NAMES.items()}),
    ("dropout_case", "source"): _lookup(CASE_SOURCE_NAMES),
    ("case_action", "kind"): _lookup(CASE_ACTION_NAMES),
    ("case_person", "role"): lambda v: str(v),
    ("problem", "kind"): _lookup(_FINDING_NAMES),
    ("problem_note", "action"): _lookup(NOTE_ACTION_NAMES),
    ("slip", "answer"): _lookup(ANSWER_NAMES),
    ("slip_scan", "answer"): _lookup(ANSWER_NAMES),
    ("slip_scan", "read_answer"): _lookup(ANSWER_NAMES),
    ("slip_scan", "status"): _lookup(
        {"registered": "已登记", "queued": "待核对", "resolved": "已核对", "skipped": "已跳过"}
    ),
    ("slip", "kind"): _lookup(MATERIAL_NAMES),
    ("publicity_batch", "kind"): _lookup(MATERIAL_NAMES),
    ("class_session", "kind"): _lookup(SESSION_NAMES),
    ("import_batch", "kind"): _lookup(_IMPORT_NAMES),
    ("app_setting", "key"): _lookup(SETTING_NAMES),
    ("*", "status"): _lookup(_STUDENT_STATUS),
    ("*", "role"): lambda v: _role_name(str(v)),
    ("*", "grade"): _grade,
    ("*", "stage"): _lookup(_STAGES),
    ("*", "boarding"): _lookup(BOARDING_NAMES),
    ("*", "source_kind"): _lookup(_SOURCE),
    ("*", "list_kind"): _lookup(LIST_KINDS),
    ("*", "level"): _lookup(LEVEL_NAMES),
}

UNNAMED_FIELD = "其他内容"


def entity_name(entity: str) -> str:
    return ENTITY_NAMES.get(entity, "其他记录")


def action_name(action: str) -> str:
    return AUDIT_ACTION_NAMES.get(action, "其他操作")


def field_name(entity: str, key: str) -> str:
    if key == "name" and entity not in (
        "student",
        "household_member",
        "problem",
        "dropout_case",
        "case_person",
    ):
        return "名称"
    return ENTITY_FIELD_NAMES.get((entity, key)) or FIELD_NAMES.get(key, UNNAMED_FIELD)


def value_name(
    entity: str, key: str, value: Any, names: dict[str, dict[str, str]] | None = None
) -> str | None:
    """A coded value in words, or None when the value is not coded (a name, a date, an amount). `names`:
    what the database itself names (group codes → 低保…, policy codes → project names)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?", value):
        return value.replace("T", " ")[:16]  # a time as stored: 2026-11-22 15:58
    rule = VALUE_NAMES.get((entity, key)) or VALUE_NAMES.get(("*", key))
    if rule is not None and value is not None and not isinstance(value, (dict, list)):
        named = rule(value)
        if named:
            return named
    names = names or {}
    if key in ("group_code", "group_codes", "eligible_groups") and isinstance(value, (str, list)):
        codes = value if isinstance(value, list) else re.split(r"[,，;；\s]+", value)
        return "、".join(names.get("group", {}).get(c, c) for c in codes if c)
    if key == "policy_code" and isinstance(value, str):
        return names.get("policy", {}).get(value)
    if key == "classes" and isinstance(value, list):
        return "、".join(_class(c) for c in value)
    if isinstance(value, (dict, list)):
        return "（已更改）" if value else "（空）"
    return None


def _class(value: Any) -> str:
    try:
        grade, name = value
        return f"{_grade(grade) or grade}{name}"
    except (TypeError, ValueError):
        return str(value)


_LEDGER_NAMES = {"school": "学籍台账", "village": "户籍台账"}


def note_words(note: str) -> str:
    """The note a command or a page gave its whole unit of work (`import students`, `letters aid`,
    `export roster …`), in words; any other note as it is."""
    text = (note or "").strip()
    head, _, rest = text.partition(" ")
    if head == "init" and not rest:
        return "建立或升级数据库"
    if head == "demo" and not rest:
        return "填入演示数据"
    if head == "consolidate" and not rest:
        return "县级汇总"
    if head == "import" and rest in {*_IMPORT_NAMES, "assessments"}:
        return "导入" + (_IMPORT_NAMES.get(rest) or "家庭经济困难学生认定表")
    if head == "letters" and rest in MATERIAL_NAMES:
        return "生成" + MATERIAL_NAMES[rest]
    if head == "export":
        what, _, more = rest.partition(" ")
        if what == "ledger" and more in _LEDGER_NAMES:
            return "导出" + _LEDGER_NAMES[more]
        if what == "roster":
            return ("导出花名册 " + more).strip()
    return text
