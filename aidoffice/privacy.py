"""How each sensitive field is shown: on screen, in a masked or a full export, in a letter to the
family, in a public notice. One place, called by the Qt models, every exporter and every PDF.

Levels, from most to least revealing:
- FULL: the number as it is (a payment roster; a clerk who ticked “显示完整证件号”).
- MASKED: screens and masked exports: enough to tell people apart, not enough to misuse. A masked
  ID shows its first 6 and last 4 characters (region, sequence, sex, check character): the 8 hidden
  digits are the birth date. So nothing shown beside it may narrow the birth date below what the
  grade alone tells: no birth date, no birth month, no birth year (a year beside a grade splits the
  grade's twelve months) — about 30 IDs of a grade stay possible, never 1–4.
- LETTER: a letter to one family about their own child: no ID number at all, the account's last four.
- PUBLIC: a public notice (公示): none of these fields (national student-aid centre rules).

`scrub()` masks the same numbers inside free text (reasons, notes, error messages, logs);
`free_text(text, level)` is what every writer calls on text people wrote (a parent's objection on a
slip, a clerk's note): ID, phone and card numbers in it are masked like the fields are, also when
written with spaces, dashes or full-width digits. `find_sensitive()` finds any that are left, for the
tests that scan every output."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import date

from aidoffice.domain.text import strip_all_spaces


class Level(enum.Enum):
    FULL = "full"
    MASKED = "masked"
    LETTER = "letter"
    PUBLIC = "public"


class Field(enum.Enum):
    ID_NUMBER = "id_number"  # 身份证件号
    STUDENT_NO = "student_no"  # 全国学籍号 (G + the ID number, usually)
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    ACCOUNT = "account"  # bank card / 社保卡
    ADDRESS = "address"
    CIRCUMSTANCES = "circumstances"  # the family's groups (低保, 残疾 …)


def mask_id(value: str | None) -> str:
    """First 6 and last 4: 130624********1234 (the region stays: it tells villages apart)."""
    if not value:
        return ""
    # the common case, as below without the scan (a ledger of 50,000 shows 50,000 of them)
    if len(value) == 18 and value[0].isdigit():
        return value[:6] + "********" + value[14:]
    if not any(ch.isdigit() for ch in value):
        return value  # not a number at all (an Excel error such as #REF!): nothing to hide, shown as it is
    if len(value) <= 10:
        return value[:2] + "*" * max(0, len(value) - 4) + value[-2:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_student_no(value: str | None) -> str:
    """A 学籍号 is a letter and (usually) the ID number: the number part is masked as an ID is."""
    if not value:
        return ""
    if value[:1].isalpha():
        return value[0] + mask_id(value[1:])
    return mask_id(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = strip_all_spaces(value)
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_account(value: str | None) -> str:
    """Last four digits only: **** 1234."""
    if not value:
        return ""
    digits = strip_all_spaces(value)
    return "**** " + digits[-4:] if len(digits) > 4 else "****"


_ADDRESS_CUT = re.compile(r"^.*?(?:村|社区|居委会|街道|镇|乡)")


def mask_address(value: str | None) -> str:
    """Down to the village or township: the house number and group are left out."""
    if not value:
        return ""
    m = _ADDRESS_CUT.match(value)
    return (m[0] + "***") if m and len(m[0]) < len(value) else value[: max(4, len(value) // 2)] + "***"


def _full(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _hidden(_value: object) -> None:
    return None


_RULES: dict[Field, dict[Level, Callable[[object], str | None]]] = {
    Field.ID_NUMBER: {Level.FULL: _full, Level.MASKED: mask_id, Level.LETTER: _hidden, Level.PUBLIC: _hidden},  # type: ignore[dict-item]
    Field.STUDENT_NO: {Level.FULL: _full, Level.MASKED: mask_student_no, Level.LETTER: _hidden, Level.PUBLIC: _hidden},  # type: ignore[dict-item]
    # beside a masked ID any part of the birth date rebuilds the hidden digits (see the module)
    Field.BIRTH_DATE: {Level.FULL: _full, Level.MASKED: _hidden, Level.LETTER: _hidden, Level.PUBLIC: _hidden},
    Field.PHONE: {Level.FULL: _full, Level.MASKED: mask_phone, Level.LETTER: mask_phone, Level.PUBLIC: _hidden},  # type: ignore[dict-item]
    Field.ACCOUNT: {Level.FULL: _full, Level.MASKED: mask_account, Level.LETTER: mask_account, Level.PUBLIC: _hidden},  # type: ignore[dict-item]
    Field.ADDRESS: {Level.FULL: _full, Level.MASKED: mask_address, Level.LETTER: mask_address, Level.PUBLIC: _hidden},  # type: ignore[dict-item]
    Field.CIRCUMSTANCES: {Level.FULL: _full, Level.MASKED: _full, Level.LETTER: _hidden, Level.PUBLIC: _hidden},
}  # fmt: skip


def show(field: Field, value: object, level: Level) -> str | None:
    """How `value` of `field` appears at `level`; None: the field is left out entirely."""
    if value is None or value == "":
        return None
    return _RULES[field][level](value)


def shower(field: Field, level: Level) -> Callable[[object], str | None]:
    """`show` for one field at one level, looked up once: for exporters writing millions of cells."""
    rule = _RULES[field][level]

    def one(value: object) -> str | None:
        return None if value is None or value == "" else rule(value)

    return one


def show_correction(theirs: str, ours: str, level: Level) -> tuple[str, str]:
    """A 请更正 row sent to a department: the ID as its list has it and the ID on the school's records.
    MASKED (the default): masked as on screen, but the characters where the two differ stay visible
    in both — with their own list at hand the department sees which digits to change, and the file
    carries no whole number of a child. FULL: both whole (a department that asks for them; audited)."""
    if level is Level.FULL:
        return theirs, ours
    if level is not Level.MASKED:
        return "", ""
    differ = {i for i in range(max(len(theirs), len(ours))) if theirs[i : i + 1] != ours[i : i + 1]}

    def one(value: str) -> str:
        masked = mask_id(value)
        return "".join(value[i] if i in differ else ch for i, ch in enumerate(masked))

    return one(theirs), one(ours)


# Columns of the ledgers and exports by the sensitive field they hold.
COLUMN_FIELDS = {
    "id_number": Field.ID_NUMBER,
    "head_id_number": Field.ID_NUMBER,
    "student_no": Field.STUDENT_NO,
    "birth_date": Field.BIRTH_DATE,
    "guardian_phone": Field.PHONE,
    "phone": Field.PHONE,
    "bank_account": Field.ACCOUNT,
    "hukou_address": Field.ADDRESS,
    "current_address": Field.ADDRESS,
    "address": Field.ADDRESS,
    "groups": Field.CIRCUMSTANCES,
}


def show_column(column: str, value: object, level: Level) -> object:
    """A ledger column's value at `level`; columns that are not sensitive pass through unchanged."""
    field = COLUMN_FIELDS.get(column)
    return value if field is None else show(field, value, level)


