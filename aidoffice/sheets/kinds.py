"""The kinds of file the office imports, what columns each uses and needs, and how to tell them apart
(so a poverty list given to the student import is refused with the right advice)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # what the user calls the file
    command: str  # the headless command that imports it
    fields: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]  # each entry: at least one of these fields
    signature: tuple[str, ...]  # fields that only this kind of file normally has


STUDENTS = Kind(
    code="students",
    label="学籍系统导出",
    command="aidoffice import students",
    fields=(
        "school_code", "school_name", "grade", "class_name", "name", "sex", "birth_date", "ethnicity",
        "id_type", "id_number", "student_no", "hukou_address", "current_address", "boarding", "left_behind",
        "migrant", "orphan", "disabled", "guardian_name", "guardian_relation", "guardian_phone",
        "enrolled_on", "status", "hukou_township", "hukou_village", "bank_name", "bank_account", "notes",
    ),
    required=(("id_number", "student_no"), ("name",), ("grade",), ("class_name",)),
    signature=("grade", "class_name", "student_no", "boarding", "enrolled_on", "school_code"),
)  # fmt: skip

HOUSEHOLDS = Kind(
    code="households",
    label="户籍（村）花名册",
    command="aidoffice import households",
    fields=(
        "county", "township", "village", "household_no", "head_name", "head_id_number", "relation", "name",
        "id_number", "sex", "birth_date", "household_type", "list_status", "schooling", "school_name",
        "grade", "phone", "current_address", "notes",
    ),
    required=(("id_number",), ("name",), ("township",), ("village",), ("household_no", "head_name")),
    signature=("household_no", "head_name", "relation"),
)  # fmt: skip

LIST = Kind(
    code="list",
    label="外部名单（乡村振兴、民政、残联等）",
    command="aidoffice import list",
    fields=(
        "county", "township", "village", "household_no", "head_name", "head_id_number", "relation", "name",
        "id_number", "sex", "birth_date", "household_type", "list_status", "category", "people_count",
        "monthly_amount", "disability_type", "disability_level", "schooling", "school_name", "grade",
        "class_name", "phone", "notes",
    ),
    required=(("id_number",), ("name",)),
    signature=("household_type", "category", "disability_type", "people_count", "monthly_amount"),
)  # fmt: skip

AWARDS = Kind(
    code="awards",
    label="资助发放名单",
    command="aidoffice import awards",
    fields=(
        "name", "id_number", "student_no", "policy", "term", "amount", "paid_on", "batch", "grade",
        "class_name", "sex", "category", "bank_name", "bank_account", "guardian_name", "guardian_phone",
        "school_name", "boarding", "notes",
    ),
    required=(("id_number", "student_no"), ("name",), ("amount", "policy")),
    signature=("policy", "amount", "paid_on", "batch"),
)  # fmt: skip

ASSESSMENTS = Kind(
    code="assessments",
    label="家庭经济困难学生认定表",
    command="aidoffice import assessments",
    fields=(
        "name", "id_number", "student_no", "grade", "class_name", "sex", "assessment_level", "category",
        "assessed_on", "assessed_by", "assessment_reason", "school_year", "notes",
    ),
    required=(("id_number", "student_no"), ("name",), ("assessment_level", "category")),
    signature=("assessment_level", "assessed_on", "assessed_by", "assessment_reason"),
)  # fmt: skip

KINDS = {k.code: k for k in (STUDENTS, HOUSEHOLDS, LIST, AWARDS, ASSESSMENTS)}

LIST_KINDS = {
    "poverty": "乡村振兴（农业农村）部门名单",
    "civil": "民政部门名单（低保、特困等）",
    "disabled": "残联名单",
    "other": "其他名单",
}
