"""The policy catalogue as typed values, and the one rule that decides who is eligible for what.

Pure: no database, no files. `aidoffice.catalogue` reads the TOML files and the database into these
values; the demo, the awards import, the comparison, the letters and the roster all ask `eligible()`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
STAGE_NAMES = {
    "preschool": "学前",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中职",
    "compulsory": "义务教育",
}
BOARDING_NAMES = {"any": "不限", "boarding": "寄宿生", "day": "非寄宿生"}
AMOUNT_KINDS = ("fixed", "tiered", "per_day", "waiver")


class SourceKind(enum.Enum):
    """Where a group membership is known from."""

    ROSTER = "roster"  # a flag in the 学籍 export or entered on the student form
    LIST = "list"  # a named outside list (乡村振兴局, 民政局, 残联 …)
    ASSESSMENT = "assessment"  # the school's own hardship assessment (家庭经济困难学生认定)


SOURCE_NAMES = {
    SourceKind.ROSTER: "学籍/登记",
    SourceKind.LIST: "外部名单",
    SourceKind.ASSESSMENT: "学校认定",
}


@dataclass(frozen=True)
class GroupSpec:
    """A priority group (脱贫家庭, 低保, 孤儿 …). `priority`: assessed first and in full (应助尽助)."""

    code: str
    name: str
    priority: bool = True
    description: str | None = None


@dataclass(frozen=True)
class AmountSpec:
    """The amount rule of a policy for the dates it is valid: fixed (annual, paid over the terms of the
    year), tiered (annual per tier), per_day (per school day) or waiver (nothing is paid)."""

    kind: str
    valid_from: date | None = None
    valid_to: date | None = None
    annual: Decimal | None = None
    per_day: Decimal | None = None
    tiers: tuple[tuple[str, Decimal], ...] = ()
    terms_per_year: int = 2
    note: str | None = None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def annual_for(self, tier: str | None = None) -> Decimal | None:
        if self.kind == "tiered" and tier:
            return dict(self.tiers).get(tier)
        return self.annual

    def per_term(self, tier: str | None = None) -> Decimal | None:
        """The standard of one term's payment (the annual amount split over the year's terms)."""
        annual = self.annual_for(tier)
        if self.kind in ("fixed", "tiered") and annual is not None:
            return (annual / self.terms_per_year).quantize(CENT, rounding=ROUND_HALF_UP)
        return None

    def ceiling(self) -> Decimal | None:
        """The most one student can receive in one term under this rule (the highest tier; for a
        per-day rule, a term of 130 school days)."""
        if self.kind == "per_day" and self.per_day is not None:
            return (self.per_day * 130).quantize(CENT)
        amounts = [a for a in (self.annual, *(v for _, v in self.tiers)) if a is not None]
        if not amounts:
            return None
        return (max(amounts) / self.terms_per_year).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FamilySpec:
    """Policies that are one programme to the user, split by stage and boarding in the catalogue
    (义务教育家庭经济困难学生生活补助 = primary/junior × boarding/day)."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicySpec:
    code: str
    name: str
    stage: str  # preschool / primary / junior / senior / vocational / compulsory
    boarding: str = "any"  # any / boarding / day
    eligible_groups: tuple[str, ...] = ()  # empty: every student of the stage (两免, 营养餐)
    amounts: tuple[AmountSpec, ...] = ()
    aliases: tuple[str, ...] = ()
    family: str | None = None
    letter_text: str | None = None
    # for the stage's leaving class, about what comes after it (新生入学资助 for 高三 going to
    # university): the letters show it only under the leaving class's next-stage policies
    for_leavers: bool = False

    @property
    def universal(self) -> bool:
        """Given to every student of the stage, without application (此项资助不需申请)."""
        return not self.eligible_groups

    @property
    def paid(self) -> bool:
        """Money reaches the family (not a waiver)."""
        return any(a.kind != "waiver" for a in self.amounts)

    def standard_on(self, day: date) -> AmountSpec | None:
        for amount in self.amounts:
            if amount.covers(day):
                return amount
        return None

    def fits_stage(self, stage: str) -> bool:
        return self.stage == stage or (self.stage == "compulsory" and stage in ("primary", "junior"))

    def fits_boarding(self, boarding: bool) -> bool:
        return self.boarding == "any" or self.boarding == ("boarding" if boarding else "day")


