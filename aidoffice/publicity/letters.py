"""The two letters (两封信) with their return slips (两回执): a policy letter for every enrolled student
and an aid letter for every student aided in a term, printed by class for the head teachers.

A batch covers the school, a grade or a class, ordered by class and by name in pinyin order; each
class starts on a new sheet with a cover page for the head teacher (the class list with slip codes
and tick boxes). A letter never shares a sheet with another child's: each starts on a new page, and
with ``duplex=True`` (printing on both sides) every letter and cover is padded to an even number of
pages. A batch made again for the same students prints the same slip codes, and the same inputs give
the same bytes (the batch record keeps the date, texts and contacts used)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require, require_scope, require_student
from aidoffice.catalogue import Catalogue, load_catalogue
from aidoffice.db.models import Award, Policy, School, Slip, Student, StudentStatus, Term, award_stands
from aidoffice.domain import slipcode
from aidoffice.domain.money import to_upper
from aidoffice.domain.pinyin import name_order
from aidoffice.errors import InputRefused
from aidoffice.files import check_target
from aidoffice.ledgers.school import read_term, require_school, resolve_term
from aidoffice.privacy import Field, Level, show
from aidoffice.progress import Progress, Throttled, no_progress
from aidoffice.publicity import templates as tpl
from aidoffice.publicity.common import (
    MATERIAL_NAMES,
    HeldBack,
    Scope,
    close_batch,
    common_values,
    contact_warnings,
    held_back,
    open_batch,
    split_held,
    term_label,
)
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
    yuan,
)
from aidoffice.publicity.flow import (
    Flow,
    Row,
    Scale,
    Table,
    draw_rows,
    page_height,
    paginate,
    without_seal_space,
)
from aidoffice.publicity.fonts import BODY, HEADING, FontSet, default_fonts
from aidoffice.publicity.layout import Style, draw_fitted, draw_text, fit
from aidoffice.publicity.pdf import MM, Document, document, draw_code128, draw_cut_line, draw_qr, tick_box
from aidoffice.publicity.settings import PublicitySettings, read_settings
from aidoffice.publicity.slipmarks import slip_geometry

KINDS = ("policy", "aid")

PAGE_W, PAGE_H = 595.2756, 841.8898
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18 * MM, 14 * MM, 10 * MM
SLIP_H = 64 * MM
CONTENT_W = PAGE_W - 2 * MARGIN_X
BODY_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM  # the page footer sits in the bottom margin


@dataclass
class AidItem:
    policy: str
    term: str
    amount: Decimal
    payment: str


@dataclass
class LetterStudent:
    id: int
    name: str
    pinyin: str
    stage: str
    grade: int
    class_name: str
    bank_name: str | None = None
    bank_account: str | None = None
    items: list[AidItem] = field(default_factory=list)

    @property
    def grade_name(self) -> str:
        return grade_name(self.stage, self.grade)

    @property
    def class_label(self) -> str:
        return self.grade_name + self.class_name

    def sort_key(self) -> tuple:
        return (
            *grade_key(self.stage, self.grade),
            class_key(self.class_name),
            name_order(self.name),
            self.id,
        )


@dataclass
class LetterBatch:
    """What a batch produced: the counts, the slip codes in print order, and what to tell the user."""

    kind: str
    path: Path
    term: str
    scope: str
    letters: int = 0
    pages: int = 0
    classes: int = 0
    slips: list[str] = field(default_factory=list)
    new_slips: int = 0
    batch_id: int | None = None
    fingerprint: str = ""
    warnings: list[str] = field(default_factory=list)
    identical: bool | None = None  # for a batch made again: same bytes as the first time
    held_back: list[dict[str, Any]] = field(default_factory=list)  # left out: aid in question
    included: list[dict[str, Any]] = field(default_factory=list)  # kept despite that, with a reason

    def as_json(self) -> dict[str, Any]:
        return {
            "out": str(self.path),
            "kind": self.kind,
            "term": self.term,
            "scope": self.scope,
            "letters": self.letters,
            "pages": self.pages,
            "classes": self.classes,
            "slips": self.slips,
            "new_slips": self.new_slips,
            "batch": self.batch_id,
            "sha256": self.fingerprint,
            "warnings": self.warnings,
            "held_back": self.held_back,
            "included": self.included,
            **({"identical": self.identical} if self.identical is not None else {}),
        }

    def summary(self) -> str:
        lines = [
            f"已生成{MATERIAL_NAMES[self.kind]}（{self.scope}，{self.term}）：{self.path}",
            f"共 {self.letters} 封，{self.classes} 个班，{self.pages} 页；回执 {len(self.slips)} 张"
            + (f"（新编号 {self.new_slips} 张）" if self.new_slips else "（编号与上次相同）"),
        ]
        if self.identical is not None:
            lines.append(
                "与原批次文件逐字节相同。" if self.identical else "与原批次文件不同（数据已有变化）。"
            )
        lines += [f"注意：{w}" for w in self.warnings]
        return "\n".join(lines)


# ---- who gets a letter ----------------------------------------------------------------------------


def _in_scope(q, scope: Scope):  # type: ignore[no-untyped-def]
    if scope.grade is not None:
        q = q.where(Student.grade == scope.grade)
        q = (
            q.where(Student.stage == scope.stage)
            if scope.stage == "vocational"
            else q.where(Student.stage != "vocational")
        )
    if scope.class_name:
        q = q.where(Student.class_name == scope.class_name)
    return q


def enrolled_students(session: Session, scope: Scope) -> list[LetterStudent]:
    q = select(
        Student.id,
        Student.name,
        Student.name_pinyin,
        Student.stage,
        Student.grade,
        Student.class_name,
        Student.bank_name,
        Student.bank_account,
    ).where(Student.status == StudentStatus.ENROLLED)
    rows = session.execute(_in_scope(q, scope)).all()
    return sorted((LetterStudent(*r) for r in rows), key=LetterStudent.sort_key)


def payment_text(
    policy_kinds: set[str], bank_name: str | None, account: str | None, paid_on: date | None
) -> str:
    """How an item reached the family; the account shows its last four digits only."""
    if policy_kinds == {"waiver"}:
        return "直接减免，不发放现金"
    if policy_kinds == {"per_day"}:
        return "学校统一提供膳食，不发放现金"
    masked = (show(Field.ACCOUNT, account, Level.LETTER) or "").replace(" ", "")  # one unbreakable word
    where = (
        f"打入{bank_name or '社保卡（银行卡）'}（账号 {masked}）"
        if masked
        else "按规定发放至学生或家长本人的社保卡（银行卡）"
    )
    return where + (f"，{paid_on.year}年{paid_on.month}月{paid_on.day}日发放" if paid_on else "")


def aided_students(
    session: Session, scope: Scope, term: Term, cat: Catalogue
) -> tuple[list[LetterStudent], int]:
    """Enrolled students with an award in `term`, each with the items; and how many aided students
    were left out because they are no longer enrolled."""
    q = (
        select(
            Student.id,
            Student.name,
            Student.name_pinyin,
            Student.stage,
            Student.grade,
            Student.class_name,
            Student.bank_name,
            Student.bank_account,
            Student.status,
            Award.amount,
            Award.paid_on,
            Policy.code,
        )
        .join(Award, Award.student_id == Student.id)
        .join(Policy, Policy.id == Award.policy_id)
        .where(Award.term_id == term.id, award_stands())
        .order_by(Student.id, Policy.id)
    )
    label = term_label(term)
    students: list[LetterStudent] = []
    left: set[int] = set()
    for sid, rows in itertools.groupby(session.execute(_in_scope(q, scope)).all(), key=lambda r: r[0]):
        rows = list(rows)
        first = rows[0]
        if first.status != StudentStatus.ENROLLED:
            left.add(sid)
            continue
        s = LetterStudent(*first[:8])
        for r in rows:
            spec = cat.policies.get(r.code)
            name = spec.name if spec else r.code
            kinds = {a.kind for a in spec.amounts} if spec else set()
            s.items.append(
                AidItem(
                    name,
                    label,
                    Decimal(r.amount),
                    payment_text(kinds, s.bank_name, s.bank_account, r.paid_on),
                )
            )
        students.append(s)
    students.sort(key=LetterStudent.sort_key)
    return students, len(left)


# ---- slip codes -------------------------------------------------------------------------------------


def slip_codes(
    session: Session, kind: str, term: Term, student_ids: Sequence[int], batch_id: int | None
) -> tuple[dict[int, str], int]:
    """The slip code of each student for this letter kind and term; new ones are drawn for students
    who have none yet (written in one statement). Returns the codes and how many are new."""
    have = dict(
        session.execute(
            select(Slip.student_id, Slip.code).where(Slip.kind == kind, Slip.term_id == term.id)
        ).all()
    )
    missing = [sid for sid in student_ids if sid not in have]
    if missing:
        used = set(session.scalars(select(Slip.code)))
        now = clock.now()
        rows = []
        for sid in missing:
            code = slipcode.new_code()
            while code in used:
                code = slipcode.new_code()
            used.add(code)
            have[sid] = code
            rows.append(
                {
                    "code": code,
                    "kind": kind,
                    "student_id": sid,
                    "term_id": term.id,
                    "issued_at": now,
                    "batch_id": batch_id,
                }
            )
        session.execute(insert(Slip), rows)
    return {sid: have[sid] for sid in student_ids}, len(missing)


# ---- drawing ----------------------------------------------------------------------------------------


class LetterRenderer:
    """Draws letters of one kind into a Document; what is the same in every letter is laid out once."""

    def __init__(
        self,
        fonts: FontSet,
        kind: str,
        school: School,
        settings: PublicitySettings,
        term: Term,
        day: date,
        cat: Catalogue,
        texts: dict[str, str],
    ):
        self.fonts, self.kind, self.school, self.settings = fonts, kind, school, settings
        self.term, self.day, self.cat = term, day, cat
        self.texts = texts
        self.flow = Flow(fonts, CONTENT_W)
        self.common = common_values(school, settings, term, day)
        self._templates: dict[str, tpl.Template] = {}
        self._policy_rows: dict[str, list[Row]] = {}
        self._next_rows: dict[str, list[Row]] = {}

    def template_name(self, stage: str) -> str:
        return tpl.STAGE_TEMPLATES[stage] if self.kind == "policy" else "aid"

    def template(self, stage: str) -> tpl.Template:
        name = self.template_name(stage)
        if name not in self._templates:
            text = self.texts.get(name)
            self._templates[name] = tpl.load(name, text)
            self.texts[name] = self._templates[name].text
        return self._templates[name]

    def values(self, s: LetterStudent) -> dict[str, str]:
        v = dict(self.common)
        v.update(
            学生姓名=s.name,
            年级=s.grade_name,
            班级=s.class_name,
            年级班级=s.class_label,
            学段=stage_label(s.stage),
            下一学段=next_stage_label(s.stage),
        )
        if s.items:
            total = sum((i.amount for i in s.items), Decimal(0))
            v.update(合计=yuan(total), 合计大写=to_upper(total))
        return v

    def blocks(self, s: LetterStudent) -> dict[str, list[Row] | None]:
        if s.stage not in self._policy_rows:
            self._policy_rows[s.stage] = self.flow.policy_rows(policy_texts(self.cat, s.stage, self.day))
            rows: list[Row] = []
            for label, texts in next_stage_texts(self.cat, s.stage, self.day):
                if texts:
                    rows += self.flow.policy_rows(texts, heading=f"{label}阶段：")
            self._next_rows[s.stage] = rows
        out: dict[str, list[Row] | None] = {
            "政策列表": self._policy_rows[s.stage],
            "下一学段政策": self._next_rows[s.stage],
        }
        if self.kind == "aid":
            total = sum((i.amount for i in s.items), Decimal(0))
            table = Table(
                [("资助项目", 0.36), ("学期", 0.2), ("金额（元）", 0.12), ("发放方式", 0.32)],
                [[i.policy, i.term, yuan(i.amount), i.payment] for i in s.items],
                ["left", "center", "right", "left"],
                total=["合计", "", yuan(total), to_upper(total)],
            )
            out["资助明细"] = self.flow.table_rows(table)
        return out

    def letter_pages(self, s: LetterStudent) -> tuple[tpl.Template, dict[str, str], list[list[Row]]]:
        template = self.template(s.stage)
        values = self.values(s)
        markers = {"仅毕业年级": is_leaving(s.stage, s.grade), "仅入学年级": is_entry(s.stage, s.grade)}
        rows = self.flow.template_rows(template, values, self.blocks(s), markers)
        pages = paginate(rows, BODY_H, BODY_H)
        if page_height(pages[-1]) + SLIP_H > BODY_H:
            # the seal's room is not worth another sheet: it shrinks to what is left (the seal is
            # stamped over the name and the date anyway)
            tight = paginate(without_seal_space(rows), BODY_H, BODY_H)
            if len(tight) < len(pages) or page_height(tight[-1]) + SLIP_H <= BODY_H:
                spare = max(0.0, BODY_H - SLIP_H - page_height(tight[-1]) - 0.5)
                rows = [replace(r, height=min(r.height, spare)) if r.kind == "seal" else r for r in rows]
                pages = paginate(rows, BODY_H, BODY_H)
                if len(pages) != len(tight) or page_height(pages[-1]) + SLIP_H > BODY_H:
                    pages = tight
        if page_height(pages[-1]) + SLIP_H > BODY_H:
            # the slip goes on a new page, with the closing paragraph and the signature
            last = pages[-1]
            groups = list(dict.fromkeys(r.group for r in reversed(last) if r.kind != "gap"))[:3]
            keep = [r for r in last if r.group not in groups]
            moved = [r for r in last if r.group in groups]
            if keep and page_height(moved) + SLIP_H <= BODY_H:
                pages[-1] = keep
                pages.append(moved)
            else:
                pages.append([])
        return template, values, pages

    def draw_letter(
        self, doc: Document, s: LetterStudent, code: str, *, duplex: bool, preview: bool = False
    ) -> int:
        template, values, pages = self.letter_pages(s)
        c = doc.canvas
        for n, rows in enumerate(pages, 1):
            draw_rows(c, rows, MARGIN_X, PAGE_H - MARGIN_TOP)
            if len(pages) > 1:
                footer = f"{s.name}（{s.class_label}）　第 {n} 页　共 {len(pages)} 页"
                w = self.fonts.width(footer, 8)
                draw_text(c, self.fonts, footer, (PAGE_W - w) / 2, MARGIN_BOTTOM - 2 * MM, Style(8))
            if n == len(pages):
                assert template.slip is not None
                self.draw_slip(c, template.slip, values, s, code, preview)
            if preview:
                self._watermark(c)
            doc.show_page()
        count = len(pages)
        if duplex and count % 2:
            doc.blank_page()
            count += 1
        return count

    def _watermark(self, c: Canvas) -> None:
        c.saveState()
        c.setFillColorRGB(0.85, 0.85, 0.85)
        c.translate(PAGE_W / 2, PAGE_H / 2)
        c.rotate(35)
        draw_text(c, self.fonts, "预览", -60, 0, Style(64, HEADING))
        c.restoreState()

    def draw_slip(
        self, c: Canvas, slip: tpl.Slip, values: dict[str, str], s: LetterStudent, code: str, preview: bool
    ) -> None:
        """The slip below the cut line. Where the codes, the answer boxes and their anchor marks sit is
        fixed (publicity/slipmarks.py) so a scanned stack can be read by machine."""
        fonts = self.fonts
        x0, x1 = MARGIN_X, PAGE_W - MARGIN_X
        top = MARGIN_BOTTOM + SLIP_H
        geo = slip_geometry(x0, x1, top)
        draw_cut_line(c, fonts, top - 2 * MM, x0 - 8 * MM, x1 + 8 * MM, "请沿虚线剪下，将回执交回班主任")
        title = tpl.fill(slip.title, values)
        tw = fonts.width(title, 13, HEADING)
        draw_text(c, fonts, title, (PAGE_W - tw) / 2, top - 11 * MM, Style(13, HEADING))
        qr = geo.qr_big
        right = qr.x
        left_w = right - x0 - 5 * MM
        # the code twice: a QR at the top right with the text under it, a smaller QR at the bottom right
        shown = slipcode.display(code) if not preview else "（预览）"
        if not preview:
            draw_qr(c, code, qr.x, qr.y, qr.w)
            small = geo.qr_small
            draw_qr(c, code, small.x, small.y, small.w)
        cw = fonts.width(shown, 12, HEADING)
        draw_text(c, fonts, shown, right + (qr.w - cw) / 2, qr.y - 5 * MM, Style(12, HEADING))
        size = 10.5
        # the statements share the room above the name row, shrinking rather than pushing it down
        statements = [tpl.fill(st, values) for st in slip.statements]
        room = geo.statements_top - geo.name_y
        y = geo.statements_top
        for text in statements:
            fitted = fit(
                fonts,
                text,
                left_w,
                room / max(1, len(statements)),
                Style(size, BODY, 1.5, "left"),
                max_lines=2,
            )
            draw_fitted(c, fonts, fitted, x0, y + size * 0.3, left_w)
            y -= fitted.height
        y = geo.name_y
        # 学生姓名 and 年级班级 on underlines; a long name shrinks and wraps inside its own space
        label_st = Style(size, BODY, 1.5, "left")
        half = left_w / 2
        for n, (label, value) in enumerate((("学生姓名：", s.name), ("年级班级：", s.class_label))):
            lx = x0 + n * half
            lw = draw_text(c, fonts, label, lx, y - size, label_st)
            box_w = half - lw - 4 * MM
            c.setLineWidth(0.5)
            c.line(lx + lw, y - size - 2, lx + lw + box_w, y - size - 2)
            fitted = fit(fonts, value, box_w - 2, 8.5 * MM, Style(11.5, HEADING, 1.2, "left"), max_lines=2)
            draw_fitted(c, fonts, fitted, lx + lw + 1, y + 1.5 * MM, box_w - 2, 8.5 * MM)
        # the two answers: boxes at fixed places between two anchor marks
        for anchor in geo.anchors:
            c.rect(anchor.x, anchor.y, anchor.w, anchor.h, stroke=0, fill=1)
        line_end = geo.anchors[1].x - 3.5 * MM
        for n, option in enumerate(slip.options):
            box = geo.boxes[n]
            tick_box(c, box.x, box.y, box.w)
            text = tpl.fill(option, values)
            ox = box.x + box.w + 1.5 * MM
            end = geo.boxes[1].x - 3 * MM if n == 0 else line_end
            baseline = box.y + 0.6 * MM
            opt = Style(size, BODY, 1.2, "left")
            if fonts.width(text, size) > end - ox:
                opt = fit(fonts, text, end - ox, size * 1.2, opt, max_lines=1).style
            wid = draw_text(c, fonts, text, ox, baseline, opt)
            if text.endswith(("：", ":")) and ox + wid < end:
                c.setLineWidth(0.5)
                c.line(ox + wid, baseline - 2, end, baseline - 2)
        # signature, phone, date
        y = geo.signature_y
        parts = (("家长签字：", 0.30), ("联系电话：", 0.34), ("日期：", 0.36))
        px = x0
        for label, share in parts:
            w = share * left_w
            lw = draw_text(c, fonts, label, px, y - size, label_st)
            c.setLineWidth(0.5)
            if label == "日期：":
                draw_text(c, fonts, "　　　年　　月　　日", px + lw, y - size, label_st)
            else:
                c.line(px + lw, y - size - 2, px + w - 3 * MM, y - size - 2)
            px += w
        y = geo.code_y
        # the code again as a Code128 barcode for a scanner, with its text
        lw = draw_text(c, fonts, "回执编号：", x0, y - size, label_st)
        lw += draw_text(c, fonts, shown, x0 + lw, y - size, Style(size, HEADING))
        if not preview:
            draw_code128(c, code, x0 + lw + 5 * MM, y - size - 3, 7 * MM, left_w - lw - 5 * MM)

    def draw_cover(
        self, doc: Document, students: Sequence[LetterStudent], codes: dict[int, str], *, duplex: bool
    ) -> int:
        """The head teacher's page: the class list with slip codes and tick boxes."""
        first = students[0]
        fonts, flow = self.fonts, self.flow
        options = ("符合、申请", "不申请") if self.kind == "policy" else ("无异议", "有异议")
        title = f"{MATERIAL_NAMES[self.kind]}回执收回登记表"
        rows = flow.text_rows(title, Style(16, HEADING, 1.6, "center", fake_bold=True), "title")
        rows += flow.text_rows(
            f"{self.school.name}　{first.class_label}　{term_label(self.term)}",
            Style(12, HEADING, 1.6, "center"),
            "title",
        )
        rows += flow.text_rows(
            f"共 {len(students)} 人。请把告知书发给学生带回家，收回回执后在“已交回”栏打 √，并勾选家长的选择；"
            f"请于{self.common['回执交回']}前把回执和本表一并交资助办。本页由班主任留存，不发给学生。",
            Style(10.5, BODY, 1.5, "justify", 2),
        )
        rows.append(flow.gap(4))
        table = Table(
            [
                ("序号", 0.08),
                ("姓名", 0.26),
                ("回执编号", 0.16),
                ("已交回", 0.1),
                (options[0], 0.13),
                (options[1], 0.13),
                ("备注", 0.14),
            ],
            [
                [str(n), s.name, slipcode.display(codes[s.id]), "□", "□", "□", ""]
                for n, s in enumerate(students, 1)
            ],
            ["center", "left", "center", "center", "center", "center", "left"],
        )
        signature = [flow.gap(8)]
        signature += flow.text_rows(
            "班主任签字：____________　　　收回日期：______年____月____日", Style(11, BODY, 1.6, "left")
        )
        table_rows = flow.table_rows(table)
        pages = paginate([*rows, *table_rows, *signature], BODY_H, BODY_H - table_rows[0].height)
        if len(pages) == 2 and len(students) <= 50:
            # a class of 35–50 spilling a few rows onto a second sheet: one sheet in slightly smaller type
            compact = Flow(fonts, flow.width, Scale(small=9)).table_rows(replace(table, pad=1.5))
            tight = paginate([*rows, *compact, *signature], BODY_H, BODY_H - compact[0].height)
            if len(tight) == 1:
                table_rows, pages = compact, tight
        header = table_rows[0]
        c = doc.canvas
        for n, page in enumerate(pages, 1):
            if n > 1 and page and page[0].kind == "table":
                page = [header, *page]  # the header repeated on every page of a long class
            draw_rows(c, page, MARGIN_X, PAGE_H - MARGIN_TOP)
            footer = f"{first.class_label}　回执收回登记表　第 {n} 页　共 {len(pages)} 页"
            w = fonts.width(footer, 8)
            draw_text(c, fonts, footer, (PAGE_W - w) / 2, MARGIN_BOTTOM - 2 * MM, Style(8))
            doc.show_page()
        count = len(pages)
        if duplex and count % 2:
            doc.blank_page()
            count += 1
        return count


