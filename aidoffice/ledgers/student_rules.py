"""The rules of a student record (学籍台账), with no database: what a clerk types on the form or an
import row must satisfy, each problem with the Chinese field name and what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from aidoffice.db.models import Student
from aidoffice.domain.grades import InvalidGrade, make_grade, parse_class, parse_grade
from aidoffice.domain.idnumber import (
    InvalidIdNumber,
    id_from_student_no,
    normalize_id,
    normalize_student_no,
    parse_id,
    person_key,
)
from aidoffice.domain.phones import is_phone
from aidoffice.domain.text import squeeze, strip_all_spaces
from aidoffice.errors import FieldProblem
from aidoffice.messages import id_problem

ROSTER_LABEL = "学籍登记"
_LATIN = re.compile(r"[A-Za-z]")
_MONTH = re.compile(r"\d{4}-\d{2}")
# Every CJK ideograph block (Ext A, the URO, compatibility, Ext B–I: 𠮷, 䶮 …), the middle dots of
# minority names (阿依古丽·买买提), Latin letters and spaces; digits and symbols are refused.
NAME_MAX = 30
_NAME_CHARS = re.compile(
    r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\U00031350-\U000323af"
    r"\u00b7\u30fb\u2022\u2027\uff65A-Za-z\s]+$"
)


@dataclass
class StudentInput:
    """What a clerk types on the student form, or one row of an import, before validation."""

    name: str = ""
    id_number: str | None = None
    id_type: str = "居民身份证"
    student_no: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    ethnicity: str | None = None
    grade: int | str | None = None
    class_name: str | None = None
    boarding: bool = False
    enrolled_on: str | None = None
    hukou_address: str | None = None
    hukou_township: str | None = None
    hukou_village: str | None = None
    current_address: str | None = None
    guardian_name: str | None = None
    guardian_relation: str | None = None
    guardian_phone: str | None = None
    bank_name: str | None = None
    bank_account: str | None = None
    notes: str | None = None
    vocational: bool = False
    roster_groups: set[str] | None = None  # None: leave the roster flags as they are

    @classmethod
    def from_student(cls, s: Student, roster_groups: set[str] | None = None) -> StudentInput:
        values = {f.name: getattr(s, f.name) for f in fields(cls) if hasattr(s, f.name)}
        values["vocational"] = s.stage == "vocational"
        return cls(**values, roster_groups=roster_groups)


_INPUT_FIELDS = tuple(f.name for f in fields(StudentInput) if f.name not in ("roster_groups", "vocational"))


def _blank_to_none(value: Any) -> Any:
    if value.__class__ is str:
        return squeeze(value) or None
    return value


def clean_student(data: StudentInput, today: date | None = None) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Check one record on its own (no database): the cleaned column values and every problem, each
    with the Chinese field name and what to do. Pinyin keys are left to the caller."""
    v = {name: _blank_to_none(getattr(data, name)) for name in _INPUT_FIELDS}
    return v, check_student_values(v, data.vocational, today)


def check_student_values(v: dict[str, Any], vocational: bool, today: date | None) -> list[FieldProblem]:
    """The rules of a student record, applied to squeezed values (blank = None), which are cleaned in
    place. The form goes through clean_student; an import builds the values column by column."""
    problems: list[FieldProblem] = []

    name = strip_all_spaces(v["name"] or "") if not _LATIN.search(v["name"] or "") else v["name"]
    v["name"] = name
    if not name:
        problems.append(FieldProblem("姓名", "不能为空"))
    elif not _NAME_CHARS.match(name):
        problems.append(FieldProblem("姓名", f"“{name[:40]}”含有数字或符号，请只填写姓名"))
    elif len(name) > NAME_MAX:
        problems.append(
            FieldProblem(
                "姓名",
                f"“{name[:12]}…”太长：有 {len(name)} 个字，最多 {NAME_MAX} 个字。"
                "请只填写学生本人的姓名（备注等写在“备注”里）",
            )
        )
    elif len(name) < 2:
        problems.append(FieldProblem("姓名", f"“{name}”只有一个字：姓名至少两个字，请填写完整的姓名"))

    id_number = normalize_id(v["id_number"]) or None
    student_no = normalize_student_no(v["student_no"]) or None
    v["id_number"], v["student_no"] = id_number, student_no
    if id_number is None and student_no is not None:
        id_number = v["id_number"] = id_from_student_no(student_no)
    v["person_key"] = person_key(id_number, student_no)
    if id_number is None and student_no is None:
        problems.append(FieldProblem("身份证件号", "身份证件号和全国学籍号至少要填一个"))
    if id_number is not None and v["id_type"] == "居民身份证":
        try:
            info = parse_id(id_number, today=today)
        except InvalidIdNumber as exc:
            problems.append(FieldProblem("身份证件号", id_problem(exc)))
        else:
            if v["birth_date"] is None:
                v["birth_date"] = info.birth_date
            elif v["birth_date"] != info.birth_date:
                problems.append(
                    FieldProblem(
                        "出生日期",
                        f"填写的 {v['birth_date']:%Y-%m-%d} 与身份证件号中的 {info.birth_date:%Y-%m-%d} 不一致",
                    )
                )
            if v["sex"] is None:
                v["sex"] = info.sex
            elif v["sex"] != info.sex:
                problems.append(
                    FieldProblem("性别", f"填写的“{v['sex']}”与身份证件号（第17位）表示的“{info.sex}”不一致")
                )
            if student_no and student_no.startswith("G") and student_no[1:] != id_number:
                problems.append(
                    FieldProblem("全国学籍号", f"“{student_no}”应为 G 加身份证件号，与身份证件号不一致")
                )
    if v["sex"] not in (None, "男", "女"):
        problems.append(FieldProblem("性别", "只能是“男”或“女”"))

    try:
        if v["grade"] is None:
            raise InvalidGrade("")
        grade = make_grade(v["grade"], vocational) if isinstance(v["grade"], int) else parse_grade(v["grade"])
        v["grade"], v["stage"] = grade.number, grade.stage
    except InvalidGrade:
        problems.append(
            FieldProblem("年级", f"“{v['grade'] or ''}”不是可识别的年级，请填写如“七年级”“初一”“高二”")
        )
    v["class_name"] = parse_class(v["class_name"]) if v["class_name"] else None
    if not v["class_name"]:
        problems.append(FieldProblem("班级", "不能为空，请填写如“1班”"))

    if v["guardian_phone"]:
        phone = strip_all_spaces(v["guardian_phone"])
        v["guardian_phone"] = phone
        if not is_phone(phone, extension=False):
            problems.append(
                FieldProblem("监护人联系电话", f"“{phone}”不是有效的手机号（11位）或带区号的固定电话")
            )
    if v["bank_account"]:
        account = strip_all_spaces(v["bank_account"])
        v["bank_account"] = account
        if not account.isdigit() or not 12 <= len(account) <= 19:
            problems.append(FieldProblem("银行卡号", f"应为12—19位数字，“{account}”不符合"))
    if v["enrolled_on"] and not _MONTH.fullmatch(v["enrolled_on"]):
        problems.append(FieldProblem("入学年月", f"“{v['enrolled_on']}”应写作“2024-09”"))
    return problems
