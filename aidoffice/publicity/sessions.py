"""The two policy classes (两节课): at entry to a stage a class on its policies, before leaving one on
the next stage's. Each session is recorded (date, class, teacher, entry or leaving, topic,
attendance); the handout and the sign-in sheet are printed for it; and the classes still lacking
their session are listed.

Which classes need one: the first grade of each stage (小班, 一年级, 七年级, 高一, 中职一年级) an entry
class, and the last grade (大班, 六年级, 九年级, 高三, 中职三年级) a leaving class, once per school year.
The entry class is due from the autumn term, the leaving class from the spring term (a leaving class
held in the autumn counts too)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require, require_class, scope_condition
from aidoffice.catalogue import load_catalogue
from aidoffice.db.models import ClassSession, Student, StudentStatus, Term
from aidoffice.domain.pinyin import name_order
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import FieldProblem, InputRefused, ValidationError
from aidoffice.files import check_target
from aidoffice.ledgers.school import read_term, require_school, resolve_term
from aidoffice.publicity import templates as tpl
from aidoffice.publicity.common import Scope, chinese_date, close_batch, common_values, open_batch, term_label
from aidoffice.publicity.content import (
    class_key,
    grade_key,
    grade_name,
    is_entry,
    is_leaving,
    next_stage_label,
    next_stage_texts,
    policy_texts,
    stage_label,
)
from aidoffice.publicity.flow import Flow, Row, Table, render
from aidoffice.publicity.fonts import FontSet, default_fonts
from aidoffice.publicity.layout import Style, draw_text
from aidoffice.publicity.pdf import MM, PAGE_SIZES, document
from aidoffice.publicity.settings import read_settings
from aidoffice.publicity.words import ENTRY, LEAVING, SESSION_NAMES
from aidoffice.sheets.workbook import Column, StandardWorkbook


@dataclass(frozen=True)
class SessionRow:
    id: int
    held_on: date
    class_label: str
    kind: str
    teacher: str
    topic: str
    attendance: int
    enrolled: int | None
    notes: str | None

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "date": self.held_on.isoformat(),
            "class": self.class_label,
            "kind": self.kind,
            "teacher": self.teacher,
            "topic": self.topic,
            "attendance": self.attendance,
            "enrolled": self.enrolled,
        }


def _class_size(session: Session, scope: Scope) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Student)
            .where(
                Student.status == StudentStatus.ENROLLED,
                Student.grade == scope.grade,
                Student.class_name == scope.class_name,
                (Student.stage == "vocational")
                if scope.stage == "vocational"
                else (Student.stage != "vocational"),
            )
        )
        or 0
    )


def _class_scope(grade: str | int | None, class_name: str | None) -> Scope:
    if grade in (None, "") or not class_name:
        raise InputRefused("请给出年级和班级，如 七年级 1班。")
    return Scope.parse(grade, class_name)


def record_session(
    session: Session,
    *,
    held_on: date,
    grade: str | int,
    class_name: str,
    kind: str,
    teacher: str,
    topic: str,
    attendance: int,
    term: str | None = None,
    notes: str | None = None,
) -> ClassSession:
    """Record one policy class (audited like every change)."""
    scope = _class_scope(grade, class_name)
    assert scope.grade is not None and scope.class_name is not None
    require_class(session, "letters.print", scope.grade, scope.class_name)  # a head teacher: their own
    term_row = (
        resolve_term(session, term) if term else resolve_term(session, TermValue.containing(held_on).code)
    )
    problems = []
    if kind not in SESSION_NAMES:
        problems.append(FieldProblem("类型", "应为 entry（入学教育）或 leaving（毕业前）"))
    if not (teacher or "").strip():
        problems.append(FieldProblem("授课教师", "不能为空"))
    if not (topic or "").strip():
        problems.append(FieldProblem("主题", "不能为空"))
    size = _class_size(session, scope)
    if size == 0:
        problems.append(FieldProblem("班级", f"{scope.label}没有在读学生，请检查年级和班级"))
    if attendance < 0 or (size and attendance > size):
        problems.append(FieldProblem("到课人数", f"{attendance} 不在 0—{size}（该班在读人数）之间"))
    if not term_row.starts_on <= held_on <= term_row.ends_on:
        problems.append(FieldProblem("日期", f"{held_on} 不在 {term_row.code} 学期内"))
    if problems:
        raise ValidationError(problems)
    assert scope.stage is not None and scope.grade is not None and scope.class_name is not None
    row = ClassSession(
        term_id=term_row.id,
        held_on=held_on,
        stage=scope.stage,
        grade=scope.grade,
        class_name=scope.class_name,
        kind=kind,
        teacher=teacher.strip(),
        topic=topic.strip(),
        attendance=attendance,
        enrolled=size,
        notes=(notes or "").strip() or None,
    )
    session.add(row)
    session.flush()
    return row


def _year_terms(session: Session, term_row: Term) -> list[int]:
    value = TermValue.parse(term_row.code)
    codes = [f"{value.school_year}-1", f"{value.school_year}-2"]
    return list(session.scalars(select(Term.id).where(Term.code.in_(codes))))


def list_sessions(session: Session, term: str | None = None, *, whole_year: bool = False) -> list[SessionRow]:
    require(session, "students.view")
    term_row = read_term(session, term)
    ids = _year_terms(session, term_row) if whole_year else [term_row.id]
    q = select(ClassSession).where(ClassSession.term_id.in_(ids))
    mine = scope_condition(session, ClassSession.grade, ClassSession.class_name)  # a head teacher's classes
    rows = session.scalars(q if mine is None else q.where(mine))
    out = [
        SessionRow(
            r.id, r.held_on, grade_name(r.stage, r.grade) + r.class_name, r.kind, r.teacher, r.topic,
            r.attendance, r.enrolled, r.notes,
        )
        for r in rows
    ]  # fmt: skip
    return sorted(out, key=lambda r: (r.held_on, r.class_label))


@dataclass(frozen=True)
class MissingSession:
    stage: str
    grade: int
    class_name: str
    kind: str

    @property
    def class_label(self) -> str:
        return grade_name(self.stage, self.grade) + self.class_name

    def as_json(self) -> dict:
        return {"class": self.class_label, "kind": self.kind, "kind_name": SESSION_NAMES[self.kind]}


def missing_sessions(session: Session, term: str | None = None) -> list[MissingSession]:
    """Classes that still lack the policy class due by this term (see the module's docstring)."""
    require(session, "students.view")
    term_row = read_term(session, term)
    half = TermValue.parse(term_row.code).half
    q = select(Student.stage, Student.grade, Student.class_name).where(
        Student.status == StudentStatus.ENROLLED
    )
    mine = scope_condition(session)
    classes = session.execute((q if mine is None else q.where(mine)).distinct()).all()
    held = {
        (r.stage, r.grade, r.class_name, r.kind)
        for r in session.scalars(
            select(ClassSession).where(ClassSession.term_id.in_(_year_terms(session, term_row)))
        )
    }
    out = []
    for stage, grade, class_name in classes:
        due = []
        if is_entry(stage, grade):
            due.append(ENTRY)
        if is_leaving(stage, grade) and half == 2:
            due.append(LEAVING)
        out += [
            MissingSession(stage, grade, class_name, k)
            for k in due
            if (stage, grade, class_name, k) not in held
        ]
    return sorted(out, key=lambda m: (*grade_key(m.stage, m.grade), class_key(m.class_name), m.kind))


# ---- printed material -------------------------------------------------------------------------------


def _students_of(session: Session, scope: Scope) -> list[str]:
    rows = session.execute(
        select(Student.name, Student.name_pinyin, Student.id).where(
            Student.status == StudentStatus.ENROLLED,
            Student.grade == scope.grade,
            Student.class_name == scope.class_name,
            (Student.stage == "vocational")
            if scope.stage == "vocational"
            else (Student.stage != "vocational"),
        )
    ).all()
    return [r.name for r in sorted(rows, key=lambda r: (name_order(r.name), r.id))]


def produce_handout(
    session: Session,
    out: str | Path,
    *,
    grade: str | int,
    class_name: str,
    kind: str | None = None,
    term: str | None = None,
    handout_date: date | None = None,
    text: str | None = None,
    fonts: FontSet | None = None,
) -> tuple[Path, int]:
    """The class handout: the stage's policies (entry class) or the next stage's (leaving class)."""
    scope = _class_scope(grade, class_name)
    assert scope.stage is not None and scope.grade is not None and scope.class_name is not None
    require_class(session, "letters.print", scope.grade, scope.class_name)
    out = check_target(out, (".pdf",))
    kind = kind or (LEAVING if is_leaving(scope.stage, scope.grade) else ENTRY)
    school = require_school(session)
    term_row = resolve_term(session, term)
    settings = read_settings(session)
    day = handout_date or clock.today()
    cat = load_catalogue(session)
    template = tpl.load("handout", text)
    fonts = fonts or default_fonts()
    page_w, page_h = PAGE_SIZES["A4"]
    margin = 18 * MM
    flow = Flow(fonts, page_w - 2 * margin)
    values = common_values(school, settings, term_row, day)
    values.update(
        年级=grade_name(scope.stage, scope.grade),
        班级=scope.class_name or "",
        年级班级=scope.label,
        学段=stage_label(scope.stage),
        下一学段=next_stage_label(scope.stage),
        学生姓名="",
    )
    next_rows: list[Row] = []
    for label, texts in next_stage_texts(cat, scope.stage, day):
        if texts:
            next_rows += flow.policy_rows(texts, heading=f"{label}阶段：")
    blocks = {"政策列表": flow.policy_rows(policy_texts(cat, scope.stage, day)), "下一学段政策": next_rows}
    markers = {"仅入学年级": kind == ENTRY, "仅毕业年级": kind == LEAVING}
    rows = flow.template_rows(template, values, blocks, markers)
    params = {"kind": kind, "date": day.isoformat(), "texts": {"handout": template.text}}
    batch = open_batch(session, "handout", term_row.code, scope.label, params, out)
    with document(out, fonts, f"{school.name} {scope.label} 学生资助政策宣讲课讲义", school.name) as doc:
        pages = render(doc, rows, x=margin, top=page_h - 16 * MM, height=page_h - 30 * MM)
    close_batch(session, batch, out, pages, 1)
    return out, pages


def produce_signin(
    session: Session,
    out: str | Path,
    *,
    grade: str | int,
    class_name: str,
    term: str | None = None,
    held_on: date | None = None,
    teacher: str | None = None,
    topic: str | None = None,
    fonts: FontSet | None = None,
) -> tuple[Path, int]:
    """The sign-in sheet of a class (two columns of names, a box to sign beside each)."""
    scope = _class_scope(grade, class_name)
    assert scope.grade is not None and scope.class_name is not None
    require_class(session, "letters.print", scope.grade, scope.class_name)
    out = check_target(out, (".pdf",))
    school = require_school(session)
    term_row = resolve_term(session, term)
    names = _students_of(session, scope)
    if not names:
        raise InputRefused(f"{scope.label}没有在读学生。")
    fonts = fonts or default_fonts()
    page_w, page_h = PAGE_SIZES["A4"]
    margin = 16 * MM
    flow = Flow(fonts, page_w - 2 * margin)
    rows = flow.text_rows(
        f"{school.name}学生资助政策宣讲课签到表", Style(16, "heading", 1.6, "center", fake_bold=True), "title"
    )
    rows += flow.text_rows(
        f"{scope.label}　{term_label(term_row)}　应到 {len(names)} 人",
        Style(12, "heading", 1.6, "center"),
        "title",
    )
    when = chinese_date(held_on) if held_on else "______年____月____日"
    rows += flow.text_rows(
        f"日期：{when}　　授课教师：{teacher or '____________'}　　主题：{topic or '________________________'}",
        Style(10.5, "body", 1.8, "left"),
    )
    rows.append(flow.gap(4))
    half = math.ceil(len(names) / 2)
    cells = []
    for i in range(half):
        right = i + half
        cells.append(
            [
                str(i + 1),
                names[i],
                "",
                str(right + 1) if right < len(names) else "",
                names[right] if right < len(names) else "",
                "",
            ]
        )
    table = flow.table_rows(
        Table(
            [("序号", 0.07), ("姓名", 0.2), ("签到", 0.23), ("序号", 0.07), ("姓名", 0.2), ("签到", 0.23)],
            cells,
            ["center", "left", "left", "center", "left", "left"],
            min_row_height=8.5 * MM,  # a signature needs room
        )
    )
    rows += table
    rows.append(flow.gap(8))
    rows += flow.text_rows("实到人数：________　　　班主任签字：____________", Style(11, "body", 1.6, "left"))
    batch = open_batch(
        session, "signin", term_row.code, scope.label, {"date": held_on.isoformat() if held_on else None}, out
    )
    with document(out, fonts, f"{school.name} {scope.label} 宣讲课签到表", school.name) as doc:

        def footer(n: int, total: int) -> None:
            if total > 1:
                text = f"{scope.label} 签到表　第 {n} 页　共 {total} 页"
                draw_text(doc.canvas, fonts, text, (page_w - fonts.width(text, 8)) / 2, 8 * MM, Style(8))

        pages = render(
            doc, rows, x=margin, top=page_h - 16 * MM, height=page_h - 30 * MM, footer=footer, repeat=table[0]
        )
    close_batch(session, batch, out, pages, len(names))
    return out, pages


def export_sessions(session: Session, out: str | Path, term: str | None = None) -> tuple[Path, int]:
    """The records of the school year's policy classes, and the classes still lacking one (a head
    teacher's: their own classes)."""
    require(session, "letters.print")
    school = require_school(session)
    term_row = read_term(session, term)
    book = StandardWorkbook()
    sheet = book.sheet(
        "宣讲课记录",
        f"{school.name} {TermValue.parse(term_row.code).school_year}学年 学生资助政策宣讲课（两节课）记录",
        [Column("日期"), Column("班级"), Column("类型"), Column("授课教师"), Column("主题"),
         Column("到课人数", number_format="0"), Column("班级人数", number_format="0"), Column("备注")],
    )  # fmt: skip
    rows = list_sessions(session, term_row.code, whole_year=True)
    for r in rows:
        sheet.append(
            [
                r.held_on,
                r.class_label,
                SESSION_NAMES[r.kind],
                r.teacher,
                r.topic,
                r.attendance,
                r.enrolled,
                r.notes,
            ]
        )
    lacking = book.sheet(
        "尚未上课的班级",
        f"{term_label(term_row)} 尚未上宣讲课的班级",
        [Column("班级"), Column("应上的课")],
    )
    for m in missing_sessions(session, term_row.code):
        lacking.append([m.class_label, SESSION_NAMES[m.kind]])
    return book.save(out), len(rows)