def by_class(students: Sequence[LetterStudent]) -> Iterator[list[LetterStudent]]:
    for _key, group in itertools.groupby(students, key=lambda s: (s.stage, s.grade, s.class_name)):
        yield list(group)


# ---- the service ------------------------------------------------------------------------------------


def produce_letters(
    session: Session,
    kind: str,
    out: str | Path,
    *,
    term: str | None = None,
    grade: str | int | None = None,
    class_name: str | None = None,
    letter_date: date | None = None,
    duplex: bool = False,
    covers: bool = True,
    texts: dict[str, str] | None = None,
    settings: PublicitySettings | None = None,
    fonts: FontSet | None = None,
    include: dict[int, str] | None = None,
    progress: Progress = no_progress,
) -> LetterBatch:
    """Make a batch of letters as one PDF and record it. `texts` and `settings` replace the office's
    current templates and contacts (used to make a recorded batch again). An aid letter is not made for
    a child with an open 疑似误助 / 离校仍资助 problem of the term unless `include` gives a reason for
    that child (student id → reason, recorded in the audit trail); the result names both."""
    scope = Scope.parse(grade, class_name)
    # a head teacher names one of their own classes; a grade or the whole school is refused
    require_scope(session, "letters.print", scope.grade, scope.class_name)
    if kind not in KINDS:
        raise InputRefused(f"告知书种类应为 policy（政策告知书）或 aid（受助情况告知书），而不是“{kind}”。")
    out = check_target(out, (".pdf",))
    school = require_school(session)
    term_row = resolve_term(session, term)
    day = letter_date or clock.today()
    cat = load_catalogue(session)
    settings = settings or read_settings(session)
    warnings = contact_warnings(settings, day)
    if kind == "policy":
        students = enrolled_students(session, scope)
        if not students:
            raise InputRefused(f"{scope.label}没有在读学生，没有可生成的政策告知书。")
    else:
        students, left = aided_students(session, scope, term_row, cat)
        if left:
            warnings.append(
                f"另有 {left} 名本学期受助学生已不在读（转出、毕业等），未生成告知书，请另行告知。"
            )
        held = held_back(session, term_row, [s.id for s in students])
        held_ids, kept = split_held(session, MATERIAL_NAMES[kind], held, include, warnings)
        students = [s for s in students if s.id not in held_ids]
        if not students:
            raise InputRefused(
                f"{scope.label}在 {term_row.code} 学期没有受助记录的在读学生，没有可生成的受助情况告知书。"
            )
    fonts = fonts or default_fonts()
    renderer = LetterRenderer(fonts, kind, school, settings, term_row, day, cat, dict(texts or {}))
    for stage in dict.fromkeys(s.stage for s in students):
        renderer.template(stage)  # a broken template is refused before anything is written
    params = {
        "letter_date": day.isoformat(),
        "duplex": duplex,
        "covers": covers,
        "scope": scope.as_params(),
        "texts": renderer.texts,
        "settings": settings.as_dict(),
    }
    if kind == "aid" and (held or include):
        params["include"] = {str(k["student"]): k["reason"] for k in kept}
    batch = open_batch(session, kind, term_row.code, scope.label, params, out)
    codes, new = slip_codes(session, kind, term_row, [s.id for s in students], batch.id)
    result = LetterBatch(
        kind, out, term_row.code, scope.label, batch_id=batch.id, new_slips=new, warnings=warnings
    )
    if kind == "aid":
        result.held_back = [held[sid].as_json() for sid in held if sid in held_ids]
        result.included = kept
    report = Throttled(progress, len(students), step=25, message="正在生成告知书")
    unprintable: dict[str, set[str]] = {}
    title = f"{school.name} {MATERIAL_NAMES[kind]}（{scope.label}，{term_label(term_row)}）"
    with document(out, fonts, title, school.name) as doc:
        done = 0
        for group in by_class(students):
            result.classes += 1
            if covers:
                result.pages += renderer.draw_cover(doc, group, codes, duplex=duplex)
            for s in group:
                result.pages += renderer.draw_letter(doc, s, codes[s.id], duplex=duplex)
                result.slips.append(codes[s.id])
                result.letters += 1
                if missing := fonts.unprintable(s.name):
                    unprintable[s.name] = missing
                done += 1
                report(done, len(students))
    for name, chars in unprintable.items():
        warnings.append(
            f"“{name}”中的“{''.join(sorted(chars))}”在本机字体中都没有，打印出来是方框；"
            + "请安装带该字的字体后重新生成。"
        )
    result.fingerprint = close_batch(session, batch, out, result.pages, result.letters)
    return result


