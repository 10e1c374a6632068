from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidoffice.sheets.cleaning import CleaningError, parse_date, parse_month, parse_yes_no, text


@pytest.mark.parametrize(
    "value",
    [
        "2012-05-03",
        "2012/5/3",
        "20120503",
        "2012.05.03",
        "2012年5月3日",
        "２０１２－０５－０３",
        41032,
        41032.0,
        "2012-05-03 00:00:00",
        datetime(2012, 5, 3, 0, 0),
        date(2012, 5, 3),
        20120503,
    ],
)
def test_every_date_notation_found_in_practice(value):
    """Dates arrive as text, Excel serials and datetimes; each usual notation must give the same day, not a refusal."""
    assert parse_date(value) == date(2012, 5, 3)


@given(st.dates(min_value=date(1960, 1, 1), max_value=date(2030, 12, 31)))
def test_dates_read_back_from_each_notation(d):
    """Any real date written in a common notation must read back as itself, never shifted by a day or a month."""
    for s in (
        f"{d:%Y-%m-%d}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d:%Y%m%d}",
        f"{d.year}年{d.month}月{d.day}日",
    ):
        assert parse_date(s) == d


@pytest.mark.parametrize("value", ["2012-02-30", "下周一", "05/03/2012", "2012-13-01"])
def test_impossible_dates_are_refused_with_the_expected_form(value):
    """A clerk told a date is wrong must see the expected form (2012-05-03) to fix the cell by."""
    with pytest.raises(CleaningError, match="2012-05-03"):
        parse_date(value)


def test_blank_dates_are_none():
    """An empty date cell means "not known", not an error that blocks the row."""
    assert parse_date("") is None and parse_date(None) is None


@pytest.mark.parametrize("value", ["是", "√", "Y", "y", "1", 1, "有", "TRUE", " 是 "])
def test_yes_in_all_spellings(value):
    """Schools write yes as 是, √, Y, 1 or 有; every spelling must count, or a boarder is read as a day student."""
    assert parse_yes_no(value) is True


@pytest.mark.parametrize("value", ["否", "×", "N", "0", 0, "", None, "无"])
def test_no_in_all_spellings(value):
    """×, 0, 无 and an empty cell must all read as no, never as yes or as an error."""
    assert parse_yes_no(value) is False


def test_a_yes_no_cell_with_something_else_is_refused():
    """A cell saying 也许 must be refused naming the accepted answers, not guessed as yes or no."""
    with pytest.raises(CleaningError, match=r"是.*否"):
        parse_yes_no("也许")


@pytest.mark.parametrize(
    "value", ["2024-09", "2024.9", "202409", "2024年9月", "2024-09-01", date(2024, 9, 1)]
)
def test_enrolment_months(value):
    """Enrolment months in any usual form must be stored as one YYYY-MM so they compare and sort alike."""
    assert parse_month(value) == "2024-09"


def test_text_cells_are_tidied():
    """Full-width spaces, padding and Excel's 1301.0 must not make one name or code look like another."""
    assert text("  张\u3000三 ") == "张 三"
    assert text(1301.0) == "1301"
    assert text(None) == ""


def test_messages_quote_at_most_thirty_characters_and_say_how_long_the_value_was():
    """A huge pasted cell must not flood the error message, yet the clerk still learns how long it was."""
    from aidoffice.domain.text import shorten

    assert shorten("张三") == "张三"
    assert shorten("长" * 100_000) == "长" * 30 + "…（共 100,000 字）"


def test_control_characters_and_direction_overrides_are_found_and_removed():
    """An escape sequence or a right-to-left override must never reach the ledger or a terminal."""
    from aidoffice.domain.text import control_characters, printable, without_control_characters

    value = "王\u202e五\x1b[31m\x00\t住\r\n址\ufeff"
    assert control_characters(value) == ["U+202E", "U+001B", "U+0000", "U+FEFF"]
    assert without_control_characters(value) == "王五[31m\t住\n址"
    assert "\x1b" not in printable(value) and "\u202e" not in printable(value)
    assert control_characters("张三 1班\n龙泉关镇") == []


def test_typed_text_drops_control_characters_instead_of_marking_them():
    """What a user typed is stored without the control characters (printable, for a terminal, marks
    them with U+FFFD); a note keeps its lines and tabs, a one-line field has a space for them."""
    from aidoffice.domain.text import typed_text

    value = " 王\u202e五\x1b[31m\x00\t住\r\n址\r村\ufeff "
    assert typed_text(value) == "王五[31m\t住\n址\n村"
    assert typed_text(value, lines=False) == "王五[31m 住 址 村"
    assert typed_text(None) == typed_text("\x07\r\n") == ""
