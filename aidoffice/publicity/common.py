"""What every publicity service shares: the term and scope a command names, the batch record (who,
when, what, the file's SHA-256, the inputs that make it again) and the values every template fills."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.db import audit
from aidoffice.db.audit import actor_of
from aidoffice.db.models import Problem, ProblemStatus, PublicityBatch, School, Student, Term
from aidoffice.domain.grades import InvalidGrade, parse_class, parse_grade
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import InputRefused
from aidoffice.files import fingerprint
from aidoffice.publicity.content import grade_name
from aidoffice.publicity.settings import PublicitySettings

MATERIAL_NAMES = {
    "policy": "资助政策告知书",
    "aid": "受助情况告知书",
    "poster": "宣传栏海报",
    "notice": "受助学生公示",
    "handout": "宣讲课讲义",
    "signin": "宣讲课签到表",
    "slips": "回执收回情况",
    "sessions": "宣讲课记录",
    "pack": "迎检材料包",
    "return_notice": "复学通知书",
    "persuade_notice": "劝返告知书",
}
BLANK = "__________"


def term_label(term: Term) -> str:
    return TermValue.parse(term.code).label


@dataclass(frozen=True)
class Scope:
    """The whole school, a grade or a class (年级 and 班级 as the ledger names them, or numbers)."""

    stage: str | None = None
    grade: int | None = None
    class_name: str | None = None

    @classmethod
    def parse(cls, grade: str | int | None, class_name: str | None) -> Scope:
        if class_name and grade in (None, ""):
            raise InputRefused("只给了班级：请同时给出年级，如 --grade 七年级 --class 1班。")
        if grade in (None, ""):
            return cls()
        try:
            g = parse_grade(grade)
        except InvalidGrade:
            raise InputRefused(
                f"年级“{grade}”认不出：可写 七年级、初一、7、高二、中职一年级、大班。"
            ) from None
        return cls(g.stage, g.number, parse_class(class_name) if class_name else None)

    def matches(self, stage: str, grade: int, class_name: str) -> bool:
        if self.grade is None:
            return True
        if (stage, grade) != (self.stage, self.grade):
            return False
        return self.class_name is None or class_name == self.class_name

    @property
    def label(self) -> str:
        if self.grade is None or self.stage is None:
            return "全校"
        return grade_name(self.stage, self.grade) + (self.class_name or "")

    def as_params(self) -> dict[str, Any]:
        return {"stage": self.stage, "grade": self.grade, "class_name": self.class_name}

    @classmethod
    def from_params(cls, d: dict[str, Any]) -> Scope:
        return cls(d.get("stage"), d.get("grade"), d.get("class_name"))


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def common_values(school: School, settings: PublicitySettings, term: Term, day: date) -> dict[str, str]:
    value = TermValue.parse(term.code)
    return {
        "学校名称": school.name,
        "学期": value.label,
        "学年": f"{value.school_year}学年",
        "日期": chinese_date(day),
        "申请截止": settings.apply_deadline or "开学后第二周周五",
        "回执交回": month_day(day + timedelta(days=settings.slip_days or 7)),
        "资助专干": settings.contact_name or BLANK,
        "资助专干电话": settings.contact_phone or settings.aid_office_phone or BLANK,
        "资助办电话": settings.aid_office_phone or BLANK,
        "县资助中心电话": settings.county_centre_phone or BLANK,
        "监督电话": settings.complaint_phone or BLANK,
        "落款": settings.issuer or school.name,
    }


def month_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


_DEADLINE = re.compile(r"^\s*(?:(\d{4})\s*[年\-/.])?\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?\s*$")


def deadline_date(text: str | None, day: date) -> date | None:
    """The application deadline as a date when it is written as one (“9月20日”, “2026-09-20”), in the
    school year of `day`; None for words (“开学后第二周周五”)."""
    m = _DEADLINE.match(text or "")
    if not m:
        return None
    year = int(m.group(1)) if m.group(1) else day.year
    try:
        return date(year, int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def contact_warnings(settings: PublicitySettings, day: date | None = None) -> list[str]:
    out = []
    missing = settings.missing_contacts()
    if missing:
        out.append(
            f"尚未设置{'、'.join(missing)}，已印为空白横线。可在“1222宣传材料 → 设置”或用 "
            "aidoffice contacts --aid-office-phone … 设置后重新生成。"
        )
    deadline = deadline_date(settings.apply_deadline, day) if day else None
    if deadline is not None and day is not None and deadline < day:
        out.append(
            f"申请截止“{settings.apply_deadline}”早于告知书日期 {chinese_date(day)}，家长会读到一个已过的日期。"
            "请在“1222宣传材料 → 设置”或用 aidoffice contacts --deadline 改为新的日期后重新生成。"
        )
    return out


def open_batch(
    session: Session, kind: str, term_code: str | None, scope: str, params: dict[str, Any], out: Path
) -> PublicityBatch:
    batch = PublicityBatch(
        kind=kind,
        term_code=term_code,
        scope=scope,
        params=params,
        file_name=str(Path(out).resolve())[:260],
        fingerprint="",
        pages=0,
        items=0,
        actor=actor_of(session),
        at=clock.now(),
    )
    session.add(batch)
    session.flush()
    return batch


def close_batch(session: Session, batch: PublicityBatch, out: Path, pages: int, items: int) -> str:
    """Record the finished file: its SHA-256 in the batch and an entry in the audit trail."""
    digest = fingerprint(out)
    batch.fingerprint, batch.pages, batch.items = digest, pages, items
    name = MATERIAL_NAMES.get(batch.kind, batch.kind)
    audit.record(
        session,
        "produce",
        "publicity_batch",
        f"生成{name}（{batch.scope or '全校'}{'，' + batch.term_code if batch.term_code else ''}）：{out.name}",
        {"batch": batch.id, "file": str(out), "sha256": digest, "pages": pages, "items": items},
    )
    session.flush()
    return digest


# ---- children whose aid is in question -------------------------------------------------------------

# open problems that put a child's aid of the term in doubt: a letter or a notice would tell the family
# (and the village) of aid that may be recovered
HOLD_KINDS = {"UNSUPPORTED_AID": "疑似误助", "AID_AFTER_LEAVING": "离校仍资助"}


@dataclass(frozen=True)
class HeldBack:
    """A child of the term's aid letters or notice with an open 疑似误助 / 离校仍资助 problem."""

    student_id: int
    name: str
    class_label: str
    kinds: tuple[str, ...]  # 疑似误助, 离校仍资助
    problems: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.name}（{self.class_label}，{'、'.join(self.kinds)}）"

    def as_json(self) -> dict[str, Any]:
        return {
            "student": self.student_id,
            "name": self.name,
            "class": self.class_label,
            "kinds": list(self.kinds),
            "problems": list(self.problems),
        }


