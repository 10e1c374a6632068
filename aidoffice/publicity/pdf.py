"""The PDF canvas every publicity document is drawn on: reproducible (same inputs, same bytes), pages
compressed as they are finished so memory stays flat over thousands of letters, no unembedded
standard font, and the barcodes and marks the letters need."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A2, A3, A4
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from aidoffice.files import atomic_path
from aidoffice.publicity.fonts import BODY, FontSet

PAGE_SIZES = {"A4": A4, "A3": A3, "A2": A2}
MM = 72 / 25.4


class Document:
    """A canvas writing to a temporary file that replaces `target` when the document is complete.

    reportlab keeps every page's content until `save()`; a finished page's stream is compressed at once
    (`_seal`), which is what reportlab would do at the end anyway, so 3,000 letters hold ~3,000 small
    compressed streams instead of their full text."""

    def __init__(self, path: Path, fonts: FontSet, title: str, author: str, pagesize=A4):  # type: ignore[no-untyped-def]
        self.fonts = fonts
        # invariant: a fixed creation date and document ID, so the same inputs give the same bytes
        self.canvas = Canvas(
            str(path),
            pagesize=pagesize,
            invariant=1,
            pageCompression=1,
            initialFontName=fonts.main_name(BODY),  # else Helvetica is listed, unembedded
            initialFontSize=10,
            pdfVersion=(1, 4),
        )
        self.canvas.setTitle(title)
        self.canvas.setAuthor(author)
        self.canvas.setCreator("aidoffice 学校资助办助手")
        self.canvas.setProducer("aidoffice")
        self.canvas.setSubject(title)
        self.canvas.setPageCallBack(self._seal)
        self.pages = 0

    def _seal(self, _page_number: int) -> None:
        page = self.canvas._doc.Pages.pages[-1]
        stream = page.stream
        if stream is None:
            return
        data = stream.encode("latin-1") if isinstance(stream, str) else stream
        sealed = pdfdoc.PDFStream(content=zlib.compress(data))
        sealed.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        sealed.__Comment__ = "page stream"
        page.Contents = sealed
        page.stream = None
        self.pages += 1

    def show_page(self) -> None:
        self.canvas.showPage()

    def blank_page(self) -> None:
        """An empty page (the back of a sheet when printing on both sides)."""
        self.canvas.showPage()

    def save(self) -> None:
        # never a letter whose dates and amounts print as blanks: refused before the file appears
        self.fonts.check_essential()
        self.canvas.save()


@contextmanager
def document(target: str | Path, fonts: FontSet, title: str, author: str, pagesize=A4) -> Iterator[Document]:  # type: ignore[no-untyped-def]
    """A Document whose file appears at `target` only when complete (never half-written)."""
    with atomic_path(target) as tmp:
        doc = Document(tmp, fonts, title, author, pagesize)
        yield doc
        doc.save()


def draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code (reportlab's own encoder) as one filled path, with a 2-module quiet zone inside
    `size`; (x, y) is the lower-left corner. The mask is fixed rather than the best of eight: any
    mask is a valid code, and trying all eight cost 13 ms a letter, more than the rest of the slip."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.version = qr.calculate_version()
    qr.makeImpl(False, 0)
    n = qr.getModuleCount()
    border = 2
    box = size / (n + 2 * border)
    rects = []
    for r, row in enumerate(qr.modules):
        col = 0
        top = y + size - (r + border + 1) * box
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                rects.append(
                    f"{x + (start + border) * box:.3f} {top:.3f} {(col - start) * box:.3f} {box:.3f} re"
                )
            else:
                col += 1
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c._code.append(" ".join(rects) + " f")  # one path, written directly: 200 rectangles a code
    c.restoreState()


def draw_code128(c: Canvas, text: str, x: float, y: float, height: float, max_width: float) -> float:
    """A Code128 barcode without its human-readable line (printed separately in a Chinese font);
    returns its width."""
    bar_width = 0.33 * MM
    code = Code128(text, barHeight=height, barWidth=bar_width, humanReadable=False, quiet=False)
    if code.width > max_width:
        code = Code128(
            text,
            barHeight=height,
            barWidth=bar_width * max_width / code.width,
            humanReadable=False,
            quiet=False,
        )
    code.drawOn(c, x, y)
    return code.width


def draw_scissors(c: Canvas, x: float, y: float, size: float) -> None:
    """A small pair of scissors (✂ is in few Chinese fonts), pointing right, centred on (x, y)."""
    r = size * 0.18
    c.saveState()
    c.setLineWidth(size * 0.07)
    c.circle(x - size * 0.32, y + size * 0.2, r, stroke=1, fill=0)
    c.circle(x - size * 0.32, y - size * 0.2, r, stroke=1, fill=0)
    c.line(x - size * 0.18, y + size * 0.12, x + size * 0.45, y - size * 0.16)
    c.line(x - size * 0.18, y - size * 0.12, x + size * 0.45, y + size * 0.16)
    c.restoreState()


def draw_cut_line(c: Canvas, fonts: FontSet, y: float, left: float, right: float, label: str) -> None:
    """The dashed line the slip is cut along, with scissors and a short instruction in the middle."""
    from aidoffice.publicity.layout import Style, draw_text

    size = 8.5
    label_w = fonts.width(label, size)
    mid = (left + right) / 2
    c.saveState()
    c.setDash(4, 3)
    c.setLineWidth(0.6)
    c.line(left, y, mid - label_w / 2 - 6, y)
    c.line(mid + label_w / 2 + 6, y, right, y)
    c.restoreState()
    draw_scissors(c, left + 8, y, 12)
    draw_text(c, fonts, label, mid - label_w / 2, y - size * 0.35, Style(size))


def tick_box(c: Canvas, x: float, y: float, size: float) -> None:
    """□ drawn as a square (the character's look differs from font to font)."""
    c.saveState()
    c.setLineWidth(0.7)
    c.rect(x, y, size, size, stroke=1, fill=0)
    c.restoreState()


def render_page(pdf: str | Path, number: int = 1, width: int | None = None):  # type: ignore[no-untyped-def]
    """One page of a PDF as a picture (a PIL image), drawn by pdfium inside the program: the template
    preview and the scanned slips need no outside tool (Windows has no poppler). `width` in pixels;
    default 100 dpi."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[number - 1]
        scale = (width / page.get_width()) if width else 100 / 72
        image = page.render(scale=scale).to_pil().convert("RGB")
        page.close()
        return image
    finally:
        doc.close()
