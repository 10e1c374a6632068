"""The program draws PDF pages itself (pdfium): a Windows PC has no poppler, so no code path may start
pdftoppm, pdftotext or any other outside PDF program."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = ("pdftoppm", "pdftotext", "pdftocairo", "pdfinfo", "mutool", "gswin", "ghostscript")


def test_no_source_of_the_program_names_an_outside_pdf_tool():
    found = [
        f"{path.relative_to(ROOT)}: {tool}"
        for folder in ("aidoffice", "ui")
        for path in (ROOT / folder).rglob("*.py")
        for tool in OUTSIDE
        if tool in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_a_page_is_drawn_with_no_outside_program(tmp_path, monkeypatch):
    from reportlab.pdfgen.canvas import Canvas

    from aidoffice.publicity.pdf import render_page

    pdf = tmp_path / "a.pdf"
    c = Canvas(str(pdf))
    c.rect(100, 400, 200, 200, fill=1)
    c.save()

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        pytest.fail(f"an outside program was started: {args}")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    image = render_page(pdf, 1, width=600)
    assert image.size[0] == 600
    x = round(200 / 595.2756 * 600)
    y = image.size[1] - round(500 / 841.8898 * image.size[1])
    assert image.getpixel((x, y)) == (0, 0, 0) and image.getpixel((5, 5)) == (255, 255, 255)
