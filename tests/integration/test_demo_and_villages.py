from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from aidoffice.db.models import Award, GroupMembership, Household, HouseholdMember, Policy, Student
from aidoffice.demo import generate
from aidoffice.domain.idnumber import parse_id
from aidoffice.errors import AidofficeError
from aidoffice.ledgers.school import ensure_current_term
from aidoffice.ledgers.students import add_student, link_to_household
from aidoffice.ledgers.villages import (
    get_or_create_village,
    households_of,
    members_of,
    village_books,
    village_tree,
)
from tests.factories import student

TODAY = date(2026, 11, 22)


def test_demo_data_looks_like_one_county(db):
    """Training on demo data only works if it looks real: valid local IDs, siblings, some poor families, boarders."""
    with db.unit_of_work() as s:
        result = generate(s, 600, today=TODAY)
    with db.reading() as s:
        students = s.scalars(select(Student)).all()
        assert len(students) == result.students == 600
        infos = [parse_id(st.id_number) for st in students]
        assert {i.region_code for i in infos} == {"130624"}
        assert all(
            i.sex == st.sex and i.birth_date == st.birth_date for i, st in zip(infos, students, strict=True)
        )
        assert len({st.id_number for st in students}) == 600
        per_household = Counter(
            s.scalars(select(HouseholdMember.household_id).where(HouseholdMember.student_id.is_not(None)))
        )
        assert max(per_household.values()) >= 2, "households with several children"
        poor = s.scalar(
            select(func.count(func.distinct(GroupMembership.person_key))).where(
                GroupMembership.group_code == "poverty_exited"
            )
        )
        assert 0.03 * 600 < poor < 0.2 * 600
        boarding = sum(st.boarding for st in students if st.grade >= 7)
        assert 0.3 < boarding / sum(st.grade >= 7 for st in students) < 0.8


def test_demo_awards_follow_the_catalogue_for_this_term(db):
    """Demo awards must carry the catalogue's amounts for boarders and day students, or trainees learn wrong figures."""
    with db.unit_of_work() as s:
        generate(s, 600, today=TODAY)
    with db.reading() as s:
        term = ensure_current_term(s)
        awards = s.execute(select(Award, Policy.code, Student.boarding).join(Policy).join(Student)).all()
        assert awards
        for award, code, boarding in awards:
            assert award.term_id == term.id
            assert code.endswith("_boarding") == boarding
            expected = {
                "compulsory_living_junior_boarding": "750.00",
                "compulsory_living_primary_boarding": "625.00",
                "compulsory_living_junior_day": "375.00",
                "compulsory_living_primary_day": "312.50",
            }[code]
            assert award.amount == Decimal(expected)


def test_demo_refuses_a_database_that_has_students(db):
    """Made-up children must never be mixed into a school's real ledger."""
    with db.unit_of_work() as s:
        generate(s, 20, today=TODAY)
    with pytest.raises(AidofficeError, match="已有 20 名学生"), db.unit_of_work() as s:
        generate(s, 20, today=TODAY)


