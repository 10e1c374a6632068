"""Which pages of a scanned stack are blank (skipped and counted) and which carry something the clerk
must look at (queued), judged without a slip code: the measures the rule in publicity/omr.py stands on."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageDraw, ImageOps

from aidoffice.publicity.omr import ink_of
from tests.scans import as_scanned, blank_page

A4 = (1654, 2339)  # 200 dpi


def _text(grey: int) -> Image.Image:
    """A page of printed lines (short strokes like characters) in `grey`."""
    page = Image.new("L", A4, 252)
    draw = ImageDraw.Draw(page)
    for y in range(250, 2000, 60):
        for x in range(180, 1450, 34):
            draw.rectangle((x, y, x + 22, y + 24), outline=grey, width=3)
    return page


def _skewed_on_black_lid() -> Image.Image:
    return Image.new("L", A4, 240).rotate(5, fillcolor=20)


def _word() -> Image.Image:
    page = Image.new("L", A4, 250)
    draw = ImageDraw.Draw(page)
    for n in range(9):
        x = 600 + n * 17
        draw.line([(x, 1000), (x + 7, 990), (x + 14, 1000)], fill=40, width=2)
    return page


def _pencil_tick() -> Image.Image:
    page = Image.new("L", A4, 250)
    ImageDraw.Draw(page).line([(600, 1000), (630, 1040), (700, 950)], fill=140, width=2)
    return page


def _half_dark() -> Image.Image:
    page = Image.new("L", A4, 245)
    ImageDraw.Draw(page).rectangle((0, 0, A4[0], A4[1] * 0.45), fill=40)
    return page


BLANK = {
    "white": lambda rng: blank_page("white", rng),
    "grey paper, sensor noise": lambda rng: blank_page("grey", rng),
    "skewed, the lid's shadow on two edges": lambda rng: blank_page("shadow", rng),
    "skewed 5° on a black lid": lambda rng: _skewed_on_black_lid(),
    "black-and-white speckle": lambda rng: as_scanned(Image.new("L", A4, 250), rng, noise=40, bw=True),
    "a letter showing through from the back": lambda rng: ImageOps.mirror(_text(0)).point(
        lambda v: round(255 - (255 - v) * 0.12)
    ),
}
NOT_BLANK = {
    "a printed page": lambda rng: _text(0),
    "print gone faint (toner running out)": lambda rng: _text(185),
    "a handwritten word": lambda rng: _word(),
    "one pencil tick": lambda rng: _pencil_tick(),
    "dark over half the page": lambda rng: _half_dark(),
    "black all over": lambda rng: Image.new("L", A4, 12),
}


@pytest.mark.parametrize("kind", list(BLANK))
def test_a_blank_page_is_blank(kind):
    ink = ink_of(BLANK[kind](random.Random(1)))
    assert ink.blank, ink


@pytest.mark.parametrize("kind", list(NOT_BLANK))
def test_a_page_with_anything_on_it_is_not_blank(kind):
    ink = ink_of(NOT_BLANK[kind](random.Random(1)))
    assert not ink.blank, ink