@dataclass
class LetterPlan:
    """What a batch would be, said before it is made: how many letters and about how many pages, and
    the children whose aid is in question (to leave out or include with a reason)."""

    letters: int
    classes: int
    pages: int
    held: list[HeldBack]


def plan_letters(
    session: Session,
    kind: str,
    *,
    term: str | None = None,
    grade: str | int | None = None,
    class_name: str | None = None,
    letter_date: date | None = None,
    duplex: bool = False,
    covers: bool = True,
    fonts: FontSet | None = None,
) -> LetterPlan:
    """Count a batch before making it (nothing is written): the pages are laid out for one letter of
    each grade (and number of aid items), as they would print."""
    scope = Scope.parse(grade, class_name)
    require_scope(session, "letters.print", scope.grade, scope.class_name)
    if kind not in KINDS:
        raise InputRefused(f"告知书种类应为 policy 或 aid，而不是“{kind}”。")
    school = require_school(session)
    term_row = read_term(session, term)
    cat = load_catalogue(session)
    if kind == "policy":
        students = enrolled_students(session, scope)
        held: dict[int, HeldBack] = {}
    else:
        students, _left = aided_students(session, scope, term_row, cat)
        held = held_back(session, term_row, [s.id for s in students])
    renderer = LetterRenderer(
        fonts or default_fonts(), kind, school, read_settings(session), term_row,
        letter_date or clock.today(), cat, {},
    )  # fmt: skip
    sizes: dict[tuple, int] = {}
    pages = 0
    groups = list(by_class(students))
    for s in students:
        key = (s.stage, s.grade, len(s.items))
        if key not in sizes:
            sizes[key] = len(renderer.letter_pages(s)[2])
        n = sizes[key]
        pages += n + (n % 2 if duplex else 0)
    if covers:
        pages += len(groups) * (2 if duplex else 1)
    return LetterPlan(len(students), len(groups), pages, list(held.values()))


