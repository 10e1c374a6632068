"""Grades (年级) and stages (学段) in the names a 学籍 export, a teacher or a county form uses.

Grades are numbered across stages: preschool -2..0 (小班/中班/大班), primary 1..6, junior 7..9,
senior 10..12. Vocational (中职) grades are 1..3 of their own stage and are named 中职一年级….
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from aidoffice.domain.text import strip_all_spaces

STAGES = {
    "preschool": "学前",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中职",
}
STAGE_BY_NAME = {v: k for k, v in STAGES.items()}

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
           "十": 10, "十一": 11, "十二": 12}  # fmt: skip
_CN = {v: k for k, v in _DIGITS.items()}
_PRESCHOOL = {"小班": -2, "中班": -1, "大班": 0, "学前班": 0}


class InvalidGrade(ValueError):
    pass


@dataclass(frozen=True)
class Grade:
    number: int
    stage: str

    @property
    def name(self) -> str:
        """The name the 学籍 system shows: 一年级 … 九年级, 高一 … 高三, 小班/中班/大班."""
        if self.stage == "preschool":
            return {-2: "小班", -1: "中班", 0: "大班"}[self.number]
        if self.stage == "vocational":
            return f"中职{_CN[self.number]}年级"
        if self.stage == "senior":
            return f"高{_CN[self.number - 9]}"
        return f"{_CN[self.number]}年级"

    @property
    def stage_name(self) -> str:
        return STAGES[self.stage]


def stage_of(number: int) -> str:
    if number <= 0:
        return "preschool"
    if number <= 6:
        return "primary"
    if number <= 9:
        return "junior"
    return "senior"


def make_grade(number: int, vocational: bool = False) -> Grade:
    if vocational:
        if not 1 <= number <= 3:
            raise InvalidGrade(str(number))
        return Grade(number, "vocational")
    if not -2 <= number <= 12:
        raise InvalidGrade(str(number))
    return Grade(number, stage_of(number))


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _DIGITS.get(word)


def parse_grade(value: object) -> Grade:
    """七年级, 初一, 7, 高二, 一年级, 小班, 中职二年级 … → Grade; raises InvalidGrade."""
    return _parse_grade(strip_all_spaces(str(value if value is not None else "")), value)


@functools.lru_cache(maxsize=512)
def _parse_grade(text: str, value: object) -> Grade:
    if text in _PRESCHOOL:
        return make_grade(_PRESCHOOL[text])
    if m := re.fullmatch(r"中职(.{1,2})年级?", text):
        n = _number(m[1])
        if n is not None:
            return make_grade(n, vocational=True)
    if m := re.fullmatch(r"(初|高)(.{1,2})(?:年级)?", text):
        n = _number(m[2])
        if n is not None and 1 <= n <= 3:
            return make_grade(n + (6 if m[1] == "初" else 9))
    if m := re.fullmatch(r"(\d{1,2}|十[一二]|[一二三四五六七八九十])(?:年级|年)?", text):
        n = _number(m[1])
        if n is not None and 1 <= n <= 12:
            return make_grade(n)
    raise InvalidGrade(str(value))


def parse_class(value: object) -> str:
    """'1', '01', '一班', '1班', '（1）班' → '1班'. Other names (火箭班) are kept as written."""
    return _parse_class(str(value if value is not None else ""))


@functools.lru_cache(maxsize=2048)
def _parse_class(value: str) -> str:
    text = strip_all_spaces(str(value if value is not None else "")).strip("()（）")
    text = text.replace("(", "").replace(")", "").replace("（", "").replace("）", "")
    if m := re.fullmatch(r"0*(\d{1,3})班?", text):
        return f"{int(m[1])}班"
    if m := re.fullmatch(r"([一二三四五六七八九十]{1,2})班", text):
        n = _number(m[1])
        if n is not None:
            return f"{n}班"
    return text
