"""The term's aid roster (发放名单/花名册): proposed from the one eligibility rule, reviewed by the clerk,
confirmed into the term's awards, and written into the county's template (or the standard workbook).

- `propose()`: the eligible students of a policy or a policy family for a term — priority groups first
  and in full, then the assessed levels (特别困难 > 比较困难 > 一般困难), within a quota when given — with
  the catalogue's amount for the term; awards already recorded for the term (an imported list, an
  earlier confirmation) join the proposal as they are, so both ways in meet in the `award` table.
- `Review` edits: add, remove with a reason, change the amount with a reason.
- `confirm()`: the reviewed lines become the term's awards, in one audited batch (`Award.batch_id`).
- `export_roster()` (in `exporting.roster_export`): fills the template (`aidoffice.exporting.template`) after the checks
  (`aidoffice.exporting.checks`), and records who exported full ID and account numbers, and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require, require_student, scope_students
from aidoffice.catalogue import Catalogue, load_catalogue
from aidoffice.db.audit import record, start_batch
from aidoffice.db.models import RECOVERY_STATUS_NAMES, Award, Recovery, School, Student, StudentStatus
from aidoffice.db.models import Term as TermRow
from aidoffice.domain.grades import STAGES, make_grade
from aidoffice.domain.idnumber import normalize_id, normalize_student_no
from aidoffice.domain.money import InvalidAmount, format_amount, parse_amount
from aidoffice.domain.policies import PolicySpec, StudentFacts, eligible
from aidoffice.domain.terms import InvalidTerm
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import InputRefused
from aidoffice.ledgers.groups import group_facts
from aidoffice.ledgers.school import ensure_term
from aidoffice.privacy import mask_id
from aidoffice.progress import Progress, no_progress

LEVELS = ("hardship_special", "hardship_relative", "hardship_general")  # 特别困难 > 比较困难 > 一般困难
RANK_PRIORITY, RANK_UNIVERSAL, RANK_RECORDED = 0, 4, 5
RANK_NAMES = {0: "重点群体", 1: "特别困难", 2: "比较困难", 3: "一般困难", 4: "全体", 5: "已记录"}
# a roster with any of these columns is a payment roster with full numbers: it needs export.full_ids
FULL_NUMBER_FIELDS = frozenset({"id_number", "student_no", "bank_account"})


@dataclass
class RosterLine:
    """One student on the roster, with everything a template column may ask for."""

    student_id: int
    person_key: str
    name: str
    sex: str | None
    id_number: str | None
    student_no: str | None
    birth_date: date | None
    ethnicity: str | None
    stage: str
    grade: int
    class_name: str
    boarding: bool
    enrolled: bool
    status: str
    guardian_name: str | None
    guardian_relation: str | None
    guardian_phone: str | None
    bank_name: str | None
    bank_account: str | None
    hukou_address: str | None
    current_address: str | None
    hukou_township: str | None
    hukou_village: str | None
    policy_code: str
    policy_name: str
    standard: Decimal | None
    amount: Decimal
    rank: int
    category: str = ""  # the groups that qualify, or the assessed level
    level: str | None = None  # 特别困难 / 比较困难 / 一般困难 when assessed
    assessed_on: date | None = None
    groups: frozenset[str] = frozenset()
    basis: str = ""  # why eligible, in words
    eligible: bool = True
    included: bool = True
    over_quota: bool = False
    source: str = "proposed"  # proposed / recorded (an award of the term) / added
    award_id: int | None = None
    recorded_amount: Decimal | None = None
    note: str | None = None  # why the amount differs / why added (kept on the award)
    removed_reason: str | None = None
    recovery_id: int | None = None  # the paid award is being taken back (收回): off the roster for good
    recovery_status: str | None = None  # pending / done
    order: tuple = ()  # the class-roll order (grade, class, name) the ledger sorts by

    @property
    def grade_name(self) -> str:
        try:
            return make_grade(self.grade, self.stage == "vocational").name
        except Exception:  # a grade outside the known names: show the number
            return str(self.grade)

    @property
    def shown_id(self) -> str:
        return mask_id(self.id_number or self.student_no or "")


@dataclass
class RosterProposal:
    query: str
    term: TermValue
    policies: list[PolicySpec]
    lines: list[RosterLine]
    on_date: date
    quota: int | None = None
    days: int | None = None
    notes: list[str] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)  # the review, for the audit trail
    not_recorded: list[RosterLine] = field(default_factory=list)  # recorded_roster: whom the rule adds

    @property
    def included(self) -> list[RosterLine]:
        return [line for line in self.lines if line.included]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.included), Decimal(0))

    @property
    def title(self) -> str:
        if len(self.policies) == 1:
            return self.policies[0].name
        fam = self.policies[0].family if self.policies else None
        return self.family_name or (fam or self.query)

    family_name: str | None = None

    def summary(self) -> dict[str, Any]:
        by_rank: dict[str, int] = {}
        for line in self.included:
            by_rank[RANK_NAMES[line.rank]] = by_rank.get(RANK_NAMES[line.rank], 0) + 1
        return {
            "policy": self.title,
            "term": self.term.code,
            "proposed": sum(
                1 for x in self.lines if x.eligible and x.source != "added"
            ),  # the rule finds them
            "recorded": sum(1 for x in self.lines if x.award_id is not None),
            "included": len(self.included),
            "over_quota": sum(1 for x in self.lines if x.over_quota),
            "removed": sum(1 for x in self.lines if x.removed_reason),
            "recoveries": sum(1 for x in self.lines if x.recovery_id is not None),
            "by_rank": by_rank,
            "total": str(self.total),
            "not_recorded": len(self.not_recorded),
        }


# ---- resolving what the user typed ------------------------------------------------------------------


def resolve_policies(catalogue: Catalogue, name: str) -> tuple[list[PolicySpec], str | None]:
    """The policies a --policy value means (a code, a name, an alias or a family), and the family's name."""
    found = catalogue.find(name)
    if not found:
        names = "、".join(
            [f.name for f in catalogue.families.values()] + [p.name for p in catalogue.policies.values()]
        )
        raise InputRefused(
            f"资助项目“{name}”不在资助项目目录中。可以写项目的名称、简称、代码或项目族：{names}。"
        )
    families = {p.family for p in found}
    fam = None
    if len(found) > 1 and len(families) == 1 and None not in families:
        fam = catalogue.families[next(iter(families))].name  # type: ignore[index]
    elif len(found) > 1:
        # several unrelated policies share the name (免学费): one roster is for one programme
        raise InputRefused(
            f"“{name}”可能是：{'、'.join(p.name for p in found)}。请写出完整名称或代码，一份花名册只放一个资助项目。"
        )
    return found, fam


