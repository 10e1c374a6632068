"""The bulletin-board poster (一栏, 宣传栏): the policies of the school's stages, how to apply, the
contact and complaint lines, on A3 (A4 and A2 too), in type readable from two metres.

Body text is set at 24 pt on A3 (about 8.5 mm per character; scaled with the paper: 17 pt on A4,
34 pt on A2) and shrinks, at most to three quarters of that, only when the school's policies would
not fit on one sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.catalogue import load_catalogue
from aidoffice.db.models import Student, StudentStatus
from aidoffice.domain.grades import STAGES
from aidoffice.errors import InputRefused
from aidoffice.files import check_target
from aidoffice.ledgers.school import require_school, resolve_term
from aidoffice.publicity import templates as tpl
from aidoffice.publicity.common import close_batch, common_values, contact_warnings, open_batch
from aidoffice.publicity.content import STAGE_ORDER, policy_texts
from aidoffice.publicity.flow import Flow, Row, Scale, page_height
from aidoffice.publicity.fonts import BODY, HEADING, FontSet, default_fonts
from aidoffice.publicity.layout import Style
from aidoffice.publicity.pdf import MM, PAGE_SIZES, document
from aidoffice.publicity.settings import read_settings

A3_BODY = 24.0  # pt on A3
MIN_SHARE = 0.75


@dataclass
class PosterResult:
    path: Path
    size: str
    pages: int
    body_pt: float
    stages: list[str]
    batch_id: int | None = None
    fingerprint: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "out": str(self.path),
            "size": self.size,
            "pages": self.pages,
            "body_pt": round(self.body_pt, 1),
            "stages": self.stages,
            "batch": self.batch_id,
            "sha256": self.fingerprint,
            "warnings": self.warnings,
        }


def school_stages(session: Session) -> list[str]:
    """The stages the school has students in (all stages when the ledger is empty)."""
    have = set(
        session.scalars(select(Student.stage).where(Student.status == StudentStatus.ENROLLED).distinct())
    )
    return sorted(have or set(STAGES), key=lambda s: STAGE_ORDER.get(s, 99))


def _policy_rows(flow: Flow, session: Session, stages: list[str], day: date) -> list[Row]:
    cat = load_catalogue(session)
    s = flow.scale
    rows: list[Row] = []
    for stage in stages:
        texts = policy_texts(cat, stage, day)
        if not texts:
            continue
        rows += flow.text_rows(
            f"【{STAGES[stage]}】", Style(s.heading, HEADING, 1.45, "left"), "heading", keep_next=True
        )
        for p in texts:
            note = "（不需申请）" if p.universal else "（需申请）"
            rows += flow.text_rows(
                f"{p.name}{note}", Style(s.body, HEADING, 1.35, "left", 0, 1), "heading", keep_next=True
            )
            rows += flow.text_rows(p.standard, Style(s.body, BODY, 1.35, "left", 1, 1))
    return rows


def produce_poster(
    session: Session,
    out: str | Path,
    *,
    size: str = "A3",
    term: str | None = None,
    poster_date: date | None = None,
    text: str | None = None,
    fonts: FontSet | None = None,
) -> PosterResult:
    require(session, "letters.print")  # the school's policies only: no child's data
    size = (size or "A3").upper()
    if size not in PAGE_SIZES:
        raise InputRefused(f"纸张应为 A3、A4 或 A2，而不是“{size}”。")
    out = check_target(out, (".pdf",))
    school = require_school(session)
    term_row = resolve_term(session, term)
    settings = read_settings(session)
    day = poster_date or clock.today()
    template = tpl.load("poster", text)
    fonts = fonts or default_fonts()
    page_w, page_h = PAGE_SIZES[size]
    k = page_w / PAGE_SIZES["A3"][0]
    margin = 16 * MM * k
    width, height = page_w - 2 * margin, page_h - 2 * margin - 8 * MM * k
    values = common_values(school, settings, term_row, day)
    stages = school_stages(session)
    share = 1.0
    while True:
        body = A3_BODY * k * share
        scale = Scale(
            title=body * 2.4, subtitle=body * 1.35, heading=body * 1.3, body=body, small=body, leading=1.4
        )
        flow = Flow(fonts, width, scale)
        blocks = {"各学段政策": _policy_rows(flow, session, stages, day)}
        rows = flow.template_rows(template, values, blocks, {})
        if page_height(rows) <= height or share <= MIN_SHARE:
            break
        share = max(MIN_SHARE, share - 0.05)
    params = {
        "size": size,
        "date": day.isoformat(),
        "texts": {"poster": template.text},
        "settings": settings.as_dict(),
    }
    batch = open_batch(session, "poster", term_row.code, "全校", params, out)
    result = PosterResult(out, size, 0, body, stages, batch.id, warnings=contact_warnings(settings))
    with document(out, fonts, f"{school.name} 学生资助政策宣传栏", school.name, PAGE_SIZES[size]) as doc:
        c = doc.canvas
        pages: list[list[Row]] = [[]]
        used = 0.0
        for row in rows:
            if used + row.height > height and pages[-1]:
                pages.append([])
                used = 0.0
            pages[-1].append(row)
            used += row.height
        for page in pages:
            c.saveState()
            c.setStrokeColorRGB(0.75, 0.1, 0.1)
            c.setLineWidth(4 * k)
            c.rect(margin / 2, margin / 2, page_w - margin, page_h - margin, stroke=1, fill=0)
            c.restoreState()
            y = page_h - margin
            for row in page:
                if row.kind == "title":
                    c.setFillColorRGB(0.72, 0.08, 0.08)
                    c.setStrokeColorRGB(0.72, 0.08, 0.08)
                row.draw(c, margin, y)
                c.setFillColorRGB(0, 0, 0)
                c.setStrokeColorRGB(0, 0, 0)
                y -= row.height
            doc.show_page()
        result.pages = len(pages)
    if result.pages > 1:
        result.warnings.append(
            f"内容较多，海报印成了 {result.pages} 张；可换大一号的纸（--size A2）或精简模板文字。"
        )
    result.fingerprint = close_batch(session, batch, out, result.pages, len(stages))
    return result
