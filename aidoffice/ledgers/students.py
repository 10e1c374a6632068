"""学籍台账: adding, editing, transferring out and marking dropouts; filtered, searched, sorted pages.

Every change goes through these functions inside a unit of work; the audit listener records it."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from aidoffice.db.models import (
    STATUS_NAMES,
    Award,
    GroupMembership,
    Household,
    HouseholdMember,
    PriorityGroup,
    SourceKind,
    Student,
    StudentStatus,
    Township,
    Village,
)
from aidoffice.domain.grades import InvalidGrade, make_grade, parse_class, parse_grade
from aidoffice.domain.idnumber import (
    InvalidIdNumber,
    id_from_student_no,
    normalize_id,
    normalize_student_no,
    parse_id,
    person_key,
)
from aidoffice.domain.pinyin import initials_key, pinyin_key
from aidoffice.domain.text import squeeze, strip_all_spaces
from aidoffice.errors import FieldProblem, NotFound, ValidationError
from aidoffice.messages import id_problem

ROSTER_LABEL = "学籍登记"
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_LATIN = re.compile(r"[A-Za-z]")
_MONTH = re.compile(r"\d{4}-\d{2}")
_NAME = re.compile(r"^[\u3400-\u9fff\u00b7·A-Za-z\s]{2,30}$")


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
    elif not _NAME.match(name):
        problems.append(FieldProblem("姓名", f"“{name}”含有数字或符号，请只填写姓名"))

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
        if not _PHONE.match(phone):
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


def validate_student(
    session: Session, data: StudentInput, *, student_id: int | None = None, today: date | None = None
) -> dict[str, Any]:
    """Check a record against the rules and the ledger and return the cleaned column values; raise
    ValidationError listing every problem."""
    v, problems = clean_student(data, today)
    id_number, student_no, name = v["id_number"], v["student_no"], v["name"]
    key = person_key(id_number, student_no)
    if key:
        clash_conditions = [Student.person_key == key]
        if id_number:
            clash_conditions.append(Student.id_number == id_number)
        if student_no:
            clash_conditions.append(Student.student_no == student_no)
        q = select(Student).where(or_(*clash_conditions))
        if student_id is not None:
            q = q.where(Student.id != student_id)
        other = session.scalars(q.limit(1)).first()
        if other is not None:
            problems.append(
                FieldProblem(
                    "身份证件号",
                    f"已登记在学生“{other.name}”（{make_grade(other.grade, other.stage == 'vocational').name}"
                    f"{other.class_name}）名下，同一证件号不能登记两次",
                )
            )
    if problems:
        raise ValidationError(problems)
    v["name_pinyin"] = pinyin_key(name)
    v["name_initials"] = initials_key(name)
    return v


def roster_membership(key: str, group: str, today: date) -> GroupMembership:
    """A flag of the 学籍 export or the student form: this student is in `group`, as of `today`."""
    return GroupMembership(
        person_key=key,
        group_code=group,
        source_kind=SourceKind.ROSTER,
        source_label=ROSTER_LABEL,
        known_on=today,
        active=True,
    )


def _set_roster_groups(session: Session, key: str, groups: set[str], today: date) -> None:
    existing = {
        m.group_code: m
        for m in session.scalars(
            select(GroupMembership).where(
                GroupMembership.person_key == key, GroupMembership.source_kind == SourceKind.ROSTER
            )
        )
    }
    for code in groups - existing.keys():
        session.add(roster_membership(key, code, today))
    for code in existing.keys() - groups:
        session.delete(existing[code])


def add_student(session: Session, school_id: int, data: StudentInput, today: date | None = None) -> Student:
    today = today or date.today()
    values = validate_student(session, data, today=today)
    student = Student(school_id=school_id, status=StudentStatus.ENROLLED, **values)
    session.add(student)
    if data.roster_groups:
        _set_roster_groups(session, values["person_key"], set(data.roster_groups), today)
    session.flush()
    return student


def get_student(session: Session, student_id: int) -> Student:
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(f"找不到编号为 {student_id} 的学生，可能已被他人删除，请刷新。")
    return student


def update_student(
    session: Session, student_id: int, data: StudentInput, today: date | None = None
) -> Student:
    today = today or date.today()
    student = get_student(session, student_id)
    values = validate_student(session, data, student_id=student_id, today=today)
    old_key = student.person_key
    for name, value in values.items():
        if getattr(student, name) != value:
            setattr(student, name, value)
    if old_key != student.person_key:
        rekey_student(session, student, old_key)
    if data.roster_groups is not None:
        _set_roster_groups(session, student.person_key, set(data.roster_groups), today)
    session.flush()
    return student


def rekey_student(session: Session, student: Student, old_key: str) -> None:
    """The student's identity changed (an ID number replaced a temporary student number): the roster
    flags and household links follow; outside lists keep the number they were given."""
    for m in session.scalars(
        select(GroupMembership).where(
            GroupMembership.person_key == old_key, GroupMembership.source_kind == SourceKind.ROSTER
        )
    ):
        m.person_key = student.person_key
    for link in student.household_links:
        link.person_key = student.person_key
        link.id_number = student.id_number


def _change_status(
    session: Session,
    student_id: int,
    status: StudentStatus,
    on: date | None,
    note: str | None,
    allowed_from: set[StudentStatus],
) -> Student:
    student = get_student(session, student_id)
    if student.status not in allowed_from:
        raise ValidationError(
            [
                FieldProblem(
                    "学生状态",
                    f"{student.name}当前为“{STATUS_NAMES[student.status]}”，不能改为“{STATUS_NAMES[status]}”",
                )
            ]
        )
    student.status = status
    student.status_changed_on = on or date.today()
    student.status_note = (note or "").strip() or None
    session.flush()
    return student


def transfer_out(
    session: Session, student_id: int, on: date | None = None, destination: str | None = None
) -> Student:
    """转出: the student stays in the ledger with status 转出, the date and where to."""
    note = f"转往：{destination.strip()}" if destination and destination.strip() else None
    return _change_status(
        session,
        student_id,
        StudentStatus.TRANSFERRED_OUT,
        on,
        note,
        {StudentStatus.ENROLLED, StudentStatus.SUSPENDED},
    )


def mark_dropout(
    session: Session, student_id: int, on: date | None = None, reason: str | None = None
) -> Student:
    """辍学: recorded with date and reason, so the dropout case work (控辍保学) can start from it."""
    return _change_status(
        session,
        student_id,
        StudentStatus.DROPPED_OUT,
        on,
        reason,
        {StudentStatus.ENROLLED, StudentStatus.SUSPENDED},
    )


def reinstate(session: Session, student_id: int, on: date | None = None, note: str | None = None) -> Student:
    """复学 / undo a transfer: back to 在读."""
    return _change_status(
        session,
        student_id,
        StudentStatus.ENROLLED,
        on,
        note,
        {StudentStatus.DROPPED_OUT, StudentStatus.SUSPENDED, StudentStatus.TRANSFERRED_OUT},
    )


def link_to_household(
    session: Session, student_id: int, household_id: int, relation: str | None = None
) -> HouseholdMember:
    """Tie a student to a registered household: the member row for the child (made if missing)
    points at the student, and the student's village becomes the household's."""
    student = get_student(session, student_id)
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound(f"找不到编号为 {household_id} 的户。")
    member = session.scalars(
        select(HouseholdMember).where(
            HouseholdMember.household_id == household_id,
            or_(HouseholdMember.student_id == student_id, HouseholdMember.person_key == student.person_key),
        )
    ).first()
    for old in session.scalars(
        select(HouseholdMember).where(
            HouseholdMember.student_id == student_id, HouseholdMember.household_id != household_id
        )
    ):
        old.student_id = None
    if member is None:
        member = HouseholdMember(
            household_id=household_id,
            name=student.name,
            id_number=student.id_number,
            person_key=student.person_key,
            sex=student.sex,
            birth_date=student.birth_date,
            relation=relation,
        )
        session.add(member)
    member.student_id = student.id
    if relation:
        member.relation = relation
    student.village_id = household.village_id
    session.flush()
    return member


# ---- queries -------------------------------------------------------------------------------------


@dataclass
class StudentFilter:
    grade: int | None = None
    class_name: str | None = None
    status: StudentStatus | None = None
    group: str | None = None  # a priority-group code
    township_id: int | None = None
    village_id: int | None = None
    boarding: bool | None = None
    search: str = ""


class StudentRow(NamedTuple):
    id: int
    name: str
    sex: str | None
    id_number: str | None
    student_no: str | None
    grade: int
    stage: str
    class_name: str
    status: StudentStatus
    boarding: bool
    township: str | None
    village: str | None
    guardian_name: str | None
    guardian_phone: str | None
    birth_date: date | None
    groups: tuple[str, ...] = ()


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix(column, prefix: str):  # type: ignore[no-untyped-def]
    """`column` starts with the lower-case ASCII `prefix`, as a range the column's index answers
    (LIKE 'zs%' scans every row on SQLite)."""
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def search_condition(text: str):  # type: ignore[no-untyped-def]
    """Digits: the end of the ID or student number. Letters: pinyin initials or full pinyin. Else: a
    part of the name."""
    text = strip_all_spaces(text)
    if not text:
        return None
    if re.fullmatch(r"[0-9xX]+", text):
        pattern = "%" + _like_escape(text.upper())
        return or_(
            Student.id_number.like(pattern, escape="\\"), Student.student_no.like(pattern, escape="\\")
        )
    if re.fullmatch(r"[A-Za-z]+", text):
        return or_(_prefix(Student.name_initials, text.lower()), _prefix(Student.name_pinyin, text.lower()))
    if re.fullmatch(r"[GJLgjl][0-9xX]+", text):
        return Student.student_no == text.upper()
    return Student.name.like("%" + _like_escape(text) + "%", escape="\\")


def active_group_members(group_code: str):  # type: ignore[no-untyped-def]
    return select(GroupMembership.person_key).where(
        GroupMembership.group_code == group_code, GroupMembership.active.is_(True)
    )


def filtered(f: StudentFilter) -> Select:
    q = select(Student.id)
    conds = []
    if f.grade is not None:
        conds.append(Student.grade == f.grade)
    if f.class_name:
        conds.append(Student.class_name == parse_class(f.class_name))
    if f.status is not None:
        conds.append(Student.status == f.status)
    if f.boarding is not None:
        conds.append(Student.boarding.is_(f.boarding))
    if f.village_id is not None:
        conds.append(Student.village_id == f.village_id)
    if f.township_id is not None:
        conds.append(Student.village_id.in_(select(Village.id).where(Village.township_id == f.township_id)))
    if f.group:
        if f.group == "*priority":
            priority_codes = select(PriorityGroup.code).where(PriorityGroup.priority.is_(True))
            conds.append(
                Student.person_key.in_(
                    select(GroupMembership.person_key).where(
                        GroupMembership.group_code.in_(priority_codes), GroupMembership.active.is_(True)
                    )
                )
            )
        else:
            conds.append(Student.person_key.in_(active_group_members(f.group)))
    if (cond := search_condition(f.search)) is not None:
        conds.append(cond)
    return q.where(and_(*conds)) if conds else q


SORTS: dict[str, tuple] = {
    "name": (Student.name_pinyin,),
    "sex": (Student.sex,),
    "id_number": (Student.id_number,),
    "student_no": (Student.student_no,),
    # length first, so 2班 comes before 10班
    "grade": (Student.grade, func.length(Student.class_name), Student.class_name),
    "class_name": (Student.grade, func.length(Student.class_name), Student.class_name),
    "status": (Student.status,),
    "boarding": (Student.boarding,),
    "village": (Township.name, Village.name),
    "guardian_name": (Student.guardian_name,),
    "guardian_phone": (Student.guardian_phone,),
    "birth_date": (Student.birth_date,),
}


def count_students(session: Session, f: StudentFilter) -> int:
    return session.scalar(select(func.count()).select_from(filtered(f).subquery())) or 0


def page_query(f: StudentFilter, sort: str = "grade", descending: bool = False) -> Select:
    ids = filtered(f).subquery()
    keys = SORTS.get(sort, SORTS["grade"])
    order = [k.desc() if descending else k.asc() for k in keys]
    if sort != "name":
        order.append(Student.name_pinyin)
    order.append(Student.id)
    return (
        select(
            Student.id,
            Student.name,
            Student.sex,
            Student.id_number,
            Student.student_no,
            Student.grade,
            Student.stage,
            Student.class_name,
            Student.status,
            Student.boarding,
            Township.name,
            Village.name,
            Student.guardian_name,
            Student.guardian_phone,
            Student.birth_date,
            Student.person_key,
        )
        .join(ids, ids.c.id == Student.id)
        .outerjoin(Village, Village.id == Student.village_id)
        .outerjoin(Township, Township.id == Village.township_id)
        .order_by(*order)
    )


def groups_of(session: Session, keys: list[str]) -> dict[str, tuple[str, ...]]:
    """Active group names per person, priority groups first."""
    if not keys:
        return {}
    rows = session.execute(
        select(GroupMembership.person_key, PriorityGroup.name)
        .join(PriorityGroup, PriorityGroup.code == GroupMembership.group_code)
        .where(GroupMembership.person_key.in_(keys), GroupMembership.active.is_(True))
        .order_by(PriorityGroup.sort_order)
    )
    out: dict[str, list[str]] = {}
    for key, name in rows:
        names = out.setdefault(key, [])
        if name not in names:
            names.append(name)
    return {k: tuple(v) for k, v in out.items()}


def fetch_page(
    session: Session, f: StudentFilter, offset: int, limit: int, sort: str = "grade", descending: bool = False
) -> list[StudentRow]:
    rows = session.execute(page_query(f, sort, descending).offset(offset).limit(limit)).all()
    groups = groups_of(session, [r[-1] for r in rows])
    return [StudentRow(*r[:-1], groups=groups.get(r[-1], ())) for r in rows]


def classes_by_grade(session: Session) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = session.execute(select(Student.grade, Student.class_name).distinct().order_by(Student.grade))
    for grade, class_name in rows:
        out.setdefault(grade, []).append(class_name)
    for names in out.values():
        names.sort(key=lambda n: (int(m[1]) if (m := re.match(r"(\d+)", n)) else 999, n))
    return out


def student_groups(session: Session, student: Student) -> list[tuple[str, str, SourceKind, str, date, bool]]:
    """Every membership of a student: (code, group name, source kind, source label, known on, active)."""
    rows = session.execute(
        select(GroupMembership, PriorityGroup.name)
        .join(PriorityGroup, PriorityGroup.code == GroupMembership.group_code)
        .where(GroupMembership.person_key == student.person_key)
        .order_by(PriorityGroup.sort_order)
    )
    return [(m.group_code, name, m.source_kind, m.source_label, m.known_on, m.active) for m, name in rows]


def roster_groups(session: Session, key: str) -> set[str]:
    return set(
        session.scalars(
            select(GroupMembership.group_code).where(
                GroupMembership.person_key == key, GroupMembership.source_kind == SourceKind.ROSTER
            )
        )
    )


def aided_in_term(term_id: int):  # type: ignore[no-untyped-def]
    return exists().where(Award.student_id == Student.id, Award.term_id == term_id)


def delete_student(session: Session, student_id: int) -> None:
    """Only for records entered by mistake; a student who leaves is transferred out, not deleted."""
    student = get_student(session, student_id)
    session.execute(
        delete(GroupMembership).where(
            GroupMembership.person_key == student.person_key, GroupMembership.source_kind == SourceKind.ROSTER
        )
    )
    session.delete(student)
    session.flush()