def parse_term(text: str) -> TermValue:
    try:
        return TermValue.parse(text)
    except InvalidTerm:
        raise InputRefused(f"学期“{text}”无法识别，请写作 2026-2027-1 或 2026-2027学年第一学期。") from None


def _on_date(term: TermValue, today: date) -> date:
    """Facts known on this day decide eligibility: today while the term runs, else its first or last day."""
    if today < term.starts_on:
        return term.starts_on
    if today > term.ends_on:
        return term.ends_on
    return today


def school_days_setting(school: School | None, term: TermValue) -> int | None:
    """The office's setting `school_days`: a number, or {"2026-2027-1": 95, …}."""
    value = (school.settings or {}).get("school_days") if school else None
    if isinstance(value, dict):
        value = value.get(term.code)
    return int(value) if isinstance(value, int | float | str) and str(value).isdigit() else None


def standard_amount(policy: PolicySpec, term: TermValue, rank: int, days: int | None) -> Decimal | None:
    """The standard of one term's payment: half the annual amount (or as the catalogue says), a tier by
    the student's place in the priority order, or per school day × days."""
    spec = policy.standard_on(term.starts_on)
    if spec is None:
        return None
    if spec.kind == "waiver":
        return Decimal("0.00")
    if spec.kind == "per_day":
        if days is None or spec.per_day is None:
            return None
        return (spec.per_day * days).quantize(Decimal("0.01"))
    if spec.kind == "tiered" and spec.tiers:
        # a default the clerk may change in review: priority groups and 特别困难 the first tier, …
        index = min(max(rank, 1) - 1, len(spec.tiers) - 1) if rank < RANK_UNIVERSAL else None
        if index is not None:
            return spec.per_term(spec.tiers[index][0])
    return spec.per_term()