# ---- numbers inside free text -----------------------------------------------------------------------

# An 18-character ID (also inside G+ID), a 15-digit first-generation ID, a mobile number, and any
# other long run of digits (bank and 社保卡 accounts are 12–19 digits).
_ID18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_LONG_DIGITS = re.compile(r"(?<![0-9])[0-9]{12,19}(?![0-9])")
SENSITIVE_PATTERNS = {"id_number": _ID18, "phone": _PHONE, "account": _LONG_DIGITS}


# A run of digits as people write it: spaces, dashes or dots between the groups (138 1234 5678,
# 130624-2013-0503-1234), an X at the end, in half- or full-width digits.
_D = "0-9\uff10-\uff19"  # half- and full-width digits
_RUN = re.compile(
    rf"(?<![{_D}])[{_D}](?:[ \t\u3000\-\uff0d\u2010-\u2015_.·]{{0,2}}[{_D}])*(?:[ \t\u3000\-]?[XxＸｘ])?(?![{_D}])"
)
_WIDE = str.maketrans("０１２３４５６７８９Ｘｘ－", "0123456789Xx-")  # only inside a number


_GROUP = re.compile(rf"[{_D}]+(?:[ \t\u3000\-]?[XxＸｘ](?![{_D}]))?")


def _masked(digits: str, dated: bool, landlines: bool) -> str | None:
    """`digits` (one number, half-width) masked, or None when it is no number to hide. `dated`: written
    with dots, slashes or dashes between short groups, as dates are (not a local phone number)."""
    n = len(digits)
    if n == 18 and digits[:17].isdigit():
        return mask_id(digits)
    if not digits.isdigit():
        return None
    if n == 11 and digits[0] == "1" and digits[1] in "3456789":
        return mask_phone(digits)
    if 12 <= n <= 19:
        return mask_account(digits).replace(" ", "")
    if landlines and digits[0] == "0" and 10 <= n <= 12:  # area code and number: 0312****234
        return digits[: n - 7] + "****" + digits[-3:]
    if landlines and 7 <= n <= 8 and not dated:
        return "****" + digits[-3:]  # a local number without its area code
    return None


