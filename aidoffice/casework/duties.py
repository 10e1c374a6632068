"""包保责任 (三包: 包村、包户、包人): which teacher is responsible for reaching a served village, a
household or a student. One teacher per village, household or student at a time; giving it to another
ends the old duty (kept with its end date), so who covered whom in any month can still be read.

Whom a household's contact is: its own 包户 teacher, else the 包人 teacher of a child of it, else the
village's 包村 teacher (`coverage`)."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import allowed, class_scope, require
from aidoffice.db.models import ContactDuty, Household, HouseholdMember, Student, Township, User, Village
from aidoffice.domain.grades import make_grade
from aidoffice.domain.text import control_characters
from aidoffice.errors import FieldProblem, NotFound, ValidationError

KIND_NAMES = {"village": "包村", "household": "包户", "student": "包人"}
TEACHER_MAX = 50
UNASSIGNED = "（未安排包保教师）"


class DutyRow(NamedTuple):
    id: int
    teacher: str
    teacher_login: str | None
    kind: str  # village / household / student
    target: str  # 龙泉关镇黑崖沟村 / 黑崖沟村 0001 王大山 / 七年级1班 王小明
    village: str  # 乡镇 + 村, for sorting and filtering
    starts_on: date
    ends_on: date | None
    end_reason: str | None
    note: str | None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    def as_json(self) -> dict:
        return {
            "id": self.id, "teacher": self.teacher, "kind": self.kind_name, "target": self.target,
            "village": self.village, "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None, "end_reason": self.end_reason,
        }  # fmt: skip


def active_on(day: date):  # type: ignore[no-untyped-def]
    """A duty covers `day` when it started on or before it and was not ended by then (`ends_on` is the
    day another teacher took over)."""
    return and_(ContactDuty.starts_on <= day, or_(ContactDuty.ends_on.is_(None), ContactDuty.ends_on > day))


def clean_teacher(name: str | None) -> str:
    if name and control_characters(name):
        raise ValidationError(
            [
                FieldProblem(
                    "教师姓名", f"含有看不见的控制字符（{'、'.join(control_characters(name))}），请重新输入"
                )
            ]
        )
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError([FieldProblem("包保教师", "请填写教师姓名")])
    if len(text) > TEACHER_MAX:
        raise ValidationError([FieldProblem("包保教师", f"“{text[:20]}…”太长（最多 {TEACHER_MAX} 个字）")])
    return text


def _login_of(session: Session, login: str | None) -> str | None:
    if not login:
        return None
    login = login.strip().lower()
    if session.scalars(select(User.id).where(User.login == login)).first() is None:
        raise ValidationError(
            [FieldProblem("教师账户", f"没有登录名为“{login}”的账户；不填账户只写姓名也可以")]
        )
    return login


def _target_key(village_id: int | None, household_id: int | None, student_id: int | None) -> tuple[str, int]:
    given = [
        (k, v)
        for k, v in (("village", village_id), ("household", household_id), ("student", student_id))
        if v
    ]
    if len(given) != 1:
        raise ValidationError([FieldProblem("包保对象", "请指定一个村、一户或一名学生（只能选一项）")])
    kind, target_id = given[0]
    return kind, int(target_id)


_TARGET_MODEL = {"village": Village, "household": Household, "student": Student}
_TARGET_WORDS = {"village": "村", "household": "户", "student": "学生"}
_TARGET_COLUMN = {
    "village": ContactDuty.village_id,
    "household": ContactDuty.household_id,
    "student": ContactDuty.student_id,
}


def assign(
    session: Session,
    teacher: str,
    *,
    village_id: int | None = None,
    household_id: int | None = None,
    student_id: int | None = None,
    login: str | None = None,
    starts_on: date | None = None,
    note: str | None = None,
) -> ContactDuty:
    """Make `teacher` responsible for one village, household or student from `starts_on` (today).
    A different teacher's current duty for the same target ends that day; the same teacher again
    changes nothing."""
    require(session, "casework.edit")
    teacher = clean_teacher(teacher)
    kind, target_id = _target_key(village_id, household_id, student_id)
    if session.get(_TARGET_MODEL[kind], target_id) is None:
        raise NotFound(f"找不到编号为 {target_id} 的{_TARGET_WORDS[kind]}，可能已被删除，请刷新后重选。")
    login = _login_of(session, login)
    day = starts_on or clock.today()
    column = _TARGET_COLUMN[kind]
    current = session.scalars(
        select(ContactDuty).where(column == target_id, ContactDuty.ends_on.is_(None))
    ).all()
    for duty in current:
        if duty.teacher == teacher:
            if login and duty.teacher_login != login:
                duty.teacher_login = login
            return duty
    for duty in current:
        duty.ends_on = max(day, duty.starts_on)
        duty.end_reason = f"改由{teacher}负责"[:100]
    duty = ContactDuty(
        teacher=teacher,
        teacher_login=login,
        starts_on=day,
        note=(note or "").strip()[:200] or None,
        **{f"{kind}_id": target_id},
    )
    session.add(duty)
    session.flush()
    return duty


def reassign(
    session: Session, old_teacher: str, new_teacher: str | None, *, on: date | None = None, reason: str = ""
) -> int:
    """A teacher leaves: every current duty of `old_teacher` ends on `on` (today) and, with
    `new_teacher`, passes to them from that day. Returns how many duties were handed over or ended."""
    require(session, "casework.edit")
    old_teacher = clean_teacher(old_teacher)
    new = clean_teacher(new_teacher) if new_teacher else None
    if new == old_teacher:
        raise ValidationError([FieldProblem("接手教师", "与原包保教师相同")])
    day = on or clock.today()
    duties = session.scalars(
        select(ContactDuty).where(ContactDuty.teacher == old_teacher, ContactDuty.ends_on.is_(None))
    ).all()
    if not duties:
        raise NotFound(f"“{old_teacher}”目前没有包保责任，请核对姓名。")
    why = (reason or "").strip() or ("调离" if new is None else "")
    for duty in duties:
        duty.ends_on = max(day, duty.starts_on)
        duty.end_reason = (f"{why}，" if why else "") + (f"移交{new}" if new else "未安排接手教师")
        duty.end_reason = duty.end_reason[:100]
        if new:
            session.add(
                ContactDuty(
                    teacher=new,
                    starts_on=day,
                    village_id=duty.village_id,
                    household_id=duty.household_id,
                    student_id=duty.student_id,
                    note=f"接手{old_teacher}的包保"[:200],
                )
            )
    session.flush()
    return len(duties)


def end_duty(session: Session, duty_id: int, reason: str = "", on: date | None = None) -> ContactDuty:
    require(session, "casework.edit")
    duty = session.get(ContactDuty, duty_id)
    if duty is None:
        raise NotFound(f"找不到编号为 {duty_id} 的包保责任，请刷新。")
    if duty.ends_on is None:
        duty.ends_on = max(on or clock.today(), duty.starts_on)
        duty.end_reason = (reason or "").strip()[:100] or "结束"
        session.flush()
    return duty


def list_duties(
    session: Session, *, teacher: str | None = None, include_ended: bool = False, on: date | None = None
) -> list[DutyRow]:
    """Who covers whom: the duties current on `on` (today), or every duty ever with `include_ended`."""
    if not allowed(session, "villages.view"):
        require(session, "visits.record")
    query = (
        select(
            ContactDuty,
            Village.name,
            Township.name,
            Household.household_no,
            Household.head_name,
            Student.name,
            Student.grade,
            Student.stage,
            Student.class_name,
        )
        .outerjoin(Household, Household.id == ContactDuty.household_id)
        .outerjoin(Student, Student.id == ContactDuty.student_id)
        .outerjoin(Village, Village.id == ContactDuty.village_id)
        .outerjoin(Township, Township.id == Village.township_id)
    )
    if not include_ended:
        query = query.where(active_on(on or clock.today()))
    if teacher:
        query = query.where(ContactDuty.teacher == teacher.strip())
    villages = _village_names(session)
    scope = class_scope(session)
    own: set[int] = set()
    if scope is not None:  # a head teacher: villages, and the households and students of their classes
        own = {
            h_id
            for h_id, g, c in session.execute(
                select(HouseholdMember.household_id, Student.grade, Student.class_name).join(
                    Student, Student.id == HouseholdMember.student_id
                )
            )
            if (g, c) in scope
        }
    rows = []
    for d, v_name, t_name, h_no, h_head, s_name, grade, stage, class_name in session.execute(query):
        if scope is not None and (
            (d.household_id and d.household_id not in own)
            or (d.student_id and (grade, class_name) not in scope)
        ):
            continue
        if d.village_id:
            kind, place = "village", f"{t_name}{v_name}"
            target = place
        elif d.household_id:
            hh = session.get(Household, d.household_id)
            place = villages.get(hh.village_id, "") if hh else ""
            kind, target = "household", f"{place} {h_no or ''} {h_head}".replace("  ", " ").strip()
        else:
            kind, place = "student", ""
            try:
                label = make_grade(grade, stage == "vocational").name
            except Exception:
                label = f"{grade}年级"
            target = f"{label}{class_name} {s_name}"
        rows.append(DutyRow(d.id, d.teacher, d.teacher_login, kind, target, place, d.starts_on, d.ends_on,
                            d.end_reason, d.note))  # fmt: skip
    rows.sort(key=lambda r: (r.teacher, r.ends_on is not None, r.kind, r.village, r.target, r.id))
    return rows


def _village_names(session: Session) -> dict[int, str]:
    return {
        v_id: f"{t}{v}"
        for v_id, v, t in session.execute(
            select(Village.id, Village.name, Township.name).join(Township, Township.id == Village.township_id)
        )
    }


def teacher_names(session: Session) -> list[str]:
    """Names to pick from: teachers with a current duty, then accounts' names (班主任 first)."""
    names = list(session.scalars(select(ContactDuty.teacher).where(ContactDuty.ends_on.is_(None)).distinct()))
    for (display,) in session.execute(
        select(User.display_name).where(User.active.is_(True)).order_by(User.role.desc())
    ):
        if display not in names:
            names.append(display)
    return sorted(names)