# ---- proposing -------------------------------------------------------------------------------------


def _line(s: Student, policy: PolicySpec, standard: Decimal | None, rank: int) -> RosterLine:
    return RosterLine(
        student_id=s.id,
        person_key=s.person_key,
        name=s.name,
        sex=s.sex,
        id_number=s.id_number,
        student_no=s.student_no,
        birth_date=s.birth_date,
        ethnicity=s.ethnicity,
        stage=s.stage,
        grade=s.grade,
        class_name=s.class_name,
        boarding=bool(s.boarding),
        enrolled=s.status == StudentStatus.ENROLLED,
        status=s.status.value if s.status else "",
        guardian_name=s.guardian_name,
        guardian_relation=s.guardian_relation,
        guardian_phone=s.guardian_phone,
        bank_name=s.bank_name,
        bank_account=s.bank_account,
        hukou_address=s.hukou_address,
        current_address=s.current_address,
        hukou_township=s.hukou_township,
        hukou_village=s.hukou_village,
        policy_code=policy.code,
        policy_name=policy.name,
        standard=standard,
        amount=standard if standard is not None else Decimal("0.00"),
        rank=rank,
        order=(s.grade, len(s.class_name or ""), s.class_name or "", s.name_sort or "", s.id),
    )


def _fitting(policies: Sequence[PolicySpec], stage: str, boarding: bool) -> PolicySpec | None:
    for p in policies:
        if p.fits_stage(stage) and p.fits_boarding(bool(boarding)):
            return p
    return None


def _describe_groups(cat: Catalogue, groups: Iterable[str]) -> tuple[str, str | None, int]:
    """(category words, assessed level, rank) of the qualifying groups."""
    groups = list(dict.fromkeys(groups))
    priority = [g for g in groups if g in cat.priority_groups]
    levels = [g for g in LEVELS if g in groups]
    level = cat.groups[levels[0]].name if levels and levels[0] in cat.groups else None
    if priority:
        return "、".join(cat.groups[g].name for g in priority), level, RANK_PRIORITY
    if levels:
        return level or "", level, 1 + LEVELS.index(levels[0])
    return "", None, RANK_UNIVERSAL


