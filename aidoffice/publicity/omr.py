"""Reading returned slips from scanned pages (no database here): pages from a PDF (rendered with
pdfium, no outside program) or from image files, every slip on a page found by its QR code, and the
ticked answer box read by how dark it is inside against its own printed frame (optical mark reading).

A slip is mapped back to the letter's page coordinates from the corners of a decoded QR code, which
gives its position, scale, rotation (any angle, upside down included) and skew; the anchor marks
beside the answer row (publicity/slipmarks.py) confirm which of the two QR codes was read and that the
slip has the machine-readable layout at all (slips printed before it go to the queue). Each box is
cut out straightened and judged: blank, ticked, unclear (a smudge, a very faint mark) or filled (a
tick crossed out or blacked in). Only a slip with one ticked box and one blank box is certain."""

from __future__ import annotations

import enum
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from aidoffice.domain import slipcode
from aidoffice.errors import InputRefused
from aidoffice.publicity.slipmarks import MM, QR_BORDER, Rect, SlipGeometry, slip_geometry

RENDER_DPI = 200
PX_PER_MM = 6.0  # boxes and anchors are judged at this resolution (≈150 dpi), whatever the scan's
CROP_PX_PER_MM = 4.0  # the slip image kept for the queue (≈100 dpi)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")

# thresholds on darkness, 0 = paper, 1 = as dark as the box's printed frame; "peak" is how far the
# darkest strokes stand out of the box's own background (a smudge darkens it evenly)
BLANK_MEAN, BLANK_PEAK = 0.035, 0.22
TICK_MEAN, TICK_PEAK = 0.06, 0.45
FILLED_MEAN = 0.65
NOISE_FLOOR = 0.15

# a blank page (a blank back, a separator sheet): ink is darker than 0.65 × the paper; the page is
# judged in blocks of about 0.5 mm (a fifth of a block dark makes it ink: scanner noise is single
# pixels); dark regions that touch the page's edge (the lid's shadow beside a skewed page) are not
# ink; a page with fewer ink blocks than this share of all is blank. Measured (tests/scans.py pages,
# 200 dpi): a letter's slip page 2.7 %, the same with both codes smudged 11 %, a handwritten word of
# nine strokes 0.027 %, one pencil tick 0.016 %; white paper, grey paper with sensor noise (σ ≤ 30)
# and a skewed page with the lid's shadow on two edges 0 %; black-and-white speckle 0.001 %.
BLANK_INK_SHARE = 0.0001
INK_OF_PAPER = 0.65
BLANK_BLOCKS = 600  # blocks along the page's long side
# print gone faint (toner running out: black printed as light grey) is not blank either: half of a
# block darker than 0.85 × the paper; measured: such a page 1.4–2.9 %, grey paper with sensor noise
# σ 25 0.02 %, σ 30 0.16 %, a letter's print showing through from the back 0 %
FAINT_OF_PAPER = 0.85
BLANK_FAINT_SHARE = 0.005
BLANK_EDGE_SHARE = 0.2  # a skewed page's shadow is a few per cent (5° on a black lid: 4.5 %); more is
# something else (the lid open over a slip, a photo) and the clerk looks at it


class Mark(enum.Enum):
    BLANK = "blank"
    TICKED = "ticked"
    UNCLEAR = "unclear"  # between blank and ticked: a smudge, a faint or tiny mark
    FILLED = "filled"  # blacked in or crossed out
    NO_FRAME = "no_frame"  # no box printed there


class Reason(enum.Enum):
    """Why a slip could not be registered at once (what the clerk is shown in the queue)."""

    NO_TICK = "no_tick"
    TWO_TICKS = "two_ticks"
    UNCLEAR = "unclear"
    CROSSED = "crossed"
    NO_MARKS = "no_marks"
    NO_CODE = "no_code"
    UNKNOWN = "unknown"
    OTHER_TERM = "other_term"
    REPEATED = "repeated"


