"""家访与联系记录, and the month view of who was not contacted (本月未联系).

A contact is recorded against a household (or a student, whose household it then names): the day, the
teacher, the way (家访/电话/微信/到校面谈), what was said, needs the family raised and what follows.

`due(month)` lists, per teacher, the households of the served villages that the rule says should have
been reached and were not. The rule is a setting of the database (`visit_rule`), editable in the app:
households in the poor groups (脱贫家庭、监测对象、低保、特困供养 by default, any member's active
membership counts) every month, the others once a term; either may be 每月 / 每学期 / 不要求.

Head teachers (scope own_classes) record and see contacts only for households with a child in their
classes."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import PermissionDenied, class_label, class_scope, current_user, require
from aidoffice.casework.duties import UNASSIGNED, active_on, clean_teacher, coverage
from aidoffice.db.audit import actor_of, record
from aidoffice.db.models import (
    AppSetting,
    ContactDuty,
    GroupMembership,
    Household,
    HouseholdMember,
    PriorityGroup,
    Student,
    StudentStatus,
    Township,
    Village,
    Visit,
)
from aidoffice.domain.terms import Term
from aidoffice.domain.text import typed_text
from aidoffice.errors import FieldProblem, NotFound, ValidationError
from aidoffice.ledgers.places import served_village_ids
from aidoffice.privacy import free_text, mask_phone

WAYS = ("家访", "电话", "微信", "到校面谈")
EVERY = {"month": "每月", "term": "每学期", "none": "不要求"}
EVERY_BY_NAME = {v: k for k, v in EVERY.items()}
RULE_KEY = "visit_rule"
NO_VILLAGE = "（户籍村未登记）"
DEFAULT_POOR_GROUPS = ("poverty_exited", "monitored", "dibao", "tekun")
TEXT_MAX = 2000
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class VisitRule:
    poor_groups: tuple[str, ...] = DEFAULT_POOR_GROUPS
    poor: str = "month"  # month / term / none
    others: str = "term"

    def as_json(self) -> dict[str, Any]:
        return {"poor_groups": list(self.poor_groups), "poor": self.poor, "others": self.others}

    def describe(self, group_names: dict[str, str] | None = None) -> str:
        names = "、".join((group_names or {}).get(c, c) for c in self.poor_groups) or "（无）"
        return f"{names}家庭{EVERY[self.poor]}联系，其他家庭{EVERY[self.others]}联系"


def read_rule(session: Session) -> VisitRule:
    row = session.get(AppSetting, RULE_KEY)
    value = row.value if row is not None and isinstance(row.value, dict) else {}
    try:
        return VisitRule(
            tuple(value.get("poor_groups", DEFAULT_POOR_GROUPS)),
            value.get("poor", "month") if value.get("poor") in EVERY else "month",
            value.get("others", "term") if value.get("others") in EVERY else "term",
        )
    except (TypeError, ValueError):  # a setting edited by hand into nonsense: the default, not a crash
        return VisitRule()


def group_names(session: Session) -> dict[str, str]:
    return dict(
        session.execute(
            select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.sort_order)
        ).all()
    )


def save_rule(session: Session, rule: VisitRule) -> VisitRule:
    require(session, "casework.edit")
    known = group_names(session)
    problems = []
    unknown = [c for c in rule.poor_groups if c not in known]
    if unknown:
        problems.append(
            FieldProblem(
                "重点家庭", f"没有这些群体：{'、'.join(unknown)}（可选：{'、'.join(known.values())}）"
            )
        )
    for what, value in (("重点家庭的频次", rule.poor), ("其他家庭的频次", rule.others)):
        if value not in EVERY:
            problems.append(FieldProblem(what, f"“{value}”应为 每月、每学期 或 不要求"))
    if problems:
        raise ValidationError(problems)
    before = read_rule(session)
    row = session.get(AppSetting, RULE_KEY)
    if row is None:
        session.add(AppSetting(key=RULE_KEY, value=rule.as_json()))
    else:
        row.value = rule.as_json()
    if before != rule:
        record(session, "update", "app_setting", f"家访联系频次：{rule.describe(known)}", rule.as_json())
    session.flush()
    return rule


# ---- recording a contact -----------------------------------------------------------------------------


def _students_in_scope(session: Session, household_id: int, scope: set[tuple[int, str]]) -> bool:
    for grade, class_name in session.execute(
        select(Student.grade, Student.class_name)
        .join(HouseholdMember, HouseholdMember.student_id == Student.id)
        .where(HouseholdMember.household_id == household_id)
    ):
        if (grade, class_name) in scope:
            return True
    return False


def require_own_family(session: Session, household: Household | None, student: Student | None) -> None:
    """A head teacher may act only on a household with a child in their classes (or their own student)."""
    scope = class_scope(session)
    if scope is None:
        return
    mine = (student is not None and (student.grade, student.class_name) in scope) or (
        household is not None and _students_in_scope(session, household.id, scope)
    )
    if not mine:
        user = current_user(session)
        classes = "、".join(class_label(k) for k in sorted(scope)) or "（账户未登记班级）"
        raise PermissionDenied(
            f"您的账户{user.label if user else ''}只能记录本班学生家庭的联系（您的班级：{classes}）。",
            "visits.record",
        )


def _text(value: str | None, what: str, problems: list[FieldProblem], required: bool = False) -> str | None:
    text = typed_text(value)  # control characters dropped, the lines kept
    if not text:
        if required:
            problems.append(FieldProblem(what, "请填写"))
        return None
    if len(text) > TEXT_MAX:
        problems.append(FieldProblem(what, f"太长（{len(text)} 字，最多 {TEXT_MAX} 字），请精简"))
    return text


def record_visit(
    session: Session,
    *,
    household_id: int | None = None,
    student_id: int | None = None,
    visited_on: date | None = None,
    teacher: str | None = None,
    way: str = "家访",
    said: str = "",
    needs: str | None = None,
    follow_up: str | None = None,
) -> Visit:
    """Record one contact. Refuses a day in the future or before 2000, a way not in WAYS, an empty
    “what was said”; a head teacher only for households with a child in their classes."""
    user = require(session, "visits.record")
    problems: list[FieldProblem] = []
    day = visited_on or clock.today()
    if day > clock.today():
        problems.append(FieldProblem("联系日期", f"{day.isoformat()} 还没到，请填写实际联系的日期"))
    elif day < EARLIEST:
        problems.append(FieldProblem("联系日期", f"{day.isoformat()} 太早，请核对"))
    if way not in WAYS:
        problems.append(FieldProblem("联系方式", f"“{way}”应为 {'、'.join(WAYS)} 之一"))
    said_text = _text(said, "交流内容", problems, required=True)
    needs_text = _text(needs, "反映的需求", problems)
    follow_text = _text(follow_up, "后续跟进", problems)
    teacher = (teacher or "").strip() or None
    if teacher is None and user is not None:
        teacher = user.display_name
    if teacher is not None:
        try:
            teacher = clean_teacher(teacher)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if not household_id and not student_id:
        problems.append(FieldProblem("联系对象", "请选择一户或一名学生"))
    if problems:
        raise ValidationError(problems)
    student = None
    if student_id:
        student = session.get(Student, student_id)
        if student is None:
            raise NotFound(f"找不到编号为 {student_id} 的学生，请刷新。")
        if not household_id:
            household_id = session.scalars(
                select(HouseholdMember.household_id).where(HouseholdMember.student_id == student_id).limit(1)
            ).first()
    household = session.get(Household, household_id) if household_id else None
    if household_id and household is None:
        raise NotFound(f"找不到编号为 {household_id} 的户，可能已重新导入户籍名册，请刷新。")
    if teacher is None:  # nobody signed in and no name given: the household's (or child's) contact teacher
        cover = coverage(session, day)
        teacher = (
            (cover.teacher(household.id, household.village_id) if household else None)
            or (_helper_of(session, student.id, day) if student else None)
            or actor_of(session)
        )
    require_own_family(session, household, student)
    teacher = clean_teacher(teacher)
    visit = Visit(
        household_id=household.id if household else None,
        student_id=student.id if student else None,
        family_name=(household.head_name if household else student.name if student else "")[:50],
        visited_on=day,
        teacher=teacher,
        way=way,
        said=said_text or "",
        needs=needs_text,
        follow_up=follow_text,
        recorded_by=actor_of(session),
        recorded_at=clock.now(),
    )
    session.add(visit)
    session.flush()
    return visit


def _helper_of(session: Session, student_id: int, day: date) -> str | None:
    """The student's 包人 teacher on `day`."""
    return session.scalars(
        select(ContactDuty.teacher)
        .where(ContactDuty.student_id == student_id, active_on(day))
        .order_by(ContactDuty.id.desc())
        .limit(1)
    ).first()


