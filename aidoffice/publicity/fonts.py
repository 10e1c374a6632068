"""Chinese fonts for the PDFs: found on the machine, embedded as subsets, with a fallback per character.

reportlab embeds TrueType outlines only; a CFF-based font (Noto Sans CJK, 思源 …, whether .otf or
.ttc) cannot be embedded and is skipped. Where the fonts are looked for:

- Windows: ``%WINDIR%\\Fonts`` and the user's own font folder: 宋体 SimSun / 新宋体 NSimSun (sub-fonts 0
  and 1 of simsun.ttc), 黑体 SimHei, 微软雅黑 msyh.ttc, 仿宋 FangSong, 楷体 KaiTi; SimSun-ExtB
  (simsunb.ttf) and SimSun-ExtG for rare characters (Ext-B and beyond).
- Linux (统信UOS, 银河麒麟, Debian): fontconfig (``fc-list``) and the usual folders: 文泉驿正黑/微米黑,
  AR PL UMing/UKai, 花园明朝 HanaMinA/B (Ext-A/Ext-B), BabelStone Han, Droid Sans Fallback.
- The bundled fallback ``resources/fonts/DroidSansFallbackFull.ttf`` (Apache License 2.0, see
  ``resources/fonts/LICENSE``), so a machine with no Chinese TrueType font still prints every
  common character.

Each text role (body 宋体-like, heading 黑体-like) has a main font; a character the main font lacks is
drawn, run by run, with the first fallback font that has it (so 𠮷, 䶮, 堃 in a name print with a real
glyph). Characters no font has are collected in ``FontSet.missing`` for the caller to report."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from aidoffice.errors import AidofficeError
from aidoffice.paths import resources_dir

log = logging.getLogger(__name__)

BODY, HEADING = "body", "heading"

INSTALL_HINT = (
    "Windows 自带“宋体”和“黑体”，请确认 C:\\Windows\\Fonts 中有 simsun.ttc；"
    "统信UOS、银河麒麟或 Debian 上请安装：sudo apt install fonts-wqy-zenhei fonts-arphic-uming"
    "（生僻字另装 fonts-hanazono）。Noto/思源等 CFF 格式（.otf）的字体无法嵌入 PDF。"
)


class FontsMissing(AidofficeError):
    """No Chinese TrueType font that a PDF can embed was found."""

    def __init__(self, searched: Iterable[str] = ()):
        where = "、".join(searched)
        super().__init__(
            "找不到可以嵌入 PDF 的中文 TrueType 字体，无法生成告知书。"
            + (f"（已查找：{where}）" if where else "")
            + INSTALL_HINT
        )


class GlyphsMissing(AidofficeError):
    """Characters every document needs (digits, Latin letters, punctuation) are in no font found: the
    PDF would print blanks where a date, an amount or a phone number should be, so it is not written."""

    def __init__(self, chars: Iterable[str], fonts: Iterable[str] = ()):
        self.chars = "".join(sorted(set(chars)))
        used = "、".join(fonts)
        super().__init__(
            f"本机找到的字体都没有这些字符：{' '.join(self.chars)}，打印出来会是空白（例如日期、金额、电话号码缺数字），"
            "所以没有生成 PDF。"
            + (f"（使用的字体：{used}）" if used else "")
            + "程序自带的西文字体（reportlab 的 Vera.ttf）可能缺失，请重新安装本程序；或者"
            + INSTALL_HINT
        )


def essential(ch: str) -> bool:
    """A character a document cannot do without: digits, Latin letters and punctuation (ASCII and
    full-width) and any number or punctuation mark. A rare ideograph in a name is not: the letters
    warn about it by name and print the rest."""
    if ch.isspace() or ch in _ZERO_WIDTH:
        return False
    if "\u0021" <= ch <= "\u007e" or "\uff01" <= ch <= "\uff5e":
        return True
    return unicodedata.category(ch)[0] in "NP"


@dataclass(frozen=True)
class Candidate:
    """A family we know how to use, with the file names it ships as."""

    family: str  # as fontconfig names it
    files: tuple[str, ...]  # file names (lower case) it is found as
    index: int = 0  # sub-font of a .ttc
    serif: bool = False


# In order of preference per role. A font of the other role serves when a role has none of its own.
SERIF = (
    Candidate("SimSun", ("simsun.ttc",), 0, True),
    Candidate("NSimSun", ("simsun.ttc",), 1, True),
    Candidate("AR PL UMing CN", ("uming.ttc",), 0, True),
    Candidate("FangSong", ("simfang.ttf",), 0, True),
    Candidate("AR PL UKai CN", ("ukai.ttc",), 0, True),
    Candidate("KaiTi", ("simkai.ttf",), 0, True),
)
SANS = (
    Candidate("SimHei", ("simhei.ttf",)),
    Candidate("Microsoft YaHei", ("msyh.ttc", "msyh.ttf")),
    Candidate("WenQuanYi Zen Hei", ("wqy-zenhei.ttc",)),
    Candidate("WenQuanYi Micro Hei", ("wqy-microhei.ttc",)),
    Candidate("Droid Sans Fallback", ("droidsansfallbackfull.ttf", "droidsansfallback.ttf")),
)
# Fonts for the rare characters of names (CJK Ext-A, Ext-B … ), tried after the role's own fonts.
RARE = (
    Candidate("SimSun-ExtB", ("simsunb.ttf",), 0, True),
    Candidate("SimSun-ExtG", ("simsunextg.ttf",), 0, True),
    Candidate("HanaMinA", ("hanamina.ttf",), 0, True),
    Candidate("HanaMinB", ("hanaminb.ttf",), 0, True),
    Candidate("BabelStone Han", ("babelstonehan.ttf",), 0, True),
)
ALL = SERIF + SANS + RARE
BUNDLED = "DroidSansFallbackFull.ttf"
# reportlab's Bitstream Vera: the Latin letters and digits Droid Sans Fallback lacks (a frozen build
# must collect reportlab/fonts, or every digit is missing)
LATIN = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int
    family: str

    @property
    def label(self) -> str:
        return f"{self.family}（{self.path.name}{f' #{self.index}' if self.index else ''}）"


@dataclass(frozen=True)
class FontSearch:
    """Where to look: fontconfig, the usual folders, extra folders (tried first), the bundled font."""

    fontconfig: bool = True
    system_dirs: bool = True
    extra_dirs: tuple[Path, ...] = ()
    bundled: bool = True

    @classmethod
    def from_environment(cls) -> FontSearch:
        """AIDOFFICE_FONT_DIRS (separated by os.pathsep) adds folders searched first, e.g. a copy of a
        school's licensed fonts."""
        extra = tuple(Path(p) for p in os.environ.get("AIDOFFICE_FONT_DIRS", "").split(os.pathsep) if p)
        return cls(extra_dirs=extra)


