"""Checks of a roster before it is written: invalid ID numbers, missing or malformed bank/社保卡 accounts,
students no longer enrolled, amounts that differ from the standard, students the rule does not find
eligible, and open problems on these students (a hook the problem list plugs into). The clerk sees the
report before saving and can save it (the standard workbook); exporting anyway is recorded."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from aidoffice.db.models import STATUS_NAMES, StudentStatus
from aidoffice.domain.idnumber import InvalidIdNumber, parse_id
from aidoffice.domain.money import format_amount
from aidoffice.messages import id_problem
from aidoffice.privacy import mask_id, scrub
from aidoffice.sheets.workbook import Column, StandardWorkbook

# person_key → the open problems of that person, in words (aidoffice.reconcile's problem list)
OpenProblems = Callable[[Session, Sequence[str]], Mapping[str, Sequence[str]]]

_ACCOUNT = re.compile(r"^[0-9]{12,19}$")
_ACCOUNT_NOISE = re.compile(r"[\s\-]")

CHECK_NAMES = {
    "invalid_id": "证件号无效",
    "no_account": "缺少银行卡号/社保卡号",
    "bad_account": "卡号格式不对",
    "not_enrolled": "已不在读",
    "amount_off_standard": "金额与标准不同",
    "not_eligible": "不符合资格规则",
    "open_problem": "有未销号的问题",
}


@dataclass
class Finding:
    kind: str
    blocking: bool  # True: exporting needs a reason (recorded); False: shown for information
    name: str
    id_shown: str  # masked: a check report is not a payment roster
    detail: str
    row: int | None = None  # the row of the written sheet, once known
    student_id: int | None = None

    @property
    def kind_name(self) -> str:
        return CHECK_NAMES.get(self.kind, self.kind)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "blocking": self.blocking,
            "row": self.row,
            "student_id": self.student_id,
            "name": self.name,
            "id_number": self.id_shown,
            "detail": self.detail,
        }

    def describe(self, shown_row: int | None = None) -> str:
        """In words. `shown_row`: the row the clerk sees in the review table (its left-hand number),
        named first; the row of the written sheet follows, since that is a different number."""
        if shown_row is not None:
            sheet = f"（花名册第 {self.row} 行）" if self.row else ""
            return (
                f"表中第 {shown_row} 行{sheet} {self.name}（{self.id_shown}）{self.kind_name}：{self.detail}"
            )
        where = f"第 {self.row} 行 " if self.row else ""
        return f"{where}{self.name}（{self.id_shown}）{self.kind_name}：{self.detail}"


def account_problem(value: str | None) -> str | None:
    """None when the account looks payable; else what is wrong with it."""
    if not value or not str(value).strip():
        return "没有登记银行卡号或社保卡号"
    digits = _ACCOUNT_NOISE.sub("", str(value))
    if not _ACCOUNT.match(digits):
        return f"“{scrub(str(value))}”不是 12—19 位数字，银行无法入账"
    return None


def check_lines(
    lines: Sequence[Any],
    *,
    needs_account: bool = True,
    session: Session | None = None,
    open_problems: OpenProblems | None = None,
) -> list[Finding]:
    """Every finding on the lines to be written (`RosterLine`s), in their order."""
    out: list[Finding] = []
    problems: Mapping[str, Sequence[str]] = {}
    if open_problems is not None and session is not None:
        problems = open_problems(session, [line.person_key for line in lines])
    for i, line in enumerate(lines):
        shown = mask_id(line.id_number or line.student_no or "")

        def add(kind: str, detail: str, blocking: bool = True, line: Any = line, shown: str = shown) -> None:
            out.append(Finding(kind, blocking, line.name, shown, detail, None, line.student_id))

        if line.id_number:
            try:
                parse_id(line.id_number)
            except InvalidIdNumber as exc:
                add("invalid_id", scrub(f"身份证件号{id_problem(exc)}"))
        elif not line.student_no:
            add("invalid_id", "没有身份证件号，也没有全国学籍号")
        if needs_account:
            problem = account_problem(line.bank_account)
            if problem:
                add("no_account" if not line.bank_account else "bad_account", problem)
        if not line.enrolled:
            status = STATUS_NAMES.get(StudentStatus(line.status), line.status) if line.status else "不明"
            add("not_enrolled", f"学籍台账中状态为“{status}”，已不在读")
        if line.standard is not None and line.amount != line.standard:
            detail = f"金额 {format_amount(line.amount)} 元，标准为 {format_amount(line.standard)} 元"
            if line.note:
                add("amount_off_standard", f"{detail}（原因：{line.note}）", blocking=False)
            else:
                add("amount_off_standard", f"{detail}，没有说明原因")
        if not line.eligible:
            if line.note:
                add("not_eligible", f"{line.basis}（加入原因：{line.note}）", blocking=False)
            else:
                add("not_eligible", line.basis or "按资格规则不符合条件")
        for text in problems.get(line.person_key, ()):
            add("open_problem", scrub(str(text)))
        del i
    return out


def write_report(findings: Sequence[Finding], path: str | Path, title: str) -> Path:
    """The check report as a standard workbook (masked numbers: it is passed around, not paid from)."""
    book = StandardWorkbook()
    sheet = book.sheet(
        "检查结果",
        title,
        [
            Column("花名册行号", 10),
            Column("姓名", 10),
            Column("证件号", 21, text=True),
            Column("问题", 16),
            Column("说明", 60),
            Column("导出前须说明原因", 14),
        ],
    )
    for f in findings:
        sheet.append([f.row, f.name, f.id_shown, f.kind_name, f.detail, "是" if f.blocking else "否"])
    return book.save(path)