def propose(
    session: Session,
    policy: str,
    term: str | TermValue,
    *,
    quota: int | None = None,
    days: int | None = None,
    today: date | None = None,
    progress: Progress = no_progress,
) -> RosterProposal:
    """The roster as the rules propose it, with the term's recorded awards for these policies joined in."""
    require(session, "export.roster")
    today = today or clock.today()
    cat = load_catalogue(session)
    policies, family_name = resolve_policies(cat, policy)
    term_value = term if isinstance(term, TermValue) else parse_term(term)
    school = session.scalars(select(School).order_by(School.id).limit(1)).first()
    if any(
        p.standard_on(term_value.starts_on) and p.standard_on(term_value.starts_on).kind == "per_day"
        for p in policies
    ):  # type: ignore[union-attr]
        days = days if days is not None else school_days_setting(school, term_value)
        if days is None:
            raise InputRefused(
                f"{policies[0].name}按在校天数计算，请给出本学期的在校天数（命令行用 --days，如 --days 95；"
                "也可在设置中填写 school_days）。"
            )
        if not 1 <= days <= 200:
            raise InputRefused(f"在校天数应在 1—200 之间，而不是 {days}。")
    if quota is not None and quota < 0:
        raise InputRefused("名额（--quota）不能是负数。")
    on_date = _on_date(term_value, today)
    stages = {s for p in policies for s in (("primary", "junior") if p.stage == "compulsory" else (p.stage,))}
    students = list(
        session.scalars(
            scope_students(  # an office that lets head teachers make rosters: their own classes
                session,
                select(Student)
                .where(Student.stage.in_(stages), Student.status == StudentStatus.ENROLLED)
                .order_by(Student.grade, Student.class_name, Student.name_sort, Student.id),
            )
        )
    )
    progress(0, len(students), "按资格规则提出名单")
    facts = group_facts(session, [s.person_key for s in students])
    lines: list[RosterLine] = []
    for s in students:
        p = _fitting(policies, s.stage, s.boarding)
        if p is None:
            continue
        el = eligible(
            p, StudentFacts(s.stage, bool(s.boarding), True), facts.get(s.person_key, ()), on_date, cat.groups
        )
        if not el:
            continue
        category, level, rank = _describe_groups(cat, (f.group for f in el.basis))
        line = _line(s, p, standard_amount(p, term_value, rank, days), rank)
        line.category, line.level, line.basis = category, level, el.reason
        line.groups = frozenset(
            f.group for f in facts.get(s.person_key, ()) if f.active and f.known_on <= on_date
        )
        dates = [f.known_on for f in el.basis if f.group in LEVELS]
        line.assessed_on = max(dates) if dates else None
        lines.append(line)
    lines.sort(key=lambda x: x.rank)  # stable: grade, class and name order within each rank
    proposal = RosterProposal(
        policy, term_value, policies, lines, on_date, quota, days, family_name=family_name
    )
    _join_recorded(session, cat, proposal, facts, days)
    sort_lines(proposal)
    if quota is not None:
        _apply_quota(proposal, quota)
    progress(len(students), len(students), "完成")
    return proposal


def _join_recorded(
    session: Session, cat: Catalogue, proposal: RosterProposal, facts: Mapping[str, Any], days: int | None
) -> None:
    """Awards already recorded for the term (imported, or confirmed before) join the proposal as they are."""
    ids = [cat.policy_ids[p.code] for p in proposal.policies if p.code in cat.policy_ids]
    rows = session.execute(
        scope_students(
            session,
            select(Award, Student)
            .join(Student, Award.student_id == Student.id)
            .join(TermRow, Award.term_id == TermRow.id)
            .where(Award.policy_id.in_(ids), TermRow.code == proposal.term.code),
        )
    ).all()
    by_student = {line.student_id: line for line in proposal.lines}
    extra_keys = [s.person_key for _a, s in rows if s.id not in by_student]
    more = group_facts(session, extra_keys) if extra_keys else {}
    recoveries = (
        {
            award_id: (rid, status, reason)
            for rid, award_id, status, reason in session.execute(
                select(Recovery.id, Recovery.award_id, Recovery.status, Recovery.reason).where(
                    Recovery.award_id.in_([a.id for a, _s in rows])
                )
            )
        }
        if rows
        else {}
    )
    for award, s in rows:
        line = by_student.get(s.id)
        if line is None:
            p = cat.policy_by_id(award.policy_id)
            category, level, rank = _describe_groups(
                cat,
                (f.group for f in more.get(s.person_key, ()) if f.active and f.group in p.eligible_groups),
            )
            line = _line(s, p, standard_amount(p, proposal.term, rank, days), RANK_RECORDED)
            line.category, line.level = category, level
            line.eligible = False
            line.basis = "已记录的发放，但按资格规则不在名单中"
            proposal.lines.append(line)
            by_student[s.id] = line
        line.source = "recorded"
        line.award_id = award.id
        line.amount = line.recorded_amount = Decimal(award.amount).quantize(Decimal("0.01"))
        line.note = award.note
        if award.id in recoveries:  # taken off by an earlier review: stays off, the money comes back
            rid, status, reason = recoveries[award.id]
            line.source, line.included, line.over_quota = "recovery", False, False
            line.recovery_id, line.recovery_status = rid, status.value
            line.removed_reason = f"收回（{RECOVERY_STATUS_NAMES[status]}）：{reason}"[:200]


