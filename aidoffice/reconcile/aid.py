"""Eligibility for the term, and the aid actually paid, student by student.

The one rule is `aidoffice.domain.policies.eligible`; this module only decides what to ask it and
turns the answers into findings:
- MISSED_AID: eligible for a non-universal paid policy (not a one-off: rules.toml `once_only`) and
  not aided by that policy's family in the term; ranked first when a priority group qualifies.
- UNSUPPORTED_AID: aided, but no qualifying group on record (or only lapsed ones).
- WRONG_VARIANT: aided by a policy of another stage or boarding (寄宿生 subsidy to a day student …).
- AMOUNT_OFF_STANDARD: the amount is not the catalogue's standard for the term.
- AID_AFTER_LEAVING: the student left (转出/辍学/毕业/休学) before the term started.
- DOUBLE_AID: two policies of one family (one subsidy) for one student in one term.

A past school year's term reads the grade the student had then (the ledger's grade, moved back a
year per year); boarding is taken as the ledger has it now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from aidoffice.catalogue import Catalogue
from aidoffice.db.models import STATUS_NAMES, StudentStatus
from aidoffice.domain.grades import STAGES, InvalidGrade, make_grade
from aidoffice.domain.money import format_amount
from aidoffice.domain.policies import AmountSpec, GroupFact, PolicySpec, StudentFacts, Why, eligible
from aidoffice.ledgers.assessments import facts_for_school_year
from aidoffice.privacy import mask_id
from aidoffice.reconcile.findings import Finding, column, fact_json, side
from aidoffice.reconcile.kinds import rules
from aidoffice.reconcile.matching import Matching, Rec, grade_label, rec_side
from aidoffice.reconcile.sources import AwardRec, Sources, StudentRec


@dataclass(frozen=True)
class TermContext:
    code: str
    label: str
    school_year: str
    starts_on: date
    ends_on: date
    on_date: date  # facts known on this day count (see comparison_date)
    years_back: int  # school years between the ledger's grades and this term's


def comparison_date(starts_on: date, ends_on: date, today: date) -> date:
    """The day whose knowledge the comparison reads: today while the term runs; the last day of a term
    that is over (an assessment in October or a list updated in November was the basis of that
    term's payments); the first day of a term not yet begun."""
    if today < starts_on:
        return starts_on
    return min(today, ends_on)


class CoverageItem(NamedTuple):
    """One student eligible for one policy family in the term, and whether that family aided them."""

    student_id: int
    grade: int
    stage: str
    village_id: int | None
    family: str
    policy_code: str
    groups: tuple[str, ...]  # the priority groups that qualify
    aided: bool


def standard_text(std: AmountSpec | None) -> str:
    if std is None:
        return "没有有效标准"
    if std.kind == "fixed":
        return f"每学期 {format_amount(std.per_term())} 元（每年 {format_amount(std.annual)} 元）"  # type: ignore[arg-type]
    if std.kind == "tiered":
        return "、".join(f"{t}每学期 {format_amount(std.per_term(t))} 元" for t, _ in std.tiers)  # type: ignore[arg-type]
    if std.kind == "per_day":
        return f"每天 {format_amount(std.per_day)} 元（每学期至多 {format_amount(std.ceiling())} 元）"  # type: ignore[arg-type]
    return "免除（不发放现金）"


def amount_fits(std: AmountSpec, amount: Decimal) -> bool:
    if std.kind == "fixed":
        return std.per_term() == amount
    if std.kind == "tiered":
        return amount in {std.per_term(t) for t, _ in std.tiers}
    if std.kind == "per_day":
        ceiling = std.ceiling()
        per_day = std.per_day
        return ceiling is not None and per_day is not None and amount <= ceiling and amount % per_day == 0
    return True  # a waiver records what was waived; there is no payment to check


def who(s: StudentRec) -> str:
    """七年级1班“张三”："""
    return f"{grade_label(s.grade, s.stage)}{s.class_name}“{s.name}”："


def family_of(p: PolicySpec) -> str:
    return p.family or p.code


def _stage_then(s: StudentRec, years_back: int) -> str | None:
    if not years_back:
        return s.stage
    try:
        return make_grade(s.grade - years_back, s.stage == "vocational").stage
    except InvalidGrade:
        return None  # not yet in school in that term (by the ledger's grade)


def _presence(s: StudentRec, ctx: TermContext) -> str:
    """in: at school for (part of) the term; left: left before it began; later: enrolled after it."""
    if s.enrolled_on and s.enrolled_on > f"{ctx.ends_on:%Y-%m}":
        return "later"
    if s.status is StudentStatus.ENROLLED:
        return "in"
    if s.status_changed_on is not None and s.status_changed_on > ctx.starts_on:  # left on day one: not there
        return "in"
    return "left"


class AidChecker:
    def __init__(self, src: Sources, catalogue: Catalogue, ctx: TermContext, matching: Matching):
        self.src, self.cat, self.ctx, self.matching = src, catalogue, ctx, matching
        self.groups = catalogue.groups
        self.priority = catalogue.priority_groups
        once = rules().once_only
        self.checked = [
            p for p in catalogue.policies.values() if not p.universal and p.paid and p.code not in once
        ]
        self.wanted = frozenset(g for p in self.checked for g in p.eligible_groups)
        self._fitting: dict[tuple[str, bool], list[PolicySpec]] = {}
        self.awards: dict[int, list[AwardRec]] = {}
        for a in src.awards:
            self.awards.setdefault(a.student_id, []).append(a)
        self.findings: list[Finding] = []
        self.coverage: list[CoverageItem] = []

    def fitting(self, stage: str, boarding: bool) -> list[PolicySpec]:
        key = (stage, boarding)
        if key not in self._fitting:
            self._fitting[key] = [
                p for p in self.checked if p.fits_stage(stage) and p.fits_boarding(boarding)
            ]
        return self._fitting[key]

    def facts_of(self, key: str | None) -> list[GroupFact]:
        return facts_for_school_year(self.src.facts.get(key or "", ()), self.ctx.school_year)

    def village_name(self, s: StudentRec) -> str | None:
        v = self.src.villages.get(s.village_id) if s.village_id else None
        return v.name if v else s.hukou_village

    def run(self) -> None:
        for s in self.src.students:
            self.check(s)

    # ---- one student --------------------------------------------------------------------------

    def check(self, s: StudentRec) -> None:
        ctx = self.ctx
        awards = self.awards.get(s.id, ())
        if not awards:
            # most students: not aided and in no group any checked policy asks for
            raw = self.src.facts.get(s.person_key)
            if not raw or not any(f.group in self.wanted for f in raw):
                return
        presence = _presence(s, ctx)
        enrolled_at = s.status is StudentStatus.ENROLLED or (
            s.status_changed_on is not None and s.status_changed_on > ctx.on_date
        )
        if not awards and (presence != "in" or not enrolled_at):
            return
        stage = _stage_then(s, ctx.years_back)
        facts = self.facts_of(s.person_key)
        # the village and the groups the list filters on are filled in for every finding by compare()
        base = {
            "person_key": s.person_key,
            "name": s.name,
            "id_number": s.id_number,
            "student_id": s.id,
            "scope": ctx.code,
            "grade": s.grade,
            "class_name": s.class_name,
        }
        policy_of = self.cat.policy_by_id
        paid = [(a, policy_of(a.policy_id)) for a in awards]
        if presence == "in" and enrolled_at and stage is not None:
            self._missed(s, stage, facts, paid, base)
        by_family: dict[str, list[tuple[AwardRec, PolicySpec]]] = {}
        for a, p in paid:
            by_family.setdefault(family_of(p), []).append((a, p))
            if presence == "left":
                self._after_leaving(s, a, p, base)
                continue
            self._paid(s, stage or s.stage, facts, a, p, base)
        for family, items in by_family.items():
            if len(items) > 1:
                self._double(s, family, items, base)

    def student_side(self, s: StudentRec, stage: str | None = None) -> dict[str, Any]:
        return side(
            f"学籍台账 {grade_label(s.grade, s.stage)}{s.class_name}",
            s.name,
            s.id_number,
            f"{STAGES.get(stage or s.stage, '')}，{'寄宿' if s.boarding else '走读'}",
            STATUS_NAMES[s.status]
            + (
                f"（{s.status_changed_on:%Y-%m-%d}）"
                if s.status_changed_on and s.status is not StudentStatus.ENROLLED
                else ""
            ),
            self.village_name(s),
        )

    def other_sides(self, s: StudentRec) -> list[dict[str, Any]]:
        """The person as the household ledger and the outside lists record them (by ID)."""
        recs: list[Rec] = [r for r in self.matching.by_id.get(s.id_number or "", ()) if r.source != "student"]
        return [rec_side(r) for r in recs[:6]]

    def award_json(self, a: AwardRec, p: PolicySpec) -> dict[str, Any]:
        return {
            "policy": p.code,
            "policy_name": p.name,
            "amount": str(a.amount),
            "paid_on": a.paid_on.isoformat() if a.paid_on else None,
            "batch": a.batch,
            "batch_id": a.batch_id,
            "file": a.batch_file,
            "text": self.award_text(a, p),
        }

    @staticmethod
    def award_text(a: AwardRec, p: PolicySpec) -> str:
        bits = [f"{a.paid_on:%Y-%m-%d}发放" if a.paid_on else None, f"批次 {a.batch}" if a.batch else None]
        bits.append(f"来自「{a.batch_file}」" if a.batch_file else None)
        extra = "，".join(b for b in bits if b)
        return f"{p.name} {format_amount(a.amount)} 元" + (f"（{extra}）" if extra else "")

    def _facts_json(self, facts: list[GroupFact]) -> list[dict[str, Any]]:
        return [fact_json(f, self.groups) for f in facts]

    def _typo_hint(self, s: StudentRec, p: PolicySpec) -> str:
        """Facts filed under an ID that may be a slip of this student's."""
        hints = []
        for other in sorted(self.matching.typo_links.get(s.id_number or "", ())):
            wanted = [f for f in self.facts_of(other) if f.group in p.eligible_groups and f.active]
            if wanted:
                hints.append(
                    f"疑似同一人的证件号 {mask_id(other)} 有记录：{'；'.join(f.describe(self.groups) for f in wanted)}"
                    "（见“证件号疑似抄错”）"
                )
        return ("；另：" + "；".join(hints)) if hints else ""

    def _missed(
        self,
        s: StudentRec,
        stage: str,
        facts: list[GroupFact],
        paid: list[tuple[AwardRec, PolicySpec]],
        base: dict[str, Any],
    ) -> None:
        ctx = self.ctx
        aided = {family_of(p) for _a, p in paid}
        done: set[str] = set()
        for p in self.fitting(stage, s.boarding):
            family = family_of(p)
            if family in done:
                continue
            e = eligible(p, StudentFacts(stage, s.boarding, True), facts, ctx.on_date, self.groups)
            if not e:
                continue
            done.add(family)
            prio = tuple(dict.fromkeys(f.group for f in e.basis if f.group in self.priority))
            self.coverage.append(
                CoverageItem(s.id, s.grade, stage, s.village_id, family, p.code, prio, family in aided)
            )
            if family in aided:
                continue
            std = p.standard_on(ctx.starts_on)
            basis = "；".join(f.describe(self.groups) for f in e.basis)
            self.findings.append(
                Finding(
                    kind="MISSED_AID",
                    what=family,
                    policy_code=p.code,
                    rank=1 if prio else 2,
                    detail=f"{who(s)[:-1]}符合{p.name}的条件："
                    f"{basis}；{ctx.label}没有发放（标准：{standard_text(std)}）",
                    evidence={
                        "left": self.student_side(s, stage),
                        "right": self.other_sides(s),
                        "facts": self._facts_json(list(e.basis)),
                        "awards": [self.award_json(a, q) for a, q in paid],
                        "columns": [
                            column("资助项目", p.name),
                            column(
                                "本学期标准", std.per_term() if std and std.per_term() else standard_text(std)
                            ),
                            column("依据（群体、来源、日期）", basis),
                        ],
                    },
                    **base,
                )
            )

    def _paid(
        self,
        s: StudentRec,
        stage: str,
        facts: list[GroupFact],
        a: AwardRec,
        p: PolicySpec,
        base: dict[str, Any],
    ) -> None:
        ctx = self.ctx
        e = eligible(p, StudentFacts(stage, s.boarding, True), facts, ctx.on_date, self.groups)
        std = p.standard_on(ctx.starts_on)
        fits = std is not None and amount_fits(std, Decimal(a.amount))
        if e.eligible and fits:
            return  # the common case: nothing to say, no words to make
        award = self.award_text(a, p)
        evidence_awards = [self.award_json(a, p)]
        if e.why in (Why.STAGE, Why.BOARDING):
            right = (
                [
                    q
                    for q in self.cat.family_members(p.family)
                    if q.fits_stage(stage) and q.fits_boarding(s.boarding)
                ]
                if p.family
                else []
            )
            should = ""
            if right:
                r = eligible(right[0], StudentFacts(stage, s.boarding, True), facts, ctx.on_date, self.groups)
                should = f"；按该生情况应为{right[0].name}" + (
                    "（该生符合条件）" if r else f"（但{r.reason}）"
                )
            self.findings.append(
                Finding(
                    kind="WRONG_VARIANT",
                    what=p.code,
                    policy_code=p.code,
                    rank=1,
                    detail=f"{who(s)}{ctx.label}发放{award}，但{e.reason}{should}",
                    evidence={
                        "left": self.student_side(s, stage),
                        "right": self.other_sides(s),
                        "awards": evidence_awards,
                        "facts": self._facts_json(facts),
                        "columns": [
                            column("发放项目", p.name),
                            column("金额", a.amount),
                            column(
                                "学段与住宿",
                                f"{STAGES.get(stage, stage)}，{'寄宿' if s.boarding else '走读'}",
                            ),
                            column("应为", right[0].name if right else "（无对应项目）"),
                            column("发放批次", a.batch or ""),
                        ],
                    },
                    **base,
                )
            )
        elif e.why in (Why.NO_GROUP, Why.INACTIVE):
            looked = [f for f in facts if f.known_on <= ctx.on_date]
            later = [f for f in facts if f.known_on > ctx.on_date and f.group in p.eligible_groups]
            note = (
                "；比对日期之后才记录：" + "；".join(f.describe(self.groups) for f in later) if later else ""
            )
            self.findings.append(
                Finding(
                    kind="UNSUPPORTED_AID",
                    what=p.code,
                    policy_code=p.code,
                    rank=1 if e.why is Why.INACTIVE else 2,
                    detail=f"{who(s)}{ctx.label}发放{award}，但{e.reason}{note}{self._typo_hint(s, p)}",
                    evidence={
                        "left": self.student_side(s, stage),
                        "right": self.other_sides(s),
                        "awards": evidence_awards,
                        "facts": self._facts_json(looked + later),
                        "columns": [
                            column("资助项目", p.name),
                            column("金额", a.amount),
                            column("发放批次", a.batch or ""),
                            column("导入文件", a.batch_file or ""),
                            column(
                                "记录的群体",
                                "；".join(fact_json(f, self.groups)["text"] for f in looked + later) or "无",
                            ),
                        ],
                    },
                    **base,
                )
            )
        if not fits:
            self.findings.append(
                Finding(
                    kind="AMOUNT_OFF_STANDARD",
                    what=p.code,
                    policy_code=p.code,
                    rank=2,
                    detail=f"{who(s)}{ctx.label}发放{award}，目录中该学期的标准为{standard_text(std)}",
                    evidence={
                        "left": self.student_side(s, stage),
                        "awards": evidence_awards,
                        "columns": [
                            column("资助项目", p.name),
                            column("发放金额", a.amount),
                            column("标准", standard_text(std)),
                            column("发放批次", a.batch or ""),
                        ],
                    },
                    **base,
                )
            )

    def _after_leaving(self, s: StudentRec, a: AwardRec, p: PolicySpec, base: dict[str, Any]) -> None:
        ctx = self.ctx
        when = f"于 {s.status_changed_on:%Y-%m-%d} " if s.status_changed_on else "（日期未登记）"
        note = f"（{s.status_note}）" if s.status_note else ""
        self.findings.append(
            Finding(
                kind="AID_AFTER_LEAVING",
                what=p.code,
                policy_code=p.code,
                rank=1,
                detail=f"{who(s)}已{when}{STATUS_NAMES[s.status]}{note}，在{ctx.label}开学（{ctx.starts_on:%Y-%m-%d}）之前，"
                f"仍发放{self.award_text(a, p)}",
                evidence={
                    "left": self.student_side(s),
                    "awards": [self.award_json(a, p)],
                    "columns": [
                        column("资助项目", p.name),
                        column("金额", a.amount),
                        column("学籍状态", STATUS_NAMES[s.status]),
                        column(
                            "变动日期", s.status_changed_on.isoformat() if s.status_changed_on else "未登记"
                        ),
                        column("去向或原因", s.status_note or ""),
                        column("发放批次", a.batch or ""),
                    ],
                },
                **base,
            )
        )

    def _double(
        self, s: StudentRec, family: str, items: list[tuple[AwardRec, PolicySpec]], base: dict[str, Any]
    ) -> None:
        fam = self.cat.families.get(family)
        name = fam.name if fam else items[0][1].name
        total = sum((Decimal(a.amount) for a, _ in items), Decimal(0))
        self.findings.append(
            Finding(
                kind="DOUBLE_AID",
                what=family,
                policy_code=items[0][1].code,
                rank=1,
                detail=f"{who(s)}{self.ctx.label}领取了{'、'.join(self.award_text(a, p) for a, p in items)}，"
                f"同属“{name}”，一学期只应享受一项",
                evidence={
                    "left": self.student_side(s),
                    "awards": [self.award_json(a, p) for a, p in items],
                    "columns": [
                        column("补助", name),
                        column(
                            "各项目及金额",
                            "；".join(f"{p.name} {format_amount(a.amount)} 元" for a, p in items),
                        ),
                        column("合计", total),
                        column("发放批次", "、".join(dict.fromkeys(a.batch or "" for a, _ in items))),
                    ],
                },
                **base,
            )
        )


def check_aid(
    src: Sources, catalogue: Catalogue, ctx: TermContext, matching: Matching
) -> tuple[list[Finding], list[CoverageItem]]:
    checker = AidChecker(src, catalogue, ctx, matching)
    checker.run()
    return checker.findings, checker.coverage