def remake_batch(
    session: Session, batch_id: int, out: str | Path, progress: Progress = no_progress
) -> LetterBatch:
    """Make a recorded batch of letters again with the date, texts and contacts it was made with;
    `identical` tells whether the file is byte for byte the one recorded."""
    from aidoffice.db.models import PublicityBatch

    require(session, "letters.print")  # and produce_letters checks the batch's class
    batch = session.get(PublicityBatch, batch_id)
    if batch is None or batch.kind not in KINDS:
        raise InputRefused(f"没有编号为 {batch_id} 的告知书批次。")
    scope = Scope.from_params(batch.params.get("scope", {}))
    result = _remake(session, batch, scope, out, progress)
    result.identical = result.fingerprint == batch.fingerprint
    return result


def _remake(session: Session, batch: Any, scope: Scope, out: str | Path, progress: Progress) -> LetterBatch:
    p = batch.params
    grade: str | None = None
    if scope.grade is not None and scope.stage is not None:
        grade = grade_name(scope.stage, scope.grade)
    return produce_letters(
        session,
        batch.kind,
        out,
        term=batch.term_code,
        grade=grade,
        class_name=scope.class_name,
        letter_date=date.fromisoformat(p["letter_date"]),
        duplex=p.get("duplex", False),
        covers=p.get("covers", True),
        texts=p.get("texts"),
        settings=PublicitySettings(**p.get("settings", {})),
        include={int(k): v for k, v in (p.get("include") or {}).items()},
        progress=progress,
    )