def test_village_counts_answer_the_inspectors_questions(school_db):
    """东庄村: one household, a child here (poor, aided), a sibling at the county senior high, an adult."""
    with school_db.unit_of_work() as s:
        term = ensure_current_term(s, TODAY)
        village = get_or_create_village(s, "城南庄镇", "东庄村")
        get_or_create_village(s, "城南庄镇", "西沟村")
        hh = Household(village_id=village.id, household_no="0001", head_name="王大山")
        s.add(hh)
        s.flush()
        here = add_student(s, 1, student("王小明", grade="七年级", birth=date(2013, 3, 1)))
        link_to_household(s, here.id, hh.id, "子")
        s.add_all(
            [
                HouseholdMember(
                    household_id=hh.id,
                    name="王小红",
                    relation="女",
                    birth_date=date(2010, 4, 1),
                    person_key="130624201004010028",
                    school_name="阜平县中学",
                ),
                HouseholdMember(
                    household_id=hh.id,
                    name="王大山",
                    relation="户主",
                    birth_date=date(1985, 1, 1),
                    person_key="130624198501010011",
                ),
                GroupMembership(
                    person_key=here.person_key,
                    group_code="poverty_exited",
                    source_kind="list",
                    source_label="乡村振兴局",
                    known_on=TODAY,
                    active=True,
                ),
            ]
        )
        policy = s.scalars(select(Policy).where(Policy.code == "compulsory_living_junior_day")).one()
        s.add(Award(student_id=here.id, policy_id=policy.id, term_id=term.id, amount=Decimal("375")))
    with school_db.reading() as s:
        term = ensure_current_term(s)
        [town] = village_tree(s, term)
        east = next(v for v in town.villages if v.name == "东庄村")
        west = next(v for v in town.villages if v.name == "西沟村")
        assert (east.households, east.children, east.in_school, east.priority, east.aided) == (1, 2, 1, 1, 1)
        assert (west.children, west.in_school) == (0, 0)
        [row] = households_of(s, east.id, term)
        assert (row.head_name, row.children, row.in_school, row.groups) == ("王大山", 2, 1, ("脱贫家庭",))
        members = {m.name: m for m in members_of(s, row.id, term)}
        assert members["王小明"].school == "本校 七年级1班" and members["王小明"].aided
        assert members["王小红"].school == "阜平县中学" and members["王小红"].school_age
        assert not members["王大山"].school_age


@pytest.mark.today("2026-11-22")  # the dates it records are in that autumn term
def test_a_child_recorded_as_studying_elsewhere_shows_in_the_village_ledger(school_db):
    """户籍台账's question — where does each school-age child study — is answered by the clerk's record."""
    from aidoffice.db.models import HouseholdMember
    from aidoffice.ledgers.elsewhere import record_elsewhere
    from aidoffice.ledgers.school import ensure_current_term
    from aidoffice.ledgers.villages import members_of, village_tree

    with school_db.unit_of_work() as s:
        generate(s, 120, today=date(2026, 11, 22))
    with school_db.reading() as s:
        term = ensure_current_term(s)
        child = s.scalars(
            select(HouseholdMember).where(
                HouseholdMember.student_id.is_(None), HouseholdMember.relation.in_(["子", "女"])
            )
        ).first()
        assert child is not None
    with school_db.unit_of_work() as s:
        record_elsewhere(
            s, child.person_key, child.name, "阜平县中学", date(2026, 10, 8), "王老师", place="县内"
        )
    with school_db.reading() as s:
        rows = {m.id: m for m in members_of(s, child.household_id, term)}
        assert rows[child.id].school == "在外就读：阜平县中学（县内，2026-10-08 王老师核实）"
        village = s.get(HouseholdMember, child.id).household.village_id
        summary = {v.id: v for t in village_tree(s, term) for v in t.villages}
        assert summary[village].elsewhere == 1


def test_the_village_tree_is_built_without_the_cyclic_collector_walking_it(db):
    """The tree of a district is a few hundred thousand small objects: the cyclic collector walked them
    again and again while they were made (a third of the tree's time at 30,000 students). It is paused
    while the books are built, and left as it was found, on or off."""
    import gc

    with db.unit_of_work() as s:
        generate(s, 300, today=TODAY)
    runs: list[str] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(phase)

    threshold = gc.get_threshold()
    gc.callbacks.append(seen)
    gc.set_threshold(50)  # any few dozen new objects would start a collection
    try:
        with db.reading() as s:
            term = ensure_current_term(s)
            gc.collect()
            runs.clear()
            books = village_books(s, term)
            assert runs == []
            assert gc.isenabled()
            tree = village_tree(s, term)  # the same people, counted
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(seen)
    people = sum(len(g.people) for b in books for g in b.groups)
    assert people > 300 and sum(v.children for t in tree for v in t.villages) > 0
    gc.disable()
    try:
        with db.reading() as s:
            village_tree(s, ensure_current_term(s))
        assert not gc.isenabled()
    finally:
        gc.enable()