def held_back(session: Session, term: Term, student_ids: list[int] | None = None) -> dict[int, HeldBack]:
    """The children (of `student_ids`, or all) with an open 疑似误助 or 离校仍资助 problem of `term`."""
    q = (
        select(
            Problem.id,
            Problem.kind,
            Student.id,
            Student.name,
            Student.stage,
            Student.grade,
            Student.class_name,
        )
        .join(Student, Student.id == Problem.student_id)
        .where(
            Problem.kind.in_(HOLD_KINDS),
            Problem.scope == term.code,
            Problem.status != ProblemStatus.CLOSED,
        )
        .order_by(Student.id, Problem.id)
    )
    found: dict[int, HeldBack] = {}
    wanted = set(student_ids) if student_ids is not None else None
    for pid, kind, sid, name, stage, grade, class_name in session.execute(q).all():
        if wanted is not None and sid not in wanted:
            continue
        h = found.get(sid) or HeldBack(sid, name, grade_name(stage, grade) + class_name, (), ())
        kinds = h.kinds if HOLD_KINDS[kind] in h.kinds else (*h.kinds, HOLD_KINDS[kind])
        found[sid] = HeldBack(sid, name, h.class_label, kinds, (*h.problems, pid))
    return found


def split_held(
    session: Session,
    what: str,
    held: dict[int, HeldBack],
    include: dict[int, str] | None,
    warnings: list[str],
) -> tuple[set[int], list[dict[str, Any]]]:
    """Which held children are left out (no reason given) and which are kept (a reason for each, recorded
    in the audit trail); says both in `warnings`."""
    include = {int(k): str(v).strip() for k, v in (include or {}).items() if str(v).strip()}
    left = {sid for sid in held if sid not in include}
    kept = [{**held[sid].as_json(), "reason": include[sid]} for sid in held if sid in include]
    if left:
        names = "；".join(held[sid].label for sid in left)
        warnings.append(
            f"{len(left)} 名学生有未处理的疑似误助或离校仍资助问题，未列入{what}：{names}。"
            "核实后在问题清单中处理，或说明理由后列入。"
        )
    for k in kept:
        audit.record(
            session,
            "produce",  # an action the audit page already words (生成)
            "publicity_batch",
            f"{what}列入有未处理问题的学生 {k['name']}（{k['class']}，{'、'.join(k['kinds'])}），理由：{k['reason']}",
            k,
        )
        warnings.append(f"已按说明的理由列入{k['name']}（{'、'.join(k['kinds'])}）：{k['reason']}")
    return left, kept
