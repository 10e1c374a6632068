"""Pinyin keys for searching by initials (zs → 张三) and sorting names as a Chinese reader expects."""

from __future__ import annotations

import functools
import os
import re

# Surnames whose reading differs from the character's most common one.
_SURNAMES = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "查": "zha", "朴": "piao",
    "乐": "yue", "覃": "qin", "翟": "zhai", "盖": "ge", "缪": "miao", "秘": "bi", "尉迟": "yuchi",
    "长孙": "zhangsun", "万俟": "moqi", "召": "shao", "繁": "po", "员": "yun", "种": "chong",
    "句": "gou", "谌": "chen", "隗": "wei", "应": "ying", "适": "kuo", "厍": "she",
}  # fmt: skip
_COMPOUND = sorted((k for k in _SURNAMES if len(k) > 1), key=len, reverse=True)
_NON_ALNUM = re.compile(r"[^0-9a-z]")


def _syllables(name: str) -> list[str]:
    name = name.strip()
    head: list[str] = []
    for compound in _COMPOUND:
        if name.startswith(compound):
            head = [_SURNAMES[compound]]
            name = name[len(compound) :]
            break
    else:
        if name[:1] in _SURNAMES:
            head = [_SURNAMES[name[0]]]
            name = name[1:]
    rest = [_char(ch) for ch in name]
    return [s for s in (*head, *rest) if s and _NON_ALNUM.sub("", s)]


@functools.cache
def _char(ch: str) -> str:
    """The reading of one character (its most common one; surnames are handled above). Names are
    read character by character, so pypinyin's large phrase table is never loaded (0.2 s saved at
    every start), and 20,000 names take milliseconds."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(ch, style=Style.NORMAL, errors=lambda s: list(s.lower()), v_to_u=False))


def pinyin_key(name: str) -> str:
    """Full pinyin without tones or spaces, lower case: 张三 → zhangsan. Sorts names by sound."""
    return _NON_ALNUM.sub("", "".join(_syllables(name or "")))


def initials_key(name: str) -> str:
    """First letters of each syllable: 张三 → zs, 单田芳 → stf."""
    return "".join(_NON_ALNUM.sub("", s)[:1] for s in _syllables(name or ""))


def name_order(name: str) -> tuple[str, ...]:
    """The key a class list is sorted by: syllable by syllable, so every 李 (li) comes before every
    刘 (liu), as in a Chinese roll; whole-string pinyin would put 李嫣 (liyan) after 刘语婷 (liuyuting)."""
    return tuple(_NON_ALNUM.sub("", s) for s in _syllables(name or ""))


def sort_key(name: str) -> str:
    """`name_order` as one string a database can index and ORDER BY: syllables joined by a space,
    which sorts before every letter (li yan < liu yu ting)."""
    return " ".join(name_order(name))


def name_keys(name: str) -> tuple[str, str, str]:
    """(pinyin_key, initials_key, sort_key) of one name from one reading of its syllables: what a
    student row stores, a third of the work of calling the three one by one."""
    parts = [_NON_ALNUM.sub("", s) for s in _syllables(name or "")]
    return "".join(parts), "".join(p[:1] for p in parts), " ".join(parts)
