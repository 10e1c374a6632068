"""Scanned stacks made on the computer: letter pages rendered to images as a copier would scan them,
boxes ticked by hand (a pen tick, a faint pencil one, a tick crossed out, two ticks, a smudge), the
page turned a few degrees or upside down, speckled, or in black and white. Used by the scan tests and
by bench/bench_scan.py."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from aidoffice.publicity.letters import PAGE_H
from aidoffice.publicity.omr import letter_geometry
from aidoffice.publicity.slipmarks import Rect

TICKS = ("pen", "pencil", "crossed", "double", "none", "smudge", "filled")


@dataclass
class Marked:
    """What was done to one slip, and so what the scanner should say."""

    code: str
    choice: int | None  # the box a reader would say was meant (None: nobody could say)
    tick: str  # one of TICKS

    @property
    def clean(self) -> bool:
        return self.tick == "pen"


def render_pages(pdf: str | Path, dpi: int = 200, pages: list[int] | None = None) -> list[Image.Image]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    out = []
    for n in pages if pages is not None else range(len(doc)):
        page = doc[n]
        out.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
        page.close()
    doc.close()
    return out


def _px(rect: Rect, dpi: int, fx: float, fy: float) -> tuple[float, float]:
    """A point inside `rect` (fractions from its lower left) in the pixels of an upright render."""
    k = dpi / 72
    return (rect.x + fx * rect.w) * k, (PAGE_H - (rect.y + fy * rect.h)) * k


def draw_tick(
    draw: ImageDraw.ImageDraw, rect: Rect, dpi: int, rng: random.Random, colour: int, width: int
) -> None:
    j = lambda v: v + rng.uniform(-0.08, 0.08)  # noqa: E731 - a hand is never steady
    points = [
        _px(rect, dpi, j(0.15), j(0.55)),
        _px(rect, dpi, j(0.42), j(0.15)),
        _px(rect, dpi, j(1.05), j(1.15)),
    ]
    draw.line(points, fill=colour, width=width, joint="curve")


def draw_cross(draw: ImageDraw.ImageDraw, rect: Rect, dpi: int, rng: random.Random, width: int) -> None:
    """A tick scribbled over: zigzags across the whole box."""
    pts = []
    for n in range(7):
        pts.append(_px(rect, dpi, 0.0 + rng.uniform(-0.05, 0.05), 0.05 + n * 0.15))
        pts.append(_px(rect, dpi, 1.0 + rng.uniform(-0.05, 0.05), 0.12 + n * 0.15))
    draw.line(pts, fill=25, width=width)


def mark_slip(image: Image.Image, tick: str, choice: int, rng: random.Random, dpi: int = 200) -> int | None:
    """Tick the slip on an upright letter page render; returns the box a reader would say is meant."""
    boxes = letter_geometry().boxes
    draw = ImageDraw.Draw(image)
    pen = max(2, round(0.45 / 25.4 * dpi))
    if tick == "pen":
        draw_tick(draw, boxes[choice], dpi, rng, rng.randint(0, 60), pen + rng.randint(0, 1))
        return choice
    if tick == "pencil":
        draw_tick(draw, boxes[choice], dpi, rng, rng.randint(120, 150), max(2, pen - 1))
        return choice
    if tick == "crossed":  # ticked one, scribbled it out, ticked the other
        draw_tick(draw, boxes[1 - choice], dpi, rng, 30, pen)
        draw_cross(draw, boxes[1 - choice], dpi, rng, pen)
        draw_tick(draw, boxes[choice], dpi, rng, 30, pen)
        return None
    if tick == "double":
        draw_tick(draw, boxes[0], dpi, rng, 30, pen)
        draw_tick(draw, boxes[1], dpi, rng, 30, pen)
        return None
    if tick == "smudge":
        x, y = _px(boxes[choice], dpi, 0.5, 0.5)
        r = 0.35 * boxes[choice].w * dpi / 72
        blot = Image.new("L", image.size, 255)
        ImageDraw.Draw(blot).ellipse((x - r, y - r * 0.7, x + r, y + r * 0.7), fill=205)
        image.paste(ImageChops.darker(image, blot.filter(ImageFilter.GaussianBlur(4))))
        return None
    if tick == "filled":
        a, b = _px(boxes[choice], dpi, 0.05, 0.95), _px(boxes[choice], dpi, 0.95, 0.05)
        draw.rectangle((*a, *b), fill=20)
        return None
    return None  # "none"


def write_note(image: Image.Image, text_px: int = 14, dpi: int = 200) -> None:
    """Scribbles on the 有异议 line, as a family writing what they object to."""
    note = letter_geometry().note
    draw = ImageDraw.Draw(image)
    x0, y0 = _px(note, dpi, 0.05, 0.6)
    x1, _ = _px(note, dpi, 0.7, 0.6)
    x = x0
    while x < x1:
        draw.line([(x, y0), (x + text_px * 0.5, y0 - text_px * 0.8), (x + text_px, y0)], fill=40, width=2)
        x += text_px * 1.2


def as_scanned(
    image: Image.Image,
    rng: random.Random,
    *,
    angle: float = 0.0,
    upside_down: bool = False,
    noise: float = 0.0,
    bw: bool = False,
    shear: float = 0.0,
) -> Image.Image:
    """What the copier makes of a page: turned, sheared, speckled, or thresholded to black and white."""
    out = image
    if shear:
        w, h = out.size
        out = out.transform((w, h), Image.Transform.AFFINE, (1, shear, -shear * h / 2, 0, 1, 0),
                            Image.Resampling.BILINEAR, fillcolor=255)  # fmt: skip
    if upside_down:
        out = out.rotate(180)
    if angle:
        out = out.rotate(angle, Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    if noise:
        speckle = Image.effect_noise(out.size, noise)
        out = ImageChops.add(out, speckle, 1.0, -128)
    if bw:
        out = out.point(lambda v: 255 if v > 150 else 0).convert("1").convert("L")
    return out


def pack_pdf(images: list[Image.Image], out: str | Path, dpi: int = 200) -> Path:
    """Pages as one PDF, as a copier's scan-to-PDF makes it."""
    out = Path(out)
    first, *rest = images
    first.save(out, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return out


def slip_pages(pdf: str | Path, dpi: int = 200) -> dict[str, Image.Image]:
    """The pages of a batch of letters that carry a slip, by the slip's code, as clean renders."""
    from aidoffice.publicity.omr import read_page

    out = {}
    for image in render_pages(pdf, dpi):
        found = read_page(image)
        if found and found[0].code:
            out[found[0].code] = image
    return out


def slip_only(page: Image.Image, dpi: int = 200) -> Image.Image:
    """The slip cut off along the dashed line, as a family returns it."""
    top = letter_geometry().slip
    y = round((PAGE_H - (top.y + top.h + 2 * 72 / 25.4)) * dpi / 72)
    return page.crop((0, y, page.size[0], page.size[1]))


def staple(image: Image.Image, dpi: int = 200) -> None:
    """A staple through the big QR code and its corner torn off (only the small code is left)."""
    qr = letter_geometry().qr_big
    k = dpi / 72
    top = (PAGE_H - qr.y - qr.h) * k
    draw = ImageDraw.Draw(image)
    draw.rectangle((qr.x * k + 20, top + 30, (qr.x + qr.w) * k, top + 60), fill=40)
    torn = [
        ((qr.x + qr.w * 0.4) * k, top),
        ((qr.x + qr.w) * k + 40, top),
        ((qr.x + qr.w) * k + 40, top + qr.h * 0.7 * k),
    ]
    draw.polygon(torn, fill=255)


def smudge_codes(image: Image.Image, dpi: int = 200) -> None:
    """Both QR codes smudged past reading (a wet thumb, a coffee ring): the rest of the slip is clean."""
    k = dpi / 72
    blot = Image.new("L", image.size, 255)
    draw = ImageDraw.Draw(blot)
    for qr in (letter_geometry().qr_big, letter_geometry().qr_small):
        x0, y0 = qr.x * k, (PAGE_H - qr.y - qr.h) * k
        draw.rectangle((x0 + 4, y0 + 4, x0 + qr.w * k - 4, y0 + qr.h * k - 4), fill=70)
    image.paste(ImageChops.darker(image, blot.filter(ImageFilter.GaussianBlur(6))))


def blank_page(kind: str, rng: random.Random, size: tuple[int, int] = (1654, 2339)) -> Image.Image:
    """A page with nothing on it, as a copier scans it: "white"; "grey" (recycled paper, sensor noise);
    "shadow" (fed skewed: the lid's shadow along two edges, a wedge wider at one end, turned 2°)."""
    w, h = size
    if kind == "white":
        return Image.new("L", size, 255)
    if kind == "grey":
        return as_scanned(Image.new("L", size, 205), rng, noise=25)
    page = Image.new("L", size, 236)
    draw = ImageDraw.Draw(page)
    draw.polygon([(0, 0), (55, 0), (18, h), (0, h)], fill=70)
    draw.polygon([(0, 0), (w, 0), (w, 130), (0, 12)], fill=95)
    return as_scanned(page, rng, angle=2.0, noise=12)
