"""Chinese fonts for the PDFs: found on Windows and Linux alike, embeddable, with a fallback per
character, and a clear message when a machine has none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidoffice.publicity.fonts import (
    BODY,
    HEADING,
    FontSearch,
    FontSet,
    FontsMissing,
    discover,
    resolve,
)
from aidoffice.publicity.layout import NO_END, NO_START, Style, fit, wrap

BUNDLED_ONLY = FontSearch(fontconfig=False, system_dirs=False, bundled=True)
NOTHING = FontSearch(fontconfig=False, system_dirs=False, bundled=False)


def test_no_font_at_all_gives_a_chinese_message_naming_what_to_install():
    """A machine with no usable font must say what to install (Linux package, Windows file), not print boxes."""
    with pytest.raises(FontsMissing) as err:
        resolve(NOTHING)
    message = str(err.value)
    assert "fonts-wqy-zenhei" in message and "simsun.ttc" in message and "CFF" in message


def test_a_machine_with_only_cff_fonts_is_told_they_cannot_be_embedded(tmp_path):
    """统信UOS ships Noto Sans CJK, an OpenType/CFF font reportlab cannot embed: not a silent failure."""
    noto = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not noto.exists():
        pytest.skip("Noto Sans CJK 未安装")
    shutil.copy(noto, tmp_path / "NotoSansCJK-Regular.ttc")
    with pytest.raises(FontsMissing, match=r"CFF.*无法嵌入"):
        resolve(FontSearch(fontconfig=False, system_dirs=False, bundled=False, extra_dirs=(tmp_path,)))


def test_the_bundled_fallback_alone_prints_common_chinese():
    """With no system font, the bundled one must still print a whole letter's common characters."""
    fonts = resolve(BUNDLED_ONLY)
    assert fonts.main_name(BODY) == fonts.main_name(HEADING)
    assert fonts.unprintable("学生资助政策告知书，张三、李四（七年级2班）") == set()


def test_windows_fonts_are_found_by_their_file_names_with_the_ttc_sub_font(tmp_path):
    """A copy of Windows' Fonts folder: 宋体 is sub-font 0 of simsun.ttc, 新宋体 sub-font 1."""
    uming = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
    if not uming.exists():
        pytest.skip("fonts-arphic-uming 未安装")
    shutil.copy(uming, tmp_path / "SIMSUN.TTC")
    found, _ = discover(
        FontSearch(fontconfig=False, system_dirs=False, bundled=False, extra_dirs=(tmp_path,))
    )
    assert [(f.family, f.index) for f in found] == [("SimSun", 0), ("NSimSun", 1)]
    assert FontSet(found).main(BODY).file.family == "SimSun"


def test_a_rare_character_falls_back_to_a_font_that_has_it():
    """𠮷 (U+20BB7, CJK Ext-B) is in few fonts; the run around it uses one of those."""
    fonts = resolve()
    if "𠮷" in fonts.unprintable("𠮷"):
        pytest.skip("本机没有含 CJK 扩展B 的字体（fonts-hanazono 或 SimSun-ExtB）")
    runs = fonts.runs("王𠮷同学", BODY)
    assert "".join(t for _, t in runs) == "王𠮷同学"
    assert len(runs) == 3 and runs[0][0] == runs[2][0] != runs[1][0]


def test_characters_no_font_has_are_reported_not_hidden():
    """A character no font can draw must be named, so a name is not printed with a silent blank in it."""
    fonts = resolve(BUNDLED_ONLY)
    assert fonts.unprintable("张\U0003134a") == {"\U0003134a"}  # CJK Ext-G


# ---- line breaking ----------------------------------------------------------------------------------

TEXT = (
    "尊敬的家长：为让每一位家长了解国家学生资助政策，确保“不让一个学生因家庭经济困难而失学”，"
    "现将有关政策告知如下。咨询电话0312-7251234，网址www.example.gov.cn。（一）免除学杂费；（二）免费提供教科书！"
)


@pytest.mark.parametrize("width", [60, 97.3, 150, 233, 481])
def test_wrapped_lines_never_exceed_their_box_and_lose_no_character(width):
    """A letter's paragraph must stay inside its box at any width and never drop a character of the text."""
    fonts = resolve(BUNDLED_ONLY)
    style = Style(10.5, first_indent=2)
    lines = wrap(fonts, TEXT, width, style)
    assert all(line.indent + line.width <= width + 0.01 for line in lines)
    assert "".join(line.text for line in lines).replace(" ", "") == TEXT.replace(" ", "")