REASON_NAMES = {
    Reason.NO_TICK: "没有勾选",
    Reason.TWO_TICKS: "两个选项都勾了",
    Reason.UNCLEAR: "勾选不清（可能是污迹或很淡的笔迹）",
    Reason.CROSSED: "勾选处有涂改",
    Reason.NO_MARKS: "找不到勾选框（旧版回执或定位标记缺损），请看图选择",
    Reason.NO_CODE: "本页没有读出回执编号（二维码污损或不是回执），请看图输入编号",
    Reason.UNKNOWN: "查无此回执（编号没有哪封告知书印过）",
    Reason.OTHER_TERM: "不是本学期的回执",
    Reason.REPEATED: "已登记过，且登记的选项与这张回执上勾的不同",
}


@dataclass
class Page:
    source: str  # file name
    number: int  # 1-based, within the file
    image: Image.Image  # grey ("L")

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.image.reduce(4).tobytes()).hexdigest()


@dataclass
class BoxReading:
    mark: Mark
    mean: float
    peak: float


@dataclass
class SlipReading:
    """One slip found on a page."""

    code: str | None
    position: int  # order on the page
    boxes: list[BoxReading] = field(default_factory=list)
    choice: int | None = None  # 0 or 1 when certain
    reason: Reason | None = None
    crop: Image.Image | None = None  # the slip, straightened
    note: Image.Image | None = None  # the 有异议 line, straightened
    note_ink: bool = False  # something is written on it

    @property
    def certain(self) -> bool:
        return self.reason is None and self.choice is not None


def png_bytes(image: Image.Image | None) -> bytes | None:
    if image is None:
        return None
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()


# ---- pages ----------------------------------------------------------------------------------------


def pages_of(paths: Sequence[str | Path]) -> Iterator[Page]:
    """The pages of PDFs and images, in order; a file that is neither is refused with its name."""
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise InputRefused(f"找不到扫描件“{path}”，请检查文件名和位置。")
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            yield from _pdf_pages(path)
        elif suffix in IMAGE_SUFFIXES:
            yield from _image_pages(path)
        else:
            raise InputRefused(
                f"“{path.name}”不是扫描件：请在复印机上扫描为 PDF，或选择 PNG、JPEG、TIFF 图片。"
            )


@dataclass(frozen=True)
class Ink:
    """How much ink a page carries, in blocks of about 0.5 mm (see BLANK_INK_SHARE)."""

    paper: int  # the paper's grey level (median)
    share: float  # of the blocks: ink away from the edges
    edge_share: float  # of the blocks: dark regions touching the edge (shadows), not counted
    faint_share: float = 0.0  # of the blocks: faint grey away from the edges (toner running out)

    @property
    def blank(self) -> bool:
        # a page dark all over (the lid open, a photo) is not called blank: the clerk looks at it
        return (
            self.paper >= 100
            and self.edge_share < BLANK_EDGE_SHARE
            and self.share < BLANK_INK_SHARE
            and self.faint_share < BLANK_FAINT_SHARE
        )


def ink_of(image: Image.Image) -> Ink:
    """The ink on a page with no slip code found: a blank page is skipped, a page with writing or
    print on it is queued for the clerk."""
    hist = image.histogram()
    half, seen, paper = sum(hist) / 2, 0, 255
    for value, count in enumerate(hist):
        seen += count
        if seen >= half:
            paper = value
            break
    if paper < 100:  # dark all over: not blank, whatever is on it
        return Ink(paper, 0.0, 0.0)
    k = max(1, round(max(image.size) / BLANK_BLOCKS))
    share, edge = _ink_blocks(image, paper * INK_OF_PAPER, 0.2, k)
    if share >= BLANK_INK_SHARE or edge >= BLANK_EDGE_SHARE:  # not blank already: spare the second look
        return Ink(paper, share, edge)
    faint, _edge = _ink_blocks(image, paper * FAINT_OF_PAPER, 0.5, k)
    return Ink(paper, share, edge, faint)


def _ink_blocks(image: Image.Image, cut: float, fill: float, k: int) -> tuple[float, float]:
    """The share of k×k blocks with at least `fill` of their pixels darker than `cut`: away from the
    page's edges, and in dark regions that touch an edge."""
    dark = image.point(lambda v: 255 if v < cut else 0)
    least = max(1, round(255 * fill))
    blocks = dark.reduce(k).point(lambda v: 255 if v >= least else 0)
    w, h = blocks.size
    before = blocks.histogram()[255]
    px = blocks.load()
    for x, y in [
        *((x, y) for x in range(w) for y in (0, h - 1)),
        *((x, y) for y in range(h) for x in (0, w - 1)),
    ]:
        if px[x, y] == 255:  # type: ignore[index]
            ImageDraw.floodfill(blocks, (x, y), 0)
    inner = blocks.histogram()[255]
    total = max(1, w * h)
    return inner / total, (before - inner) / total


