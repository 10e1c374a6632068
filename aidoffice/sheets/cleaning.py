"""Cleaning cell values as they arrive from the field: dates in every notation, 是/否 in all
spellings, ID numbers that Excel turned into floating-point numbers."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from aidoffice.domain.text import shorten, squeeze, strip_all_spaces

_EXCEL_EPOCH = date(1899, 12, 30)
_YES = {"是", "√", "✓", "✔", "y", "yes", "1", "true", "有", "对", "t"}
_NO = {"否", "×", "✗", "n", "no", "0", "false", "无", "不是", "f", ""}


_MONTH = re.compile(r"(\d{4})[-/.年]?(\d{1,2})月?(?:[-/.]\d{1,2}日?)?")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]?\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE8 = re.compile(r"(\d{4})(\d{2})(\d{2})")


_CLEAN_ID = re.compile(r"[0-9]{17}[0-9X]\Z")


class CleaningError(ValueError):
    """The value cannot be read; the message says, in Chinese, what was expected."""


def text(value: Any) -> str:
    """A cell as clean text: half-width, single spaces, whole numbers without “.0”."""
    if value is None or value == "":
        return ""
    if value.__class__ is str:
        return squeeze(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squeeze(str(value))


def parse_date(value: Any) -> date | None:
    """Excel serials, 2012-05-03, 2012/5/3, 20120503, 2012.05.03, 2012年5月3日 → date; blank → None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 < value < 80_000:  # an Excel serial day (1954–2119)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        value = str(int(value))
    s = strip_all_spaces(str(value))
    m = _DATE.fullmatch(s) or _DATE8.fullmatch(s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CleaningError(f"“{shorten(value)}”不是可识别的日期，请写作 2012-05-03")


def parse_month(value: Any) -> str | None:
    """入学年月: 2024-09, 2024.9, 202409, 2024年9月 → '2024-09'."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    s = strip_all_spaces(text(value))
    m = _MONTH.fullmatch(s)
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    raise CleaningError(f"“{shorten(value)}”不是可识别的年月，请写作 2024-09")


def parse_yes_no(value: Any) -> bool:
    s = text(value).lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise CleaningError(f"“{shorten(value)}”应为“是”或“否”")


def excel_mangled_id(value: Any) -> bool:
    """True when an 18-digit ID reached us as a number (1.30624E+17 or 130624201305030000.0): its
    last digits are gone and it cannot be recovered from this cell."""
    if isinstance(value, float):
        return value >= 1e16
    if isinstance(value, int) and not isinstance(value, bool):
        return False  # an integer cell kept every digit; the check digit decides
    s = strip_all_spaces(str(value or "")).upper()
    return bool(re.fullmatch(r"\d(\.\d+)?E\+1[67]", s))


def parse_sex(value: Any) -> str | None:
    """男/女 in the forms found in lists (男性, M, 1 is not guessed); blank → None."""
    s = text(value).lower()
    if not s:
        return None
    if s in ("男", "男性", "m", "male", "男生"):
        return "男"
    if s in ("女", "女性", "f", "female", "女生"):
        return "女"
    return text(value)


def parse_boarding(value: Any) -> bool | None:
    """住宿情况: 住校/寄宿/是 → True, 走读/否 → False, blank → None."""
    s = strip_all_spaces(text(value))
    if not s:
        return None
    if any(w in s for w in ("走读", "非寄宿", "不住", "非住校")):
        return False
    if any(w in s for w in ("住校", "寄宿", "住宿")):
        return True
    return parse_yes_no(s)


def read_id_cell(value: Any) -> tuple[str, bool]:
    """The ID number as text and whether Excel mangled it into a number (digits lost)."""
    if value.__class__ is str and _CLEAN_ID.match(value):
        return value, False  # the common case
    if excel_mangled_id(value):
        shown = f"{value:.5E}" if isinstance(value, float) else text(value)
        return shown, True
    return strip_all_spaces(text(value)).upper(), False


def zeros_hint(number: str) -> str:
    """Said beside a bad ID whose last digits are 000: Excel has probably been at it."""
    if len(number) == 18 and number.endswith("000"):
        return "（末尾是 000，可能被 Excel 当作数字处理过）"
    return ""
