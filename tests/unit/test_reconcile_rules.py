"""The comparison's pure rules: what counts as a slip of an ID number, which names count as alike,
which day a term is compared on, which amounts fit a standard, which assessments hold for a year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidoffice.domain.idnumber import make_id
from aidoffice.domain.policies import AmountSpec, GroupFact, SourceKind
from aidoffice.ledgers.assessments import (
    assessment_label,
    check_school_year,
    facts_for_school_year,
    parse_level,
)
from aidoffice.reconcile.aid import amount_fits, comparison_date, standard_text
from aidoffice.reconcile.findings import Finding
from aidoffice.reconcile.kinds import KINDS, RESOLVED_BY_DATA, RulesError, rules
from aidoffice.reconcile.matching import one_character_apart, passes_check, sound_key, typo_relation
from aidoffice.reconcile.sources import VillageIndex, VillageRec, village_key

ID = make_id("130624", date(2013, 5, 3), 123)


def test_one_wrong_digit_two_swapped_digits_or_the_check_character_are_slips():
    """A clerk must see exactly which digits differ to decide which of two IDs is the person's real one."""
    one = make_id("130624", date(2013, 5, 3), 128)
    assert typo_relation(ID, one) == "第17位不同（3 / 8）"
    swapped = make_id("130624", date(2013, 5, 3), 132)
    assert typo_relation(ID, swapped) == "第16、17位颠倒（23 / 32）"
    check_only = ID[:17] + ("0" if ID[17] != "0" else "1")
    assert typo_relation(ID, check_only).startswith("只有第18位校验位不同")
    assert passes_check(ID) and not passes_check(check_only)


def test_a_slip_in_the_birth_digits_is_named_by_position_without_the_digits_a_masked_id_hides():
    """The relation is printed beside masked IDs (problem list, `reconcile` detail): “第14位不同（3 / 4）”
    would hand over a birth digit the mask hides, and with it most of the hidden date."""
    day_off = make_id("130624", date(2013, 5, 4), 123)
    assert typo_relation(ID, day_off) == "第14位不同（出生日期部分）"
    month_swap = make_id("130624", date(2013, 5, 3), 123)[:10] + "50" + ID[12:]
    assert typo_relation(ID, month_swap) == "第11、12位颠倒（出生日期部分）"
    assert "3" not in typo_relation(ID, day_off) and "05" not in typo_relation(ID, month_swap)


def test_ids_that_differ_more_are_not_slips():
    """Two IDs three digits apart are two people; calling them a slip would merge different children."""
    assert typo_relation(ID, make_id("130624", date(2013, 5, 3), 456)) is None  # three digits
    assert (
        typo_relation(ID, make_id("130624", date(2013, 5, 3), 321)) is None
    )  # 1 and 3 swapped: not adjacent
    assert typo_relation(ID, make_id("130625", date(2014, 5, 3), 123)) is None  # two digits, not adjacent
    assert typo_relation(ID, ID) is None
    assert typo_relation(ID, "G" + ID) is None


@given(st.integers(0, 16), st.integers(1, 9), st.integers(0, 999))
def test_any_single_digit_slip_is_recognised_both_ways(position, shift, seq):
    """Whatever digit is mistyped, both orders of the pair name the same slip (the digits themselves only
    outside the birth date, which a masked ID hides)."""
    real = make_id("130624", date(2012, 2, 29), seq)
    digit = str((int(real[position]) + shift) % 10)
    slip = real[:position] + digit + real[position + 1 :]
    hidden = 6 <= position < 14
    assert typo_relation(real, slip) == f"第{position + 1}位不同" + (
        "（出生日期部分）" if hidden else f"（{real[position]} / {digit}）"
    )
    assert typo_relation(slip, real) == f"第{position + 1}位不同" + (
        "（出生日期部分）" if hidden else f"（{digit} / {real[position]}）"
    )


def test_names_alike_by_sound_or_by_one_character():
    """张晓红 typed as 张小红 is one child to the clerk; names alike by sound or one character must be paired."""
    assert sound_key("张晓红") == sound_key("张小红")
    assert sound_key("张晓红") != sound_key("张晓明")
    assert sound_key(" 张 晓红") == sound_key("张晓红")
    assert one_character_apart("张晓红", "张晓明")
    assert one_character_apart("欧阳娜", "欧阳娜娜")
    assert not one_character_apart("刘洋", "王刚")
    assert not one_character_apart("张三", "张三")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 22), date(2026, 11, 22)),  # during the term: today
        (date(2027, 6, 1), date(2027, 2, 28)),  # the term is over: its last day
        (date(2026, 8, 20), date(2026, 9, 1)),  # not begun: its first day
    ],
)
def test_the_comparison_date_of_a_term(today, expected):
    """A past term is judged on its last day and a coming one on its first, not on facts of today."""
    assert comparison_date(date(2026, 9, 1), date(2027, 2, 28), today) == expected


