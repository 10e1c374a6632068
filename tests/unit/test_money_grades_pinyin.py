from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidoffice.domain.grades import InvalidGrade, parse_class, parse_grade
from aidoffice.domain.money import InvalidAmount, format_amount, parse_amount, split_annual, to_upper
from aidoffice.domain.pinyin import initials_key, pinyin_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,250", "1250.00"),
        ("1250元", "1250.00"),
        ("￥312.5", "312.50"),
        (312.5, "312.50"),
        (0.1 + 0.2, "0.30"),
        (625, "625.00"),
        ("  750.00 ", "750.00"),
    ],
)
def test_amounts_as_written_in_county_files(value, expected):
    """County files write amounts with commas, 元, ￥ and float noise; each must read as the exact amount."""
    assert parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["", "一千", "12a", None, True, "nan"])
def test_amounts_that_are_not_amounts_are_refused(value):
    """An empty, worded or boolean amount must be refused, never read as zero paid."""
    with pytest.raises(InvalidAmount):
        parse_amount(value)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_formatted_amounts_read_back(amount):
    """An amount we write into a workbook must read back exactly when the file comes back to us."""
    assert parse_amount(format_amount(amount)) == amount


def test_capital_numerals_as_on_a_receipt():
    """Receipts and slips show amounts in capital numerals; a wrong one makes the paper invalid."""
    assert to_upper(Decimal("1250")) == "壹仟贰佰伍拾元整"
    assert to_upper(Decimal("312.5")) == "叁佰壹拾贰元伍角"
    assert to_upper(Decimal("0")) == "零元整"


def test_an_annual_standard_splits_into_two_terms_with_cents():
    """Each term pays half the annual standard to the cent; rounding would fail the county's check."""
    assert split_annual(Decimal("625")) == Decimal("312.50")
    assert split_annual(Decimal("1500")) == Decimal("750.00")


@pytest.mark.parametrize(
    ("name", "number", "shown"),
    [
        ("七年级", 7, "七年级"),
        ("初一", 7, "七年级"),
        ("7", 7, "七年级"),
        ("高二", 11, "高二"),
        ("一年级", 1, "一年级"),
        ("十年级", 10, "高一"),
        ("大班", 0, "大班"),
        ("初三年级", 9, "九年级"),
        (" 八 年级", 8, "八年级"),
    ],
)
def test_grade_names_teachers_use(name, number, shown):
    """Teachers write 初一, 7 or 七年级 for one grade; all must land in the same grade and show one name."""
    grade = parse_grade(name)
    assert (grade.number, grade.name) == (number, shown)


def test_vocational_grades_are_their_own_stage():
    """Vocational students are under other policies than senior ones; their grades must not be mixed."""
    assert parse_grade("中职二年级").stage == "vocational"


@pytest.mark.parametrize("name", ["", "初四", "十三年级", "研一"])
def test_unknown_grades_are_refused(name):
    """A grade like 初四 or 研一 must be refused, not filed under a guessed grade and its policies."""
    with pytest.raises(InvalidGrade):
        parse_grade(name)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("1", "1班"), ("01", "1班"), ("一班", "1班"), ("（2）班", "2班"), ("火箭班", "火箭班")],
)
def test_class_names(name, shown):
    """1, 01, 一班 and （2）班 are written for the same classes; one spelling keeps a class from splitting in two."""
    assert parse_class(name) == shown


def test_pinyin_initials_find_a_name():
    """Clerks find a student by typing zs or zhangsan; the keys must come out as they type them."""
    assert initials_key("张三") == "zs"
    assert pinyin_key("张三") == "zhangsan"


def test_surnames_read_as_surnames():
    """单 is shan and 曾 is zeng when they are surnames; sorting by sound must use that."""
    assert initials_key("单田芳") == "stf"
    assert pinyin_key("曾小贤").startswith("zeng")
    assert pinyin_key("解晓东").startswith("xie")


def test_sorting_by_pinyin_puts_names_in_dictionary_order():
    """Printed lists are sorted by sound as in a dictionary, the order clerks and parents expect."""
    names = ["赵六", "王五", "李四", "张三", "安娜"]
    assert sorted(names, key=pinyin_key) == ["安娜", "李四", "王五", "张三", "赵六"]


@pytest.mark.parametrize(
    "value", ["1e308", "inf", "-inf", "nan", "sNaN", "1" * 40, 1e308, float("inf"), 10**400, "1e20"]
)
def test_absurd_amounts_are_refused_as_amounts(value):
    """1e308 or a 40-digit amount used to escape as decimal.InvalidOperation and fail a whole import."""
    with pytest.raises(InvalidAmount):
        parse_amount(value)


@given(
    st.one_of(
        st.text(max_size=60),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**500), max_value=10**500),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.none(),
        st.booleans(),
    )
)
def test_parse_amount_never_raises_anything_but_invalid_amount(value):
    """The award import refuses the row on InvalidAmount; anything else would fail the whole file."""
    try:
        amount = parse_amount(value)
    except InvalidAmount:
        return
    assert amount.is_finite() and abs(amount) < Decimal("10000000000")
