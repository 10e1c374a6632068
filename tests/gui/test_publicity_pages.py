"""The 1222宣传材料 and 回执登记 pages as a clerk and a head teacher use them."""

from __future__ import annotations

import shutil

import pytest

from aidoffice.db.models import Student
from aidoffice.domain import slipcode
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.settings import read_settings
from aidoffice.publicity.slips import Outcome
from tests.gui.helpers import finish, idle
from tests.letters_world import pdf_pages
from ui.main_window import MainWindow
from ui.pages.publicity import PublicityPage
from ui.pages.slips_page import SlipsPage


def _choose(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, (text, [combo.itemText(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)


def test_a_head_teacher_makes_the_letters_of_one_class(qtbot, ctx, tmp_path):
    """A head teacher prints only their class's letters from the page, and the batch then shows in the history."""
    page = PublicityPage(ctx)
    qtbot.addWidget(page)
    finish(qtbot, page.reload())
    idle(qtbot, ctx)
    _choose(page.grade, "七年级")
    _choose(page.class_, "1班")
    out = tmp_path / "七年级1班.pdf"
    finish(qtbot, page.make_letters(str(out)))
    idle(qtbot, ctx)
    assert out.exists()
    assert "七年级1班" in page.result.text() and "回执" in page.result.text()
    assert page.batches.rowCount() >= 1  # the batch history heard about it


def test_a_template_typo_is_shown_with_its_line_and_the_default_comes_back(qtbot, ctx):
    """A clerk who breaks a placeholder sees its line at once, and can get the shipped wording back."""
    page = PublicityPage(ctx)
    qtbot.addWidget(page)
    finish(qtbot, page.reload())
    idle(qtbot, ctx)
    # the tab opens on a letter of a stage the school has, never on an empty 学前 preview
    assert page.template.currentData() != "policy_preschool" or "preschool" in page.choices.sample_student
    _choose(page.template, "政策告知书（初中）")
    page.editor.setPlainText(page.editor.toPlainText().replace("{学生姓名}", "{学生名字}", 1))
    assert page.refresh_preview() is None
    assert "第 4 行" in page.template_error.text() and "学生名字" in page.template_error.text()
    finish(qtbot, page.restore_template())
    assert "{学生姓名}" in page.editor.toPlainText() and "默认" in page.template_state.text()


def test_the_template_preview_shows_a_real_students_letter(qtbot, ctx, monkeypatch):
    """An edited wording is seen on a real student's letter before a whole school's batch is printed,
    on a PC with no outside PDF tool (Windows has no poppler): the program draws the page itself."""
    import subprocess

    from aidoffice.publicity.fonts import default_fonts

    default_fonts()  # the fonts are looked up (fontconfig's fc-list on Linux) before the PDF tools are taken away

    def no_outside_program(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"an outside program was started: {args}")

    monkeypatch.setattr(subprocess, "run", no_outside_program)
    monkeypatch.setattr(subprocess, "Popen", no_outside_program)
    monkeypatch.setattr(shutil, "which", lambda *_a, **_k: None)
    page = PublicityPage(ctx)
    qtbot.addWidget(page)
    finish(qtbot, page.reload())
    idle(qtbot, ctx)
    _choose(page.template, "政策告知书（小学）")
    page.editor.setPlainText(page.editor.toPlainText().replace("请您认真阅读。", "请您认真阅读并保存。"))
    finish(qtbot, page.refresh_preview())
    idle(qtbot, ctx)
    pixmap = page.preview_label.pixmap()
    assert pixmap is not None and not pixmap.isNull() and pixmap.width() >= 600
    with ctx.db.reading() as s:
        name = s.get(Student, page.choices.sample_student["primary"]).name
    monkeypatch.undo()
    text = "".join(pdf_pages(page._preview_pdf)).replace("\n", "")  # the letter behind the image
    assert f"尊敬的{name}同学家长" in text and "请您认真阅读并保存。" in text


def test_contacts_are_saved_and_a_bad_phone_is_refused(qtbot, ctx, expect_errors, messages):
    """The phones print on every letter: a value that is not a phone number is refused, good ones are kept."""
    page = PublicityPage(ctx)
    qtbot.addWidget(page)
    finish(qtbot, page.reload())
    idle(qtbot, ctx)
    page.f_office.setText("电话多少")
    finish(qtbot, page.save_contacts())
    assert any("不像电话号码" in m[2] for m in messages)
    with ctx.db.reading() as s:
        assert read_settings(s).aid_office_phone == ""  # the refused value was not saved
    page.f_contact.setText("王丽")
    page.f_office.setText("0312-7251234")
    page.f_county.setText("0312-7255678")
    page.f_complaint.setText("0312-7259999")
    finish(qtbot, page.save_contacts())
    idle(qtbot, ctx)
    assert page.contacts_hint.text() == ""
    with ctx.db.reading() as s:
        saved = read_settings(s)
    assert (saved.contact_name, saved.aid_office_phone, saved.county_centre_phone, saved.complaint_phone) == (
        "王丽",
        "0312-7251234",
        "0312-7255678",
        "0312-7259999",
    )


@pytest.fixture
def printed(ctx, tmp_path):
    """The policy letters of 七年级1班 are printed (set up directly, as the test's own data)."""
    with ctx.db.unit_of_work() as s:
        return produce_letters(s, "policy", tmp_path / "p.pdf", grade="七年级", class_name="1班")


def test_scanning_slips_registers_them_and_says_what_happened(qtbot, ctx, printed):
    """A clerk scanning a pile needs each scan's outcome at a glance, and the field cleared for the next one."""
    page = SlipsPage(ctx)
    qtbot.addWidget(page)
    finish(qtbot, page.activate())
    idle(qtbot, ctx)
    total = printed.letters
    assert f"应交 {total} 张，已交 0 张" in page.summary.text()

    page.answer_buttons[1].setChecked(True)  # F3: 符合、申请
    code = printed.slips[0]
    page.code.setText(slipcode.display(code))
    finish(qtbot, page.submit())
    idle(qtbot, ctx)
    assert page.last_receipt.outcome is Outcome.RECEIVED and "已登记" in page.sign.text()
    assert "已交 1 张" in page.summary.text()
    assert page.missing.rowCount() == total - 1

    for typed, outcome in (
        (code, Outcome.REPEATED),
        (code[:-1] + ("2" if code[-1] != "2" else "3"), Outcome.MISTYPED),
    ):
        page.code.setText(typed)
        finish(qtbot, page.submit())
        idle(qtbot, ctx)
        assert page.last_receipt.outcome is outcome
    assert "编号有误" in page.sign.text()
    assert page.code.text() == ""  # ready for the next scan


def test_the_main_window_mounts_both_pages(qtbot, ctx):
    """The letters and slips pages must be reachable from the main window, not left as placeholders."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    idle(qtbot, ctx)
    titles = window.page_titles()
    assert "1222宣传材料" in titles and "回执登记" in titles


def test_the_outstanding_list_names_the_letter_and_the_code(qtbot, ctx, printed):
    """A head teacher chasing missing slips needs the class, the kind of letter and the code printed on it."""
    page = SlipsPage(ctx)
    qtbot.addWidget(page)
    finish(qtbot, page.activate())
    idle(qtbot, ctx)
    row = [page.missing.item(0, c).text() for c in range(4)]
    assert row[0] == "七年级1班" and row[2] == "政策告知书"
    assert slipcode.is_valid(slipcode.parse(row[3]).code)