def preview_letter(
    session: Session,
    kind: str,
    student_id: int,
    out: str | Path,
    *,
    term: str | None = None,
    text: str | None = None,
    letter_date: date | None = None,
    fonts: FontSet | None = None,
) -> Path:
    """One real student's letter, marked 预览, with `text` as the template being edited; writes
    nothing to the database (no slip is issued)."""
    require(session, "letters.print")
    out = check_target(out, (".pdf",))
    school = require_school(session)
    term_row = read_term(session, term)
    cat = load_catalogue(session)
    settings = read_settings(session)
    student = session.get(Student, student_id)
    if student is None:
        raise InputRefused("没有这名学生。")
    require_student(session, "letters.print", student)
    scope = Scope(student.stage, student.grade, student.class_name)
    if kind == "aid":
        found, _ = aided_students(session, scope, term_row, cat)
        match = [s for s in found if s.id == student_id]
        if not match:
            raise InputRefused(f"{student.name}在 {term_row.code} 学期没有受助记录，无法预览受助情况告知书。")
        s = match[0]
    else:
        s = LetterStudent(
            student.id,
            student.name,
            student.name_pinyin,
            student.stage,
            student.grade,
            student.class_name,
            student.bank_name,
            student.bank_account,
        )
    fonts = fonts or default_fonts()
    renderer = LetterRenderer(fonts, kind, school, settings, term_row, letter_date or clock.today(), cat, {})
    if text is not None:
        renderer.texts[renderer.template_name(s.stage)] = text
    code = session.scalar(
        select(Slip.code).where(Slip.student_id == s.id, Slip.kind == kind, Slip.term_id == term_row.id)
    )
    with document(out, fonts, "预览", school.name) as doc:
        renderer.draw_letter(doc, s, code or "", duplex=False, preview=not code)
    return out