@dataclass(frozen=True)
class GroupFact:
    """This person is in this group, known from this source on this date (a roster flag, an outside
    list's latest snapshot, the school's assessment). `active`: the status still qualifies."""

    group: str
    source_kind: SourceKind
    source_label: str
    known_on: date
    active: bool = True
    status: str | None = None

    def describe(self, groups: Mapping[str, GroupSpec] | None = None) -> str:
        name = groups[self.group].name if groups and self.group in groups else self.group
        status = f"，{self.status}" if self.status else ""
        return f"{name}（{SOURCE_NAMES[self.source_kind]}“{self.source_label}”{status}，{self.known_on:%Y-%m-%d}）"


@dataclass(frozen=True)
class StudentFacts:
    stage: str
    boarding: bool
    enrolled: bool = True


class Why(enum.Enum):
    """The reason code of an eligibility decision (the Chinese wording is in `Eligibility.reason`)."""

    UNIVERSAL = "universal"
    QUALIFIED = "qualified"
    NOT_ENROLLED = "not_enrolled"
    STAGE = "stage"
    BOARDING = "boarding"
    NO_STANDARD = "no_standard"
    NO_GROUP = "no_group"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    why: Why
    reason: str
    basis: tuple[GroupFact, ...] = field(
        default=()
    )  # the facts that qualify (or, when not, that were looked at)

    def __bool__(self) -> bool:
        return self.eligible


def eligible(
    policy: PolicySpec,
    student: StudentFacts,
    groups: Iterable[GroupFact],
    on_date: date,
    group_names: Mapping[str, GroupSpec] | None = None,
) -> Eligibility:
    """Is the student eligible for `policy` on `on_date`, and why.

    Stage and boarding must match, the policy must have a standard in force, and — unless the policy
    is for every student of its stage — one of the student's groups, as known on `on_date` and with a
    status that still qualifies, must be among the policy's eligible groups. Facts learned after
    `on_date` do not count (a comparison of a past term reads what was known then)."""

    def named(code: str) -> str:
        return group_names[code].name if group_names and code in group_names else code

    if not student.enrolled:
        return Eligibility(False, Why.NOT_ENROLLED, "不是在读学生")
    if not policy.fits_stage(student.stage):
        return Eligibility(
            False, Why.STAGE, f"{policy.name}只面向{STAGE_NAMES.get(policy.stage, policy.stage)}学生"
        )
    if not policy.fits_boarding(student.boarding):
        return Eligibility(
            False,
            Why.BOARDING,
            f"{policy.name}只面向{BOARDING_NAMES[policy.boarding]}，该生是{'寄宿生' if student.boarding else '走读生'}",
        )
    if policy.standard_on(on_date) is None:
        return Eligibility(False, Why.NO_STANDARD, f"{policy.name}在 {on_date:%Y-%m-%d} 没有有效的标准")
    if policy.universal:
        return Eligibility(
            True, Why.UNIVERSAL, f"{policy.name}面向全体{STAGE_NAMES.get(policy.stage, '')}学生"
        )
    wanted = set(policy.eligible_groups)
    known = [g for g in groups if g.group in wanted and g.known_on <= on_date]
    qualifying = tuple(g for g in known if g.active)
    if qualifying:
        return Eligibility(
            True,
            Why.QUALIFIED,
            "属于" + "、".join(dict.fromkeys(named(g.group) for g in qualifying)),
            qualifying,
        )
    if known:
        lapsed = "、".join(f"{named(g.group)}（{g.status or '已不符合'}）" for g in known)
        return Eligibility(False, Why.INACTIVE, f"所属群体的状态已不符合：{lapsed}", tuple(known))
    return Eligibility(False, Why.NO_GROUP, "没有记录任何符合条件的群体身份")