# ---- reading contacts ---------------------------------------------------------------------------------


class VisitRow(NamedTuple):
    id: int
    visited_on: date
    teacher: str
    way: str
    family: str  # 户主 (户编号) or the student
    village: str
    said: str  # masked free text
    needs: str
    follow_up: str
    problem_id: int | None

    def as_json(self) -> dict[str, Any]:
        d = self._asdict()
        d["visited_on"] = self.visited_on.isoformat()
        return d


def _scoped_households(session: Session) -> set[int] | None:
    scope = class_scope(session)
    if scope is None:
        return None
    out = set()
    for h_id, grade, class_name in session.execute(
        select(HouseholdMember.household_id, Student.grade, Student.class_name).join(
            Student, Student.id == HouseholdMember.student_id
        )
    ):
        if (grade, class_name) in scope:
            out.add(h_id)
    return out


def list_visits(
    session: Session,
    *,
    month: str | date | None = None,
    household_id: int | None = None,
    teacher: str | None = None,
    limit: int = 2000,
) -> list[VisitRow]:
    """Contacts, newest first; what people wrote comes back masked (privacy.free_text)."""
    require(session, "visits.record")
    query = (
        select(Visit, Household.household_no, Village.name, Township.name)
        .outerjoin(Household, Household.id == Visit.household_id)
        .outerjoin(Village, Village.id == Household.village_id)
        .outerjoin(Township, Township.id == Village.township_id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    )
    if month is not None:
        first, last = month_bounds(month)
        query = query.where(Visit.visited_on >= first, Visit.visited_on <= last)
    if household_id:
        query = query.where(Visit.household_id == household_id)
    if teacher:
        query = query.where(Visit.teacher == teacher.strip())
    allowed = _scoped_households(session)
    scope = class_scope(session)
    rows = []
    for v, h_no, v_name, t_name in session.execute(query):
        if allowed is not None and v.household_id not in allowed:
            student = session.get(Student, v.student_id) if v.student_id else None
            if student is None or (student.grade, student.class_name) not in (scope or set()):
                continue
        family = f"{v.family_name}（{h_no}）" if h_no else v.family_name
        rows.append(
            VisitRow(v.id, v.visited_on, v.teacher, v.way, family, f"{t_name or ''}{v_name or ''}",
                     free_text(v.said), free_text(v.needs), free_text(v.follow_up), v.problem_id)
        )  # fmt: skip
        if len(rows) >= limit:
            break
    return rows


# ---- the month view ---------------------------------------------------------------------------------

_MONTH = re.compile(r"^\s*(\d{4})\s*(?:-|年|/|\.)\s*(\d{1,2})\s*月?\s*$")


def parse_month(value: str | date | None) -> date:
    """`2026-11`, `2026年11月`, `2026/11` or a date → the month's first day."""
    if value is None:
        day = clock.today()
        return day.replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    m = _MONTH.match(str(value))
    if not m or not 1 <= int(m[2]) <= 12 or not 2000 <= int(m[1]) <= 2200:
        raise ValidationError([FieldProblem("月份", f"“{value}”应写作 2026-11 或 2026年11月")])
    return date(int(m[1]), int(m[2]), 1)


def month_bounds(value: str | date | None) -> tuple[date, date]:
    first = parse_month(value)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


class DueRow(NamedTuple):
    household_id: int | None  # None: a 包人 student with no household in the ledger
    teacher: str
    township: str
    village: str
    household_no: str
    head_name: str
    phone: str  # masked
    poor: bool
    every: str  # 每月 / 每学期
    last_contact: date | None
    student_id: int | None = None  # a 包人 student counted as a family of their own (no household listed)

    def as_json(self) -> dict[str, Any]:
        d = self._asdict()
        d["last_contact"] = self.last_contact.isoformat() if self.last_contact else None
        return d


@dataclass
class DueReport:
    month: date
    rule: VisitRule
    rule_text: str
    households: int = 0  # families the rule asks to reach by this month's end (households + students alone)
    contacted: int = 0
    students_alone: int = 0  # of those, 包人 students whose household is not in the ledger (or not served)
    rows: list[DueRow] = field(default_factory=list)

    @property
    def by_teacher(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.teacher] = out.get(r.teacher, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: (kv[0] == UNASSIGNED, -kv[1], kv[0])))

    @property
    def by_village(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            key = f"{r.township}{r.village}" or NO_VILLAGE  # a 包人 student whose 户籍村 is not on record
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_json(self) -> dict[str, Any]:
        return {
            "month": f"{self.month:%Y-%m}",
            "rule": self.rule.as_json(),
            "rule_text": self.rule_text,
            "households": self.households,
            "contacted": self.contacted,
            "students_alone": self.students_alone,
            "not_contacted": len(self.rows),
            "by_teacher": self.by_teacher,
            "by_village": self.by_village,
            "rows": [r.as_json() for r in self.rows],
        }


def poor_households(session: Session, groups: tuple[str, ...]) -> set[int]:
    """Households with a member in an active membership of one of `groups`."""
    if not groups:
        return set()
    member, fact = HouseholdMember.__table__.c, GroupMembership.__table__.c
    return set(
        session.scalars(
            select(member.household_id)
            .join(GroupMembership.__table__, fact.person_key == member.person_key)
            .where(fact.active.is_(True), fact.group_code.in_(list(groups)))
            .distinct()
        )
    )


def due(session: Session, month: str | date | None = None, *, teacher: str | None = None) -> DueReport:
    """The month view: the families the rule says should have been reached by the end of `month` (this
    month) and were not — the households of the served villages, and each 包人 student whose household
    the ledger does not list there (`_students_alone`; a student whose household is listed is counted
    once, with it) — with the teacher responsible (as of the month's end, or today for the current
    month) and the last contact on record."""
    require(session, "visits.record")
    first, last = month_bounds(month)
    rule = read_rule(session)
    report = DueReport(first, rule, rule.describe(group_names(session)))
    term_start = Term.containing(first).starts_on
    windows = {"month": first, "term": term_start}
    served = served_village_ids(session)
    allowed = _scoped_households(session)
    places = {
        v_id: (t_name, v_name)
        for v_id, v_name, t_name in session.execute(
            select(Village.id, Village.name, Township.name).join(Township, Township.id == Village.township_id)
        )
    }
    poor = poor_households(session, rule.poor_groups)
    visit = Visit.__table__.c
    last_contact = dict(
        session.execute(
            select(visit.household_id, func.max(visit.visited_on))
            .where(visit.household_id.is_not(None), visit.visited_on <= last)
            .group_by(visit.household_id)
        ).all()
    )
    on = min(last, max(clock.today(), first))
    cover = coverage(session, on)
    household = Household.__table__.c
    rows = []
    listed: set[int] = set()  # households this view counts
    for h_id, v_id, h_no, head, phone in session.execute(
        select(
            household.id, household.village_id, household.household_no, household.head_name, household.phone
        )
    ):
        if v_id not in served or (allowed is not None and h_id not in allowed):
            continue
        listed.add(h_id)
        is_poor = h_id in poor
        every = rule.poor if is_poor else rule.others
        if every == "none":
            continue
        who = cover.teacher(h_id, v_id) or UNASSIGNED
        if teacher and who != teacher:
            continue
        report.households += 1
        seen = last_contact.get(h_id)
        if seen is not None and seen >= windows[every]:
            report.contacted += 1
            continue
        town, village = places.get(v_id, ("", ""))
        rows.append(
            DueRow(h_id, who, town, village, h_no or "", head, mask_phone(phone), is_poor, EVERY[every], seen)
        )
    rows += _students_alone(session, report, on, last, windows, listed, poor, teacher, places, last_contact)
    rows.sort(
        key=lambda r: (
            r.teacher == UNASSIGNED,
            r.teacher,
            r.township,
            r.village,
            r.household_no,
            r.household_id or 0,
            r.student_id or 0,
        )
    )
    report.rows = rows
    return report


def _students_alone(
    session: Session,
    report: DueReport,
    on: date,
    last: date,
    windows: dict[str, date],
    listed: set[int],
    poor_households: set[int],
    teacher: str | None,
    places: dict[int, tuple[str, str]],
    household_seen: dict[int, date],
) -> list[DueRow]:
    """包人 students (a teacher's duty to the child) whose family the household view does not count —
    no household of theirs in the ledger, or one outside the served villages — each one family to
    reach. A student whose household is listed is counted there once (its teacher: 包户, else this 包人
    teacher, else 包村). 重点 (the poor frequency): in a poor group, of a poor household, or 辍学."""
    duty, member = ContactDuty.__table__.c, HouseholdMember.__table__.c
    by_student: dict[int, str] = {}
    for who, s_id in session.execute(
        select(duty.teacher, duty.student_id)
        .where(
            duty.student_id.is_not(None), duty.starts_on <= on, or_(duty.ends_on.is_(None), duty.ends_on > on)
        )
        .order_by(duty.id)
    ):
        by_student[s_id] = who
    if not by_student:
        return []
    homes: dict[int, set[int]] = {}
    ids = list(by_student)
    for i in range(0, len(ids), 900):
        for h_id, s_id in session.execute(
            select(member.household_id, member.student_id).where(member.student_id.in_(ids[i : i + 900]))
        ):
            homes.setdefault(s_id, set()).add(h_id)
    scope = class_scope(session)
    groups = report.rule.poor_groups
    visit = Visit.__table__.c
    rows = []
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        seen = dict(
            session.execute(
                select(visit.student_id, func.max(visit.visited_on))
                .where(visit.student_id.in_(chunk), visit.visited_on <= last)
                .group_by(visit.student_id)
            ).all()
        )
        in_group = set(
            session.scalars(
                select(Student.id)
                .join(GroupMembership, GroupMembership.person_key == Student.person_key)
                .where(Student.id.in_(chunk), GroupMembership.active.is_(True), GroupMembership.group_code.in_(list(groups)))
            )
        ) if groups else set()  # fmt: skip
        for s_id, name, grade, class_name, v_id, phone, status in session.execute(
            select(
                Student.id, Student.name, Student.grade, Student.class_name, Student.village_id,
                Student.guardian_phone, Student.status,
            ).where(Student.id.in_(chunk))
        ):  # fmt: skip
            own = homes.get(s_id, set())
            if own & listed:
                continue  # counted with the household
            if scope is not None and (grade, class_name) not in scope:
                continue
            who = by_student[s_id]
            if teacher and who != teacher:
                continue
            is_poor = s_id in in_group or bool(own & poor_households) or status is StudentStatus.DROPPED_OUT
            every = report.rule.poor if is_poor else report.rule.others
            if every == "none":
                continue
            report.households += 1
            report.students_alone += 1
            # a contact recorded for the child, or for a household of theirs outside the view
            last_seen = max(
                [d for d in (seen.get(s_id), *(household_seen.get(h) for h in own)) if d is not None],
                default=None,
            )
            if last_seen is not None and last_seen >= windows[every]:
                report.contacted += 1
                continue
            town, village = places.get(v_id, ("", "")) if v_id else ("", "")
            label = class_label((grade, class_name)) if grade is not None else ""
            rows.append(
                DueRow(None, who, town, village, f"包人 {label}".strip(), name, mask_phone(phone), is_poor,
                       EVERY[every], last_seen, s_id)
            )  # fmt: skip
    return rows


def household_choices(session: Session, search: str = "", limit: int = 200) -> list[tuple[int, str]]:
    """Households of the served villages to pick from (户主 or 户编号 contains `search`), limited to the
    head teacher's classes for a head teacher."""
    require(session, "visits.record")
    served = served_village_ids(session)
    allowed = _scoped_households(session)
    query = (
        select(
            Household.id, Household.household_no, Household.head_name, Village.name, Township.name, Village.id
        )
        .join(Village, Village.id == Household.village_id)
        .join(Township, Township.id == Village.township_id)
        .order_by(Township.name, Village.name, Household.household_no, Household.id)
    )
    text = search.strip()
    if text:
        query = query.where(Household.head_name.contains(text) | Household.household_no.contains(text))
    out = []
    for h_id, h_no, head, v_name, t_name, v_id in session.execute(query):
        if v_id in served and (allowed is None or h_id in allowed):
            out.append((h_id, f"{t_name}{v_name} {h_no or ''} {head}".replace("  ", " ")))
        if len(out) >= limit:
            break
    return out


def acting_teacher(session: Session) -> str:
    """The teacher a new contact is recorded under by default: the signed-in account's name; without
    accounts nobody (record_visit then names the household's own contact teacher)."""
    user = current_user(session)
    return user.display_name if user is not None else ""
