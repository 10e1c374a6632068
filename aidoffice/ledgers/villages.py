"""户籍台账: townships → villages → households → children, with the counts inspectors ask for:
school-age children, in this school, in priority groups, aided this term."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aidoffice.access.checks import require
from aidoffice.db.models import (
    STATUS_NAMES,
    Award,
    GroupMembership,
    Household,
    HouseholdMember,
    ListEntry,
    ListSnapshot,
    PriorityGroup,
    School,
    Student,
    StudentStatus,
    Term,
    Township,
    Village,
    award_stands,
)
from aidoffice.domain.grades import make_grade
from aidoffice.domain.idnumber import age_on
from aidoffice.errors import FieldProblem, ValidationError
from aidoffice.ledgers.elsewhere import elsewhere_counts, elsewhere_for
from aidoffice.ledgers.places import PlaceIndex, served_confirmed, served_village_ids
from aidoffice.ledgers.student_queries import groups_of
from aidoffice.ledgers.term_queries import CurrentTerm

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


class StudentInfo(NamedTuple):
    id: int
    grade: int
    stage: str
    class_name: str
    status: StudentStatus

    def describe(self) -> str:
        text = f"本校 {make_grade(self.grade, self.stage == 'vocational').name}{self.class_name}"
        return text if self.status is StudentStatus.ENROLLED else f"{text}（{STATUS_NAMES[self.status]}）"


class Person(NamedTuple):
    """One person of a village as the ledger counts them."""

    ref: int | None  # household member id / list entry id / None (a student placed by 户口所在地)
    key: str | None
    id_number: str | None
    name: str
    relation: str | None
    sex: str | None
    birth_date: date | None
    school_age: bool
    student: StudentInfo | None
    school_name: str | None  # the school the roster or the list names
    schooling: str | None
    priority: bool  # in a priority group (脱贫家庭, 低保 …)
    aided: bool  # aided this term

    @property
    def in_school(self) -> bool:
        return self.student is not None and self.student.status is StudentStatus.ENROLLED


# the rows under a village besides its households: enrolled students whom no household accounts for,
# and the children the departments' lists place in the village
STUDENTS, LISTED = "students", "listed"
GROUP_NAMES = {
    STUDENTS: "本校学生（学籍户口所在地在本村，尚未对应到户）",
    LISTED: "部门名单上的学龄儿童（未在户籍台账中）",
}


@dataclass
class PeopleGroup:
    kind: str  # household / students / listed
    id: int | None  # the household's id
    household_no: str | None
    head_name: str
    people: list[Person]

    def count(self, what: str) -> int:
        if what == "children":
            return sum(1 for p in self.people if p.school_age)
        if what == "in_school":
            return sum(1 for p in self.people if p.in_school)
        if what == "priority":
            return sum(1 for p in self.people if p.school_age and p.priority)
        return sum(1 for p in self.people if p.aided)


@dataclass
class VillageBook:
    id: int
    name: str
    township: str
    code: str | None
    groups: list[PeopleGroup]
    township_id: int = 0


def ledger_village_ids(session: Session) -> set[int]:
    """The villages the village ledger shows: once the clerk has confirmed the served villages, those
    and every village with households; before, every village known."""
    if not served_confirmed(session):
        return set(session.scalars(select(Village.id)))
    return served_village_ids(session) | set(session.scalars(select(Household.village_id).distinct()))


def _latest_entries(session: Session):  # type: ignore[no-untyped-def]
    best: dict[str, tuple[date, int]] = {}
    for snap_id, label, known in session.execute(
        select(ListSnapshot.id, ListSnapshot.source_label, ListSnapshot.known_on)
    ):
        if label not in best or (known, snap_id) > best[label]:
            best[label] = (known, snap_id)
    ids = [snap for _k, snap in best.values()]
    if not ids:
        return []
    return session.execute(
        select(
            ListEntry.id, ListEntry.person_key, ListEntry.id_number, ListEntry.name, ListEntry.relation,
            ListEntry.sex, ListEntry.birth_date, ListEntry.township, ListEntry.village, ListEntry.school_name,
            ListEntry.schooling,
        )
        .where(ListEntry.snapshot_id.in_(ids))
        .order_by(ListEntry.id)
    ).all()  # fmt: skip


def village_books(
    session: Session,
    term: Term | CurrentTerm,
    ages: tuple[int, int] = DEFAULT_SCHOOL_AGE,
    only: set[int] | None = None,
) -> list[VillageBook]:
    """Every village of the ledger with the people it counts, in township and village order: the
    households of the village roster, the enrolled students the 学籍 export places there whom no
    household accounts for, and the school-age children the departments' lists place there who are in
    neither. Each person once; every total above is a sum of these."""
    # a district's books are a few hundred thousand small objects that form no cycles: the cyclic
    # collector would walk them again and again as they are made (a third of the tree at 30,000 students)
    enabled = gc.isenabled()
    gc.disable()
    try:
        require(session, "villages.view")
        return _village_books(session, term, ages, only)
    finally:
        if enabled:
            gc.enable()


def _village_books(
    session: Session, term: Term, ages: tuple[int, int], only: set[int] | None
) -> list[VillageBook]:
    earliest, latest = birth_bounds(term.starts_on, ages)
    wanted = ledger_village_ids(session)
    books: dict[int, VillageBook] = {}
    for v_id, v_name, v_code, t_name, t_id in session.execute(
        select(Village.id, Village.name, Village.code, Township.name, Township.id)
        .join(Township, Township.id == Village.township_id)
        .where(Village.id.in_(wanted))
        .order_by(Township.code, Township.name, Village.code, Village.name)
    ):
        books[v_id] = VillageBook(v_id, v_name, t_name, v_code, [], t_id)
    if not books:
        return []
    priority = set(session.scalars(_priority_keys().distinct()))
    aided = set(
        session.scalars(select(Award.student_id).where(Award.term_id == term.id, award_stands()).distinct())
    )
    conn = session.connection()  # plain rows: a district has 100,000 members
    school = session.scalars(select(School).order_by(School.id)).first()
    index = PlaceIndex(
        ((b.id, b.township, b.name) for b in books.values()), school.county if school else None
    )
    entries = _latest_entries(session)
    student_query = select(
        Student.id, Student.person_key, Student.id_number, Student.name, Student.sex, Student.birth_date,
        Student.grade, Student.stage, Student.class_name, Student.status, Student.village_id,
    )  # fmt: skip
    shown_households = select(Household.id).where(Household.village_id.in_(list(books)))
    restrict = only is not None
    if restrict:
        # one village opened: only the people who can count there are read, and the few facts that
        # decide whether they are counted elsewhere (a household there, a student placed there)
        shown_households = select(Household.id).where(Household.village_id.in_(list(only)))  # type: ignore[arg-type]
        keys: set[str] = set()
        for e in entries:
            if index.find(e[7], e[8]) in only:  # type: ignore[operator]
                keys.update(k for k in (e[1], e[2]) if k)
        for key, number in conn.execute(
            select(HouseholdMember.person_key, HouseholdMember.id_number).where(
                HouseholdMember.household_id.in_(shown_households)
            )
        ):
            keys.update(k for k in (key, number) if k)
        wanted_keys = list(keys)
        conds = [
            Student.village_id.in_(list(only)),  # type: ignore[arg-type]
            Student.id.in_(
                select(HouseholdMember.student_id).where(HouseholdMember.household_id.in_(shown_households))
            ),
        ]
        rows = list(conn.execute(student_query.where(or_(*conds))))
        for i in range(0, len(wanted_keys), 900):
            chunk = wanted_keys[i : i + 900]
            rows += conn.execute(
                student_query.where(or_(Student.person_key.in_(chunk), Student.id_number.in_(chunk)))
            ).all()
    else:
        rows = conn.execute(student_query).all()
    students: dict[int, tuple] = {}
    by_key: dict[str, int] = {}
    for r in rows:
        students[r[0]] = tuple(r)
        by_key[r[1]] = r[0]
        if r[2]:
            by_key.setdefault(r[2], r[0])

    def age_ok(born: date | None) -> bool:
        return born is not None and earliest <= born <= latest

    def info(sid: int | None) -> StudentInfo | None:
        if sid is None or sid not in students:
            return None
        r = students[sid]
        return StudentInfo(r[0], r[6], r[7], r[8], r[9])

    counted_students: set[int] = set()
    counted_keys: set[str] = set()
    groups: dict[int, PeopleGroup] = {}
    for hh_id, v_id, hh_no, head in conn.execute(
        select(Household.id, Household.village_id, Household.household_no, Household.head_name)
        .where(Household.id.in_(shown_households))
        .order_by(Household.household_no, Household.id)
    ):
        groups[hh_id] = PeopleGroup("household", hh_id, hh_no, head, [])
        books[v_id].groups.append(groups[hh_id])
    linked: set[int] = set(
        session.scalars(select(HouseholdMember.student_id).where(HouseholdMember.student_id.is_not(None)))
    )
    if restrict:
        # counted in another village's household: linked to it, or named there by ID
        ids = list(students)
        for i in range(0, len(ids), 900):
            chunk_keys = [k for sid in ids[i : i + 900] for k in students[sid][1:3] if k]
            for key, number, hh_village in conn.execute(
                select(HouseholdMember.person_key, HouseholdMember.id_number, Household.village_id)
                .join(Household, Household.id == HouseholdMember.household_id)
                .where(
                    or_(HouseholdMember.person_key.in_(chunk_keys), HouseholdMember.id_number.in_(chunk_keys))
                )
            ):
                if hh_village not in only:  # type: ignore[operator]
                    counted_keys.update(k for k in (key, number) if k)
                    for k in (key, number):
                        if k and k in by_key:
                            counted_students.add(by_key[k])
        counted_students |= linked & students.keys()  # each counted in its household's village
    for m in conn.execute(
        select(
            HouseholdMember.id, HouseholdMember.household_id, HouseholdMember.person_key, HouseholdMember.id_number,
            HouseholdMember.name, HouseholdMember.relation, HouseholdMember.sex, HouseholdMember.birth_date,
            HouseholdMember.student_id, HouseholdMember.school_name, HouseholdMember.schooling,
        )
        .where(HouseholdMember.household_id.in_(list(groups)))
        .order_by(HouseholdMember.id)
    ):  # fmt: skip
        mid, hh_id, key, number, name, relation, sex, born, sid, school_name, schooling = m
        counted_keys.update(k for k in (key, number) if k)
        if sid is None:  # a member the roster import could not link (imported before the student)
            sid = by_key.get(key or "") or by_key.get(number or "")
        if sid is not None:
            counted_students.add(sid)
        groups[hh_id].people.append(
            Person(mid, key, number, name, relation, sex, born, age_ok(born), info(sid), school_name, schooling,
                   bool(key) and key in priority, sid in aided)
        )  # fmt: skip
    placed: dict[int, PeopleGroup] = {}
    for sid, r in students.items():
        if (
            r[10] not in books
            or sid in linked
            or sid in counted_students
            or r[9] is not StudentStatus.ENROLLED
        ):
            continue
        group = placed.get(r[10])
        if group is None:
            group = placed[r[10]] = PeopleGroup(STUDENTS, None, None, GROUP_NAMES[STUDENTS], [])
        counted_students.add(sid)
        counted_keys.update(k for k in (r[1], r[2]) if k)
        group.people.append(
            Person(None, r[1], r[2], r[3], None, r[4], r[5], r[5] is None or age_ok(r[5]), info(sid), None, None,
                   r[1] in priority, sid in aided)
        )  # fmt: skip
    listed: dict[int, PeopleGroup] = {}
    for e in entries:
        eid, key, number, name, relation, sex, born, town, village, school_name, schooling = e
        if key in counted_keys or not age_ok(born):
            continue
        v_id = index.find(town, village)
        if v_id is None:
            continue
        sid = by_key.get(key)
        if sid in counted_students:
            continue
        counted_keys.add(key)
        if sid is not None:
            counted_students.add(sid)
        group = listed.get(v_id)
        if group is None:
            group = listed[v_id] = PeopleGroup(LISTED, None, None, GROUP_NAMES[LISTED], [])
        group.people.append(
            Person(eid, key, number, name, relation, sex, born, True, info(sid), school_name, schooling,
                   key in priority, sid in aided)
        )  # fmt: skip
    for extra in (placed, listed):
        for v_id, group in extra.items():
            books[v_id].groups.append(group)
    # `only` filters the result, never the counting: a child counted in another village (a household
    # member there, a student placed there) is not counted again here, whichever village is opened
    return [b for b in books.values() if only is None or b.id in only]


def village_tree(
    session: Session, term: Term | CurrentTerm, ages: tuple[int, int] = DEFAULT_SCHOOL_AGE
) -> list[TownshipSummary]:
    """Townships → villages with their counts; every count is the sum of the village's rows."""
    towns: dict[str, TownshipSummary] = {}
    away = elsewhere_counts(session)
    for book in village_books(session, term, ages):
        summary = VillageSummary(
            book.id,
            book.name,
            book.code,
            households=sum(1 for g in book.groups if g.kind == "household"),
            children=sum(g.count("children") for g in book.groups),
            in_school=sum(g.count("in_school") for g in book.groups),
            priority=sum(g.count("priority") for g in book.groups),
            aided=sum(g.count("aided") for g in book.groups),
            elsewhere=away.get(book.id, 0),
        )
        town = towns.setdefault(book.township, TownshipSummary(book.township_id, book.township, []))
        town.villages.append(summary)
    return list(towns.values())


