"""户籍台账: townships → villages → households → children, with the counts inspectors ask for:
school-age children, in this school, in priority groups, aided this term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from aidoffice.db.models import (
    STATUS_NAMES,
    Award,
    GroupMembership,
    Household,
    HouseholdMember,
    PriorityGroup,
    School,
    Student,
    StudentStatus,
    Term,
    Township,
    Village,
)
from aidoffice.domain.grades import make_grade
from aidoffice.domain.idnumber import age_on
from aidoffice.errors import FieldProblem, ValidationError
from aidoffice.ledgers.elsewhere import elsewhere_counts, elsewhere_for
from aidoffice.ledgers.student_queries import groups_of
from aidoffice.security.access import require

DEFAULT_SCHOOL_AGE = (3, 18)  # preschool to the end of senior high; set per school in settings


def school_age(school: School | None) -> tuple[int, int]:
    value = (school.settings or {}).get("school_age") if school else None
    return (int(value[0]), int(value[1])) if value else DEFAULT_SCHOOL_AGE


def birth_bounds(on: date, ages: tuple[int, int]) -> tuple[date, date]:
    """Birth dates of children aged ages[0]..ages[1] (inclusive) on `on`: (earliest, latest)."""
    youngest, oldest = ages

    def years_before(d: date, n: int) -> date:
        try:
            return d.replace(year=d.year - n)
        except ValueError:  # 29 February
            return d.replace(year=d.year - n, day=28)

    earliest = date.fromordinal(years_before(on, oldest + 1).toordinal() + 1)
    return earliest, years_before(on, youngest)


@dataclass
class VillageSummary:
    id: int
    name: str
    code: str | None
    households: int = 0
    children: int = 0
    in_school: int = 0
    priority: int = 0
    aided: int = 0
    elsewhere: int = 0  # recorded by the clerk as studying at another school (在外就读，已核实)


@dataclass
class TownshipSummary:
    id: int
    name: str
    villages: list[VillageSummary]

    def total(self, attr: str) -> int:
        return sum(getattr(v, attr) for v in self.villages)


def _priority_keys():  # type: ignore[no-untyped-def]
    return select(GroupMembership.person_key).where(
        GroupMembership.active.is_(True),
        GroupMembership.group_code.in_(select(PriorityGroup.code).where(PriorityGroup.priority.is_(True))),
    )


def village_tree(
    session: Session, term: Term, ages: tuple[int, int] = DEFAULT_SCHOOL_AGE
) -> list[TownshipSummary]:
    require(session, "villages.view")
    earliest, latest = birth_bounds(term.starts_on, ages)
    villages: dict[int, VillageSummary] = {}
    towns: dict[int, TownshipSummary] = {}
    for t_id, t_name, v_id, v_name, v_code in session.execute(
        select(Township.id, Township.name, Village.id, Village.name, Village.code)
        .join(Village, Village.township_id == Township.id)
        .order_by(Township.code, Township.name, Village.code, Village.name)
    ):
        town = towns.setdefault(t_id, TownshipSummary(t_id, t_name, []))
        villages[v_id] = VillageSummary(v_id, v_name, v_code)
        town.villages.append(villages[v_id])

    def fill(attr: str, query) -> None:  # type: ignore[no-untyped-def]
        for v_id, n in session.execute(query):
            if v_id in villages:
                setattr(villages[v_id], attr, n)

    fill("households", select(Household.village_id, func.count()).group_by(Household.village_id))
    for v_id, n in elsewhere_counts(session).items():
        if v_id in villages:
            villages[v_id].elsewhere = n
    age_ok = and_(HouseholdMember.birth_date >= earliest, HouseholdMember.birth_date <= latest)
    children = (
        select(Household.village_id.label("village_id"), HouseholdMember.person_key.label("person_key"))
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(age_ok)
    )
    # Enrolled students of the village whom no household row accounts for are children of it too.
    unlinked = select(Student.village_id, Student.person_key).where(
        Student.village_id.is_not(None),
        Student.status == StudentStatus.ENROLLED,
        ~Student.id.in_(select(HouseholdMember.student_id).where(HouseholdMember.student_id.is_not(None))),
    )
    all_children = children.union_all(unlinked).subquery()
    fill("children", select(all_children.c.village_id, func.count()).group_by(all_children.c.village_id))
    fill(
        "priority",
        select(all_children.c.village_id, func.count(distinct(all_children.c.person_key)))
        .where(all_children.c.person_key.in_(_priority_keys()))
        .group_by(all_children.c.village_id),
    )
    fill(
        "in_school",
        select(Student.village_id, func.count())
        .where(Student.status == StudentStatus.ENROLLED)
        .group_by(Student.village_id),
    )
    fill(
        "aided",
        select(Student.village_id, func.count(distinct(Student.id)))
        .join(Award, and_(Award.student_id == Student.id, Award.term_id == term.id))
        .group_by(Student.village_id),
    )
    return list(towns.values())


class HouseholdRow(NamedTuple):
    id: int
    household_no: str | None
    head_name: str
    children: int
    in_school: int
    groups: tuple[str, ...]


def households_of(
    session: Session, village_id: int, term: Term, ages: tuple[int, int] = DEFAULT_SCHOOL_AGE
) -> list[HouseholdRow]:
    require(session, "villages.view")
    earliest, latest = birth_bounds(term.starts_on, ages)
    age_ok = and_(HouseholdMember.birth_date >= earliest, HouseholdMember.birth_date <= latest)
    rows = session.execute(
        select(
            Household.id,
            Household.household_no,
            Household.head_name,
            func.count(HouseholdMember.id).filter(age_ok),
            func.count(HouseholdMember.student_id),
        )
        .outerjoin(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(Household.village_id == village_id)
        .group_by(Household.id, Household.household_no, Household.head_name)
        .order_by(Household.household_no, Household.id)
    ).all()
    groups: dict[int, list[str]] = {}
    for hh_id, name in session.execute(
        select(HouseholdMember.household_id, PriorityGroup.name)
        .join(GroupMembership, GroupMembership.person_key == HouseholdMember.person_key)
        .join(PriorityGroup, PriorityGroup.code == GroupMembership.group_code)
        .join(Household, Household.id == HouseholdMember.household_id)
        .where(
            Household.village_id == village_id,
            GroupMembership.active.is_(True),
            PriorityGroup.priority.is_(True),
        )
        .distinct()
        .order_by(PriorityGroup.name)
    ):
        groups.setdefault(hh_id, []).append(name)
    return [HouseholdRow(*r, groups=tuple(groups.get(r[0], ()))) for r in rows]


class MemberRow(NamedTuple):
    id: int
    name: str
    relation: str | None
    sex: str | None
    age: int | None
    school_age: bool
    school: str  # 本校 七年级1班 / the school named on the list / 未知
    student_id: int | None
    status: str | None
    groups: tuple[str, ...]
    aided: bool


def members_of(
    session: Session, household_id: int, term: Term, ages: tuple[int, int] = DEFAULT_SCHOOL_AGE
) -> list[MemberRow]:
    require(session, "villages.view")
    members = session.execute(
        select(HouseholdMember, Student)
        .outerjoin(Student, Student.id == HouseholdMember.student_id)
        .where(HouseholdMember.household_id == household_id)
        .order_by(HouseholdMember.id)
    ).all()
    keys = [m.person_key for m, _ in members if m.person_key]
    groups = groups_of(session, keys)
    away = elsewhere_for(session, [m.person_key for m, s in members if s is None and m.person_key])
    aided = set(
        session.scalars(
            select(Award.student_id).where(
                Award.term_id == term.id, Award.student_id.in_([s.id for _, s in members if s is not None])
            )
        )
    )
    out = []
    for m, s in members:
        age = age_on(m.birth_date, term.starts_on) if m.birth_date else None
        if s is not None:
            school = f"本校 {make_grade(s.grade, s.stage == 'vocational').name}{s.class_name}"
            status = STATUS_NAMES[s.status]
        elif m.person_key in away:
            school, status = away[m.person_key].describe(), None  # the clerk verified where
        else:
            school, status = (m.school_name or m.schooling or ""), None
        out.append(
            MemberRow(
                id=m.id,
                name=m.name,
                relation=m.relation,
                sex=m.sex,
                age=age,
                school_age=age is not None and ages[0] <= age <= ages[1],
                school=school,
                student_id=s.id if s else None,
                status=status,
                groups=groups.get(m.person_key or "", ()),
                aided=s is not None and s.id in aided,
            )
        )
    return out


def get_or_create_village(session: Session, township: str, village: str) -> Village:
    township, village = township.strip(), village.strip()
    if not township or not village:
        raise ValidationError([FieldProblem("乡镇/村", "乡(镇)和村的名称都不能为空")])
    town = session.scalars(select(Township).where(Township.name == township)).first()
    if town is None:
        town = Township(name=township)
        session.add(town)
        session.flush()
    row = session.scalars(
        select(Village).where(Village.township_id == town.id, Village.name == village)
    ).first()
    if row is None:
        row = Village(township_id=town.id, name=village)
        session.add(row)
        session.flush()
    return row
