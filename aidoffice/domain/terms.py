"""School years and terms (学年学期): `2026-2027-1` and `2026-2027学年第一学期` name the same term.

The school year runs September to August; term 1 (第一学期, autumn) starts in September, term 2
(第二学期, spring) in March.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from aidoffice.domain.text import strip_all_spaces

_HALF_WORDS = {"一": 1, "1": 1, "上": 1, "二": 2, "2": 2, "下": 2}

_CODE = re.compile(r"^(\d{4})-(\d{4})-([12])$")
_LABEL = re.compile(r"^(\d{4})[-—–~至到](\d{4})学?年?度?(?:第?([一二12上下])学?期)$")
_SEASON = re.compile(r"^(\d{4})年?(春|秋)季?学期$")


class InvalidTerm(ValueError):
    def __init__(self, value: str):
        self.value = value
        super().__init__(f"not a term: {value!r}")


@dataclass(frozen=True, order=True)
class Term:
    start_year: int
    half: int  # 1 autumn, 2 spring

    def __post_init__(self) -> None:
        if self.half not in (1, 2) or not 1990 <= self.start_year <= 2200:
            raise InvalidTerm(f"{self.start_year}-{self.half}")

    @property
    def code(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}-{self.half}"

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}学年{'第一学期' if self.half == 1 else '第二学期'}"

    @property
    def school_year(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def starts_on(self) -> date:
        return date(self.start_year, 9, 1) if self.half == 1 else date(self.start_year + 1, 3, 1)

    @property
    def ends_on(self) -> date:
        if self.half == 1:
            nxt = date(self.start_year + 1, 3, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(self.start_year + 1, 8, 31)

    def next(self) -> Term:
        return Term(self.start_year, 2) if self.half == 1 else Term(self.start_year + 1, 1)

    def previous(self) -> Term:
        return Term(self.start_year - 1, 2) if self.half == 1 else Term(self.start_year, 1)

    def __str__(self) -> str:
        return self.code

    @classmethod
    def parse(cls, value: str) -> Term:
        """Read a term in any notation found in practice; raises InvalidTerm."""
        text = strip_all_spaces(str(value))
        if m := _CODE.match(text):
            start, end, half = int(m[1]), int(m[2]), int(m[3])
        elif m := _LABEL.match(text):
            start, end, half = int(m[1]), int(m[2]), _HALF_WORDS[m[3]]
        elif m := _SEASON.match(text):
            year = int(m[1])
            # 2026年秋季学期 is 2026-2027-1; 2027年春季学期 is 2026-2027-2
            start, half = (year, 1) if m[2] == "秋" else (year - 1, 2)
            end = start + 1
        else:
            raise InvalidTerm(value)
        if end != start + 1:
            raise InvalidTerm(value)
        return cls(start, half)

    @classmethod
    def containing(cls, day: date) -> Term:
        """The term a date falls in: Sep–Feb is term 1, Mar–Aug term 2."""
        if day.month >= 9:
            return cls(day.year, 1)
        if day.month <= 2:
            return cls(day.year - 1, 1)
        return cls(day.year - 1, 2)