class HouseholdRow(NamedTuple):
    id: int | None  # None: not a household but the students or the listed children of the village
    household_no: str | None
    head_name: str
    children: int
    in_school: int
    groups: tuple[str, ...]
    priority: int = 0
    aided: int = 0
    kind: str = "household"  # household / students / listed
    village_id: int = 0


def households_of(
    session: Session, village_id: int, term: Term | CurrentTerm, ages: tuple[int, int] = DEFAULT_SCHOOL_AGE
) -> list[HouseholdRow]:
    """The rows under a village: its households, then its placed students and listed children."""
    books = village_books(session, term, ages, only={village_id})
    if not books:
        return []
    keys = [p.key for g in books[0].groups for p in g.people if p.key and p.priority]
    names = _priority_names(session, keys)
    out = []
    for g in books[0].groups:
        groups = tuple(sorted({n for p in g.people if p.key for n in names.get(p.key, ())}))
        out.append(
            HouseholdRow(g.id, g.household_no, g.head_name, g.count("children"), g.count("in_school"),
                         groups, g.count("priority"), g.count("aided"), g.kind, village_id)
        )  # fmt: skip
    return out


def _priority_names(session: Session, keys: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for i in range(0, len(keys), 900):
        for key, name in session.execute(
            select(GroupMembership.person_key, PriorityGroup.name)
            .join(PriorityGroup, PriorityGroup.code == GroupMembership.group_code)
            .where(
                GroupMembership.person_key.in_(keys[i : i + 900]),
                GroupMembership.active.is_(True),
                PriorityGroup.priority.is_(True),
            )
        ):
            out.setdefault(key, set()).add(name)
    return out


def group_members(
    session: Session,
    village_id: int,
    kind: str,
    term: Term | CurrentTerm,
    ages: tuple[int, int] = DEFAULT_SCHOOL_AGE,
) -> list[MemberRow]:
    """The people of a village's students or listed-children row."""
    books = village_books(session, term, ages, only={village_id})
    people = [p for b in books for g in b.groups if g.kind == kind for p in g.people]
    groups = groups_of(session, [p.key for p in people if p.key])
    away = elsewhere_for(session, [p.key for p in people if p.student is None and p.key])
    out = []
    for p in people:
        if p.student is not None:
            school = p.student.describe().split("（")[0]
            status = STATUS_NAMES[p.student.status]
        elif p.key in away:
            school, status = away[p.key].describe(), None  # type: ignore[index]
        else:
            school, status = p.school_name or p.schooling or "", None
        out.append(
            MemberRow(
                id=p.ref or 0,
                name=p.name,
                relation=p.relation,
                sex=p.sex,
                age=age_on(p.birth_date, term.starts_on) if p.birth_date else None,
                school_age=p.school_age,
                school=school,
                student_id=p.student.id if p.student else None,
                status=status,
                groups=groups.get(p.key or "", ()),
                aided=p.aided,
            )
        )
    return out


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
    session: Session, household_id: int, term: Term | CurrentTerm, ages: tuple[int, int] = DEFAULT_SCHOOL_AGE
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
                Award.term_id == term.id,
                award_stands(),
                Award.student_id.in_([s.id for _, s in members if s is not None]),
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