class Coverage(NamedTuple):
    """Who is responsible for reaching each household on a day (see `coverage`)."""

    by_household: dict[int, str]  # 包户
    by_child: dict[int, str]  # household id → the 包人 teacher of one of its children
    by_village: dict[int, str]  # 包村

    def teacher(self, household_id: int, village_id: int | None) -> str | None:
        return (
            self.by_household.get(household_id)
            or self.by_child.get(household_id)
            or (self.by_village.get(village_id) if village_id is not None else None)
        )


def coverage(session: Session, on: date) -> Coverage:
    """The teacher responsible for reaching each household on `on`: its 包户 teacher, else a 包人
    teacher of one of its children, else the village's 包村 teacher (`Coverage.teacher`)."""
    duty = ContactDuty.__table__.c
    by_village: dict[int, str] = {}
    by_household: dict[int, str] = {}
    by_student: dict[int, str] = {}
    for teacher, v_id, h_id, s_id in session.execute(
        select(duty.teacher, duty.village_id, duty.household_id, duty.student_id)
        .where(duty.starts_on <= on, or_(duty.ends_on.is_(None), duty.ends_on > on))
        .order_by(duty.id)
    ):
        if h_id:
            by_household[h_id] = teacher
        elif s_id:
            by_student[s_id] = teacher
        elif v_id:
            by_village[v_id] = teacher
    by_child: dict[int, str] = {}
    member = HouseholdMember.__table__.c
    ids = list(by_student)
    for i in range(0, len(ids), 900):
        for h_id, s_id in session.execute(
            select(member.household_id, member.student_id).where(member.student_id.in_(ids[i : i + 900]))
        ):
            by_child.setdefault(h_id, by_student[s_id])
    return Coverage(by_household, by_child, by_village)


def student_choices(session: Session, groups: tuple[str, ...]) -> list[tuple[int, str]]:
    """Students to give a 包人 teacher: those of the poor groups (active membership) and those who
    dropped out, as (id, “七年级1班 王小明”), in class order."""
    from aidoffice.db.models import GroupMembership, StudentStatus

    require(session, "casework.edit")
    poor = select(GroupMembership.person_key).where(
        GroupMembership.active.is_(True), GroupMembership.group_code.in_(list(groups))
    )
    out = []
    for s_id, name, grade, stage, class_name, status in session.execute(
        select(Student.id, Student.name, Student.grade, Student.stage, Student.class_name, Student.status)
        .where(
            or_(
                and_(Student.status == StudentStatus.ENROLLED, Student.person_key.in_(poor)),
                Student.status == StudentStatus.DROPPED_OUT,
            )
        )
        .order_by(Student.grade, Student.class_name, Student.name_sort, Student.id)
    ):
        try:
            label = make_grade(grade, stage == "vocational").name
        except Exception:
            label = f"{grade}年级"
        mark = "（辍学）" if status is StudentStatus.DROPPED_OUT else ""
        out.append((s_id, f"{label}{class_name} {name}{mark}"))
    return out
