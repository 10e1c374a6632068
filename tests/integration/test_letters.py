"""The two letters and their slips as a head teacher prints them and a family reads them."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from aidoffice import clock
from aidoffice.db.models import AuditEntry, PublicityBatch, Student
from aidoffice.domain import slipcode
from aidoffice.domain.pinyin import name_order
from aidoffice.errors import InputRefused
from aidoffice.privacy import find_sensitive
from aidoffice.publicity.letters import preview_letter, produce_letters, remake_batch
from aidoffice.publicity.templates import TemplateError, shipped_text
from tests.letters_world import (
    LETTER_DAY,
    LONG_NAME,
    build_school,
    needs_poppler,
    pdf_fonts,
    pdf_pages,
    slip_count,
    word_boxes,
)

pytestmark = needs_poppler


@pytest.fixture
def school(school_db):
    return build_school(school_db)


def make(db, kind="policy", out=None, **kw):
    with db.unit_of_work(actor="班主任") as s:
        return produce_letters(s, kind, out, letter_date=kw.pop("letter_date", LETTER_DAY), **kw)


def test_a_class_batch_has_a_cover_then_one_letter_per_student_in_pinyin_order(school_db, school, tmp_path):
    """A head teacher prints the class and hands letters out in the order of the class list."""
    res = make(school_db, out=tmp_path / "2班.pdf", grade="七年级", class_name="2")
    assert res.letters == 4 and res.classes == 1
    pages = pdf_pages(res.path)
    assert len(pages) == res.pages == 1 + 4
    cover = pages[0]
    assert "回执收回登记表" in cover and "七年级2班" in cover
    names = [n for n in ("李四", "王𠮷", "张三", LONG_NAME) if n]
    expected = sorted(names, key=name_order)
    letter_names = [next(n for n in names if f"尊敬的{n}同学家长" in p) for p in pages[1:]]
    assert letter_names == expected
    for page, code in zip(pages[1:], res.slips, strict=True):
        assert slipcode.display(code) in page  # the slip of that letter carries its own code
        assert slipcode.display(code) in cover
    assert all(slipcode.is_valid(c) for c in res.slips)


def test_each_class_starts_on_its_own_cover_and_2ban_comes_before_10ban(school_db, school, tmp_path):
    """Each head teacher takes their own class's pile, and classes come in number order, 2班 before 10班."""
    res = make(school_db, out=tmp_path / "七年级.pdf", grade=7)
    pages = pdf_pages(res.path)
    covers = [i for i, p in enumerate(pages) if "回执收回登记表" in p]
    assert covers == [0, 5]
    assert "七年级2班" in pages[0] and "七年级10班" in pages[5]


def test_remaking_a_batch_keeps_the_slip_codes_and_the_bytes(school_db, school, tmp_path):
    """A lost class set printed again must carry the codes the families already returned."""
    first = make(school_db, out=tmp_path / "a.pdf", grade=7, class_name=2)
    again = make(school_db, out=tmp_path / "b.pdf", grade=7, class_name=2)
    assert again.slips == first.slips and again.new_slips == 0
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    with school_db.unit_of_work() as s:
        remade = remake_batch(s, first.batch_id, tmp_path / "c.pdf")
    assert remade.identical and remade.slips == first.slips


def test_every_batch_is_recorded_with_who_when_and_the_files_sha256(school_db, school, tmp_path):
    """If a printed letter is ever disputed, the office can prove which file it was, who made it and when."""
    started = clock.now()
    res = make(school_db, out=tmp_path / "a.pdf", grade=7)
    digest = hashlib.sha256(res.path.read_bytes()).hexdigest()
    with school_db.reading() as s:
        batch = s.get(PublicityBatch, res.batch_id)
        assert (batch.fingerprint, batch.actor, batch.pages, batch.items) == (digest, "班主任", res.pages, 6)
        assert started - timedelta(seconds=1) <= batch.at <= clock.now()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "produce")).one()
        assert entry.after["sha256"] == digest and entry.actor == "班主任"


def test_rare_characters_in_names_print_with_real_glyphs_and_every_font_is_an_embedded_subset(
    school_db, school, tmp_path
):
    """𠮷 (Ext-B), 䶮 (Ext-A) and 堃 must print as themselves, not as empty boxes, on any PC."""
    res = make(school_db, out=tmp_path / "七年级.pdf", grade=7)
    text = "".join(pdf_pages(res.path))
    for name in ("王𠮷", "赵䶮", "钱堃"):
        assert f"尊敬的{name}同学家长" in text
    assert not [w for w in res.warnings if "方框" in w]
    fonts = pdf_fonts(res.path)
    assert fonts and all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts
    assert len({f["name"].split("+")[1] for f in fonts}) >= 2  # the fallback font is really used


