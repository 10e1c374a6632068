"""Small text normalizations shared by the domain parsers."""

from __future__ import annotations

import functools
import re
import unicodedata

_HALFWIDTH = {0x3000: " ", **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}}


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ｘ１２, ideographic space) to half-width; Chinese characters are untouched."""
    return text.translate(_HALFWIDTH)


_NEEDS_WORK = re.compile(r"[\uff01-\uff5e]|\s(?=\s)|^\s|\s$|[^\S ]")


@functools.lru_cache(maxsize=65536)
def squeeze(text: str) -> str:
    """Half-width, NFC, no leading/trailing blanks, inner runs of whitespace collapsed to one space."""
    if not _NEEDS_WORK.search(text) and (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return text  # the common case, checked in C
    text = text.translate(_HALFWIDTH)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


_SPACE_OR_WIDE = re.compile(r"[\s\uff01-\uff5e]")


def strip_all_spaces(text: str) -> str:
    if not _SPACE_OR_WIDE.search(text):
        return text
    return "".join(to_halfwidth(text).split())