def system_font_dirs() -> list[Path]:
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
    ]


def _fontconfig() -> list[tuple[Path, int, list[str]]]:
    """TrueType fonts fontconfig knows: (file, sub-font index, family names)."""
    exe = shutil.which("fc-list")
    if not exe:
        return []
    try:
        out = subprocess.run(
            [exe, "--format", "%{file}\t%{index}\t%{family}\t%{fontformat}\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or parts[3].strip() != "TrueType":
            continue
        with contextlib.suppress(ValueError):
            found.append((Path(parts[0]), int(parts[1] or 0), [f.strip() for f in parts[2].split(",")]))
    return found


def _walk(folder: Path, depth: int = 4) -> Iterator[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and depth > 0:
            yield from _walk(Path(entry.path), depth - 1)
        elif entry.name.lower().endswith((".ttf", ".ttc")):
            yield Path(entry.path)


def discover(search: FontSearch) -> tuple[list[FontFile], list[str]]:
    """Every known Chinese TrueType font on the machine, in preference order (serif, sans, rare), and
    the places searched (for the error message)."""
    by_file: dict[str, list[Path]] = {}
    searched = []
    dirs = list(search.extra_dirs)
    if search.system_dirs:
        dirs += system_font_dirs()
    for folder in dirs:
        searched.append(str(folder))
        for path in _walk(folder):
            by_file.setdefault(path.name.lower(), []).append(path)
    by_family: dict[str, FontFile] = {}
    if search.fontconfig:
        searched.append("fontconfig")
        for path, index, families in _fontconfig():
            for name in families:
                by_family.setdefault(name.lower(), FontFile(path, index, name))
    if search.bundled:
        bundled = resources_dir() / "fonts" / BUNDLED
        searched.append(str(bundled))
        if bundled.is_file():
            by_file.setdefault(BUNDLED.lower(), []).append(bundled)
    found: list[FontFile] = []
    seen: set[tuple[Path, int]] = set()
    for cand in ALL:
        hit = None
        for name in cand.files:
            if name in by_file:
                hit = FontFile(by_file[name][0], cand.index, cand.family)
                break
        if hit is None and cand.family.lower() in by_family:
            hit = by_family[cand.family.lower()]
        if hit is not None and (hit.path, hit.index) not in seen:
            seen.add((hit.path, hit.index))
            found.append(hit)
    return found, searched


# ---- reportlab's ToUnicode map for characters beyond the BMP --------------------------------------


def _utf16_hex(cp: int) -> str:
    if cp > 0xFFFF:
        cp -= 0x10000
        return f"{0xD800 + (cp >> 10):04X}{0xDC00 + (cp & 0x3FF):04X}"
    return f"{cp:04X}"


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab writes ``<%04X>`` for every code point, which is wrong past U+FFFF (𠮷 U+20BB7 would be
    extracted as U+20BB); a ToUnicode CMap wants UTF-16BE, i.e. a surrogate pair there."""
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # type: ignore[assignment]


# ---- the loaded set ---------------------------------------------------------------------------------

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\ufeff"}


def _register(font: FontFile) -> str | None:
    name = "AO-" + re.sub(r"[^A-Za-z0-9]+", "", font.family) + f"-{font.index}"
    with contextlib.suppress(KeyError):
        pdfmetrics.getFont(name)
        return name
    try:
        pdfmetrics.registerFont(TTFont(name, str(font.path), subfontIndex=font.index))
    except (TTFError, OSError, ValueError) as exc:  # a CFF font under a .ttf name, a damaged file
        log.warning("font %s cannot be embedded: %s", font.path, exc)
        return None
    return name


@dataclass
class _Loaded:
    file: FontFile
    name: str
    widths: dict[int, int]  # code point → advance in 1/1000 em
    default: int


class FontSet:
    """The fonts a document uses: a main font per role and the fallbacks, loaded when first needed."""

    def __init__(self, fonts: list[FontFile], searched: list[str] | None = None):
        self.files = fonts
        self.searched = searched or []
        serif = [f for f in fonts if f.family in {c.family for c in SERIF}]
        sans = [f for f in fonts if f.family in {c.family for c in SANS}]
        rare = [f for f in fonts if f.family in {c.family for c in RARE}]
        # Latin letters and digits last of all: Droid Sans Fallback has none, and reportlab ships
        # Bitstream Vera (a TrueType font with a licence that allows embedding)
        latin = [FontFile(LATIN, 0, "Bitstream Vera Sans")] if LATIN.is_file() else []
        self._chains: dict[str, list[FontFile]] = {
            BODY: serif + sans + rare + latin,
            HEADING: sans + serif + rare + latin,
        }
        self._loaded: dict[FontFile, _Loaded | None] = {}
        self._char_font: dict[str, dict[str, _Loaded]] = {BODY: {}, HEADING: {}}
        self.missing: set[str] = set()
        for role in (BODY, HEADING):
            if self.main(role) is None:
                raise FontsMissing(self.searched)

    def _load(self, font: FontFile) -> _Loaded | None:
        if font not in self._loaded:
            name = _register(font)
            if name is None:
                self._loaded[font] = None
            else:
                face = pdfmetrics.getFont(name).face
                cw = face.charWidths  # keyed by code point, in 1/1000 em
                widths = {cp: cw.get(cp, face.defaultWidth) for cp in face.charToGlyph}
                self._loaded[font] = _Loaded(font, name, widths, int(face.defaultWidth))
        return self._loaded[font]

    def main(self, role: str) -> _Loaded | None:
        for font in self._chains[role]:
            loaded = self._load(font)
            if loaded is not None and ord("中") in loaded.widths:
                return loaded
        return None

    def main_name(self, role: str = BODY) -> str:
        main = self.main(role)
        assert main is not None
        return main.name

    def _font_for(self, ch: str, role: str) -> _Loaded:
        cache = self._char_font[role]
        hit = cache.get(ch)
        if hit is not None:
            return hit
        cp = ord(ch)
        chain = self._chains[role]
        chosen = None
        for font in chain:
            loaded = self._load(font)
            if loaded is not None and cp in loaded.widths:
                chosen = loaded
                break
        if chosen is None:
            chosen = self.main(role)
            assert chosen is not None
            if not ch.isspace() and ch not in _ZERO_WIDTH:
                self.missing.add(ch)
        cache[ch] = chosen
        return chosen

    def width(self, text: str, size: float, role: str = BODY) -> float:
        total = 0
        for ch in text:
            f = self._font_for(ch, role)
            total += f.widths.get(ord(ch), f.default)
        return total * size / 1000.0

    def char_width(self, ch: str, role: str = BODY) -> int:
        """Advance of one character in 1/1000 em."""
        f = self._font_for(ch, role)
        return f.widths.get(ord(ch), f.default)

    def runs(self, text: str, role: str = BODY) -> list[tuple[str, str]]:
        """(font name, text) runs: each character in the first font of the role's chain that has it."""
        out: list[tuple[str, str]] = []
        current: str | None = None
        start = 0
        for i, ch in enumerate(text):
            name = self._font_for(ch, role).name
            if name != current:
                if current is not None:
                    out.append((current, text[start:i]))
                current, start = name, i
        if current is not None:
            out.append((current, text[start:]))
        return out

    def unprintable(self, text: str) -> set[str]:
        """The characters of `text` no font of this set has (an empty set: all of it prints)."""
        for ch in text:
            self._font_for(ch, BODY)
        return {ch for ch in text if ch in self.missing}

    def check_essential(self) -> None:
        """Raise GlyphsMissing when a digit, Latin letter or punctuation mark drawn with this set has
        no glyph in any of its fonts (the missing set grows over the life of the set, and so does the
        refusal: a set without digits is refused for every document)."""
        lacking = {ch for ch in self.missing if essential(ch)}
        if lacking:
            raise GlyphsMissing(lacking, self.describe())

    def describe(self) -> list[str]:
        used = [f for f, loaded in self._loaded.items() if loaded is not None]
        return [f.label for f in used]


@dataclass
class FontReport:
    """What the resolver found, for the settings page and the README."""

    body: str
    heading: str
    fallbacks: list[str] = field(default_factory=list)


def resolve(search: FontSearch | None = None) -> FontSet:
    """A FontSet from the fonts on this machine; raises FontsMissing with what to install."""
    search = search or FontSearch.from_environment()
    fonts, searched = discover(search)
    if not fonts:
        raise FontsMissing(searched)
    return FontSet(fonts, searched)


@functools.lru_cache(maxsize=1)
def default_fonts() -> FontSet:
    """The machine's fonts, found once per process (a search takes ~0.1 s; fonts load on first use)."""
    return resolve()


def report(fonts: FontSet) -> FontReport:
    body, heading = fonts.main(BODY), fonts.main(HEADING)
    assert body is not None and heading is not None
    return FontReport(
        body.file.label,
        heading.file.label,
        [f.label for f in fonts.files if f not in (body.file, heading.file)],
    )
