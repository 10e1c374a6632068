from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidoffice.domain.terms import InvalidTerm, Term

terms = st.builds(Term, st.integers(min_value=1990, max_value=2199), st.sampled_from([1, 2]))


@given(terms)
def test_both_notations_read_back_to_the_same_term(term):
    """A term written as its code or as its Chinese label must be the same term when it comes back."""
    assert Term.parse(term.code) == term
    assert Term.parse(term.label) == term


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-2027学年第一学期", "2026-2027-1"),
        ("2026-2027学年第二学期", "2026-2027-2"),
        ("2026—2027学年度第二学期", "2026-2027-2"),
        ("2026-2027学年第1学期", "2026-2027-1"),
        ("２０２６－２０２７－１", "2026-2027-1"),
        ("2026年秋季学期", "2026-2027-1"),
        ("2027年春季学期", "2026-2027-2"),
    ],
)
def test_notations_found_in_county_files(text, code):
    """County files write a term many ways (学年度, 秋季, full-width); all must land on the same term."""
    assert Term.parse(text).code == code


@pytest.mark.parametrize("text", ["2026-2028-1", "2026-2027-3", "第一学期", "", "2026"])
def test_nonsense_is_refused(text):
    """A term like 2026-2028 or a bare 第一学期 must be refused, never guessed into some term's awards."""
    with pytest.raises(InvalidTerm):
        Term.parse(text)


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2026, 9, 1), "2026-2027-1"),
        (date(2027, 1, 15), "2026-2027-1"),
        (date(2027, 2, 28), "2026-2027-1"),
        (date(2027, 3, 1), "2026-2027-2"),
        (date(2027, 8, 31), "2026-2027-2"),
    ],
)
def test_the_term_of_a_date(day, code):
    """A payment date must fall in the right term: autumn runs to the end of February, spring to August."""
    assert Term.containing(day).code == code


@given(terms)
def test_terms_follow_each_other_without_gaps(term):
    """No day may fall between two terms, or an award or fact dated that day would belong to no term."""
    assert term.next().previous() == term
    assert (term.next().starts_on - term.ends_on).days == 1
