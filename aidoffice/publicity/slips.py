"""Return-slip registration (回执登记): codes typed or scanned as slips come back, the answer the family
ticked, counts per class, the outstanding slips per class for the head teachers, the families that
applied (for the hardship assessment) and the objections (for the problem list)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import (
    class_scope,
    classes_text,
    require,
    require_scope,
    require_student,
    scope_condition,
)
from aidoffice.db.audit import actor_of
from aidoffice.db.models import Slip, Student, StudentStatus, Term
from aidoffice.domain import slipcode
from aidoffice.domain.pinyin import name_order
from aidoffice.domain.text import printable, shorten, typed_text
from aidoffice.errors import InputRefused
from aidoffice.ledgers.school import read_term, require_school, resolve_term
from aidoffice.publicity.common import MATERIAL_NAMES, Scope, term_label
from aidoffice.publicity.content import class_key, grade_key, grade_name
from aidoffice.publicity.words import ANSWER_NAMES, ANSWERS


class Outcome(enum.Enum):
    RECEIVED = "received"  # 已登记
    UNKNOWN = "unknown"  # a well-formed code no letter carries
    MISTYPED = "mistyped"  # the check character fails, or not a code at all
    REPEATED = "repeated"  # this slip was registered before
    OTHER_TERM = "other_term"  # a slip of another term's letter: not counted for this one


OUTCOME_NAMES = {
    Outcome.RECEIVED: "已登记",
    Outcome.UNKNOWN: "查无此回执",
    Outcome.MISTYPED: "编号有误",
    Outcome.REPEATED: "已登记过",
    Outcome.OTHER_TERM: "不是本学期的回执",
}


@dataclass(frozen=True)
class Receipt:
    """What happened to one typed or scanned code, with the words the clerk sees."""

    typed: str
    outcome: Outcome
    code: str = ""
    kind: str | None = None
    student: str | None = None
    class_label: str | None = None
    answer: str | None = None
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code or self.typed,
            "outcome": self.outcome.value,
            "student": self.student,
            "class": self.class_label,
            "kind": self.kind,
            "answer": self.answer,
            "message": self.message,
        }


def _label(student: Student) -> str:
    return grade_name(student.stage, student.grade) + student.class_name


def receive(
    session: Session,
    typed: str,
    answer: str | None = None,
    objection: str | None = None,
    *,
    when: datetime | None = None,
    term: str | None = None,
) -> Receipt:
    """Register one returned slip for `term` (default: the current term). `answer`: apply/decline
    (policy letter) or agree/object (aid letter); None records the slip as returned without an answer.
    An answer that does not fit the slip's letter is refused before anything is written. A slip of
    another term's letter is not registered: the receipt says which term it belongs to. A head teacher
    registers their own classes' slips only."""
    require(session, "slips.register")
    parsed = slipcode.parse(typed)
    if not parsed.valid:
        why = (
            "最后一位校验码对不上，可能有一位输错或两位颠倒，请核对回执上的编号"
            if parsed.verdict is slipcode.Verdict.MISTYPED
            else f"回执编号是 {slipcode.LENGTH} 位字母和数字（不含 0、1、I、O、U），请核对"
        )
        return Receipt(
            typed,
            Outcome.MISTYPED,
            parsed.code,
            message=f"{shorten(printable(typed.strip()), 20)}：编号有误，{why}。",
        )
    slip = session.scalars(select(Slip).where(Slip.code == parsed.code)).first()
    shown = slipcode.display(parsed.code)
    if slip is None:
        return Receipt(
            typed,
            Outcome.UNKNOWN,
            parsed.code,
            message=f"{shown}：查无此回执（编号格式正确，但没有哪封告知书印过它；是否是别的学校的回执？）",
        )
    student = slip.student
    require_student(session, "slips.register", student)
    label = _label(student)
    this_term = resolve_term(session, term)
    if slip.term_id != this_term.id:
        return Receipt(
            typed,
            Outcome.OTHER_TERM,
            parsed.code,
            slip.kind,
            student.name,
            label,
            slip.answer,
            f"{shown}：这是{term_label(slip.term)}的{MATERIAL_NAMES[slip.kind]}回执（{student.name}），"
            f"不计入{term_label(this_term)}，未登记。本学期的回执请看告知书上的编号；"
            f"如要补登那个学期的回执，请先把学期切换为 {slip.term.code}。",
        )
    if answer is not None and answer not in ANSWERS[slip.kind]:
        allowed = "、".join(f"{a}（{ANSWER_NAMES[a]}）" for a in ANSWERS[slip.kind])
        raise InputRefused(f"回执 {shown} 是{MATERIAL_NAMES[slip.kind]}的回执，选项只能是 {allowed}。")
    if slip.received_at is not None:
        before = f"，当时登记为“{ANSWER_NAMES[slip.answer]}”" if slip.answer else ""
        return Receipt(
            typed,
            Outcome.REPEATED,
            parsed.code,
            slip.kind,
            student.name,
            label,
            slip.answer,
            f"{shown}：{label} {student.name} 的回执已于 {slip.received_at:%Y-%m-%d %H:%M} 登记过{before}。",
        )
    slip.received_at = when or clock.now()
    slip.received_by = actor_of(session)
    slip.answer = answer
    if answer == "object":
        slip.objection = typed_text(objection) or None
    session.flush()
    said = f"（{ANSWER_NAMES[answer]}）" if answer else ""
    return Receipt(
        typed,
        Outcome.RECEIVED,
        parsed.code,
        slip.kind,
        student.name,
        label,
        answer,
        f"{shown}：已登记 {label} {student.name} 的{MATERIAL_NAMES[slip.kind]}回执{said}。",
    )


