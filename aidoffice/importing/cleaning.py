"""Cleaning cell values as they arrive from the field: dates in every notation, 是/否 in all
spellings, ID numbers that Excel turned into floating-point numbers."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from aidoffice.domain.text import squeeze, strip_all_spaces

_EXCEL_EPOCH = date(1899, 12, 30)
_YES = {"是", "√", "✓", "✔", "y", "yes", "1", "true", "有", "对", "t"}
_NO = {"否", "×", "✗", "n", "no", "0", "false", "无", "不是", "f", ""}


class CleaningError(ValueError):
    """The value cannot be read; the message says, in Chinese, what was expected."""


def text(value: Any) -> str:
    if value is None:
        return ""
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
    m = re.fullmatch(
        r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]?\d{1,2}:\d{2}(?::\d{2})?)?", s
    ) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CleaningError(f"“{value}”不是可识别的日期，请写作 2012-05-03")


def parse_month(value: Any) -> str | None:
    """入学年月: 2024-09, 2024.9, 202409, 2024年9月 → '2024-09'."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    s = strip_all_spaces(text(value))
    m = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})月?(?:[-/.]\d{1,2}日?)?", s)
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    raise CleaningError(f"“{value}”不是可识别的年月，请写作 2024-09")


def parse_yes_no(value: Any) -> bool:
    s = text(value).lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise CleaningError(f"“{value}”应为“是”或“否”")


def excel_mangled_id(value: Any) -> bool:
    """True when an 18-digit ID reached us as a number (1.30624E+17 or 130624201305030000.0): its
    last digits are gone and it cannot be recovered from this cell."""
    if isinstance(value, float):
        return value >= 1e16
    if isinstance(value, int) and not isinstance(value, bool):
        return False  # an integer cell kept every digit; the check digit decides
    s = strip_all_spaces(str(value or "")).upper()
    return bool(re.fullmatch(r"\d(\.\d+)?E\+1[67]", s))
