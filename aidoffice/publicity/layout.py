"""Chinese text on a reportlab canvas: line breaking with the usual rules (no line starts with a closing
mark such as ，。）, none ends with an opening one such as （“), justification, per-character font
fallback, and boxes that shrink their text rather than let it overflow.

Deliberately not reportlab's Paragraph: letters are drawn thousands at a time and a Paragraph costs
several times a direct canvas draw; here wrapped lines of text that is the same in every letter are
computed once and reused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from aidoffice.publicity.fonts import BODY, FontSet

# 行首禁则 / 行尾禁则 (GB/T 15834 and common practice)
NO_START = set("，。、；：？！）》」』】〕〉’”…—·%‰,.;:?!)]}>～~")
NO_END = set("（《「『【〔〈‘“([{<")
_WORD = re.compile(r"[A-Za-z0-9@#&_./:+\-=%￥¥$*]+|\s+|.", re.S)


@dataclass(frozen=True)
class Style:
    size: float
    role: str = BODY
    leading: float = 1.55  # line height as a multiple of the size
    align: str = "justify"  # left / center / right / justify
    first_indent: float = 0.0  # em, first line (2 for a Chinese paragraph)
    left_indent: float = 0.0  # em, every line after the first (a hanging list item)
    fake_bold: bool = False  # CJK fonts have no bold face: fill and stroke the outline

    @property
    def line_height(self) -> float:
        return self.size * self.leading


@dataclass(frozen=True)
class Line:
    text: str
    width: float  # natural width in points
    indent: float  # points from the left edge of the box
    last: bool  # the last line of its paragraph (never justified)


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def wrap(fonts: FontSet, text: str, width: float, style: Style) -> list[Line]:
    """Break `text` into lines no wider than `width` points."""
    size, role = style.size, style.role
    scale = size / 1000.0
    first = style.first_indent * size
    rest = style.left_indent * size
    lines: list[Line] = []
    cw = fonts.char_width

    def tok_width(tok: str) -> int:
        return sum(cw(ch, role) for ch in tok)

    tokens = _tokens(text.replace("\t", "  "))
    cur: list[str] = []
    cur_w = 0
    indent = first

    def emit(tokens_: list[str], last: bool) -> None:
        nonlocal indent
        while tokens_ and tokens_[-1].isspace():
            tokens_.pop()
        line_text = "".join(tokens_)
        lines.append(Line(line_text, tok_width(line_text) * scale, indent, last))
        indent = rest

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not cur and tok.isspace() and lines:
            i += 1  # no space at the start of a continued line
            continue
        avail = (width - indent) / scale
        w = tok_width(tok)
        if cur_w + w <= avail + 0.01:
            cur.append(tok)
            cur_w += w
            i += 1
            continue
        if not cur:
            # a single token wider than the line (a long number): split it by character
            part, pw = "", 0
            for ch in tok:
                c = cw(ch, role)
                if pw + c > avail and part:
                    break
                part += ch
                pw += c
            while len(part) > 1 and tok[len(part) : len(part) + 1] in NO_START:
                part = part[:-1]  # no closing mark at the start of the next line
            emit([part], False)
            tokens[i] = tok[len(part) :]
            continue
        carry: list[str] = []
        if tok[:1] in NO_START and len(cur) > 1:
            # take the character before down with the closing mark (and any closing marks before it)
            carry.insert(0, cur.pop())
            while len(cur) > 1 and carry[0][:1] in NO_START:
                carry.insert(0, cur.pop())
        elif tok[:1] in NO_START and len(cur) == 1 and len(cur[0]) > 1:
            carry.append(cur[0][-1])  # a long word alone on its line gives up its last character
            cur = [cur[0][:-1]]
        while len(cur) > 1 and cur[-1][-1:] in NO_END:
            carry.insert(0, cur.pop())
        emit(cur, False)
        cur = carry
        cur_w = sum(tok_width(t) for t in cur)
        # the carried tokens plus the current one may still not fit a very narrow box; loop decides
    if cur or not lines:
        emit(cur, True)
    return _no_orphan(lines, tok_width, scale)


def _no_orphan(lines: list[Line], tok_width: Any, scale: float) -> list[Line]:
    """A paragraph (a title above all) does not end in one Chinese character alone on its line
    (“……受助学生公” / “示”): the character before it goes down too."""
    if len(lines) < 2:
        return lines
    prev, last = lines[-2], lines[-1]
    moved = prev.text[-1:]
    if (
        len(last.text) != 1
        or ord(last.text) < 0x2E80
        or len(prev.text) < 4
        or moved in NO_START
        or moved.isspace()
        or prev.text[-2:-1] in NO_END
    ):
        return lines
    head, tail = prev.text[:-1], moved + last.text
    return [
        *lines[:-2],
        Line(head, tok_width(head) * scale, prev.indent, False),
        Line(tail, tok_width(tail) * scale, last.indent, True),
    ]


def draw_line(
    c: Canvas, fonts: FontSet, line: Line, x: float, y: float, box_width: float, style: Style
) -> None:
    """Draw one wrapped line with its left edge at x and baseline at y."""
    if not line.text:
        return
    size, role = style.size, style.role
    left = x + line.indent
    room = box_width - line.indent
    char_space = 0.0
    if style.align == "center":
        left = x + (box_width - line.width) / 2
    elif style.align == "right":
        left = x + box_width - line.width
    elif style.align == "justify" and not line.last and len(line.text) > 1:
        spare = room - line.width
        if 0 < spare < size * 0.5 * len(line.text):
            char_space = spare / (len(line.text) - 1)
    _emit(c, fonts.runs(line.text, role), left, y, size, char_space, style.fake_bold)


_FONTS: dict[str, object] = {}


def _emit(
    c: Canvas, runs: list[tuple[str, str]], x: float, y: float, size: float, char_space: float, bold: bool
) -> None:
    """Write the text operators straight into the page: what reportlab's text object writes for a
    TrueType font (subset selection, escaped bytes), without its per-call float formatting, which
    cost more than half of a letter's drawing time."""
    doc = c._doc
    escape = c._escape
    ops = [f"BT 1 0 0 1 {x:.3f} {y:.3f} Tm"]
    if char_space:
        ops.append(f"{char_space:.4f} Tc")
    if bold:  # outline stroked too, its width kept inside q … Q
        ops = ["q", f"{size * 0.025:.3f} w", *ops, "2 Tr"]
    current = None
    for name, run in runs:
        font = _FONTS.get(name)
        if font is None:
            font = _FONTS[name] = pdfmetrics.getFont(name)
        for subset, chunk in font.splitString(run, doc):  # type: ignore[attr-defined]
            if (name, subset) != current:
                ops.append(f"{font.getSubsetInternalName(subset, doc)} {size:.2f} Tf")  # type: ignore[attr-defined]
                current = (name, subset)
            ops.append(f"({escape(chunk)}) Tj")
    if char_space:
        ops.append("0 Tc")
    if bold:
        ops.append("0 Tr")
    ops.append("ET")
    if bold:
        ops.append("Q")
    c._code.append(" ".join(ops))