def undo_receipt(session: Session, code: str) -> Slip:
    """Take back a registration made by mistake (the slip counts as outstanding again). Keeping the
    problem list in step is `aidoffice.services.slip_desk`'s work."""
    require(session, "slips.register")
    parsed = slipcode.parse(code)
    slip = session.scalars(select(Slip).where(Slip.code == parsed.code)).first()
    if slip is None:
        raise InputRefused(f"没有编号为 {code} 的回执。")
    require_student(session, "slips.register", slip.student)
    slip.received_at = slip.received_by = slip.answer = slip.objection = None
    session.flush()
    return slip


# ---- counts and lists -------------------------------------------------------------------------------


@dataclass
class ClassCount:
    stage: str
    grade: int
    class_name: str
    total: int = 0
    returned: int = 0
    answers: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return grade_name(self.stage, self.grade) + self.class_name

    @property
    def outstanding(self) -> int:
        return self.total - self.returned

    def as_json(self) -> dict[str, Any]:
        return {
            "class": self.label,
            "total": self.total,
            "returned": self.returned,
            "outstanding": self.outstanding,
            **self.answers,
        }


@dataclass
class SlipStatus:
    kind: str | None
    term: str
    scope: str
    classes: list[ClassCount]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.classes)

    @property
    def returned(self) -> int:
        return sum(c.returned for c in self.classes)

    def answers(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.classes:
            for k, v in c.answers.items():
                out[k] = out.get(k, 0) + v
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "kind": self.kind,
            "scope": self.scope,
            "total": self.total,
            "returned": self.returned,
            "outstanding": self.total - self.returned,
            "answers": self.answers(),
            "classes": [c.as_json() for c in self.classes],
        }


def _scope_label(session: Session, scope: Scope) -> str:
    """What the lists cover: a head teacher who names no class sees their own classes, not 全校."""
    mine = class_scope(session)
    if mine is not None and scope.grade is None:
        return f"本人所带班级：{classes_text(mine)}"
    return scope.label


def _slip_rows(session: Session, term: Term, kind: str | None, scope: Scope):  # type: ignore[no-untyped-def]
    """The slips of enrolled students in `scope`; a head teacher's own classes only (naming another
    class, or a whole grade, is refused rather than answered with an empty list)."""
    if scope.grade is not None:
        require_scope(session, "students.view", scope.grade, scope.class_name)
    else:
        require(session, "students.view")
    q = (
        select(Slip, Student)
        .join(Student, Student.id == Slip.student_id)
        .where(Slip.term_id == term.id, Student.status == StudentStatus.ENROLLED)
    )
    mine = scope_condition(session)
    if mine is not None:
        q = q.where(mine)
    if kind:
        q = q.where(Slip.kind == kind)
    rows = [
        (slip, st)
        for slip, st in session.execute(q).all()
        if scope.matches(st.stage, st.grade, st.class_name)
    ]
    rows.sort(
        key=lambda r: (
            *grade_key(r[1].stage, r[1].grade),
            class_key(r[1].class_name),
            name_order(r[1].name),
            r[0].kind,
        )
    )
    return rows


def slip_status(
    session: Session,
    *,
    term: str | None = None,
    kind: str | None = None,
    grade: str | int | None = None,
    class_name: str | None = None,
) -> SlipStatus:
    """Slips issued and returned per class (students who left since are not counted)."""
    term_row = read_term(session, term)
    scope = Scope.parse(grade, class_name)
    classes: dict[tuple, ClassCount] = {}
    for slip, st in _slip_rows(session, term_row, kind, scope):
        key = (st.stage, st.grade, st.class_name)
        c = classes.setdefault(key, ClassCount(st.stage, st.grade, st.class_name))
        c.total += 1
        if slip.received_at is not None:
            c.returned += 1
            if slip.answer:
                c.answers[slip.answer] = c.answers.get(slip.answer, 0) + 1
    return SlipStatus(kind, term_row.code, _scope_label(session, scope), list(classes.values()))


