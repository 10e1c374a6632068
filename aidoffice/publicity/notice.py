"""The recipients' public notice (受助学生公示): name, grade and class and the item — never the ID
number, birth date, address, phone, bank account or the family's circumstances — with a notice
period of at least five working days and the complaint phone. The aid level (the grant's tier) is
listed only where the county asks for it (off by default)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require_whole_school
from aidoffice.catalogue import load_catalogue
from aidoffice.db.models import Award, Policy, Student, award_stands
from aidoffice.domain.pinyin import name_order
from aidoffice.errors import InputRefused
from aidoffice.files import check_target
from aidoffice.ledgers.school import read_term, require_school, resolve_term
from aidoffice.publicity import templates as tpl
from aidoffice.publicity.common import (
    chinese_date,
    close_batch,
    common_values,
    contact_warnings,
    held_back,
    open_batch,
    split_held,
    term_label,
)
from aidoffice.publicity.content import class_key, grade_key, grade_name
from aidoffice.publicity.flow import Flow, Table, render
from aidoffice.publicity.fonts import FontSet, default_fonts
from aidoffice.publicity.layout import Style, draw_text
from aidoffice.publicity.pdf import MM, PAGE_SIZES, document
from aidoffice.publicity.settings import read_settings

MIN_DAYS = 5


def add_working_days(start: date, days: int) -> date:
    """The last day of a notice that runs `days` working days from `start` (weekends not counted;
    public holidays are not known here, so the office may lengthen the period)."""
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted >= days:
                return day
        day += timedelta(days=1)


def _tier(policy_amounts, amount: Decimal, on: date) -> str:  # type: ignore[no-untyped-def]
    spec = next((a for a in policy_amounts if a.covers(on)), None)
    if spec is None or spec.kind != "tiered":
        return ""
    for name, _annual in spec.tiers:
        if spec.per_term(name) == amount:
            return name
    return ""


@dataclass
class NoticeResult:
    path: Path
    term: str
    students: int
    pages: int
    starts: date
    ends: date
    batch_id: int | None = None
    fingerprint: str = ""
    warnings: list[str] = field(default_factory=list)
    held_back: list[dict] = field(default_factory=list)  # left out: aid in question
    included: list[dict] = field(default_factory=list)  # kept despite that, with a reason

    def as_json(self) -> dict:
        return {
            "out": str(self.path),
            "term": self.term,
            "students": self.students,
            "pages": self.pages,
            "from": self.starts.isoformat(),
            "to": self.ends.isoformat(),
            "batch": self.batch_id,
            "sha256": self.fingerprint,
            "warnings": self.warnings,
            "held_back": self.held_back,
            "included": self.included,
        }


def produce_notice(
    session: Session,
    out: str | Path,
    *,
    term: str | None = None,
    starts: date | None = None,
    days: int | None = None,
    show_level: bool | None = None,
    text: str | None = None,
    fonts: FontSet | None = None,
    include: dict[int, str] | None = None,
) -> NoticeResult:
    """The recipients' public notice. A child with an open 疑似误助 / 离校仍资助 problem of the term is
    left out unless `include` gives a reason for that child (recorded in the audit trail)."""
    require_whole_school(session, "letters.print", "受助学生公示")
    out = check_target(out, (".pdf",))
    school = require_school(session)
    term_row = resolve_term(session, term)
    settings = read_settings(session)
    days = days or settings.notice_days or MIN_DAYS
    if days < MIN_DAYS:
        raise InputRefused(f"公示期不少于{MIN_DAYS}个工作日，而不是 {days} 天。")
    show_level = settings.notice_show_level if show_level is None else show_level
    starts = starts or clock.today()
    ends = add_working_days(starts, days)
    cat = load_catalogue(session)
    rows = session.execute(
        select(Student.id, Student.name, Student.name_pinyin, Student.stage, Student.grade, Student.class_name,
               Policy.code, Award.amount)
        .join(Award, Award.student_id == Student.id)
        .join(Policy, Policy.id == Award.policy_id)
        .where(Award.term_id == term_row.id, award_stands())
        .order_by(Student.id, Policy.id)
    ).all()  # fmt: skip
    if not rows:
        raise InputRefused(f"{term_row.code} 学期没有受助记录，没有可公示的名单。请先导入资助发放名单。")
    warnings = contact_warnings(settings)
    held = held_back(session, term_row, list({r[0] for r in rows}))
    held_ids, kept = split_held(session, "受助学生公示", held, include, warnings)
    rows = [r for r in rows if r[0] not in held_ids]
    if not rows:
        raise InputRefused(
            f"{term_row.code} 学期的受助学生都有未处理的疑似误助或离校仍资助问题，没有可公示的名单。"
        )
    people = []
    for _sid, group in itertools.groupby(rows, key=lambda r: r[0]):
        group = list(group)
        first = group[0]
        items, tiers = [], []
        for r in group:
            spec = cat.policies.get(r.code)
            items.append(spec.name if spec else r.code)
            if show_level and spec is not None:
                tiers.append(_tier(spec.amounts, Decimal(r.amount), term_row.starts_on))
        people.append((first, "、".join(items), "、".join(t for t in tiers if t)))
    people.sort(
        key=lambda p: (*grade_key(p[0].stage, p[0].grade), class_key(p[0].class_name), name_order(p[0].name))
    )
    template = tpl.load("notice", text)
    fonts = fonts or default_fonts()
    page_w, page_h = PAGE_SIZES["A4"]
    margin = 18 * MM
    width = page_w - 2 * margin
    flow = Flow(fonts, width)
    values = common_values(school, settings, term_row, starts)
    values.update(公示起=chinese_date(starts), 公示止=chinese_date(ends), 公示天数=str(days))
    columns = [("序号", 0.08), ("姓名", 0.2), ("年级", 0.14), ("班级", 0.12), ("资助项目", 0.46)]
    aligns = ["center", "left", "center", "center", "left"]
    if show_level:
        columns = [
            ("序号", 0.08),
            ("姓名", 0.18),
            ("年级", 0.12),
            ("班级", 0.1),
            ("资助项目", 0.4),
            ("档次", 0.12),
        ]
        aligns.append("center")
    table_rows = []
    for n, (p, items, tier) in enumerate(people, 1):
        # only the name: no field that privacy.Level.PUBLIC hides is ever fetched for the notice
        row = [str(n), p.name, grade_name(p.stage, p.grade), p.class_name, items]
        if show_level:
            row.append(tier)
        table_rows.append(row)
    table = flow.table_rows(Table(columns, table_rows, aligns))
    params = {
        "starts": starts.isoformat(),
        "days": days,
        "show_level": show_level,
        "texts": {"notice": template.text},
        "settings": settings.as_dict(),
        "include": {str(k["student"]): k["reason"] for k in kept},
    }
    batch = open_batch(session, "notice", term_row.code, "全校", params, out)
    result = NoticeResult(out, term_row.code, len(people), 0, starts, ends, batch.id, warnings=warnings)
    result.held_back = [held[sid].as_json() for sid in held if sid in held_ids]
    result.included = kept
    title = f"{school.name}{term_label(term_row)}受助学生公示"
    with document(out, fonts, title, school.name) as doc:

        def footer(n: int, total: int) -> None:
            text = f"{title}　第 {n} 页　共 {total} 页"
            w = fonts.width(text, 8)
            draw_text(doc.canvas, fonts, text, (page_w - w) / 2, 8 * MM, Style(8))

        rows_ = flow.template_rows(template, values, {"公示名单": table}, {})
        result.pages = render(
            doc,
            rows_,
            x=margin,
            top=page_h - 16 * MM,
            height=page_h - 34 * MM,
            footer=footer,
            repeat=table[0],
        )
    result.fingerprint = close_batch(session, batch, out, result.pages, len(people))
    return result


def notice_held(session: Session, term: str | None = None) -> list:  # type: ignore[type-arg]
    """Before a notice is made: the aided children with an open 疑似误助 / 离校仍资助 problem."""
    require_whole_school(session, "letters.print", "受助学生公示")
    term_row = read_term(session, term)
    aided = list(
        set(session.scalars(select(Award.student_id).where(Award.term_id == term_row.id, award_stands())))
    )
    return list(held_back(session, term_row, aided).values())