def page_count(paths: Sequence[str | Path]) -> int:
    """How many pages the files hold (for a progress bar); 0 for a file that cannot be opened."""
    total = 0
    for raw in paths:
        path = Path(raw)
        try:
            if path.suffix.lower() == ".pdf":
                import pypdfium2 as pdfium

                doc = pdfium.PdfDocument(str(path))
                total += len(doc)
                doc.close()
            else:
                with Image.open(path) as im:
                    total += getattr(im, "n_frames", 1)
        except Exception:
            continue
    return total


def _pdf_pages(path: Path) -> Iterator[Page]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        raise InputRefused(
            f"“{path.name}”打不开：不是 PDF 文件、已损坏或设有密码。请在复印机上重新扫描为 PDF。"
        ) from None
    try:
        for n in range(len(doc)):
            try:
                page = doc[n]
                image = _scanned_image(page)
                if image is None:
                    bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
                    image = bitmap.to_pil().convert("L")
                page.close()
            except pdfium.PdfiumError:
                raise InputRefused(
                    f"“{path.name}”第 {n + 1} 页读不出（文件已损坏），请重新扫描这一页或整个文件。"
                ) from None
            yield Page(path.name, n + 1, image)
    finally:
        doc.close()


def _scanned_image(page) -> Image.Image | None:  # type: ignore[no-untyped-def]
    """A copier's page is one picture: taken as it is (five times faster than drawing the page);
    None for a page with anything else on it (it is drawn instead)."""
    import pypdfium2.raw as raw

    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != raw.FPDF_PAGEOBJ_IMAGE:
        return None
    try:
        image = objects[0].get_bitmap(render=False).to_pil().convert("L")
    except Exception:
        return None
    return _sized(image)


def _sized(image: Image.Image) -> Image.Image:
    while max(image.size) > 4200:  # A4 at more than ≈ 350 dpi: more pixels than the codes and boxes need
        image = image.reduce(2)
    return image


def _image_pages(path: Path) -> Iterator[Page]:
    try:
        im = Image.open(path)
        frames = getattr(im, "n_frames", 1)
    except Exception:
        raise InputRefused(f"“{path.name}”打不开：不是图片或已损坏，请重新扫描。") from None
    with im:
        for n in range(frames):
            im.seek(n)
            yield Page(path.name, n + 1, _sized(im.convert("L")))


# ---- geometry ---------------------------------------------------------------------------------------


def letter_geometry() -> SlipGeometry:
    from aidoffice.publicity.letters import MARGIN_BOTTOM, MARGIN_X, PAGE_W, SLIP_H

    return slip_geometry(MARGIN_X, PAGE_W - MARGIN_X, MARGIN_BOTTOM + SLIP_H)


@lru_cache(maxsize=8)
def _modules(length: int) -> int:
    """How many modules a side the letters' QR code has for a text of this length."""
    from reportlab.graphics.barcode import qrencoder

    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData("2" * length)
    qr.version = qr.calculate_version()
    qr.makeImpl(False, 0)
    return qr.getModuleCount()


Affine = tuple[float, float, float, float, float, float]  # page point (x, y) → pixel


