"""What the publicity documents say about the policies, stages and grades: the catalogue's policies of
a stage with the standard in force on a date, the next stage of a leaving class, grade and class names
and their order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aidoffice.catalogue import Catalogue
from aidoffice.domain.grades import STAGES, InvalidGrade, make_grade
from aidoffice.domain.policies import AmountSpec, PolicySpec

STAGE_ORDER = {s: i for i, s in enumerate(STAGES)}
# the grade a stage starts and ends with (vocational grades are 1..3 of their own stage)
FIRST_GRADE = {"preschool": -2, "primary": 1, "junior": 7, "senior": 10, "vocational": 1}
LAST_GRADE = {"preschool": 0, "primary": 6, "junior": 9, "senior": 12, "vocational": 3}
NEXT_STAGES = {
    "preschool": ("primary",),
    "primary": ("junior",),
    "junior": ("senior", "vocational"),
    "senior": (),
    "vocational": (),
}


def is_leaving(stage: str, grade: int) -> bool:
    """大班, 六年级, 九年级, 高三, 中职三年级: the class before the child leaves the stage."""
    return LAST_GRADE.get(stage) == grade


def is_entry(stage: str, grade: int) -> bool:
    """The first grade of a stage (小班 for a kindergarten, 一年级, 七年级, 高一, 中职一年级)."""
    return FIRST_GRADE.get(stage) == grade


def grade_name(stage: str, grade: int) -> str:
    try:
        return make_grade(grade, vocational=stage == "vocational").name
    except (InvalidGrade, KeyError):
        return str(grade)


def class_key(name: str) -> tuple[int, str]:
    """2班 before 10班; named classes (火箭班) after the numbered ones."""
    m = re.match(r"(\d+)", name or "")
    return (int(m[1]) if m else 999, name or "")


def grade_key(stage: str, grade: int) -> tuple[int, int]:
    return (STAGE_ORDER.get(stage, 99), grade)


def yuan(amount: Decimal | None) -> str:
    """1250 → 1,250; 312.5 → 312.50 (letters write whole yuan without cents)."""
    if amount is None:
        return ""
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"


def standard_text(spec: AmountSpec) -> str:
    if spec.kind == "per_day" and spec.per_day is not None:
        return f"每生每天{yuan(spec.per_day)}元（按在校天数计算）"
    if spec.kind == "waiver":
        return "免除相关费用"
    if spec.kind == "tiered":
        tiers = "、".join(f"{name}{yuan(value)}元" for name, value in spec.tiers)
        average = f"，平均每生每年{yuan(spec.annual)}元" if spec.annual is not None else ""
        return f"{tiers}{average}"
    if spec.annual is not None:
        per_term = spec.per_term()
        split = (
            f"，分{spec.terms_per_year}个学期发放，每学期{yuan(per_term)}元"
            if spec.terms_per_year > 1
            else ""
        )
        return f"每生每年{yuan(spec.annual)}元{split}"
    return ""


@dataclass(frozen=True)
class PolicyText:
    name: str
    standard: str
    description: str | None
    who: str
    universal: bool


_FIGURE = re.compile(r"\d[\d,.]*\s*元")


def _description(policy: PolicySpec) -> str | None:
    """The catalogue's letter_text, unless it states amounts: the letter prints the standard valid on
    its own date (computed from the catalogue), and a second figure written into the text for the
    newest standard could contradict it on a letter dated under an older one."""
    text = (policy.letter_text or "").strip()
    if not text or _FIGURE.search(text):
        return None
    return text if text.endswith("。") else text + "。"


def policy_texts(cat: Catalogue, stage: str, day: date, *, leavers: bool = False) -> list[PolicyText]:
    """The policies of `stage` that have a standard on `day`, in catalogue order: the stage's own
    policies, or with `leavers` those for its leaving class about the next stage (新生入学资助)."""
    out = []
    for p in cat.policies.values():
        if not p.fits_stage(stage) or p.for_leavers != leavers:
            continue
        spec = p.standard_on(day)
        if spec is None:
            continue
        if p.universal:
            who = "全体学生享受，此项资助不需申请。"
        else:
            names = [
                cat.groups[g].name for g in p.eligible_groups if g in cat.groups and cat.groups[g].priority
            ]
            assessed = any(g in cat.groups and not cat.groups[g].priority for g in p.eligible_groups)
            first = "、".join(names[:4]) + ("等" if len(names) > 4 else "")
            if assessed:
                parts = "家庭经济困难学生" + (f"（{first}学生优先）" if first else "")
            else:
                parts = f"{first}家庭经济困难学生"
            who = f"资助对象：{parts}，需申请。"
        out.append(
            PolicyText(
                p.name,
                standard_text(spec),
                _description(p),
                who,
                p.universal,
            )
        )
    return out


# what the policies for a stage's leaving class (for_leavers) are about
AFTER_STAGE = {"senior": "高等教育", "vocational": "高等教育"}


def next_stage_texts(cat: Catalogue, stage: str, day: date) -> list[tuple[str, list[PolicyText]]]:
    """What a leaving class's letter says about the next stage: the next stages' own policies (not
    their leavers' policies: a 九年级 letter never names the university grant) and the policies for
    this stage's leavers (新生入学资助 on the 高三 letter)."""
    out = [(STAGES[s], policy_texts(cat, s, day)) for s in NEXT_STAGES.get(stage, ())]
    mine = policy_texts(cat, stage, day, leavers=True)
    if mine:
        out.append((AFTER_STAGE.get(stage, "下一学段"), mine))
    return out


def stage_label(stage: str) -> str:
    return STAGES.get(stage, stage)


def next_stage_label(stage: str) -> str:
    return "、".join(STAGES[s] for s in NEXT_STAGES.get(stage, ())) or "下一学段"
