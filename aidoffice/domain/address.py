"""Splitting a household-registration place (户口所在地) into 乡(镇) and 村 of the school's county.

A 学籍 export writes the place in one cell, in many shapes: "河北省保定市阜平县城南庄镇大岸底村",
"阜平县城南庄镇大岸底村3组", "城南庄镇大岸底村", "保定市阜平县阜平镇城北社区居委会", "城南庄镇大岸底村委会
12号"; the departments' lists write it in two columns that may hold the whole place or only part of it
("城南庄" / "大岸底村委会"). Pure: no database; the callers give the school's county and the townships
already known."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_PROVINCE = re.compile(r"^(北京|天津|上海|重庆)市?|^.{2,8}?(?:省|自治区|特别行政区)")
_CITY = re.compile(r"^.{2,9}?(?:市|自治州|地区|盟)")
_COUNTY = re.compile(r"^.{1,9}?(?:自治县|自治旗|县|区|市|旗)")
_TOWN = re.compile(r"^(.{1,9}?)(街道办事处|街道办|街道|民族乡|镇|乡|苏木)")
_STREET = re.compile(r"^.{1,9}?(?:街道办事处|街道办|街道)")
_VILLAGE = re.compile(r"^(.{1,12}?)(村民委员会|居民委员会|村委会|居委会|社区|村|嘎查)")
_SPACES = re.compile(r"\s+")
_INNER = re.compile(
    r"镇|乡|村|街道|社区"
)  # inside a county's name only as its first character (镇平县, 乡宁县)
_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")
TOWN_SUFFIXES = ("街道办事处", "街道办", "街道", "民族乡", "镇", "乡", "苏木")


def _bare_county(name: str) -> str:
    for suffix in ("自治县", "自治旗", "县", "区", "市", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def same_county(a: str | None, b: str | None) -> bool:
    """阜平县 and 阜平 are one county; 阜平县 and 曲阳县 are two."""
    return bool(a and b) and _bare_county(clean(a)) == _bare_county(clean(b))  # type: ignore[arg-type]


def clean(text: str | None) -> str:
    return _SPACES.sub("", (text or "").translate(_WIDE)).replace("（", "(").replace("）", ")")


def town_name(name: str) -> str:
    """街道办事处 / 街道办 are written 街道."""
    for long in ("街道办事处", "街道办"):
        if name.endswith(long):
            return name[: -len(long)] + "街道"
    return name


def village_name(name: str) -> str:
    """村委会 / 村民委员会 are written 村; 社区居委会 / 居民委员会 are written 社区."""
    for long, short in (
        ("村民委员会", "村"),
        ("村委会", "村"),
        ("社区居委会", "社区"),
        ("居民委员会", "社区"),
    ):
        if name.endswith(long):
            return name[: -len(long)] + short
    return name


@dataclass(frozen=True)
class Place:
    """Where a person is registered, as far as the text tells: `township` and `village` when the place
    lies in the school's county (`inside`); `foreign` when the text names another county."""

    text: str  # the place as written (spaces removed)
    township: str | None = None
    village: str | None = None
    county: str | None = None  # the county the text names, if any
    inside: bool = False  # in the school's county and split into 乡镇 + 村
    foreign: bool = False  # another county (外县户籍, 随迁): kept as text, not a problem

    def why_not(self) -> str:
        """Why the place could not be linked to a village of the county, in the clerk's words."""
        if not self.text:
            return "户口所在地为空"
        if self.foreign:
            return f"“{self.text}”不在本县（{self.county}），按外县户籍保留原文"
        if self.township is None:
            return f"“{self.text}”中找不到乡（镇）名称，请写成“某某镇某某村”"
        return f"“{self.text}”中找不到村（社区）名称，请写成“{self.township}某某村”"


