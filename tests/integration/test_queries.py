"""Queries over a demo ledger: filters, pinyin search, ID-suffix search, sorting."""

from datetime import date

import pytest
from sqlalchemy import func, select

from aidoffice.db.models import GroupMembership, Student, StudentStatus, Village
from aidoffice.demo import generate
from aidoffice.ledgers.student_queries import StudentFilter, count_students, fetch_page
from aidoffice.ledgers.students import add_student
from tests.factories import an_id, student


@pytest.fixture
def demo_db(school_db):
    with school_db.unit_of_work() as s:
        generate(s, 400, today=date(2026, 11, 22))
    return school_db


def test_initials_find_the_student(demo_db):
    """Clerks type initials like zsf to find a child fast; the child must be found, among names that fit only."""
    with demo_db.unit_of_work() as s:
        add_student(s, 1, student("张三丰", grade="八年级"))
    with demo_db.reading() as s:
        rows = fetch_page(s, StudentFilter(search="zsf"), 0, 50)
        assert "张三丰" in [r.name for r in rows]
        assert all(r.name.startswith("张") for r in rows)


def test_last_digits_of_the_id_find_the_student(demo_db):
    """Parents quote the last digits of the ID on the phone; those alone must find the one child."""
    number = an_id(date(2012, 1, 9))
    with demo_db.unit_of_work() as s:
        add_student(s, 1, student("测试生", grade="八年级", id_number=number))
    with demo_db.reading() as s:
        rows = fetch_page(s, StudentFilter(search=number[-6:]), 0, 50)
        assert [r.name for r in rows] == ["测试生"]


def test_filters_combine_and_count_matches_the_rows(demo_db):
    """The count shown must match the rows listed, or the clerk reports a wrong number for the class."""
    with demo_db.reading() as s:
        f = StudentFilter(grade=7, class_name="1", status=StudentStatus.ENROLLED)
        rows = fetch_page(s, f, 0, 1000)
        assert rows and len(rows) == count_students(s, f)
        assert {(r.grade, r.class_name, r.status) for r in rows} == {(7, "1班", StudentStatus.ENROLLED)}


def test_group_filter_uses_active_memberships_only(demo_db):
    """A monitored household whose risk is gone (风险已消除) no longer counts as a priority group."""
    with demo_db.reading() as s:
        active = set(
            s.scalars(
                select(GroupMembership.person_key).where(
                    GroupMembership.group_code == "monitored", GroupMembership.active.is_(True)
                )
            )
        )
        rows = fetch_page(s, StudentFilter(group="monitored"), 0, 10_000)
        keys = set(s.scalars(select(Student.person_key).where(Student.id.in_([r.id for r in rows]))))
        assert keys and keys <= active
        assert all("监测对象" in r.groups for r in rows)


def test_village_filter(demo_db):
    """A village official asks for their village's children; the filter must give all of them and no others."""
    with demo_db.reading() as s:
        village = s.scalars(select(Village).order_by(Village.id)).first()
        expected = s.scalar(select(func.count()).select_from(Student).where(Student.village_id == village.id))
        rows = fetch_page(s, StudentFilter(village_id=village.id), 0, 10_000)
        assert len(rows) == expected and {r.village for r in rows} == {village.name}


def test_sorting_by_name_follows_pinyin_both_ways(demo_db):
    """Clerks look names up in the order of a Chinese dictionary (syllable by syllable: every 李 before
    every 林 before every 刘), down the list and back up."""
    from aidoffice.domain.pinyin import name_order

    with demo_db.reading() as s:
        rows = fetch_page(s, StudentFilter(), 0, 1000, sort="name")
        keys = [name_order(r.name) for r in rows]
        assert keys == sorted(keys)
        down = fetch_page(s, StudentFilter(), 0, 1000, sort="name", descending=True)
        assert [name_order(r.name) for r in down] == sorted(keys, reverse=True)
        surnames = [r.name[0] for r in rows if r.name[0] in "李林刘"]
        assert surnames == sorted(surnames, key="李林刘".index)  # never 李, 林, 李 again


def test_pages_cover_every_student_once(demo_db):
    """Scrolling page by page must show each student once, none skipped or repeated at a page's edge."""
    with demo_db.reading() as s:
        total = count_students(s, StudentFilter())
        seen = [r.id for off in range(0, total, 97) for r in fetch_page(s, StudentFilter(), off, 97)]
        assert len(seen) == len(set(seen)) == total


def test_search_text_with_like_wildcards_matches_literally(demo_db):
    """Typing % in the search box must find nobody, not silently match the whole school."""
    with demo_db.reading() as s:
        assert count_students(s, StudentFilter(search="%")) == 0


def test_classes_sort_by_number_not_by_text(school_db):
    """A head teacher expects 2班 before 10班."""
    with school_db.unit_of_work() as s:
        for cls in ("10班", "2班", "1班"):
            add_student(
                s,
                1,
                student("王" + {"10班": "十", "2班": "二", "1班": "一"}[cls], grade="七年级", class_name=cls),
            )
    with school_db.reading() as s:
        assert [r.class_name for r in fetch_page(s, StudentFilter(), 0, 10)] == ["1班", "2班", "10班"]
