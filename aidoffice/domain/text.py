"""Small text normalizations shared by the domain parsers."""

from __future__ import annotations

import unicodedata


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ｘ１２, ideographic space) to half-width; Chinese characters are untouched."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def squeeze(text: str) -> str:
    """Half-width, NFC, no leading/trailing blanks, inner runs of whitespace collapsed to one space."""
    text = unicodedata.normalize("NFC", to_halfwidth(text))
    return " ".join(text.split())


def strip_all_spaces(text: str) -> str:
    return "".join(to_halfwidth(text).split())
