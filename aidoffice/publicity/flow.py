"""A template's text turned into rows of laid-out lines, and rows placed on pages.

A row is one line (or one table row) with its height and a function that draws it; pages are filled
top to bottom. Lines of text that are the same in every letter (the policies of a stage, the
anti-fraud warning) are wrapped once per document and reused."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from reportlab.pdfgen.canvas import Canvas

from aidoffice.publicity.content import PolicyText
from aidoffice.publicity.fonts import BODY, HEADING, FontSet
from aidoffice.publicity.layout import Line, Style, draw_line, wrap
from aidoffice.publicity.templates import Block, Section, Template, fill

Draw = Callable[[Canvas, float, float], None]  # (canvas, left x, top y)


@dataclass
class Row:
    height: float
    draw: Draw
    kind: str = "para"
    group: int = 0  # rows of one paragraph share a group
    keep_next: bool = False


@dataclass(frozen=True)
class Scale:
    """Type sizes of a document (a letter; the poster scales them up)."""

    title: float = 16.0
    subtitle: float = 12.5
    heading: float = 11.5
    body: float = 10.5
    small: float = 10.0
    leading: float = 1.5

    def times(self, k: float) -> Scale:
        return Scale(
            self.title * k, self.subtitle * k, self.heading * k, self.body * k, self.small * k, self.leading
        )


@dataclass
class Table:
    """A simple bordered table for a block placeholder (资助明细, 公示名单)."""

    columns: list[tuple[str, float]]  # title, share of the width
    rows: list[list[str]]
    aligns: list[str] = field(default_factory=list)  # per column: left / center / right
    total: list[str] | None = None  # a closing row in the heading font
    min_row_height: float = 0.0  # e.g. room for a signature
    pad: float = 3.0  # above and below each cell's text


class Flow:
    def __init__(self, fonts: FontSet, width: float, scale: Scale | None = None):
        self.fonts = fonts
        self.width = width
        self.scale = scale or Scale()
        self._wrapped: dict[tuple[str, float, Style], list[Line]] = {}
        self._group = 0

    def lines(self, text: str, width: float, style: Style) -> list[Line]:
        key = (text, width, style)
        hit = self._wrapped.get(key)
        if hit is None:
            hit = wrap(self.fonts, text, width, style)
            if len(self._wrapped) > 4000:
                self._wrapped.clear()
            self._wrapped[key] = hit
        return hit

    def text_rows(
        self, text: str, style: Style, kind: str = "para", keep_next: bool = False, space_before: float = 0.0
    ) -> list[Row]:
        self._group += 1
        fonts, width = self.fonts, self.width
        rows = []
        lines = self.lines(text, width, style)
        for n, line in enumerate(lines):
            height = style.line_height + (space_before if n == 0 else 0.0)
            offset = space_before if n == 0 else 0.0

            def draw(c: Canvas, x: float, top: float, line: Line = line, offset: float = offset) -> None:
                draw_line(c, fonts, line, x, top - offset - style.size * 1.12, width, style)

            rows.append(Row(height, draw, kind, self._group, keep_next or n < len(lines) - 1))
        return rows

    def gap(self, height: float) -> Row:
        return Row(height, lambda c, x, top: None, "gap", self._group)

    # ---- template blocks ------------------------------------------------------------------------

    def block_rows(self, block: Block, values: dict[str, str]) -> list[Row]:
        s = self.scale
        text = fill(block.text, values)
        if block.kind == "title":
            return self.text_rows(text, Style(s.title, HEADING, 1.5, "center", fake_bold=True), "title")
        if block.kind == "subtitle":
            return self.text_rows(text, Style(s.subtitle, HEADING, 1.5, "center"), "title")
        if block.kind == "heading":
            return self.text_rows(
                text,
                Style(s.heading, HEADING, 1.5, "left"),
                "heading",
                keep_next=True,
                space_before=s.body * 0.4,
            )
        if block.kind == "item":
            return self.text_rows("· " + text, Style(s.body, BODY, s.leading, "justify", 0, 1.0), "item")
        if block.kind == "right":
            rows = self.text_rows(text, Style(s.body, BODY, s.leading, "right"), "right")
            if "盖章" in text:  # room above the signing line for the school's seal
                rows.insert(0, Row(SEAL_SPACE, lambda c, x, top: None, "seal", rows[0].group))
            return rows
        if block.kind == "gap":
            return [self.gap(s.body * 0.35)]
        # a short line ending with a colon is a greeting or a lead-in (尊敬的家长：): not indented
        lead_in = text.rstrip().endswith(("：", ":")) and (
            len(text) <= 24 or text.startswith(("尊敬的", "亲爱的"))
        )
        indent = 0 if lead_in else 2
        return self.text_rows(text, Style(s.body, BODY, s.leading, "justify", indent), "para")

    def policy_rows(self, policies: Sequence[PolicyText], heading: str | None = None) -> list[Row]:
        s = self.scale
        rows: list[Row] = []
        if heading:
            rows += self.text_rows(heading, Style(s.body, HEADING, 1.5, "left"), "heading", keep_next=True)
        detail = Style(s.small, BODY, s.leading, "justify", 1.6, 1.6)
        for n, p in enumerate(policies, 1):
            rows += self.text_rows(
                f"{n}. {p.name}", Style(s.body, HEADING, 1.45, "left", 0, 1.2), "heading", keep_next=True
            )
            text = f"标准：{p.standard}。" + (p.description or "") + p.who
            rows += self.text_rows(text, detail, "para")
        return rows

    def table_rows(self, table: Table) -> list[Row]:
        fonts, width, s = self.fonts, self.width, self.scale
        widths = [share * width for _, share in table.columns]
        pad = table.pad
        self._group += 1
        rows: list[Row] = []

        def one(cells: Sequence[str], role: str, shade: bool) -> Row:
            size = s.small
            styles, wrapped = [], []
            for i, text in enumerate(cells):
                align = table.aligns[i] if i < len(table.aligns) else "left"
                st = Style(size, role, 1.35, align)
                styles.append(st)
                wrapped.append(self.lines(text, widths[i] - 2 * pad, st))
            height = max(len(w) for w in wrapped) * size * 1.35 + 2 * pad
            if not shade:
                height = max(height, table.min_row_height)

            def draw(c: Canvas, x: float, top: float) -> None:
                c.saveState()
                c.setLineWidth(0.6)
                if shade:
                    c.setFillColorRGB(0.92, 0.92, 0.92)
                    c.rect(x, top - height, width, height, stroke=0, fill=1)
                    c.setFillColorRGB(0, 0, 0)
                c.rect(x, top - height, width, height, stroke=1, fill=0)
                cx = x
                for i, w in enumerate(widths):
                    if i:
                        c.line(cx, top, cx, top - height)
                    block_h = len(wrapped[i]) * size * 1.35
                    y0 = top - (height - block_h) / 2
                    for n, line in enumerate(wrapped[i]):
                        draw_line(
                            c,
                            fonts,
                            line,
                            cx + pad,
                            y0 - n * size * 1.35 - size * 1.05,
                            w - 2 * pad,
                            styles[i],
                        )
                    cx += w
                c.restoreState()

            return Row(height, draw, "table", self._group)

        header = one([t for t, _ in table.columns], HEADING, True)
        header.keep_next = True
        rows.append(header)
        rows += [one(r, BODY, False) for r in table.rows]
        if table.total:
            rows.append(one(table.total, HEADING, False))
        return rows

    def template_rows(
        self,
        template: Template,
        values: dict[str, str],
        blocks: dict[str, list[Row] | None],
        markers: dict[str, bool],
    ) -> list[Row]:
        """The rows of a template's body. A section is left out when one of its markers is false
        ({仅毕业年级} for a class that is not leaving) or a block placeholder in it has no content."""
        rows: list[Row] = []
        printed = 0
        for section in template.sections:
            if not _section_applies(section, blocks, markers):
                continue
            if section.heading is not None:
                heading = section.heading
                if _NUMBERED.match(heading.text):
                    # 一、二、三… by the sections printed, not as written (一、二、四、五 when 三 is left out)
                    printed += 1
                    heading = replace(
                        heading, text=_NUMBERED.sub(chinese_number(printed) + "、", heading.text, 1)
                    )
                rows += self.block_rows(heading, values)
            for block in section.blocks:
                if block.kind == "marker":
                    continue
                if block.kind == "block":
                    rows += blocks.get(block.text) or []
                    continue
                rows += self.block_rows(block, values)
        return rows


# room above 学校（盖章）for the seal (stamped over the name and the date); a letter that would need
# another sheet for it goes without (see without_seal_space)
SEAL_SPACE = 36.0
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (section numbers)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def without_seal_space(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.kind != "seal"]


def _section_applies(section: Section, blocks: dict[str, list[Row] | None], markers: dict[str, bool]) -> bool:
    if any(not markers.get(m, True) for m in section.markers):
        return False
    return all(blocks.get(b.text) for b in section.blocks if b.kind == "block")


def paginate(rows: list[Row], first: float, rest: float) -> list[list[Row]]:
    """Rows onto pages of the given heights; a heading is not left alone at the foot of a page."""
    pages: list[list[Row]] = [[]]
    used = 0.0
    avail = first
    i = 0
    while i < len(rows):
        row = rows[i]
        # keep a run of keep_next rows together with the row that follows them
        j = i
        run_h = 0.0
        while j < len(rows) and rows[j].keep_next and rows[j].kind in ("heading",) and j - i < 4:
            run_h += rows[j].height
            j += 1
        need = run_h + (rows[j].height if j < len(rows) else 0.0) if j > i else row.height
        if used + need > avail and pages[-1]:
            pages.append([])
            used = 0.0
            avail = rest
        pages[-1].append(row)
        used += row.height
        i += 1
    return pages


def page_height(rows: Sequence[Row]) -> float:
    return sum(r.height for r in rows)


def draw_rows(c: Canvas, rows: Sequence[Row], x: float, top: float) -> float:
    y = top
    for row in rows:
        row.draw(c, x, y)
        y -= row.height
    return y


def render(
    doc,  # type: ignore[no-untyped-def]
    rows: list[Row],
    *,
    x: float,
    top: float,
    height: float,
    footer: Callable[[int, int], None] | None = None,
    repeat: Row | None = None,
) -> int:
    """Rows onto as many pages as they need; `repeat` (a table header) starts every page after the
    first whose first row is a table row. Returns the number of pages."""
    pages = paginate(rows, height, height - (repeat.height if repeat else 0.0))
    for n, page in enumerate(pages, 1):
        if repeat is not None and n > 1 and page and page[0].kind == "table":
            page = [repeat, *page]
        draw_rows(doc.canvas, page, x, top)
        if footer is not None:
            footer(n, len(pages))
        doc.show_page()
    return len(pages)