def _fit_affine(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> Affine:
    """Least squares x' = a·x + b·y + c, y' = d·x + e·y + f."""
    sxx = sxy = syy = sx = sy = 0.0
    n = float(len(src))
    bx = [0.0, 0.0, 0.0]
    by = [0.0, 0.0, 0.0]
    for (x, y), (u, v) in zip(src, dst, strict=True):
        sxx += x * x
        sxy += x * y
        syy += y * y
        sx += x
        sy += y
        bx[0] += x * u
        bx[1] += y * u
        bx[2] += u
        by[0] += x * v
        by[1] += y * v
        by[2] += v
    m = [[sxx, sxy, sx], [sxy, syy, sy], [sx, sy, n]]
    return (*_solve3(m, bx), *_solve3(m, by))  # type: ignore[return-value]


def _solve3(m: list[list[float]], b: list[float]) -> tuple[float, float, float]:
    def det(a: list[list[float]]) -> float:
        return (
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        )

    d = det(m)
    out = []
    for col in range(3):
        mm = [row[:] for row in m]
        for r in range(3):
            mm[r][col] = b[r]
        out.append(det(mm) / d)
    return out[0], out[1], out[2]


def _qr_points(barcode, rect: Rect) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:  # type: ignore[no-untyped-def]
    """The three finder-pattern corners of a decoded QR code on the page and in the image (the fourth
    corner has no finder pattern: where the decoder puts it is a few pixels out)."""
    n = _modules(len(barcode.text))
    module = rect.w / (n + 2 * QR_BORDER)
    x0, y0 = rect.x + QR_BORDER * module, rect.y + QR_BORDER * module
    x1, y1 = x0 + n * module, y0 + n * module
    p = barcode.position
    src = [(x0, y1), (x1, y1), (x0, y0)]
    dst = [(float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_left)]
    return src, dst


def _apply(a: Affine, x: float, y: float) -> tuple[float, float]:
    return a[0] * x + a[1] * y + a[2], a[3] * x + a[4] * y + a[5]


def _patch(image: Image.Image, a: Affine, rect: Rect, margin: float, scale: float) -> Image.Image:
    """`rect` (page points) plus `margin` (points) around it, straightened, at `scale` px per mm."""
    x0, y1 = rect.x - margin, rect.y + rect.h + margin
    w = max(1, round((rect.w + 2 * margin) / MM * scale))
    h = max(1, round((rect.h + 2 * margin) / MM * scale))
    k = MM / scale
    data = (
        a[0] * k,
        -a[1] * k,
        a[0] * x0 + a[1] * y1 + a[2],
        a[3] * k,
        -a[4] * k,
        a[3] * x0 + a[4] * y1 + a[5],
    )
    return image.transform((w, h), Image.Transform.AFFINE, data, Image.Resampling.BILINEAR, fillcolor=255)


def _median(patch: Image.Image) -> float:
    hist = patch.histogram()
    half, seen = sum(hist) / 2, 0
    for value, count in enumerate(hist):
        seen += count
        if seen >= half:
            return float(value)
    return 255.0


def _mean(patch: Image.Image) -> float:
    data = patch.tobytes()
    return sum(data) / max(1, len(data))


def _levels(patch: Image.Image) -> tuple[int, list[int]]:
    hist = patch.histogram()
    total = sum(hist)
    # paper: the 80th percentile from the dark end (most of a patch is paper)
    seen, paper = 0, 255
    for value in range(256):
        seen += hist[value]
        if seen >= total * 0.8:
            paper = value
            break
    return paper, hist


def _anchor(
    image: Image.Image, a: Affine, rect: Rect, left: float, right: float
) -> tuple[float, float] | None:
    """Where the anchor's centre really is (pixel offset from where `a` puts it), or None when there
    is no solid square there. The window reaches `left` and `right` points beside the square (along
    the row, where the first estimate can be a few millimetres out) and 4 mm above and below."""
    updown = 4 * MM
    window = Rect(rect.x - left, rect.y - updown, rect.w + left + right, rect.h + 2 * updown)
    patch = _patch(image, a, window, 0, PX_PER_MM).filter(ImageFilter.MedianFilter(3))
    w, h = patch.size
    paper, _ = _levels(patch)
    if paper < 100:
        return None
    cut = paper * 0.5
    dark = patch.point(lambda v: 255 if v < cut else 0)
    side = rect.w / MM * PX_PER_MM
    # columns the square fills (the mean of a column is the share of it that is dark), in runs as wide
    # as the square; then the rows it fills within such a run (a line or a box frame in the window
    # fills too few pixels, or too narrow a run)
    cols = [v / 255 * h for v in dark.resize((w, 1), Image.Resampling.BOX).tobytes()]
    best = None
    for u0, u1 in _runs([c >= side * 0.6 for c in cols]):
        if not 0.7 * side <= u1 - u0 <= 1.4 * side:
            continue
        strip = dark.crop((u0, 0, u1, h))
        rows = [v / 255 * (u1 - u0) for v in strip.resize((1, h), Image.Resampling.BOX).tobytes()]
        for v0, v1 in _runs([r >= (u1 - u0) * 0.6 for r in rows]):
            if not 0.7 * side <= v1 - v0 <= 1.4 * side:
                continue
            solid = dark.crop((u0, v0, u1, v1)).histogram()[255] / max(1, (u1 - u0) * (v1 - v0))
            if solid >= 0.75:
                best = (u0, u1, v0, v1)
                break
        if best:
            break
    if best is None:
        return None
    u0, u1, v0, v1 = best
    cu, cv = (u0 + u1) / 2, (v0 + v1) / 2
    # where the square should be in the window, in its pixels: u along +x, v along -y
    eu, ev = (left + rect.w / 2) / MM * PX_PER_MM, (updown + rect.h / 2) / MM * PX_PER_MM
    du, dv = cu - eu, cv - ev
    k = MM / PX_PER_MM
    return a[0] * du * k - a[1] * dv * k, a[3] * du * k - a[4] * dv * k


def _centre(r: Rect) -> tuple[float, float]:
    return r.cx, r.cy


def _distance(p: tuple[float, float], q: tuple[float, float]) -> float:
    return ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


def _box(image: Image.Image, a: Affine, rect: Rect) -> BoxReading:
    margin = 1.5 * MM
    patch = _patch(image, a, rect, margin, PX_PER_MM).filter(ImageFilter.MedianFilter(3))
    m = margin / MM * PX_PER_MM
    side = rect.w / MM * PX_PER_MM
    paper = _median(patch)
    # the frame's ink: the darkest of the printed edges (a line one pixel wide, averaged along it)
    edges = []
    for off in (-1, 0, 1):
        left = patch.crop((round(m + off), round(m), round(m + off) + 1, round(m + side)))
        top = patch.crop((round(m), round(m + off), round(m + side), round(m + off) + 1))
        edges += [_mean(left), _mean(top)]
    ink = min(edges)
    if paper - ink < 50:  # no printed frame where the box should be: the slip is not where we think
        return BoxReading(Mark.NO_FRAME, 0.0, 0.0)
    span = paper - ink
    inset = 0.8 * PX_PER_MM
    inner = patch.crop((round(m + inset), round(m + inset), round(m + side - inset), round(m + side - inset)))
    raw_values = sorted((paper - v) / span for v in inner.tobytes())
    # darkness under NOISE_FLOOR is paper grain and scanner noise, not ink
    values = [max(0.0, min(1.0, (d - NOISE_FLOOR) / (1 - NOISE_FLOOR))) for d in raw_values]
    mean = sum(values) / len(values)
    # a stroke stands out of the paper around it; a smudge darkens the whole box evenly
    peak = raw_values[int(len(raw_values) * 0.92)] - raw_values[int(len(raw_values) * 0.4)]
    if mean >= FILLED_MEAN:
        mark = Mark.FILLED
    elif mean >= TICK_MEAN and peak >= TICK_PEAK:
        mark = Mark.TICKED
    elif mean < BLANK_MEAN and peak < BLANK_PEAK:
        mark = Mark.BLANK
    else:
        mark = Mark.UNCLEAR
    return BoxReading(mark, round(mean, 3), round(peak, 3))


def _decide(boxes: list[BoxReading]) -> tuple[int | None, Reason | None]:
    marks = [b.mark for b in boxes]
    if Mark.NO_FRAME in marks:
        return None, Reason.NO_MARKS
    if Mark.FILLED in marks:
        return None, Reason.CROSSED
    if Mark.UNCLEAR in marks:
        return None, Reason.UNCLEAR
    ticked = [n for n, m in enumerate(marks) if m is Mark.TICKED]
    if not ticked:
        return None, Reason.NO_TICK
    if len(ticked) > 1:
        return None, Reason.TWO_TICKS
    return ticked[0], None


def _note_ink(note: Image.Image) -> bool:
    """Whether anything is written above the 有异议 underline (the line itself left out)."""
    h = note.size[1]
    above = note.crop((0, 0, note.size[0], max(1, h - round(2.6 * CROP_PX_PER_MM))))
    paper, hist = _levels(above)
    cut = paper * 0.55
    dark = sum(hist[: int(cut)])
    return dark > above.size[0] * above.size[1] * 0.004


# ---- a page ----------------------------------------------------------------------------------------


def _decode(image: Image.Image) -> list:  # type: ignore[type-arg]
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=(zxingcpp.BarcodeFormat.QRCode,), try_invert=False)
    return [b for b in found if b.valid]


