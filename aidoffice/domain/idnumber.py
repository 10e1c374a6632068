"""Resident ID numbers (居民身份证号, GB 11643-1999) and national student numbers (全国学籍号).

Identity in aidoffice is the normalized ID number; the student number is the fallback.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from aidoffice import clock
from aidoffice.domain.text import strip_all_spaces

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Province-level codes of GB/T 2260 (the first two digits).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip

_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII digits only: full-width ones are normalized first


class IdProblem(enum.Enum):
    """Why an ID number is not valid; messages.py turns each into Chinese."""

    EMPTY = "empty"
    FIRST_GENERATION = "first_generation"  # an old 15-digit number (第一代身份证)
    LENGTH = "length"
    CHARACTERS = "characters"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    FUTURE_BIRTH = "future_birth"
    CHECK_DIGIT = "check_digit"


@dataclass(frozen=True)
class IdInfo:
    number: str
    region_code: str
    birth_date: date
    sex: str  # "男" or "女"


class InvalidIdNumber(ValueError):
    def __init__(self, value: str, problem: IdProblem, expected_check: str | None = None):
        self.value = value
        self.problem = problem
        self.expected_check = expected_check
        super().__init__(f"{value!r}: {problem.value}")


def normalize_id(value: object) -> str:
    """Half-width, upper-case X, no spaces. Does not validate."""
    if value is None:
        return ""
    if value.__class__ is str and _SHAPE.match(value):
        return value  # already a clean 18-character number (the common case)
    return strip_all_spaces(str(value)).upper()


def check_char(first17: str) -> str:
    total = sum(map(int.__mul__, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def parse_id(value: object, today: date | None = None, *, check: bool = True) -> IdInfo:
    """Validate an ID number and read what it says; raises InvalidIdNumber with the first problem."""
    number = value if isinstance(value, str) and _SHAPE.match(value) else normalize_id(value)
    if not number:
        raise InvalidIdNumber(number, IdProblem.EMPTY)
    if len(number) != 18:
        if is_first_generation(number):
            raise InvalidIdNumber(number, IdProblem.FIRST_GENERATION)
        raise InvalidIdNumber(number, IdProblem.LENGTH)
    if not _SHAPE.match(number):
        raise InvalidIdNumber(number, IdProblem.CHARACTERS)
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(number, IdProblem.REGION)
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(number, IdProblem.BIRTH_DATE) from None
    if born.year < 1900:
        raise InvalidIdNumber(number, IdProblem.BIRTH_DATE)
    if born > (today or clock.today()):
        raise InvalidIdNumber(number, IdProblem.FUTURE_BIRTH)
    expected = check_char(number[:17])
    if check and number[17] != expected:
        raise InvalidIdNumber(number, IdProblem.CHECK_DIGIT, expected_check=expected)
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, region_code=number[:6], birth_date=born, sex=sex)


_FIRST_GENERATION = re.compile(r"[0-9]{15}")


def is_first_generation(value: object) -> bool:
    """A first-generation ID (1984–2004): 15 digits, region, birth date YYMMDD of the 1900s, sequence."""
    number = normalize_id(value)
    if not _FIRST_GENERATION.fullmatch(number) or number[:2] not in PROVINCE_CODES:
        return False
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


def same_person_15_18(first_generation: str, number: str) -> bool:
    """Whether an 18-digit number is the upgrade of a first-generation one: the same birth date and
    sequence (the region may have been renumbered since). The old number has no century; the
    birth date is compared as YYMMDD."""
    old, new = normalize_id(first_generation), normalize_id(number)
    return (
        is_first_generation(old) and is_valid_id(new) and new[8:14] == old[6:12] and new[14:17] == old[12:15]
    )


def is_valid_id(value: object) -> bool:
    try:
        parse_id(value)
    except InvalidIdNumber:
        return False
    return True


def make_id(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid ID number (for demo data and tests): sequence 0..999, odd for male."""
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


# ---- national student numbers (全国学籍号) ---------------------------------------------------------


_CLEAN_STUDENT_NO = re.compile(r"[GJL][0-9]{17}[0-9X]\Z")


def normalize_student_no(value: object) -> str:
    if value.__class__ is str and _CLEAN_STUDENT_NO.match(value):
        return value  # type: ignore[return-value]
    return normalize_id(value)


def student_no_from_id(id_number: str) -> str:
    """The normal student number is 'G' followed by the ID number."""
    return "G" + normalize_id(id_number)


def id_from_student_no(student_no: object) -> str | None:
    """The ID number a 'G' student number carries, or None ('J'/'L' numbers carry none)."""
    sn = normalize_student_no(student_no)
    if sn.startswith("G") and is_valid_id(sn[1:]):
        return sn[1:]
    return None


def person_key(id_number: str | None, student_no: str | None) -> str | None:
    """The identity used to join records across sources: the ID number, else the student number."""
    if id_number:
        return normalize_id(id_number)
    if student_no:
        return normalize_student_no(student_no)
    return None


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