def test_no_letter_prints_an_id_number_an_account_or_the_familys_group(school_db, school, tmp_path):
    """Letters go home in children's bags: nothing in them may be misused or tell why the family is aided."""
    for kind in ("policy", "aid"):
        res = make(school_db, kind, out=tmp_path / f"{kind}.pdf")
        text = "".join(pdf_pages(res.path))
        assert not [f for f in find_sensitive(text) if f[0] in ("id_number", "account")]
        for number in school.id_numbers.values():
            assert number not in text and number[-8:] not in text
        assert "13812345678" not in text  # the guardian's phone
    aid_text = "".join(pdf_pages(tmp_path / "aid.pdf"))
    assert "低保" not in aid_text  # 张三's family is on the 低保 list; the aid letter does not say so


def test_the_aid_letter_lists_each_item_the_masked_account_and_the_total_in_words(
    school_db, school, tmp_path
):
    """A family checks each item, the account paid into and the total in capitals, as on any payment notice."""
    res = make(school_db, "aid", out=tmp_path / "aid.pdf", covers=False)
    assert res.letters == 2  # 张三 and 孙小明 were aided this term
    pages = pdf_pages(res.path)
    zhang = next(p for p in pages if "尊敬的张三同学家长" in p).replace("\n", "")
    assert "义务教育家庭经济困难寄宿生生活补助" in zhang and "营养改善计划" in zhang
    assert "****8901" in zhang
    assert "1,250" in zhang and "壹仟贰佰伍拾元整" in zhang
    assert "学校统一提供膳食，不发放现金" in zhang
    assert "无异议" in zhang and "有异议" in zhang


def test_a_letter_printed_late_in_term_asks_for_the_slip_a_week_later_not_by_a_past_date(
    school_db, school, tmp_path
):
    """An aid letter printed in November must not ask families to return the slip by 9月20日; the
    slip's date counts from the letter's, and a deadline already past is pointed out."""
    from aidoffice.publicity.settings import write_settings

    with school_db.unit_of_work() as s:
        write_settings(s, apply_deadline="9月20日", slip_days=7)
    res = make(school_db, "aid", out=tmp_path / "aid.pdf", covers=False, letter_date=date(2026, 11, 27))
    text = "".join(pdf_pages(res.path)).replace("\n", "")
    assert "12月4日前交回" in text and "9月20日前交回" not in text
    assert any("申请截止“9月20日”早于告知书日期 2026年11月27日" in w for w in res.warnings)
    early = make(school_db, "policy", out=tmp_path / "p.pdf", covers=False, letter_date=date(2026, 9, 1))
    first = "".join(pdf_pages(early.path)).replace("\n", "")
    assert "于9月20日前向班主任提出申请" in first and "9月8日前交回" in first
    assert not any("早于" in w for w in early.warnings)