@pytest.mark.parametrize("width", [80, 120, 200, 300])
def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one(width):
    """，。）” at the start of a line or （“ at its end look wrong to every Chinese reader."""
    fonts = resolve(BUNDLED_ONLY)
    lines = wrap(fonts, TEXT, width, Style(10.5))
    for line in lines[1:]:
        assert line.text[:1] not in NO_START, line.text
    for line in lines[:-1]:
        assert line.text[-1:] not in NO_END, line.text


def test_a_long_name_shrinks_and_wraps_inside_its_box():
    """A long Uyghur name must fit its box on at most two lines, smaller, with every character still there."""
    fonts = resolve(BUNDLED_ONLY)
    name = "阿卜杜热合曼·买买提依明·艾力江·阿不都克力木"
    fitted = fit(fonts, name, 90, 24, Style(12), max_lines=2)
    assert len(fitted.lines) <= 2 and fitted.height <= 24 + 0.01
    assert all(line.width <= 90 + 0.01 for line in fitted.lines)
    assert fitted.style.size < 12
    assert "".join(line.text for line in fitted.lines) == name


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet="资助政策学生家长张三李四，。、；：？！（）“”《》0123456789abcXYZ-./ ",
        min_size=0,
        max_size=160,
    ),
    st.floats(min_value=40, max_value=500),
)
def test_any_text_wraps_inside_any_box_without_losing_a_character(text, width):
    """Whatever a school writes in a notice, wrapping must keep it inside the box and drop no character."""
    fonts = resolve(BUNDLED_ONLY)
    lines = wrap(fonts, text, width, Style(10.5, first_indent=2))
    assert all(line.indent + line.width <= width + 0.01 for line in lines)
    assert "".join(line.text for line in lines).replace(" ", "") == text.replace(" ", "")


def test_a_title_never_ends_with_one_character_alone_on_its_line():
    """“……受助学生公” over a lone “示” reads badly on a notice board: the last two go down together."""
    fonts = resolve(BUNDLED_ONLY)
    title = "阜平县城南庄镇中心学校2026-2027学年第一学期受助学生公示"
    style = Style(16, fake_bold=True)
    full = sum(fonts.char_width(ch, style.role) for ch in title) * style.size / 1000
    lines = wrap(fonts, title, full - 4, style)  # one character too narrow
    assert len(lines) == 2 and lines[-1].text == "公示"
    assert "".join(line.text for line in lines) == title


# ---- the missing-glyph guard ------------------------------------------------------------------------


def test_a_pdf_whose_digits_no_font_has_is_refused_and_not_written(tmp_path, monkeypatch):
    """A frozen build without reportlab's Vera.ttf on a PC whose only Chinese font has no digits printed
    letters with blank dates and phone numbers and said nothing: now the PDF is refused, naming them."""
    from aidoffice.publicity import fonts as fonts_module
    from aidoffice.publicity.fonts import GlyphsMissing
    from aidoffice.publicity.layout import draw_text
    from aidoffice.publicity.pdf import document

    monkeypatch.setattr(fonts_module, "LATIN", tmp_path / "not-collected" / "Vera.ttf")
    fonts = resolve(BUNDLED_ONLY)  # Droid Sans Fallback: Chinese, no Latin digits
    out = tmp_path / "告知书.pdf"
    with pytest.raises(GlyphsMissing) as err, document(out, fonts, "告知书", "学校") as doc:
        draw_text(doc.canvas, fonts, "咨询电话0312-7251234", 72, 700, Style(10.5))
    assert not out.exists()
    message = str(err.value)
    assert (
        "0" in err.value.chars and "7" in err.value.chars and "没有生成" in message and "重新安装" in message
    )


def test_a_pdf_with_vera_beside_the_chinese_font_prints_its_digits(tmp_path):
    """The same text with reportlab's Vera present is written, and every digit is drawn."""
    from aidoffice.publicity.layout import draw_text
    from aidoffice.publicity.pdf import document

    fonts = resolve(BUNDLED_ONLY)
    out = tmp_path / "告知书.pdf"
    with document(out, fonts, "告知书", "学校") as doc:
        draw_text(doc.canvas, fonts, "咨询电话0312-7251234", 72, 700, Style(10.5))
    assert out.is_file()
    assert fonts.unprintable("0123456789-") == set()


def test_a_rare_ideograph_in_a_name_warns_but_does_not_stop_the_print(tmp_path):
    """A name with a character no font has (CJK Ext-G) is the letters' warning, not a refusal of the batch."""
    from aidoffice.publicity.layout import draw_text
    from aidoffice.publicity.pdf import document

    fonts = resolve(BUNDLED_ONLY)
    out = tmp_path / "告知书.pdf"
    with document(out, fonts, "告知书", "学校") as doc:
        draw_text(doc.canvas, fonts, "张\U0003134a 2026年", 72, 700, Style(10.5))
    assert out.is_file() and fonts.missing == {"\U0003134a"}
