"""Phone numbers as people write them on forms and lists: a mainland mobile (11 digits, 1[3-9]…) or a
landline with its area code (区号-号码: 0 and 2–3 digits, then 7–8 digits), optionally with an
extension (-123, 转123). `phone_problem` says in Chinese what is wrong with one, or None."""

from __future__ import annotations

import re

from aidoffice.domain.text import strip_all_spaces

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
EXTENSION = re.compile(r"(?:-|转|分机)\d{1,6}")
EXAMPLES = "手机号 11 位（如 13812345678），固定电话写作 区号-号码（如 0312-7221234，分机写 -123 或 转123）"


def normalize_phone(text: str | None) -> str:
    """Half-width, no blanks; a full-width hyphen or dash is a hyphen."""
    return strip_all_spaces(text or "").replace("—", "-").replace("–", "-")


def is_phone(text: str, *, extension: bool = True) -> bool:
    """A normalized number is a mobile or a landline with its area code (and an extension, if allowed)."""
    if MOBILE.fullmatch(text):
        return True
    m = LANDLINE.match(text)
    if m is None:
        return False
    rest = text[m.end() :]
    return not rest or (extension and EXTENSION.fullmatch(rest) is not None)


def phone_problem(text: str | None, *, extension: bool = True) -> str | None:
    """None for a valid number (or an empty one: a phone is optional); otherwise what is wrong and how
    it should be written."""
    phone = normalize_phone(text)
    if not phone or is_phone(phone, extension=extension):
        return None
    digits = re.sub(r"\D", "", phone)
    if phone.isdigit() and phone.startswith("1"):
        if len(phone) != 11:
            why = f"手机号应为 11 位，这里是 {len(phone)} 位"
        else:
            why = "手机号第二位应为 3—9"
    elif phone.isdigit() and 7 <= len(phone) <= 8:
        why = "固定电话缺少区号"
    elif not digits:
        why = "不是电话号码"
    else:
        why = "不是有效的手机号或带区号的固定电话"
    return f"“{phone}”{why}。请写{EXAMPLES}"
