from datetime import date

import pytest
from sqlalchemy import select

from aidoffice.db.models import GroupMembership, Household, Student, StudentStatus
from aidoffice.errors import ValidationError
from aidoffice.ledgers.student_queries import StudentFilter, count_students, fetch_page, roster_groups
from aidoffice.ledgers.students import (
    add_student,
    link_to_household,
    mark_dropout,
    reinstate,
    transfer_out,
    update_student,
)
from aidoffice.ledgers.villages import get_or_create_village
from tests.factories import an_id, student


def _problems(err) -> dict[str, str]:
    return {p.field: p.message for p in err.value.problems}


def test_a_new_student_gets_birth_date_and_sex_from_the_id(school_db):
    """Clerks need not retype what the ID says: birth date and sex come from it, and the stage from the grade."""
    with school_db.unit_of_work() as s:
        st = add_student(s, 1, student("李四", id_number=an_id(date(2012, 2, 29), male=False)))
        assert (st.birth_date, st.sex, st.grade, st.stage, st.name_initials) == (
            date(2012, 2, 29),
            "女",
            7,
            "junior",
            "ls",
        )


def test_a_mistyped_id_is_refused_with_the_reason_in_chinese(school_db):
    """A clerk's typo in an ID must be stopped at the form, saying that the check digit is wrong."""
    number = an_id()
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    with pytest.raises(ValidationError) as err, school_db.unit_of_work() as s:
        add_student(s, 1, student(id_number=wrong))
    assert "校验位" in _problems(err)["身份证件号"]


def test_every_problem_of_a_form_is_listed_at_once(school_db):
    """A clerk should fix a form in one pass, not find its mistakes one save at a time."""
    with pytest.raises(ValidationError) as err, school_db.unit_of_work() as s:
        add_student(
            s,
            1,
            student(
                name="",
                grade="研一",
                class_name="",
                guardian_phone="12345",
                bank_account="abc",
                birth=date(2013, 5, 3),
                birth_date=date(2013, 5, 4),
            ),
        )
    assert set(_problems(err)) == {"姓名", "年级", "班级", "监护人联系电话", "银行卡号", "出生日期"}


def test_the_same_id_cannot_be_entered_twice(school_db):
    """A child entered twice could be paid twice; the clerk is shown who already holds the ID, and in which class."""
    number = an_id()
    with school_db.unit_of_work() as s:
        add_student(s, 1, student("张三", id_number=number))
    with pytest.raises(ValidationError) as err, school_db.unit_of_work() as s:
        add_student(s, 1, student("张叁", id_number=number))
    assert "张三" in _problems(err)["身份证件号"] and "七年级1班" in _problems(err)["身份证件号"]


def test_a_student_without_id_is_kept_by_student_number(school_db):
    """Some children have no ID number yet; they must still be enrolled, keyed by their 学籍号."""
    with school_db.unit_of_work() as s:
        st = add_student(s, 1, student(id_number=None, student_no="L2013000000001234"))
        assert st.person_key == "L2013000000001234"


def test_a_g_student_number_supplies_the_missing_id(school_db):
    """A G 学籍号 contains the ID; a child entered without an ID gets it, so outside lists can find them."""
    number = an_id()
    with school_db.unit_of_work() as s:
        st = add_student(s, 1, student(id_number=None, student_no="G" + number))
        assert st.id_number == number


def test_transfer_out_keeps_the_student_with_date_and_destination(school_db):
    """A child who left stays on record with when and where to, for aid already paid and inspectors' questions."""
    with school_db.unit_of_work() as s:
        sid = add_student(s, 1, student()).id
    with school_db.unit_of_work() as s:
        transfer_out(s, sid, date(2026, 10, 8), "石家庄市第一中学")
    with school_db.reading() as s:
        [row] = fetch_page(s, StudentFilter(status=StudentStatus.TRANSFERRED_OUT), 0, 10)
        assert row.id == sid
        left = s.get(Student, sid)
        assert (left.status_changed_on, left.status_note) == (date(2026, 10, 8), "转往：石家庄市第一中学")
        assert count_students(s, StudentFilter(status=StudentStatus.ENROLLED)) == 0


def test_a_dropout_is_marked_and_can_return(school_db):
    """Dropout follow-up starts from a record with date and reason; a child who comes back is reinstated."""
    with school_db.unit_of_work() as s:
        sid = add_student(s, 1, student()).id
    with school_db.unit_of_work() as s:
        st = mark_dropout(s, sid, date(2026, 10, 8), "外出务工")
        assert (st.status, st.status_note) == (StudentStatus.DROPPED_OUT, "外出务工")
    with pytest.raises(ValidationError), school_db.unit_of_work() as s:
        transfer_out(s, sid)  # a dropout is brought back first, not transferred away
    with school_db.unit_of_work() as s:
        assert reinstate(s, sid).status is StudentStatus.ENROLLED


def test_roster_flags_become_group_memberships_and_follow_an_id_correction(school_db):
    """Roster flags such as 留守儿童 must move with a corrected ID, not stay behind on the wrong number."""
    data = student(roster_groups={"left_behind", "orphan"})
    with school_db.unit_of_work() as s:
        sid = add_student(s, 1, data).id
    corrected = an_id()
    data.id_number, data.roster_groups = corrected, {"left_behind"}
    with school_db.unit_of_work() as s:
        update_student(s, sid, data)
    with school_db.reading() as s:
        assert roster_groups(s, corrected) == {"left_behind"}
        assert s.scalars(select(GroupMembership).where(GroupMembership.person_key != corrected)).all() == []


def test_linking_a_student_to_a_household_puts_the_student_in_its_village(school_db):
    """A child linked to a household must count in that village, under the same person key."""
    with school_db.unit_of_work() as s:
        sid = add_student(s, 1, student()).id
        village = get_or_create_village(s, "城南庄镇", "东庄村")
        hh = Household(village_id=village.id, household_no="001", head_name="张大山")
        s.add(hh)
        s.flush()
        member = link_to_household(s, sid, hh.id, "子")
        assert member.student.village_id == village.id
        assert member.person_key == member.student.person_key
