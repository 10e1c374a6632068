from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidoffice.domain.idnumber import (
    IdProblem,
    InvalidIdNumber,
    id_from_student_no,
    is_valid_id,
    make_id,
    normalize_id,
    parse_id,
    student_no_from_id,
)
from aidoffice.messages import id_problem
from aidoffice.privacy import mask_id

births = st.dates(min_value=date(1950, 1, 1), max_value=date(2024, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


def test_a_published_example_number_is_valid():
    """The worked example of GB 11643: 11010519491231002X, a woman born 1949-12-31."""
    info = parse_id("11010519491231002X")
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"
    assert info.region_code == "110105"


@given(births, sequences)
def test_every_number_built_by_the_rule_reads_back_its_birth_and_sex(birth, seq):
    """Birth date and sex shown for a student come from the ID; they must match what the number encodes."""
    info = parse_id(make_id("130624", birth, seq))
    assert info.birth_date == birth
    assert info.sex == ("男" if seq % 2 else "女")


@given(births, sequences, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_wrong_digit_is_caught(birth, seq, position, delta):
    """A clerk who mistypes one digit must be told; MOD 11-2 catches every single substitution."""
    number = make_id("130624", birth, seq)
    wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not is_valid_id(wrong)


@given(births, sequences)
def test_full_width_spaces_and_lower_case_x_normalize_to_the_same_number(birth, seq):
    """An ID typed with full-width digits, spaces or a lower-case x must not become a second student."""
    number = make_id("130624", birth, seq)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in number.lower())
    assert normalize_id(f" {fullwidth[:6]} {fullwidth[6:]}\u3000") == number


def test_check_digit_problem_names_the_digit_that_would_be_right():
    """A clerk with a wrong check digit learns which digit was expected and can compare with the card."""
    number = make_id("130624", date(2013, 5, 3), 11)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InvalidIdNumber) as err:
        parse_id(wrong)
    assert err.value.problem is IdProblem.CHECK_DIGIT
    assert f"第18位应为“{number[17]}”" in id_problem(err.value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", IdProblem.EMPTY),
        ("13062420130503", IdProblem.LENGTH),
        ("1.30624E+17", IdProblem.LENGTH),
        ("13062420130503A011", IdProblem.CHARACTERS),
        ("990624201305030111", IdProblem.REGION),
        ("130624201302300111", IdProblem.BIRTH_DATE),
        ("130624209901010111", IdProblem.FUTURE_BIRTH),
    ],
)
def test_each_kind_of_bad_number_is_named(value, problem):
    """A clerk must be told what is wrong with an ID (length, region, birth date…), not just "invalid"."""
    with pytest.raises(InvalidIdNumber) as err:
        parse_id(value, today=date(2026, 11, 22))
    assert err.value.problem is problem
    assert id_problem(err.value)


def test_student_number_carries_the_id_only_in_the_g_form():
    """Only a G-form 学籍号 carries the ID; other forms must not be mistaken for one and invent an ID."""
    number = make_id("130624", date(2013, 5, 3), 11)
    assert id_from_student_no(student_no_from_id(number)) == number
    assert id_from_student_no("g" + number.lower()) == number
    assert id_from_student_no("J" + "1" * 18) is None
    assert id_from_student_no("L2013" + "0" * 10) is None


def test_mask_shows_only_region_and_last_four():
    """A masked ID keeps region and last four so a clerk can tell students apart without the full number."""
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id(None) == ""
    assert mask_id("#REF!") == "#REF!"  # an Excel error holds no number: shown as the clerk will find it


def test_a_first_generation_number_is_named_as_such_not_as_a_copying_slip():
    """Old 15-digit IDs (issued until 2004) used to be refused as “漏抄或多抄”."""
    from aidoffice.domain.idnumber import IdProblem, is_first_generation

    old = "130624850503011"  # 1985-05-03, sequence 011
    assert is_first_generation(old)
    with pytest.raises(InvalidIdNumber) as err:
        parse_id(old, today=date(2026, 11, 22))
    assert err.value.problem is IdProblem.FIRST_GENERATION
    assert "第一代15位身份证号，请换成18位号码" in id_problem(err.value)
    assert not is_first_generation("130624851303011")  # month 13: not a number of that form
    assert not is_first_generation("1306248505030111")  # 16 digits


def test_an_18_digit_number_upgrades_a_15_digit_one_with_the_same_birth_date_and_sequence():
    """An old 15-digit ID and its 18-digit upgrade are one person; another sequence or birth date is not."""
    from aidoffice.domain.idnumber import same_person_15_18

    new = make_id("130624", date(1985, 5, 3), 11)
    assert same_person_15_18("130624850503011", new)
    assert same_person_15_18("130699850503011", new)  # a county renumbered since
    assert not same_person_15_18("130624850503013", new)  # another sequence: another person
    assert not same_person_15_18("130624850504011", new)  # another birth date
