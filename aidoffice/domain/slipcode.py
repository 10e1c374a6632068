"""Return-slip codes (回执编号): short, easy to read aloud and to type, with a check character so a
mistyped code is caught instead of registering another family's slip.

A code is five payload characters and one check character from a 31-character alphabet (digits 2–9
and capital letters without I, O and U, which are read as 1, 0 and V), printed as ``K7M3Q-X``.
The check is a weighted sum modulo 31 (a prime): with weights 1, 2, …, 6 every single-character
substitution changes the sum by ``w·d`` and every swap of two neighbours by ``d`` (d ≠ 0 mod 31), so
both are always detected. 31⁵ ≈ 28.6 million payloads: a school prints a few thousand a year.

New codes are drawn from the characters that do not look like another in print (PRINTABLE: no G, B, Z
or S, read as 6, 8, 2 and 5), payload and check character alike; about 27⁵·27/31 ≈ 12.5 million
codes remain. Codes issued earlier with those letters stay valid: the check works over the whole alphabet.

Typed input is forgiving about what carries no information: case, spaces, hyphens, full-width
characters (a Chinese input method left on)."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTVWXYZ"
MODULUS = len(ALPHABET)  # 31, a prime
PAYLOAD = 5
LENGTH = PAYLOAD + 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
assert MODULUS == 31
# pairs that look alike in print: 6/G, 0/O, 1/I, 8/B, 2/Z, 5/S (0, 1, I, O are not in ALPHABET at all)
LOOK_ALIKE = "GBZS"
PRINTABLE = "".join(ch for ch in ALPHABET if ch not in LOOK_ALIKE)

_IGNORED = str.maketrans("", "", " -_\u3000\u2014\u2013－")


def _fold(text: str) -> str:
    """Full-width to half-width, upper case, separators dropped."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        out.append(ch)
    return "".join(out).translate(_IGNORED).upper()


def check_character(payload: str) -> str:
    """The check character that makes sum((i+1)·value) over the whole code ≡ 0 (mod 31)."""
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(payload))
    weight = len(payload) + 1
    # weight · c ≡ -total  →  c ≡ -total · weight⁻¹ (31 is prime, weight < 31)
    return ALPHABET[(-total * pow(weight, -1, MODULUS)) % MODULUS]


def make_code(payload: str) -> str:
    if len(payload) != PAYLOAD or any(ch not in _VALUE for ch in payload):
        raise ValueError(f"not a slip payload: {payload!r}")
    return payload + check_character(payload)


def new_code() -> str:
    """A fresh random code with no look-alike character (the caller makes sure it is not already
    used); a payload whose check character would be one is drawn again."""
    while True:
        code = make_code("".join(secrets.choice(PRINTABLE) for _ in range(PAYLOAD)))
        if code[-1] not in LOOK_ALIKE:
            return code


def display(code: str) -> str:
    """How a code is printed: K7M3Q-X (the check character set apart)."""
    return f"{code[:-1]}-{code[-1]}" if len(code) == LENGTH else code


class Verdict(enum.Enum):
    VALID = "valid"
    MISTYPED = "mistyped"  # right shape, wrong check character: a typo
    MALFORMED = "malformed"  # wrong length or a character that is never used


@dataclass(frozen=True)
class Parsed:
    text: str  # what was typed
    code: str  # normalized (upper case, no separators)
    verdict: Verdict

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID


def is_valid(code: str) -> bool:
    if len(code) != LENGTH or any(ch not in _VALUE for ch in code):
        return False
    return sum((i + 1) * _VALUE[ch] for i, ch in enumerate(code)) % MODULUS == 0


def parse(text: str) -> Parsed:
    """Read a typed or scanned code. Anything that is not exactly a valid code is MISTYPED when it
    has the right shape, MALFORMED otherwise (both are refused; the first means "check the last
    character you typed", the second "this is not a slip code")."""
    code = _fold(text or "")
    if len(code) != LENGTH or any(ch not in _VALUE for ch in code):
        return Parsed(text, code, Verdict.MALFORMED)
    return Parsed(text, code, Verdict.VALID if is_valid(code) else Verdict.MISTYPED)
