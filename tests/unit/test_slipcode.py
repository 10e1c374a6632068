"""Return-slip codes: a clerk types or scans them as slips come back; a typo must be caught, never
registered as another family's slip."""

from hypothesis import given
from hypothesis import strategies as st

from aidoffice.domain.slipcode import (
    ALPHABET,
    LENGTH,
    PAYLOAD,
    Verdict,
    display,
    is_valid,
    make_code,
    new_code,
    parse,
)

payloads = st.text(alphabet=ALPHABET, min_size=PAYLOAD, max_size=PAYLOAD)
codes = payloads.map(make_code)


@given(codes)
def test_every_made_code_is_valid_and_short(code):
    """A printed code is six characters a parent's handwriting or a scanner reproduces."""
    assert len(code) == LENGTH
    assert is_valid(code)
    assert parse(code).verdict is Verdict.VALID


@given(codes, st.integers(0, LENGTH - 1), st.sampled_from(ALPHABET))
def test_every_single_character_typo_is_caught(code, position, replacement):
    """Typing one wrong character anywhere (the check character too) never yields a valid code."""
    if code[position] == replacement:
        return
    typo = code[:position] + replacement + code[position + 1 :]
    assert not is_valid(typo)
    assert parse(typo).verdict is Verdict.MISTYPED


@given(codes, st.integers(0, LENGTH - 2))
def test_every_swap_of_neighbours_is_caught(code, position):
    """The most common typing slip after a wrong key: two neighbours typed the other way round."""
    a, b = code[position], code[position + 1]
    if a == b:
        return
    swapped = code[:position] + b + a + code[position + 2 :]
    assert not is_valid(swapped)


@given(codes)
def test_case_spaces_hyphens_and_full_width_are_forgiven(code):
    """What the slip prints (K7M3Q-X), lower case, or a Chinese input method's full-width letters."""
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    for typed in (display(code), code.lower(), f" {code[:3]} {code[3:]} ", full_width):
        parsed = parse(typed)
        assert parsed.valid and parsed.code == code


def test_characters_that_look_alike_are_never_used():
    """0/O, 1/I and U/V are confused in handwriting; a code never contains them."""
    assert not set("01IOU") & set(ALPHABET)
    assert len(ALPHABET) == 31


def test_new_codes_never_print_a_character_that_looks_like_another():
    """A head teacher reading 6/G, 8/B, 2/Z or 5/S off a slip types the wrong one; new codes have neither
    letter of those pairs, the check character included."""
    drawn = [new_code() for _ in range(3000)]
    assert not set("".join(drawn)) & set("GBZS01IO")
    assert all(is_valid(c) for c in drawn)


@given(codes)
def test_codes_issued_before_with_look_alike_letters_stay_valid(code):
    """Slips already in families' hands (with G, B, Z or S) are still registered."""
    assert parse(display(code)).valid


def test_a_wrong_length_or_foreign_character_is_not_a_code():
    """A short code or one with a 0 must be called malformed, not mistyped, so the clerk rereads the slip."""
    assert parse("ABC").verdict is Verdict.MALFORMED
    assert parse("").verdict is Verdict.MALFORMED
    assert parse("K7M3Q0").verdict is Verdict.MALFORMED


def test_new_codes_are_valid_and_spread_out():
    """Codes are drawn at random: a sequence would make a double typo land on a neighbour's slip."""
    drawn = {new_code() for _ in range(500)}
    # about 12.5 million new codes: two of 500 random ones coincide about once in 100 runs (the program
    # draws again when a code is taken); a sequence or a weak generator would repeat far more
    assert len(drawn) >= 498
    assert all(is_valid(c) for c in drawn)
