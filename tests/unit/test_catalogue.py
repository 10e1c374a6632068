from datetime import date
from decimal import Decimal

from aidoffice.catalogue import read_groups, read_policies, standard_on
from aidoffice.db.models import Policy


def _policy(code: str) -> Policy:
    p = next(p for p in read_policies() if p["code"] == code)
    return Policy(code=p["code"], name=p["name"], stage=p["stage"], amount_rule={"amounts": p["amounts"]})


def test_boarding_subsidy_uses_the_amount_valid_on_the_day():
    """Junior boarding subsidy rose from 1,250 to 1,500 in spring 2024; older terms keep the old amount."""
    junior = _policy("compulsory_living_junior_boarding")
    assert standard_on(junior, date(2023, 9, 1)).per_term() == Decimal("625.00")
    assert standard_on(junior, date(2026, 9, 1)).per_term() == Decimal("750.00")


def test_day_students_get_half_per_term_with_cents():
    assert standard_on(_policy("compulsory_living_primary_day"), date(2026, 9, 1)).per_term() == Decimal(
        "312.50"
    )


def test_senior_grant_tiers():
    grant = standard_on(_policy("senior_national_grant"), date(2026, 9, 1))
    assert grant.per_term("一档") == Decimal("1500.00")
    assert grant.per_term() == Decimal("1150.00")


def test_every_policy_names_only_groups_that_exist():
    codes = {g["code"] for g in read_groups()}
    for p in read_policies():
        assert set(p["eligible_groups"]) <= codes, p["code"]