def draw_text(c: Canvas, fonts: FontSet, text: str, x: float, y: float, style: Style) -> float:
    """Draw a single unwrapped run of text at (x, y); returns its width."""
    width = fonts.width(text, style.size, style.role)
    draw_line(
        c, fonts, Line(text, width, 0.0, True), x, y, width, Style(style.size, style.role, align="left")
    )
    return width


@dataclass(frozen=True)
class Fitted:
    lines: list[Line]
    style: Style

    @property
    def height(self) -> float:
        return len(self.lines) * self.style.line_height


def fit(
    fonts: FontSet,
    text: str,
    width: float,
    height: float,
    style: Style,
    *,
    max_lines: int | None = None,
    min_size: float = 5.0,
) -> Fitted:
    """The largest size (at most style.size) at which `text` fits the box in at most `max_lines`
    lines: a long name or school name shrinks and wraps, it never runs out of its box."""
    size = style.size
    while True:
        st = Style(size, style.role, style.leading, style.align, fake_bold=style.fake_bold)
        lines = wrap(fonts, text, width, st)
        fits = len(lines) * st.line_height <= height + 0.01 and all(ln.width <= width + 0.01 for ln in lines)
        if max_lines is not None:
            fits = fits and len(lines) <= max_lines
        if fits or size <= min_size:
            if not fits:  # the floor: the leading shrinks too, and the text still stays inside
                leading = max(1.0, height / max(1, len(lines)) / size)
                st = Style(size, style.role, leading, style.align, fake_bold=style.fake_bold)
            return Fitted(lines, st)
        size = max(min_size, size * 0.92)


def draw_fitted(
    c: Canvas, fonts: FontSet, fitted: Fitted, x: float, top: float, width: float, height: float | None = None
) -> None:
    """Draw fitted lines in a box whose top edge is `top`; vertically centred when `height` is given."""
    st = fitted.style
    block = fitted.height
    y0 = top - (height - block) / 2 if height is not None and height > block else top
    for n, line in enumerate(fitted.lines):
        baseline = y0 - n * st.line_height - st.line_height / 2 - st.size * 0.35
        draw_line(c, fonts, line, x, baseline, width, st)
