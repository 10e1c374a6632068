"""The shipped catalogue files, read strictly: amounts by date, tiers, aliases and families, and the
refusals an office editing the TOML by hand must get (with the file and the line)."""

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from aidoffice.catalogue import CatalogueError, catalogue_files, read_catalogue
from aidoffice.domain.policies import PolicySpec


@pytest.fixture(scope="module")
def cat():
    return read_catalogue()


def test_boarding_subsidy_uses_the_amount_valid_on_the_day(cat):
    """Junior boarding subsidy rose from 1,250 to 1,500 in spring 2024; older terms keep the old amount."""
    junior = cat.policies["compulsory_living_junior_boarding"]
    assert junior.standard_on(date(2023, 9, 1)).per_term() == Decimal("625.00")
    assert junior.standard_on(date(2026, 9, 1)).per_term() == Decimal("750.00")


def test_day_students_get_half_per_term_with_cents(cat):
    """A day student's term subsidy is half the annual 625 to the cent; a rounded 312 or 313 would fail a check."""
    assert cat.policies["compulsory_living_primary_day"].standard_on(date(2026, 9, 1)).per_term() == Decimal(
        "312.50"
    )


def test_senior_grant_tiers(cat):
    """The top tier of the senior grant pays more than the default; letters and checks must use the right one."""
    grant = cat.policies["senior_national_grant"].standard_on(date(2026, 9, 1))
    assert grant.per_term("一档") == Decimal("1500.00")
    assert grant.per_term() == Decimal("1150.00")


def test_every_policy_names_only_groups_that_exist(cat):
    """A policy opened to a group nobody can belong to would silently leave its students out."""
    for p in cat.policies.values():
        assert set(p.eligible_groups) <= set(cat.groups), p.code


@pytest.mark.parametrize(
    ("name", "stage", "boarding", "expected"),
    [
        ("义务教育家庭经济困难学生生活补助", "junior", True, "compulsory_living_junior_boarding"),
        ("义务教育阶段家庭经济困难学生生活补助", "primary", False, "compulsory_living_primary_day"),
        ("家庭经济困难学生生活补助", "primary", True, "compulsory_living_primary_boarding"),
        ("一补", "junior", False, "compulsory_living_junior_day"),
        ("寄宿生生活补助", "primary", True, "compulsory_living_primary_boarding"),
        ("营养改善计划膳食补助", "junior", False, "compulsory_nutrition"),
        ("国家助学金", "vocational", False, "vocational_national_grant"),
        ("国家助学金", "senior", True, "senior_national_grant"),
        ("compulsory_nutrition", None, None, "compulsory_nutrition"),
    ],
)
def test_award_lists_may_name_a_policy_in_their_own_words(cat, name, stage, boarding, expected):
    """The national names, the families and the local short names all settle on one policy per student."""
    found = cat.resolve(name, stage, boarding)
    assert isinstance(found, PolicySpec) and found.code == expected


def test_an_unknown_name_finds_nothing(cat):
    """A name that matches no policy must find nothing, so the import reports it instead of guessing one."""
    assert cat.find("奖学金大礼包") == []


def _copy(tmp_path: Path) -> dict[str, Path]:
    files = {}
    for name, path in catalogue_files().items():
        files[name] = Path(shutil.copy(path, tmp_path / name))
    return files


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line)


def test_a_misspelt_key_is_refused_with_file_and_line(tmp_path):
    """A misspelt key in the TOML used to pass silently; the office must be told which file and line to fix."""
    files = _copy(tmp_path)
    _edit(
        files["catalogue.toml"], 'eligible_groups = ["poverty_exited"', 'eligable_groups = ["poverty_exited"'
    )
    with pytest.raises(CatalogueError) as err:
        read_catalogue(files)
    assert "eligable_groups" in str(err.value) and "catalogue.toml" in str(err.value)
    assert f"第 {_line_of(files['catalogue.toml'], 'eligable_groups')} 行" in str(err.value)


def test_a_bad_date_is_refused(tmp_path):
    """An impossible date like 2024-02-30 would move an amount's start; it must be refused, quoting the date."""
    files = _copy(tmp_path)
    _edit(files["catalogue.toml"], 'from = "2024-03-01"', 'from = "2024-02-30"')
    with pytest.raises(CatalogueError, match="2024-02-30"):
        read_catalogue(files)


def test_an_unknown_group_is_refused(tmp_path):
    """A misspelt group name would drop a policy's students without a word; the catalogue must refuse it."""
    files = _copy(tmp_path)
    _edit(files["catalogue.toml"], '"dibao"', '"dibao_typo"')
    with pytest.raises(CatalogueError, match="dibao_typo"):
        read_catalogue(files)


def test_overlapping_amounts_are_refused(tmp_path):
    """Two standards valid on the same day would make every amount check ambiguous."""
    files = _copy(tmp_path)
    _edit(files["catalogue.toml"], 'annual = "1250", to = "2024-02-29"', 'annual = "1250", to = "2024-09-30"')
    with pytest.raises(CatalogueError, match="重叠"):
        read_catalogue(files)


def test_an_amount_that_is_not_money_is_refused(tmp_path):
    """An amount written in words (一千五) cannot be checked against a county file; it must be refused."""
    files = _copy(tmp_path)
    _edit(files["catalogue.toml"], 'annual = "1500"', 'annual = "一千五"')
    with pytest.raises(CatalogueError, match="一千五"):
        read_catalogue(files)