def _apply_quota(proposal: RosterProposal, quota: int) -> None:
    """Priority groups are in full (应助尽助) even past the quota; the rest in order until it is met."""
    taken = 0
    priority = 0
    for line in proposal.lines:
        if line.recovery_id is not None:
            continue
        if line.rank == RANK_PRIORITY or line.award_id is not None:
            taken += 1
            priority += line.rank == RANK_PRIORITY
            continue
        if taken < quota:
            taken += 1
        else:
            line.included, line.over_quota = False, True
            line.removed_reason = None
    if priority > quota:
        proposal.notes.append(
            f"名额 {quota} 人，少于重点群体学生 {priority} 人；重点群体应助尽助，已全部列入（共 {taken} 人）。"
        )
    over = sum(1 for x in proposal.lines if x.over_quota)
    if over:
        proposal.notes.append(f"另有 {over} 名符合条件的学生超出名额，未列入（可在审核时调整）。")


# ---- reviewing -------------------------------------------------------------------------------------


def sort_lines(proposal: RosterProposal) -> None:
    """Priority first, then each rank in grade/class order: rows kept outside the rules (an award already
    recorded, a student added with a reason) take their class's place, not the bottom of the list."""
    proposal.lines.sort(key=lambda line: (line.rank, line.order))


def shown_rows(proposal: RosterProposal) -> dict[int, int]:
    """student id → the row number the review table shows at its left (1 = first line)."""
    return {line.student_id: i for i, line in enumerate(proposal.lines, start=1)}


def find_line(proposal: RosterProposal, key: str) -> RosterLine | None:
    """A line by ID number, 学籍号 or a name that is unique on the roster."""
    k = normalize_id(key)
    no = normalize_student_no(key)
    for line in proposal.lines:
        if (k and (line.id_number == k or line.person_key == k)) or (no and line.student_no == no):
            return line
    named = [line for line in proposal.lines if line.name == key.strip()]
    return named[0] if len(named) == 1 else None


def remove(proposal: RosterProposal, key: str, reason: str) -> RosterLine:
    if not reason.strip():
        raise InputRefused(f"从名单中去掉“{key}”需要写明原因（如 --remove {key}=已转学）。")
    line = find_line(proposal, key)
    if line is None:
        raise InputRefused(f"名单中没有“{key}”（按证件号、学籍号或姓名查找）。")
    if line.recovery_id is not None:
        raise InputRefused(f"{line.name}的{line.policy_name}已登记收回，不在名单中。")
    line.included, line.removed_reason, line.over_quota = False, reason.strip()[:200], False
    proposal.log.append(
        {"action": "remove", "student_id": line.student_id, "name": line.name, "reason": reason}
    )
    return line


def change_amount(proposal: RosterProposal, key: str, amount: str | Decimal, reason: str) -> RosterLine:
    line = find_line(proposal, key)
    if line is None:
        raise InputRefused(f"名单中没有“{key}”（按证件号、学籍号或姓名查找）。")
    if line.recovery_id is not None:
        raise InputRefused(f"{line.name}的{line.policy_name}已登记收回，不能改金额。")
    try:
        value = parse_amount(amount)
    except InvalidAmount:
        raise InputRefused(f"金额“{amount}”不是有效的数字。") from None
    if value <= 0:
        raise InputRefused(f"金额应大于 0，而不是 {amount}；不发放请用“去掉”并写明原因。")
    if not reason.strip():
        raise InputRefused(f"改动“{line.name}”的金额需要写明原因（如 --amount {key}={value}:按县通知调整）。")
    old = line.amount
    line.amount, line.note, line.included = value, reason.strip()[:200], True
    proposal.log.append(
        {"action": "amount", "student_id": line.student_id, "name": line.name, "from": str(old), "to": str(value),
         "reason": reason}
    )  # fmt: skip
    return line


