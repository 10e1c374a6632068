"""Where the machine-read parts of a return slip sit: the two QR codes, the two answer boxes, the two
anchor marks beside them and the 有异议 line. The letters draw them here and the scanner
(aidoffice.services.slip_scan) looks for them here, so both always agree.

Everything is in PDF points on the letter's page (origin at the bottom left, y up). A scan is mapped
back to these coordinates from the corners of whichever QR code it decodes (they give position,
scale, rotation and skew); the anchors then confirm that the slip has this layout (a slip printed
before it existed has none) and correct the last fraction of a millimetre."""

from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4
BOX = 4 * MM  # the answer boxes
ANCHOR = 3 * MM  # solid squares at both ends of the answer row
QR_BIG = 25 * MM
QR_SMALL = 14 * MM
QR_BORDER = 2  # modules of quiet zone drawn inside the QR's size


@dataclass(frozen=True)
class Rect:
    x: float  # lower left
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class SlipGeometry:
    qr_big: Rect  # the QR code at the top right, with its quiet zone
    qr_small: Rect  # the same code again, smaller, at the bottom right
    boxes: tuple[Rect, Rect]  # first option, second option
    anchors: tuple[Rect, Rect]  # left, right
    note: Rect  # where the family writes after 有异议： (second option's line)
    slip: Rect  # the whole slip below the cut line
    name_y: float  # the top of the name row
    statements_top: float
    signature_y: float
    code_y: float

    def qr(self, big: bool) -> Rect:
        return self.qr_big if big else self.qr_small


def slip_geometry(x0: float, x1: float, top: float) -> SlipGeometry:
    """`x0`, `x1`: the page's text margins; `top`: the top of the slip (the cut line is 2 mm below)."""
    right = x1 - QR_BIG  # the QR's left edge; the text column ends 5 mm before it
    row = top - 40 * MM  # the bottom of the answer boxes
    box1 = Rect(x0, row, BOX, BOX)
    box2 = Rect(x0 + 62 * MM, row, BOX, BOX)
    centre = row + BOX / 2
    left_anchor = Rect(x0 - 8 * MM, centre - ANCHOR / 2, ANCHOR, ANCHOR)
    right_anchor = Rect(right - 6 * MM, centre - ANCHOR / 2, ANCHOR, ANCHOR)
    note = Rect(
        box2.x + BOX + 16 * MM, row - 1.5 * MM, right_anchor.x - 3.5 * MM - (box2.x + BOX + 16 * MM), 9 * MM
    )
    return SlipGeometry(
        qr_big=Rect(right, top - 15 * MM - QR_BIG, QR_BIG, QR_BIG),
        qr_small=Rect(right + 5.5 * MM, top - 62 * MM, QR_SMALL, QR_SMALL),
        boxes=(box1, box2),
        anchors=(left_anchor, right_anchor),
        note=note,
        slip=Rect(x0 - 12 * MM, top - 64 * MM, x1 - x0 + 24 * MM, 60.5 * MM),
        name_y=top - 26 * MM,
        statements_top=top - 17 * MM,
        signature_y=top - 45 * MM,
        code_y=top - 55 * MM,
    )
