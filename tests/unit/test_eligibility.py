"""The one eligibility rule, property-tested: the demo, the awards import, the comparison, the letters
and the roster all ask it, so its answers must hold for any facts, not just the examples."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from aidoffice.catalogue import read_catalogue
from aidoffice.domain.policies import GroupFact, SourceKind, StudentFacts, Why, eligible

CAT = read_catalogue()
POLICIES = sorted(CAT.policies.values(), key=lambda p: p.code)
GROUPS = sorted(CAT.groups)
ON = date(2026, 10, 1)

facts_st = st.lists(
    st.builds(
        GroupFact,
        group=st.sampled_from(GROUPS),
        source_kind=st.sampled_from(list(SourceKind)),
        source_label=st.sampled_from(["学籍登记", "民政局低保名单", "学校认定"]),
        known_on=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 6, 1)),
        active=st.booleans(),
        status=st.sampled_from([None, "继续享受政策", "风险已消除"]),
    ),
    max_size=6,
)
student_st = st.builds(
    StudentFacts,
    stage=st.sampled_from(["preschool", "primary", "junior", "senior", "vocational"]),
    boarding=st.booleans(),
    enrolled=st.booleans(),
)


@given(policy=st.sampled_from(POLICIES), student=student_st, facts=facts_st)
def test_eligible_exactly_when_a_qualifying_group_was_known_on_the_day(policy, student, facts):
    """Who gets what must follow from stage, boarding, enrolment and groups known that day, always with a reason."""
    result = eligible(policy, student, facts, ON)
    fits = (
        student.enrolled
        and policy.fits_stage(student.stage)
        and policy.fits_boarding(student.boarding)
        and policy.standard_on(ON) is not None
    )
    qualifying = [f for f in facts if f.group in policy.eligible_groups and f.known_on <= ON and f.active]
    assert bool(result) == (fits and (policy.universal or bool(qualifying)))
    if result and not policy.universal:
        assert result.why is Why.QUALIFIED and set(result.basis) == set(qualifying)
    assert result.reason  # always says why, in words a clerk reads


@given(policy=st.sampled_from(POLICIES), student=student_st, facts=facts_st, later=facts_st)
def test_facts_learned_after_the_day_never_change_the_answer(policy, student, facts, later):
    """A comparison of a past term reads what was known then; a list imported later cannot rewrite it."""
    future = [GroupFact(f.group, f.source_kind, f.source_label, ON + timedelta(days=1 + i), f.active, f.status)
              for i, f in enumerate(later)]  # fmt: skip
    assert bool(eligible(policy, student, facts, ON)) == bool(eligible(policy, student, facts + future, ON))


@given(policy=st.sampled_from(POLICIES), student=student_st, facts=facts_st)
def test_a_lapsed_status_never_qualifies(policy, student, facts):
    """脱贫户 “不享受政策”, 监测对象 “风险已消除”: recorded, but they do not qualify by that group."""
    lapsed = [GroupFact(f.group, f.source_kind, f.source_label, f.known_on, False, f.status) for f in facts]
    result = eligible(policy, student, lapsed, ON)
    if not policy.universal:
        assert not result and result.why is not Why.QUALIFIED


def test_a_day_student_is_not_eligible_for_the_boarding_subsidy_and_is_told_why():
    """A day student refused the boarding subsidy must be told it is for 寄宿生, and still get the day subsidy."""
    policy = CAT.policies["compulsory_living_junior_boarding"]
    fact = GroupFact("dibao", SourceKind.LIST, "民政局低保名单", date(2026, 9, 1))
    result = eligible(policy, StudentFacts("junior", boarding=False), [fact], ON)
    assert not result and result.why is Why.BOARDING and "寄宿生" in result.reason
    day = CAT.policies["compulsory_living_junior_day"]
    ok = eligible(day, StudentFacts("junior", boarding=False), [fact], ON, CAT.groups)
    assert ok and ok.reason == "属于低保"


def test_a_hardship_level_qualifies_boarders_but_not_day_students():
    """The school's assessment opens the boarding subsidy; the day subsidy is for four groups only."""
    fact = GroupFact("hardship_general", SourceKind.ASSESSMENT, "学校认定", date(2026, 9, 10))
    assert eligible(
        CAT.policies["compulsory_living_primary_boarding"], StudentFacts("primary", True), [fact], ON
    )
    assert not eligible(
        CAT.policies["compulsory_living_primary_day"], StudentFacts("primary", False), [fact], ON
    )
