"""Importing aid paid (资助发放名单): each row names a student of the ledger, a policy of the catalogue
(by its national name, a local short name or a code: 义务教育家庭经济困难学生生活补助, 一补, 营养餐 …) and
a term in either notation (2026-2027-1, 2026-2027学年第一学期, 2026年秋季学期).

Three steps, as the student import reads, then plans: a reader turns the cells of a row into an
`AwardLine`; a matcher finds the student, the one policy the name means for that student's stage and
boarding (`Catalogue.resolve`), the term and the amount (a blank amount takes the catalogue standard,
an absurd one is refused); a differ compares with the awards already recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aidoffice.catalogue import Catalogue, load_catalogue
from aidoffice.db.models import Award, Student
from aidoffice.db.models import Term as TermRow
from aidoffice.domain.grades import make_grade
from aidoffice.domain.idnumber import (
    id_from_student_no,
    is_first_generation,
    normalize_student_no,
    same_person_15_18,
)
from aidoffice.domain.money import InvalidAmount, format_amount, parse_amount
from aidoffice.domain.policies import PolicySpec
from aidoffice.domain.terms import InvalidTerm
from aidoffice.domain.terms import Term as TermValue
from aidoffice.domain.text import shorten
from aidoffice.errors import InputRefused
from aidoffice.importing.report import Action, ImportReport, Outcome, Repeats
from aidoffice.importing.rows import DataRow
from aidoffice.ledgers.school import ensure_term
from aidoffice.messages import (
    id_recovered_from_student_no,
    id_stored_as_number,
    id_upgraded_from_student_no,
)
from aidoffice.sheets.cleaning import CleaningError, parse_date, read_id_cell, text

# An amount above the policy's most for one term (its highest tier, or 130 school days) times this is
# refused as a slip of the pen (an extra 0, a year's amount for a term, 1e20).
CEILING_MARGIN = 2
_TERM_FORMS = "请写作 2026-2027-1 或 2026-2027学年第一学期"


@dataclass
class AwardLine:
    """What one row of an award list says, read but not yet matched."""

    outcome: Outcome
    id_number: str  # cleaned; "" when the row has none (or Excel destroyed it)
    student_no: str | None
    name: str
    policy: str  # as the row (or --policy) names it
    term: TermValue | None
    amount: Decimal | None  # None: blank, the catalogue standard applies
    paid_on: date | None
    batch: str | None
    mangled: bool  # the ID cell was a number Excel had cut
    id_shown: str  # the ID cell as the row shows it (1.30624E+17 when Excel cut it)
    place: tuple[str, str] = ("", "")  # 年级, 班级 as the row writes them (blank when the list has none)


@dataclass
class MatchedAward:
    line: AwardLine
    student_id: int
    student_name: str
    policy: PolicySpec
    policy_id: int
    term: TermValue
    amount: Decimal
    in_ledger_class: bool = False  # the row's 年级/班级 are the ledger's (the rule for a child listed twice)


@dataclass
class AwardsPlan:
    """What importing an award list writes."""

    new: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)  # award id → column → new value
    terms: set[str] = field(default_factory=set)


class _AwardReader:
    """Cells → AwardLine. A term or amount that cannot be read refuses the row here."""

    def __init__(self, report: ImportReport, default_term: TermValue | None, default_policy: str | None):
        self.report, self.default_term, self.default_policy = report, default_term, default_policy

    def read(self, row: DataRow) -> AwardLine | None:
        c, number, report = row.cells, row.number, self.report
        out = row.outcome()
        out.name = "".join(text(c.get("name")).split())
        report.outcomes.append(out)
        id_number, mangled = read_id_cell(c.get("id_number"))
        id_shown = id_number
        student_no = normalize_student_no(c.get("student_no")) or None
        needed = student_no and (mangled or not id_number or len(id_number) == 15)
        carried = id_from_student_no(student_no) if needed else None
        if mangled:
            if carried:
                report.warn(number, "身份证件号", id_recovered_from_student_no(id_number, carried))
            id_number = carried or ""
        elif carried and is_first_generation(id_number) and same_person_15_18(id_number, carried):
            report.warn(number, "身份证件号", id_upgraded_from_student_no(id_number, carried))
            id_number = carried
        out.key = id_number or student_no or ""
        term_text = text(c.get("term"))
        try:
            term = TermValue.parse(term_text) if term_text else self.default_term
        except InvalidTerm:
            out.refuse(f"学期“{shorten(term_text)}”无法识别，{_TERM_FORMS}")
            return None
        raw_amount = c.get("amount")
        amount = None
        if text(raw_amount):
            try:
                amount = parse_amount(raw_amount)
            except InvalidAmount:
                out.refuse(f"金额“{shorten(text(raw_amount))}”不是有效的金额，请填写如 625 或 312.50 的数字")
                return None
            if amount <= 0:
                out.refuse(f"金额应大于 0，而不是 {shorten(text(raw_amount))}")
                return None
        try:
            paid_on = parse_date(c.get("paid_on"))
        except CleaningError as exc:
            report.warn(number, "发放日期", f"{exc}，本项未导入")
            paid_on = None
        return AwardLine(
            outcome=out,
            id_number=id_number,
            student_no=student_no,
            name=out.name,
            policy=text(c.get("policy")) or self.default_policy or "",
            term=term,
            amount=amount,
            paid_on=paid_on,
            batch=text(c.get("batch")) or None,
            mangled=mangled,
            id_shown=id_shown,
            place=(text(c.get("grade")), text(c.get("class_name"))),
        )


class _AwardMatcher:
    """AwardLine → the ledger's student, the catalogue's policy for that student, the term, the amount."""

    def __init__(self, session: Session, catalogue: Catalogue, report: ImportReport):
        self.catalogue, self.report = catalogue, report
        self.by_id: dict[str, Any] = {}
        self.by_no: dict[str, Any] = {}
        for s in session.execute(
            select(
                Student.id,
                Student.name,
                Student.id_number,
                Student.student_no,
                Student.stage,
                Student.boarding,
                Student.grade,
                Student.class_name,
            )
        ):
            if s.id_number:
                self.by_id[s.id_number] = s
            if s.student_no:
                self.by_no[s.student_no] = s

    def match(self, line: AwardLine) -> MatchedAward | None:
        out = line.outcome
        student = self.by_id.get(line.id_number) or self.by_no.get(line.student_no or "")
        if student is None:
            if line.mangled and not line.id_number:
                out.refuse(id_stored_as_number(line.id_shown))
            elif is_first_generation(line.id_number):
                out.refuse(f"证件号“{line.id_number}”是第一代15位身份证号，请换成18位号码")
            elif not out.key:
                if not out.reasons:
                    out.refuse("没有证件号或学籍号，无法找到学生")
            else:
                out.refuse(
                    f"学籍台账中没有证件号（或学籍号）为 {shorten(out.key)} 的学生，请先导入学籍或核对号码"
                )
            return None
        if out.action is Action.REFUSED:
            return None
        if line.name and line.name != student.name:
            self.report.warn(
                out.row, "姓名", f"名单写“{shorten(line.name)}”，学籍台账中此证件号的学生是“{student.name}”"
            )
        if not line.policy:
            out.refuse("资助项目为空")
            return None
        pol = self.catalogue.resolve(line.policy, student.stage, student.boarding)
        if not isinstance(pol, PolicySpec):
            out.refuse(policy_problem(line.policy, pol, self.catalogue))
            return None
        if line.term is None:
            out.refuse("学年学期为空")
            return None
        standard = pol.standard_on(line.term.starts_on)
        amount = line.amount
        if amount is None:
            amount = standard.per_term() if standard else None
            if amount is None:
                out.refuse("金额为空，且资助项目没有统一标准可用，请填写金额")
                return None
            self.report.warn(out.row, "金额", f"金额为空，按{pol.name}标准记为 {format_amount(amount)} 元")
        ceiling = standard.ceiling() if standard else None
        if ceiling is not None and amount > ceiling * CEILING_MARGIN:
            out.refuse(
                f"金额 {format_amount(amount)} 元超过{pol.name}在 {line.term.code} 每学期最高标准 "
                f"{format_amount(ceiling)} 元的 {CEILING_MARGIN} 倍，请核对（是否多写了 0，或写成了别的项目的金额）"
            )
            return None
        grade, class_name = line.place
        in_class = bool(class_name) and class_name == student.class_name
        if in_class and grade and student.grade is not None:
            in_class = grade in (
                make_grade(student.grade, student.stage == "vocational").name,
                str(student.grade),
            )
        return MatchedAward(
            line,
            student.id,
            student.name,
            pol,
            self.catalogue.policy_ids[pol.code],
            line.term,
            amount,
            in_class,
        )


class _AwardDiffer:
    """MatchedAward → new, changed or unchanged against the awards already recorded; a student aided
    twice for one policy in one term within the file is kept once (the shared rule of `Repeats`)."""

    def __init__(self, session: Session, report: ImportReport):
        self.report = report
        self.existing: dict[tuple[int, int, str], tuple[int, Decimal, date | None, str | None]] = {}
        for a_id, sid, pid, code, amount, paid_on, batch in session.execute(
            select(
                Award.id,
                Award.student_id,
                Award.policy_id,
                TermRow.code,
                Award.amount,
                Award.paid_on,
                Award.batch,
            ).join(TermRow, Award.term_id == TermRow.id)
        ):
            self.existing[(sid, pid, code)] = (a_id, amount, paid_on, batch)

    def diff(self, matched: Iterable[MatchedAward]) -> AwardsPlan:
        plan = AwardsPlan()
        repeats: Repeats[MatchedAward] = Repeats("学生", reasons=("与台账中的班级相符",))
        for m in matched:
            key = (m.student_id, m.policy_id, m.term.code)
            shown = f"{m.student_name}的“{m.policy.name}”（{m.term.code}）"
            repeats.add(key, m.line.outcome, m, matches=(m.in_ledger_class,), shown=shown)
        # the same child twice for one project in one term: one row is kept, naming every row
        for m in repeats.settle(self.report, "资助项目"):
            out, line = m.line.outcome, m.line
            if out.action is Action.REFUSED:
                continue
            out.changes = [f"{m.policy.name} {m.term.code} {format_amount(m.amount)} 元"]
            old = self.existing.get((m.student_id, m.policy_id, m.term.code))
            if old is None:
                plan.new.append(
                    {"student_id": m.student_id, "policy_id": m.policy_id, "term": m.term.code,
                     "amount": m.amount, "paid_on": line.paid_on, "batch": line.batch}
                )  # fmt: skip
                plan.terms.add(m.term.code)
                continue
            a_id, old_amount, old_paid, old_batch = old
            change: dict[str, Any] = {}
            if Decimal(old_amount) != m.amount:
                change["amount"] = m.amount
            if line.paid_on and line.paid_on != old_paid:
                change["paid_on"] = line.paid_on
            if line.batch and line.batch != old_batch:
                change["batch"] = line.batch
            if not change:
                out.action = Action.UNCHANGED
                continue
            out.action = Action.UPDATED
            out.changes = []
            if "amount" in change:
                out.changes.append(f"金额：{format_amount(Decimal(old_amount))} → {format_amount(m.amount)}")
            if "paid_on" in change:
                out.changes.append(f"发放日期：{old_paid or '空'} → {line.paid_on}")
            if "batch" in change:
                out.changes.append(f"批次：{old_batch or '空'} → {line.batch}")
            plan.updates[a_id] = change
        return plan


def plan_awards(
    session: Session,
    report: ImportReport,
    rows: Iterable[DataRow],
    *,
    term: str | None,
    policy: str | None,
    today: date,
) -> None:
    fields = report.layout.fields
    default_term = None
    if term:
        try:
            default_term = TermValue.parse(term)
        except InvalidTerm:
            raise InputRefused(f"学期“{shorten(term)}”无法识别，{_TERM_FORMS}。") from None
    elif "term" not in fields:
        default_term = TermValue.containing(today)
        report.notes.append(f"文件中没有“学年学期”列，按当前学期 {default_term.code} 导入")
    catalogue = load_catalogue(session)
    if policy:
        if not catalogue.find(policy):
            raise InputRefused(policy_problem(policy, [], catalogue))
    elif "policy" not in fields:
        raise InputRefused(
            "文件中没有“资助项目”列，无法知道发放的是哪一项资助。请加上这一列，或在“资助项目”中选择。",
            cli_hint="命令行用 --policy 指定资助项目。",
            file=report.file,
            sheet=report.sheet,
        )
    reader = _AwardReader(report, default_term, policy)
    matcher = _AwardMatcher(session, catalogue, report)
    lines = (reader.read(r) for r in rows)
    matched = (m for line in lines if line is not None and (m := matcher.match(line)) is not None)
    report.plan = _AwardDiffer(session, report).diff(matched)


def policy_problem(value: str, candidates: list[PolicySpec], catalogue: Catalogue) -> str:
    if candidates:
        return f"资助项目“{shorten(value)}”可能是：{'、'.join(p.name for p in candidates)}，请写出完整名称"
    names = "、".join(p.name for p in catalogue.policies.values())
    return f"资助项目“{shorten(value)}”不在资助项目目录中。目录中的项目有：{names}"


def apply_awards(session: Session, report: ImportReport[AwardsPlan], batch_id: int | None) -> None:
    plan = report.plan
    assert plan is not None
    term_ids = {code: ensure_term(session, TermValue.parse(code)).id for code in sorted(plan.terms)}
    if plan.new:
        session.execute(
            insert(Award),
            [
                {"student_id": n["student_id"], "policy_id": n["policy_id"], "term_id": term_ids[n["term"]],
                 "amount": n["amount"], "paid_on": n["paid_on"], "batch": n["batch"], "batch_id": batch_id}
                for n in plan.new
            ],
        )  # fmt: skip
    for a_id, change in plan.updates.items():
        award = session.get(Award, a_id)
        assert award is not None
        for k, v in change.items():
            setattr(award, k, v)
    session.flush()
