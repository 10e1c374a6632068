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


# Characters a cell must not carry into the ledger: C0 controls but tab and newline, DEL, C1 controls,
# the bidirectional overrides and isolates (they reorder what a clerk or a terminal shows: a name
# could be displayed as another), and the invisible marks pasted in from web pages and WPS.
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def control_characters(text: str) -> list[str]:
    """The distinct control characters in `text`, as U+XXXX, in order of first appearance."""
    seen: dict[str, None] = {}
    for ch in CONTROL_CHARACTERS.findall(text.replace("\r\n", "\n")):
        seen.setdefault(f"U+{ord(ch):04X}", None)
    return list(seen)


def without_control_characters(text: str) -> str:
    """`text` with every control character removed (a Windows line break becomes a plain newline)."""
    return CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n"))


_LINE_BREAK = re.compile(r"\r\n?")
_BLANKS = re.compile(r"[\t\n]+")


def typed_text(text: str | None, *, lines: bool = True) -> str:
    """Free text a user typed (a note, what was said, an objection, a name), as it is stored: control
    characters dropped, not kept and not turned into U+FFFD (`printable` is for showing text on a
    terminal); a Windows or old Mac line break becomes a newline. A field of several lines keeps its tabs
    and newlines; a one-line field (`lines=False`: a name, a phone) has them as one space. No leading or
    trailing blanks."""
    text = without_control_characters(_LINE_BREAK.sub("\n", text or ""))
    if not lines:
        text = _BLANKS.sub(" ", text)
    return text.strip()


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters shown as U+FFFD, never sent as they are
    (an escape sequence in a cell could recolour or rewrite the clerk's terminal)."""
    return CONTROL_CHARACTERS.sub("\ufffd", text.replace("\r\n", "\n"))


def shorten(value: object, limit: int = 30) -> str:
    """A value as a message quotes it: at most `limit` characters, then how long it really is."""
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text):,} 字）"