@dataclass(frozen=True)
class SlipLine:
    code: str
    kind: str
    student_id: int
    name: str
    class_label: str
    received_at: datetime | None
    answer: str | None
    objection: str | None


def _lines(rows) -> list[SlipLine]:  # type: ignore[no-untyped-def]
    return [
        SlipLine(
            slip.code, slip.kind, st.id, st.name, _label(st), slip.received_at, slip.answer, slip.objection
        )
        for slip, st in rows
    ]


def outstanding(
    session: Session,
    *,
    term: str | None = None,
    kind: str | None = None,
    grade: str | int | None = None,
    class_name: str | None = None,
) -> dict[str, list[SlipLine]]:
    """Slips not yet returned, per class (class label → lines), for the head teachers."""
    term_row = read_term(session, term)
    scope = Scope.parse(grade, class_name)
    out: dict[str, list[SlipLine]] = {}
    for line in _lines(r for r in _slip_rows(session, term_row, kind, scope) if r[0].received_at is None):
        out.setdefault(line.class_label, []).append(line)
    return out


def applicants(session: Session, term: str | None = None) -> list[SlipLine]:
    """Families that ticked □符合、申请 on the policy letter's slip: the hardship assessment's list."""
    term_row = read_term(session, term)
    rows = [r for r in _slip_rows(session, term_row, "policy", Scope()) if r[0].answer == "apply"]
    return _lines(rows)


@dataclass(frozen=True)
class Objection:
    """An objection on an aid letter's slip: becomes a problem in the problem list (问题清单)."""

    slip_code: str
    student_id: int
    name: str
    class_label: str
    term: str
    text: str  # what the family wrote after 有异议：, or a note that nothing was written
    received_at: datetime


def objections(session: Session, term: str | None = None) -> list[Objection]:
    term_row = read_term(session, term)
    rows = [r for r in _slip_rows(session, term_row, "aid", Scope()) if r[0].answer == "object"]
    return [
        Objection(
            slip.code,
            st.id,
            st.name,
            _label(st),
            term_row.code,
            slip.objection or "家长在回执上勾选“有异议”（未写明内容），请联系家长核实",
            slip.received_at,
        )
        for slip, st in rows
        if slip.received_at is not None
    ]


def export_outstanding(
    session: Session,
    out: str | Path,
    *,
    term: str | None = None,
    kind: str | None = None,
    grade: str | int | None = None,
    class_name: str | None = None,
) -> tuple[Path, int]:
    """A workbook for the head teachers: one sheet with the counts per class, one with every slip
    still outstanding (class, name, code), to print or send (a head teacher's: their own classes)."""
    require(session, "slips.register")
    school = require_school(session)
    term_row = read_term(session, term)
    status = slip_status(session, term=term_row.code, kind=kind, grade=grade, class_name=class_name)
    missing = outstanding(session, term=term_row.code, kind=kind, grade=grade, class_name=class_name)
    what = MATERIAL_NAMES.get(kind or "", "告知书")
    from aidoffice.sheets.workbook import Column, StandardWorkbook  # openpyxl: not for registering slips

    book = StandardWorkbook()
    counts = book.sheet(
        "各班回执",
        f"{school.name} {term_label(term_row)} {what}回执收回情况（{status.scope}）",
        [Column("班级"), Column("应交", number_format="0"), Column("已交", number_format="0"),
         Column("未交", number_format="0"), Column("收回率"), Column("申请"), Column("不申请"),
         Column("无异议"), Column("有异议")],
    )  # fmt: skip
    for c in status.classes:
        rate = f"{c.returned / c.total:.0%}" if c.total else ""
        a = c.answers
        counts.append(
            [c.label, c.total, c.returned, c.outstanding, rate, a.get("apply", 0), a.get("decline", 0),
             a.get("agree", 0), a.get("object", 0)]
        )  # fmt: skip
    counts.append(["合计", status.total, status.returned, status.total - status.returned, "", "", "", "", ""])
    sheet = book.sheet(
        "未交回执",
        f"{school.name} {term_label(term_row)} 未交回执名单（{status.scope}）",
        [Column("班级"), Column("序号", number_format="0"), Column("姓名"), Column("告知书"),
         Column("回执编号", text=True)],
    )  # fmt: skip
    rows = 0
    for label, lines in missing.items():
        for n, line in enumerate(lines, 1):
            sheet.append([label, n, line.name, MATERIAL_NAMES[line.kind], slipcode.display(line.code)])
            rows += 1
    return book.save(out), rows