def test_the_cover_of_a_class_of_forty_fits_one_sheet(school_db, school, tmp_path):
    """A head teacher keeps one sheet per class; a list of 40 spilling two rows onto a second sheet
    is set in slightly smaller type instead."""
    from aidoffice.ledgers.students import add_student
    from tests.factories import student

    with school_db.unit_of_work() as s:
        surnames, given = "赵钱孙李周吴郑王", "一二三四五"
        for n in range(40):
            add_student(
                s, 1, student(surnames[n % 8] + "小" + given[n // 8], "八年级", "3班", birth=date(2012, 5, 3))
            )
    res = make(school_db, out=tmp_path / "八年级3班.pdf", grade="八年级", class_name="3班")
    pages = pdf_pages(res.path)
    assert "回执收回登记表" in pages[0] and "共 40 人" in pages[0] and "班主任签字" in pages[0]
    assert all(f"{n}\n" in pages[0] or f" {n} " in pages[0] or str(n) in pages[0] for n in (39, 40))
    assert "尊敬的" in pages[1]  # the letters start on the second sheet


def test_a_two_page_aid_letter_keeps_its_slip_on_the_last_page(school_db, school, tmp_path):
    """A county's longer wording must not push the slip off the letter or onto another child's sheet."""
    long = shipped_text("aid").replace(
        "## 咨询和监督电话",
        "\n".join(["## 政策说明", *["学生资助政策说明文字，" * 12] * 14, "## 咨询和监督电话"]),
    )
    res = make(school_db, "aid", out=tmp_path / "aid.pdf", covers=False, texts={"aid": long})
    assert res.pages == 4
    pages = pdf_pages(res.path)
    assert "请沿虚线剪下" not in pages[0] and "请沿虚线剪下" in pages[1]
    assert "第 1 页" in pages[0] and "共 2 页" in pages[1]
    assert slipcode.display(res.slips[0]) in pages[1]


def test_duplex_printing_pads_every_letter_and_cover_to_an_even_page_count(school_db, school, tmp_path):
    """Printed on both sides, a letter must never share a sheet with the next child's."""
    res = make(school_db, out=tmp_path / "d.pdf", grade=7, class_name=2, duplex=True)
    assert res.pages == 2 + 4 * 2
    pages = pdf_pages(res.path)
    assert all(not pages[i].strip() for i in range(1, len(pages), 2))


def test_long_names_and_long_school_names_stay_inside_the_page(school_db, school, tmp_path):
    """A long Uyghur name or school name must not run off the paper and be cut off in print."""
    with school_db.unit_of_work() as s:
        from aidoffice.ledgers.school import require_school

        require_school(s).name = "河北省保定市阜平县城南庄镇中心学校附属九年一贯制实验学校（城南庄校区）"
    res = make(school_db, out=tmp_path / "long.pdf", grade=7, class_name=2)
    width = 595.28
    boxes = word_boxes(res.path)
    assert boxes
    for _page, x0, _y0, x1, _y1, word in boxes:
        assert x0 >= 20 and x1 <= width - 20, word
    text = "".join(pdf_pages(res.path)).replace("\n", "")
    assert "阿卜杜热合曼·买买提依明·" in text


def test_the_leaving_class_letter_adds_the_next_stages_policies(school_db, school, tmp_path):
    """Grade 6 families need to know the aid awaiting in junior school; other grades must not get that section."""
    six = make(school_db, out=tmp_path / "6.pdf", grade=6, covers=False)
    seven = make(school_db, out=tmp_path / "7.pdf", grade=7, class_name=10, covers=False)
    six_text = "".join(pdf_pages(six.path))
    assert "升入初中后的资助政策" in six_text and "（初中）" in six_text
    assert "升入高中" not in "".join(pdf_pages(seven.path))


def test_amounts_are_the_standard_valid_on_the_letters_date(school_db, school, tmp_path):
    """The junior boarding subsidy was 1,250 a year before spring 2024 and is 1,500 since."""
    old = make(
        school_db,
        out=tmp_path / "2023.pdf",
        grade=7,
        class_name=10,
        covers=False,
        letter_date=date(2023, 10, 1),
    )
    new = make(school_db, out=tmp_path / "2026.pdf", grade=7, class_name=10, covers=False)
    old_text, new_text = "".join(pdf_pages(old.path)), "".join(pdf_pages(new.path))
    assert "每生每年1,250元" in old_text and "每生每年1,500元" not in old_text
    assert "每生每年1,500元" in new_text


def test_a_broken_template_is_refused_before_anything_is_written(school_db, school, tmp_path):
    """A misspelt placeholder is refused with its line before any letter is written or slip code made."""
    bad = shipped_text("policy_junior").replace("{学生姓名}", "{学生名字}", 1)
    before = slip_count(school_db)
    with pytest.raises(TemplateError) as err:
        make(school_db, out=tmp_path / "x.pdf", grade=7, texts={"policy_junior": bad})
    assert "学生名字" in str(err.value) and "第 4 行" in str(err.value)
    assert not (tmp_path / "x.pdf").exists() and slip_count(school_db) == before


def test_a_grade_without_students_or_a_class_without_grade_is_refused(school_db, school, tmp_path):
    """An empty grade or a class given without its grade must be refused, not print nothing or the whole school."""
    with pytest.raises(InputRefused, match="没有在读学生"):
        make(school_db, out=tmp_path / "x.pdf", grade="高三")
    with pytest.raises(InputRefused, match="同时给出年级"):
        make(school_db, out=tmp_path / "x.pdf", class_name="1班")


def test_a_preview_of_one_students_letter_writes_nothing(school_db, school, tmp_path):
    """A preview lets the clerk check one child's letter without using up slip codes."""
    before = slip_count(school_db)
    with school_db.reading() as s:
        sid = s.scalar(select(Student.id).where(Student.name == "张三"))
        path = preview_letter(s, "aid", sid, tmp_path / "preview.pdf", letter_date=LETTER_DAY)
    text = "".join(pdf_pages(path))
    assert "预览" in text and "尊敬的张三同学家长" in text
    assert slip_count(school_db) == before


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools 未安装")
def test_the_qr_codes_and_the_barcode_on_a_slip_scan_as_its_code(school_db, school, tmp_path):
    """A keyboard-wedge scanner reads any of the three codes (two QR, one Code128) and types exactly
    what the slip prints."""
    from aidoffice.publicity.pdf import render_page

    res = make(school_db, out=tmp_path / "c.pdf", grade=7, class_name=10, covers=False)
    image = tmp_path / "p.png"
    render_page(res.path, 1, width=1240).save(image)  # 150 dpi
    out = subprocess.run(["zbarimg", "-q", str(image)], capture_output=True, text=True).stdout.split()
    code = res.slips[0]
    assert sorted(out) == sorted([f"QR-Code:{code}", f"QR-Code:{code}", f"CODE-128:{code}"])