def test_which_amounts_fit_a_standard():
    """A half-year, a tier or a whole number of school days is right; any other amount must be flagged."""
    fixed = AmountSpec("fixed", annual=Decimal("625"))
    assert amount_fits(fixed, Decimal("312.50")) and not amount_fits(fixed, Decimal("300"))
    tiered = AmountSpec("tiered", tiers=(("一档", Decimal("3000")), ("二档", Decimal("2300"))))
    assert amount_fits(tiered, Decimal("1150")) and not amount_fits(tiered, Decimal("1200"))
    per_day = AmountSpec("per_day", per_day=Decimal("5"))
    assert amount_fits(per_day, Decimal("400")) and not amount_fits(per_day, Decimal("402"))
    assert not amount_fits(per_day, Decimal("700"))  # more than 130 school days
    assert standard_text(fixed) == "每学期 312.50 元（每年 625.00 元）"
    assert standard_text(None) == "没有有效标准"


def test_an_assessment_holds_for_its_own_school_year_only():
    """Families are assessed again each autumn; last year's level must not qualify a student this year."""
    this = GroupFact(
        "hardship_general", SourceKind.ASSESSMENT, assessment_label("2026-2027"), date(2026, 10, 1)
    )
    last = GroupFact(
        "hardship_special", SourceKind.ASSESSMENT, assessment_label("2025-2026"), date(2025, 10, 1)
    )
    unlabelled = GroupFact(
        "hardship_general", SourceKind.ASSESSMENT, "学校资助工作领导小组认定", date(2025, 10, 1)
    )
    listed = GroupFact("dibao", SourceKind.LIST, "民政局", date(2020, 1, 1))
    assert facts_for_school_year([this, last, unlabelled, listed], "2026-2027") == [this, unlabelled, listed]


@pytest.mark.parametrize(
    ("text", "level"),
    [("特别困难", "special"), ("比较困难", "relative"), ("较困难", "relative"), ("一般困难", "general"),
     ("不困难", "none"), ("非困难", "none"), ("special", "special")],
)  # fmt: skip
def test_the_levels_schools_write(text, level):
    """较困难 and 比较困难 are one level to a school; each spelling must land on the level awards depend on."""
    assert parse_level(text) == level


def test_ambiguous_levels_are_refused_with_the_words_to_use():
    """特困 or 困难 could mean two levels; the clerk must be told the four words to write instead."""
    for text in ("特困", "困难"):
        with pytest.raises(ValueError, match="应为 特别困难、比较困难、一般困难 或 不困难"):
            parse_level(text)
    with pytest.raises(ValueError, match="认定级别为空"):
        parse_level("")
    assert check_school_year("2026-2027学年") == "2026-2027"
    assert check_school_year("2026-2027-2") == "2026-2027"
    with pytest.raises(ValueError, match="应写作 2026-2027"):
        check_school_year("2026-2028")


def test_a_list_names_a_village_as_it_likes():
    """Lists write 黑崖沟村委会 or just 黑崖沟; a name shared by two townships must not be guessed."""
    index = VillageIndex({1: VillageRec(1, "黑崖沟村", "龙泉关镇"), 2: VillageRec(2, "东庄村", "龙泉关镇"),
                          3: VillageRec(3, "东庄村", "平阳镇")})  # fmt: skip
    assert village_key("黑崖沟村委会") == village_key("黑崖沟") == "黑崖沟"
    assert index.find(None, "黑崖沟村民委员会") == 1
    assert index.find("平阳镇", "东庄") == 3
    assert index.find(None, "东庄村") is None  # two villages of that name: the township must say which
    assert index.find("大台乡", "大台村") is None


def test_a_finding_keeps_its_identity_across_runs():
    """Re-runs recognise a problem by kind, person, scope and what it is about, not by wording."""
    a = Finding("MISSED_AID", "130624X", "张三", "旧说法", scope="2026-2027-1", what="compulsory_living")
    b = Finding(
        "MISSED_AID", "130624X", "张三", "新说法", scope="2026-2027-1", what="compulsory_living", rank=1
    )
    assert a.identity == b.identity == "MISSED_AID|130624X|2026-2027-1|compulsory_living"


def test_the_shipped_rules_file_is_read_strictly(tmp_path, monkeypatch):
    """The shipped rules file must load with every finding kind explained, or the office sees bare codes."""
    r = rules()
    assert "university_travel_aid" in r.once_only
    assert "补助已补发" in r.resolutions and RESOLVED_BY_DATA not in r.resolutions
    assert r.expected_stage(13) == "junior" and r.expected_stage(30) is None
    assert all(k.label and k.explain for k in KINDS.values())
    (tmp_path / "reconcile").mkdir()
    (tmp_path / "reconcile" / "rules.toml").write_text('once_ony = ["university_travel_aid"]\n', "utf-8")
    monkeypatch.setattr("aidoffice.reconcile.kinds.resources_dir", lambda: tmp_path)
    rules.cache_clear()
    try:
        with pytest.raises(RulesError, match=r"once_ony.*请检查拼写"):
            rules()
    finally:
        rules.cache_clear()