def add(session: Session, proposal: RosterProposal, key: str, reason: str = "") -> RosterLine:
    """Put a student on the roster: one proposed but left out (over the quota, removed), or any student
    of the ledger (who, when the rule does not find them eligible, needs a reason)."""
    line = find_line(proposal, key)
    if line is not None and line.recovery_id is not None:
        raise InputRefused(
            f"{line.name}本学期的{line.policy_name}已登记收回（{line.removed_reason}），不能再列入名单；"
            "如收回登记有误，请联系管理员核实。"
        )
    if line is not None:
        line.included, line.over_quota, line.removed_reason = True, False, None
        if reason:
            line.note = reason.strip()[:200]
        proposal.log.append(
            {"action": "add", "student_id": line.student_id, "name": line.name, "reason": reason}
        )
        return line
    k, no = normalize_id(key), normalize_student_no(key)
    s = session.scalars(
        select(Student).where(
            (Student.id_number == k) | (Student.person_key == k) | (Student.student_no == no)
        )
    ).first()
    if s is None:
        raise InputRefused(f"学籍台账中没有证件号（或学籍号）为 {mask_id(k)} 的学生，无法加入名单。")
    require_student(session, "export.roster", s)
    cat = load_catalogue(session)
    p = _fitting(proposal.policies, s.stage, bool(s.boarding))
    if p is None:
        raise InputRefused(
            f"{s.name}（{STAGES.get(s.stage, s.stage)}{'寄宿生' if s.boarding else '走读生'}）不适用{proposal.title}的任何一项。"
        )
    facts = group_facts(session, [s.person_key]).get(s.person_key, [])
    el = eligible(
        p,
        StudentFacts(s.stage, bool(s.boarding), s.status == StudentStatus.ENROLLED),
        facts,
        proposal.on_date,
        cat.groups,
    )
    category, level, rank = _describe_groups(cat, (f.group for f in el.basis) if el else ())
    if not el and not reason.strip():
        raise InputRefused(
            f"{s.name}按资格规则不能享受{p.name}（{el.reason}）。如确需加入，请写明原因（--add {key}=原因），会记入留痕。"
        )
    line = _line(s, p, standard_amount(p, proposal.term, rank, proposal.days), rank if el else RANK_RECORDED)
    line.category, line.level, line.basis, line.eligible = category, level, el.reason, bool(el)
    line.source, line.note = "added", (reason.strip()[:200] or None)
    proposal.lines.append(line)
    sort_lines(proposal)
    proposal.log.append(
        {"action": "add", "student_id": s.id, "name": s.name, "reason": reason, "eligible": bool(el)}
    )
    return line


# ---- confirming ------------------------------------------------------------------------------------


@dataclass
class ConfirmResult:
    batch_id: int
    created: int
    updated: int
    deleted: int  # unpaid awards of an earlier confirmation taken off (a plan, never money)
    recovered: int = 0  # paid awards taken off: kept, with a recovery (收回) to be done