def _mask_run(m: re.Match[str], landlines: bool) -> str:
    """A run of digit groups (138 1234 5678 / 130624 2013… 13812345678): from the left, the longest
    span of whole groups that is a number to hide (an ID first, then a mobile, then the longest
    account) is masked; two numbers written side by side are masked each."""
    run = m[0]
    groups = [(g.start(), g.end()) for g in _GROUP.finditer(run)]
    digits = [
        "".join(ch for ch in run[a:b].translate(_WIDE) if ch in "0123456789Xx").upper() for a, b in groups
    ]
    out, i, done = [], 0, 0
    while i < len(groups):
        found = None
        total = ""
        for j in range(i, len(groups)):
            if j > i and (not digits[j - 1].isdigit() or len(digits[j]) >= 11 or len(digits[i]) >= 11):
                break  # an X ends a number; a group of 11 or more digits is a number of its own
            total += digits[j]
            if len(total) > 19:
                break
            between = run[groups[i][0] : groups[j][1]]
            if len({run[groups[k][1] : groups[k + 1][0]] for k in range(i, j)}) > 1:
                break  # 2026-11-20 138…: groups joined in two ways are two things, not one number
            shown = _masked(
                total, any(ch in between for ch in "./") or ("-" in between and total[0] != "0"), landlines
            )
            if shown is None:
                continue
            rank = 0 if len(total) == 18 else 1 if len(total) == 11 and total[0] == "1" else 2
            if found is None or rank < found[0] or (rank == found[0] and j > found[1]):
                found = (rank, j, shown)
        if found is None:
            i += 1
            continue
        _rank, j, shown = found
        out.append(run[done : groups[i][0]] + shown)
        done, i = groups[j][1], j + 1
    out.append(run[done:])
    return "".join(out)


def _mask_numbers(text: str, landlines: bool) -> str:
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return _RUN.sub(lambda m: _mask_run(m, landlines), text)


def scrub(text: str) -> str:
    """Mask every ID number, mobile and account number inside `text` (messages, notes, log lines),
    also when written in groups (138 1234 5678) or with full-width digits."""
    return _mask_numbers(text, landlines=False)


def free_text(text: str | None, level: Level = Level.MASKED, *, dates: bool = True) -> str:
    """Text people wrote (a parent's objection on a slip, a clerk's note, a reason) as it may appear at
    `level`: at FULL as written; otherwise every ID, mobile, landline and card number in it masked
    like the fields are. The one function every writer calls on such text."""
    if not text:
        return ""
    if level is Level.FULL:
        return text
    masked = _mask_numbers(text, landlines=True)
    return _BIRTH_DATE_IN_WORDS.sub(_mask_date, masked) if dates else masked


# a date written in words (生日2012年7月10日, 2012-07-10, 2012.7.10, 2012/7/10) of a year a child or a
# parent may be born in: beside a masked ID it gives back the hidden middle digits, so at a masked level
# only its year stays; the dates of this year and the last two (a visit, a payment) are events, kept
_BIRTH_DATE_IN_WORDS = re.compile(
    r"(?<![0-9０-９])((?:19|20)[0-9]{2})(\s*(?:年|[-./／])\s*)([01]?[0-9])(\s*(?:月|[-./／])\s*)([0-3]?[0-9])(日|号)?(?![0-9０-９])"
)


def _mask_date(m: re.Match[str]) -> str:
    from aidoffice import clock

    if int(m[1]) >= clock.today().year - 2:
        return m[0]
    return f"{m[1]}{m[2]}**{m[4]}**{m[6] or ''}"


def find_sensitive(text: str) -> list[tuple[str, str]]:
    """Every full ID number, phone or long digit run in `text`: (kind, the number). Empty when
    `text` is safe to print or publish."""
    if not text:
        return []
    found = []
    for kind, pattern in SENSITIVE_PATTERNS.items():
        for m in pattern.finditer(text):
            found.append((kind, m[0]))
    return found