def _prefix(s: str, county: str | None, towns: list[str]) -> tuple[str | None, str]:
    """Strip province, city and county: (the county named or None, what follows)."""
    rest = s
    m = _PROVINCE.match(rest)
    province = m is not None
    if m:
        rest = rest[m.end() :]
    for pattern in (_CITY, _COUNTY):
        m = pattern.match(rest)
        if not m or _INNER.search(m.group(0)[1:]):
            continue
        if rest[m.end() : m.end() + 1] in ("镇", "乡", "街") and not _COUNTY.match(rest[m.end() :]):
            continue  # 新市镇 is a township, 东镇东社区 a village: neither a city nor a county
        token, after = m.group(0), rest[m.end() :]
        if county and same_county(token, county):
            return token, after
        if pattern is _CITY:
            c = _COUNTY.match(after)
            if c and after[c.end() : c.end() + 1] not in ("镇", "乡", "街"):
                rest = after  # a prefecture-level city; the county follows
                continue
        if _TOWN.match(after) or not after or _known_town(after, towns):
            return token, after
        if province and pattern is _COUNTY and _VILLAGE.match(after):
            return token, after  # 山西省忻州市五台县某某村: a county named in full, its township left out
    return None, rest


def split_place(text: str | None, county: str | None, towns: Iterable[str] = ()) -> Place:
    """Split a whole place into 乡镇 and 村 of `county` (the school's county; None: any county).

    Province and city are optional; the county may be left out when the township follows directly.
    A township written without 镇/乡 ("城南庄大岸底村") is recognised when it is one of `towns`.
    Whatever follows the village (组, 号, 门牌) is ignored."""
    s = clean(text)
    if not s:
        return Place(s)
    towns = list(towns)
    named, rest = _prefix(s, county, towns)
    if named is not None and county and not same_county(named, county):
        return Place(s, county=named, foreign=True)
    town, rest = _take_town(rest, towns)
    if town is None:
        return Place(s, county=named)
    street = _STREET.match(rest)
    if street and _VILLAGE.match(rest[street.end() :]):
        rest = rest[street.end() :]  # 阜平镇向阳街道办事处幸福社区: the 社区 is the village
    m = _VILLAGE.match(rest)
    if not m:
        return Place(s, township=town, county=named)
    return Place(s, township=town, village=village_name(m.group(0)), county=named, inside=True)


def _known_town(rest: str, towns: Iterable[str]) -> str | None:
    best = None
    for t in towns:
        bare = bare_town(t)
        if bare and rest.startswith(bare) and (best is None or len(bare) > len(bare_town(best))):
            best = t
    return best


def bare_town(name: str) -> str:
    for suffix in TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _take_town(rest: str, towns: list[str]) -> tuple[str | None, str]:
    for t in sorted(towns, key=len, reverse=True):  # a known township written in full
        if t and rest.startswith(t):
            return t, rest[len(t) :]
    m = _TOWN.match(rest)
    if m:
        return town_name(m.group(0)), rest[m.end() :]
    known = _known_town(rest, towns)  # 城南庄大岸底村: the township without its 镇
    if known is not None:
        return known, rest[len(bare_town(known)) :]
    return None, rest


def split_columns(
    township: str | None, village: str | None, county: str | None, towns: Iterable[str] = ()
) -> Place:
    """The 乡(镇) and 村 columns of a department's list, which may hold the whole place in either
    column, the county before the township, 村委会 for 村, or a township without 镇/乡."""
    t, v = clean(township), clean(village)
    towns = list(towns)
    alone = split_place(v, county, towns)  # the 村 column holding the whole place
    if alone.inside or alone.foreign:
        return alone
    whole = split_place(t + v, county, towns)
    if whole.inside or whole.foreign or not (t and v):
        return whole
    named, rest = _prefix(t, county, towns)
    if named is not None and county and not same_county(named, county):
        return Place(t + v, county=named, foreign=True)
    town, _ = _take_town(rest, towns)
    town = town or rest
    m = _VILLAGE.match(v)
    name = village_name(m.group(0)) if m else v
    return Place(t + v, township=town, village=name, county=named, inside=True)


_VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "村")


def village_key(name: str | None) -> str:
    """How village names are compared: 黑崖沟, 黑崖沟村 and 黑崖沟村委会 are one village."""
    s = "".join((name or "").split())
    for suffix in _VILLAGE_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s