def _size(barcode) -> float:  # type: ignore[no-untyped-def]
    p = barcode.position
    return ((p.top_right.x - p.top_left.x) ** 2 + (p.top_right.y - p.top_left.y) ** 2) ** 0.5


def read_page(image: Image.Image, geometry: SlipGeometry | None = None) -> list[SlipReading]:
    """Every slip on a page (one cut off a letter, a whole letter page, or several laid on the glass)."""
    geo = geometry or letter_geometry()
    groups: dict[str, list] = {}  # type: ignore[type-arg]
    for barcode in _decode(image):
        parsed = slipcode.parse(barcode.text)
        key = parsed.code if parsed.valid else barcode.text
        groups.setdefault(key, []).append(barcode)
    readings = []
    for position, (text, codes) in enumerate(groups.items(), 1):
        codes.sort(key=_size, reverse=True)
        readings.append(_read_slip(image, geo, text, codes, position))
    return readings


def _read_slip(image: Image.Image, geo: SlipGeometry, text: str, codes: list, position: int) -> SlipReading:  # type: ignore[type-arg]
    parsed = slipcode.parse(text)
    reading = SlipReading(parsed.code if parsed.valid else None, position)
    if not parsed.valid:
        reading.reason = Reason.NO_CODE
    # which QR was read: the bigger of two is the top one; a lone one is tried as either, and the
    # anchor marks tell
    if len(codes) >= 2:
        hypotheses = [(codes[0], True), (codes[1], False)]
    else:
        hypotheses = [(codes[0], True), (codes[0], False)]
    chosen: Affine | None = None
    box1 = geo.boxes[0]
    windows = (  # how far each anchor may be looked for: up to the first box, and the QR's quiet zone
        (10 * MM, box1.x - 1.2 * MM - (geo.anchors[0].x + geo.anchors[0].w)),
        (3 * MM, 4 * MM),
    )
    for barcode, big in hypotheses:
        src, dst = _qr_points(barcode, geo.qr(big))
        a = _fit_affine(src, dst)
        found = [(r, _anchor(image, a, r, *win)) for r, win in zip(geo.anchors, windows, strict=True)]
        if any(f is None for _r, f in found):
            continue  # both anchors or nothing: a slip placed by one mark alone is not sure enough
        # the anchors, far from the code, pin down the scale and rotation along the row; the code's
        # centre (sure even when its corners are a few pixels out) is the third point
        points = [
            ((r.cx, r.cy), (_apply(a, r.cx, r.cy)[0] + f[0], _apply(a, r.cx, r.cy)[1] + f[1]))  # type: ignore[index]
            for r, f in found
        ]
        # the anchors found must lie as far apart as this code's size says (the small code taken for
        # the big one, or a dark square that is not an anchor, fails here)
        expected = _distance(_apply(a, *_centre(geo.anchors[0])), _apply(a, *_centre(geo.anchors[1])))
        if not 0.93 <= _distance(points[0][1], points[1][1]) / expected <= 1.07:
            continue
        qr = geo.qr(big)
        p = barcode.position
        corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        centre = (sum(q.x for q in corners) / 4, sum(q.y for q in corners) / 4)
        points.append(((qr.cx, qr.cy), centre))
        chosen = _fit_affine([s for s, _d in points], [d for _s, d in points])
        break
    if chosen is None:
        src, dst = _qr_points(codes[0], geo.qr(True))
        reading.crop = _patch(image, _fit_affine(src, dst), geo.slip, 0, CROP_PX_PER_MM)
        reading.reason = reading.reason or Reason.NO_MARKS
        return reading
    a = chosen
    reading.boxes = [_box(image, a, r) for r in geo.boxes]
    reading.crop = _patch(image, a, geo.slip, 0, CROP_PX_PER_MM)
    reading.note = _patch(image, a, geo.note, 0, CROP_PX_PER_MM)
    reading.note_ink = _note_ink(reading.note)
    choice, why = _decide(reading.boxes)
    if reading.reason is None:
        reading.choice, reading.reason = choice, why
    return reading
