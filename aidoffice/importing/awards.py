"""Importing aid paid (资助发放名单): each row names a student of the ledger, a policy of the catalogue
(by name, short name or code) and a term in either notation (2026-2027-1, 2026-2027学年第一学期,
2026年秋季学期). A missing amount is taken from the catalogue standard in force that term."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aidoffice.catalogue import Catalogue, load_catalogue
from aidoffice.db.models import Award, Student
from aidoffice.db.models import Term as TermRow
from aidoffice.domain.idnumber import id_from_student_no, normalize_student_no
from aidoffice.domain.money import format_amount, parse_amount
from aidoffice.domain.policies import PolicySpec
from aidoffice.domain.terms import InvalidTerm
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import InputRefused
from aidoffice.importing.cleaning import CleaningError, parse_date, read_id_cell, text
from aidoffice.importing.report import Action, ImportReport, Outcome
from aidoffice.importing.rows import DataRow
from aidoffice.ledgers.school import ensure_term


@dataclass
class AwardsPayload:
    new: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    terms: set[str] = field(default_factory=set)


def plan_awards(
    session: Session,
    report: ImportReport,
    rows: list[DataRow],
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
            raise InputRefused(
                f"学期“{term}”无法识别，请写作 2026-2027-1 或 2026-2027学年第一学期。"
            ) from None
    elif "term" not in fields:
        default_term = TermValue.containing(today)
        report.notes.append(f"文件中没有“学年学期”列，按当前学期 {default_term.code} 导入")
    catalogue = load_catalogue(session)
    if policy:
        if not catalogue.find(policy):
            raise InputRefused(_policy_problem(policy, [], catalogue))
    elif "policy" not in fields:
        raise InputRefused(
            "文件中没有“资助项目”列，无法知道发放的是哪一项资助。请加上这一列，或指定资助项目（命令行用 --policy）。",
            file=report.file,
            sheet=report.sheet,
        )
    students_by_id: dict[str, Any] = {}
    students_by_no: dict[str, Any] = {}
    for s in session.execute(
        select(
            Student.id, Student.name, Student.id_number, Student.student_no, Student.stage, Student.boarding
        )
    ):
        if s.id_number:
            students_by_id[s.id_number] = s
        if s.student_no:
            students_by_no[s.student_no] = s
    existing: dict[tuple[int, int, str], tuple[int, Decimal, date | None, str | None]] = {}
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
        existing[(sid, pid, code)] = (a_id, amount, paid_on, batch)
    payload = AwardsPayload()
    seen: dict[tuple[int, int, str], Outcome] = {}
    for r in rows:
        c = r.cells
        out = Outcome(r.number, Action.NEW, name="".join(text(c.get("name")).split()))
        report.outcomes.append(out)
        number, mangled = read_id_cell(c.get("id_number"))
        student_no = normalize_student_no(c.get("student_no")) or None
        if mangled:
            number = id_from_student_no(student_no) or ""
            if number:
                report.warn(r.number, "身份证件号", "Excel 把证件号存成了数字，已按全国学籍号恢复")
        student = students_by_id.get(number) or students_by_no.get(student_no or "")
        out.key = number or student_no or ""
        if student is None:
            if mangled and not number:
                out.refuse(
                    "证件号被 Excel 存成了数字，末几位已丢失，无法找到学生；请把该列设为文本格式后重新填写"
                )
            elif not out.key:
                out.refuse("没有证件号或学籍号，无法找到学生")
            else:
                out.refuse(f"学籍台账中没有证件号（或学籍号）为 {out.key} 的学生，请先导入学籍或核对号码")
            continue
        if out.name and out.name != student.name:
            report.warn(r.number, "姓名", f"名单写“{out.name}”，学籍台账中此证件号的学生是“{student.name}”")
        named = text(c.get("policy")) or policy or ""
        pol = catalogue.resolve(named, student.stage, student.boarding) if named else []
        if not isinstance(pol, PolicySpec):
            out.refuse(_policy_problem(named, pol, catalogue) if named else "资助项目为空")
            continue
        policy_id = catalogue.policy_ids[pol.code]
        term_text = text(c.get("term"))
        try:
            term_value = TermValue.parse(term_text) if term_text else default_term
        except InvalidTerm:
            out.refuse(f"学期“{term_text}”无法识别，请写作 2026-2027-1 或 2026-2027学年第一学期")
            continue
        if term_value is None:
            out.refuse("学年学期为空")
            continue
        amount_text = text(c.get("amount"))
        try:
            amount = parse_amount(amount_text) if amount_text else None
        except ValueError:
            out.refuse(f"金额“{amount_text}”不是有效的数字")
            continue
        if amount is None:
            standard = pol.standard_on(term_value.starts_on)
            amount = standard.per_term() if standard else None
            if amount is None:
                out.refuse("金额为空，且资助项目没有统一标准可用，请填写金额")
                continue
            report.warn(r.number, "金额", f"金额为空，按{pol.name}标准记为 {format_amount(amount)} 元")
        if amount <= 0:
            out.refuse(f"金额应大于 0，而不是 {amount_text}")
            continue
        try:
            paid_on = parse_date(c.get("paid_on"))
        except CleaningError as exc:
            report.warn(r.number, "发放日期", f"{exc}，本项未导入")
            paid_on = None
        batch = text(c.get("batch"))[:60] or None
        key = (student.id, policy_id, term_value.code)
        if key in seen:
            first = seen[key]
            reason = f"同一学生、同一项目、同一学期出现了两次（第 {first.row} 行、第 {r.number} 行），请删去重复的一行"
            first.refuse(reason)
            out.refuse(reason)
            continue
        seen[key] = out
        out.changes = [f"{pol.name} {term_value.code} {format_amount(amount)} 元"]
        old = existing.get(key)
        if old is None:
            payload.new.append(
                {"student_id": student.id, "policy_id": policy_id, "term": term_value.code, "amount": amount,
                 "paid_on": paid_on, "batch": batch, "_row": r.number}
            )  # fmt: skip
            payload.terms.add(term_value.code)
            continue
        a_id, old_amount, old_paid, old_batch = old
        change = {}
        if Decimal(old_amount) != amount:
            change["amount"] = amount
        if paid_on and paid_on != old_paid:
            change["paid_on"] = paid_on
        if batch and batch != old_batch:
            change["batch"] = batch
        if change:
            out.action = Action.UPDATED
            out.changes = (
                [f"金额：{format_amount(Decimal(old_amount))} → {format_amount(amount)}"]
                if "amount" in change
                else []
            )
            out.changes += [f"发放日期：{old_paid or '空'} → {paid_on}"] if "paid_on" in change else []
            out.changes += [f"批次：{old_batch or '空'} → {batch}"] if "batch" in change else []
            payload.updates[a_id] = change
        else:
            out.action = Action.UNCHANGED
    # a refused duplicate must not be written through its first row
    refused_rows = {o.row for o in report.outcomes if o.action is Action.REFUSED}
    payload.new = [n for n in payload.new if n["_row"] not in refused_rows]
    report.payload = payload


def _policy_problem(value: str, candidates: list[PolicySpec], catalogue: Catalogue) -> str:
    if candidates:
        return f"资助项目“{value}”可能是：{'、'.join(p.name for p in candidates)}，请写出完整名称"
    names = "、".join(p.name for p in catalogue.policies.values())
    return f"资助项目“{value}”不在资助项目目录中。目录中的项目有：{names}"


def apply_awards(session: Session, report: ImportReport) -> None:
    payload: AwardsPayload = report.payload
    term_ids = {code: ensure_term(session, TermValue.parse(code)).id for code in sorted(payload.terms)}
    if payload.new:
        session.execute(
            insert(Award),
            [
                {"student_id": n["student_id"], "policy_id": n["policy_id"], "term_id": term_ids[n["term"]],
                 "amount": n["amount"], "paid_on": n["paid_on"], "batch": n["batch"]}
                for n in payload.new
            ],
        )  # fmt: skip
    for a_id, change in payload.updates.items():
        award = session.get(Award, a_id)
        for k, v in change.items():
            setattr(award, k, v)
    session.flush()