def confirm(session: Session, proposal: RosterProposal, note: str | None = None) -> ConfirmResult:
    """The reviewed roster becomes the term's awards: new ones carry the batch, changed amounts and
    removals are audited with their reasons. A paid award taken off is never deleted: it gets a
    recovery (收回) to be done (aidoffice.exporting.recoveries); an unpaid one of an earlier
    confirmation is deleted."""
    from aidoffice.exporting.recoveries import is_paid, record_recovery

    require(session, "awards.confirm")
    cat = load_catalogue(session)
    label = f"{proposal.title} {proposal.term.code} 花名册确认"
    batch = start_batch(session, "roster", note=(note or label)[:200])
    term_row = ensure_term(session, proposal.term)
    created = updated = deleted = recovered = 0
    saved_note = session.info.get("audit_note")
    try:
        for line in proposal.lines:
            if line.award_id is None:
                continue
            award = session.get(Award, line.award_id)
            if award is None or line.recovery_id is not None:
                continue
            if not line.included:
                why = line.removed_reason or "超出名额"
                if is_paid(session, award):
                    session.info["audit_note"] = f"花名册审核去掉已发放的资助，登记收回：{why}"[:200]
                    rec = record_recovery(session, award, why, batch_id=batch.id)
                    line.recovery_id, line.recovery_status, line.source = rec.id, rec.status.value, "recovery"
                    recovered += 1
                    continue
                session.info["audit_note"] = f"花名册审核去掉：{why}"[:200]
                session.delete(award)
                session.flush()
                deleted += 1
            elif line.recorded_amount is not None and line.amount != line.recorded_amount:
                session.info["audit_note"] = f"花名册审核改金额：{line.note or ''}"[:200]
                award.amount, award.note = line.amount, line.note
                session.flush()
                updated += 1
        session.info["audit_note"] = label
        new = [
            Award(
                student_id=line.student_id,
                policy_id=cat.policy_ids[line.policy_code],
                term_id=term_row.id,
                amount=line.amount,
                batch_id=batch.id,
                note=line.note,
            )
            for line in proposal.lines
            if line.included and line.award_id is None
        ]
        session.add_all(new)
        session.flush()
        created = len(new)
        for line, award in zip(
            [x for x in proposal.lines if x.included and x.award_id is None], new, strict=True
        ):
            line.award_id, line.recorded_amount, line.source = award.id, line.amount, "recorded"
        batch.rows = created
        record(
            session,
            "confirm",
            "award",
            f"{label}：{len(proposal.included)} 人，合计 {format_amount(proposal.total)} 元",
            {"created": created, "updated": updated, "deleted": deleted, "recovered": recovered,
             "review": proposal.log,
             "left_out": [{"student_id": x.student_id, "name": x.name, "reason": x.removed_reason or "超出名额"}
                          for x in proposal.lines if not x.included]},
        )  # fmt: skip
        session.flush()
    finally:
        session.info["audit_note"] = saved_note
    return ConfirmResult(batch.id, created, updated, deleted, recovered)


def recorded_roster(
    session: Session, policy: str, term: str | TermValue, *, today: date | None = None
) -> RosterProposal:
    """The term's awards for the policy as they are recorded (what an export without review writes)."""
    require(session, "export.roster")
    today = today or clock.today()
    cat = load_catalogue(session)
    policies, family_name = resolve_policies(cat, policy)
    term_value = term if isinstance(term, TermValue) else parse_term(term)
    proposal = RosterProposal(
        policy, term_value, policies, [], _on_date(term_value, today), family_name=family_name
    )
    school = session.scalars(select(School).order_by(School.id).limit(1)).first()
    days = school_days_setting(school, term_value)
    _join_recorded(session, cat, proposal, {}, days)
    # the recorded ones carry the categories the rule sees today
    keys = [line.person_key for line in proposal.lines]
    facts = group_facts(session, keys)
    for line in proposal.lines:
        p = cat.policies[line.policy_code]
        el = eligible(p, StudentFacts(line.stage, line.boarding, line.enrolled), facts.get(line.person_key, ()),
                      proposal.on_date, cat.groups)  # fmt: skip
        category, level, rank = _describe_groups(cat, (f.group for f in el.basis) if el else ())
        line.eligible, line.basis = bool(el), el.reason
        line.groups = frozenset(
            f.group for f in facts.get(line.person_key, ()) if f.active and f.known_on <= proposal.on_date
        )
        line.category, line.level, line.rank = category or line.category, level, rank if el else RANK_RECORDED
        line.standard = standard_amount(p, term_value, line.rank, days)
    proposal.lines.sort(key=lambda x: (x.rank, x.grade, x.class_name, x.name))
    # exported without review, the file holds what was paid: say whom the rule would add, or they
    # would silently miss the county's roster (the comparison lists them as 漏助 too)
    ahead = propose(session, policy, term_value, days=days, today=today)
    missing = [line for line in ahead.included if line.award_id is None]
    proposal.not_recorded = missing
    if missing:
        names = "、".join(f"{x.name}（{x.grade_name}{x.class_name}）" for x in missing[:20])
        more = f"等 {len(missing)} 人" if len(missing) > 20 else f"共 {len(missing)} 人"
        proposal.notes.append(
            f"按资格规则应列入、但本学期没有发放记录的学生没有写入本表：{names}，{more}"
            f"（合计 {format_amount(sum((x.amount for x in missing), Decimal(0)))} 元）。要列入，请先预览名单（--dry-run），"
            "审核后加 --confirm 确认再导出。"
        )
    return proposal
