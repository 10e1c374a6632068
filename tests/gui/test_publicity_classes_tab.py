"""两节课 in the GUI: a clerk records a policy class, prints its handout and sign-in sheet, and sees the
classes still missing theirs (before, only the command line could)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aidoffice.db.models import ClassSession
from tests.gui.helpers import finish, idle
from tests.letters_world import needs_poppler, pdf_pages
from ui.pages.publicity import PublicityPage


def _choose(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, (text, [combo.itemText(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)


@pytest.fixture
def page(qtbot, ctx):
    page = PublicityPage(ctx)
    qtbot.addWidget(page)
    page.show()
    finish(qtbot, page.reload())
    idle(qtbot, ctx)
    page.tabs.setCurrentIndex(page.tabs.indexOf(page.s_record.parentWidget()))
    return page


def _missing(page) -> list[tuple[str, str]]:
    return [
        (page.s_missing.item(r, 0).text(), page.s_missing.item(r, 1).text())
        for r in range(page.s_missing.rowCount())
    ]


def test_recording_a_class_lists_it_and_takes_it_off_the_missing_list(qtbot, ctx, page):
    """七年级1班's entry class is due; once recorded it shows in the year's list and is no longer missing."""
    assert ("七年级1班", "入学教育课") in _missing(page)
    _choose(page.s_grade, "七年级")
    _choose(page.s_class, "1班")
    assert page.s_kind.currentData() == "entry"  # a first grade: the entry class
    page.s_teacher.setText("李老师")
    page.s_topic.setText("初中阶段学生资助政策")
    page.s_attendance.setValue(30)
    finish(qtbot, page.record_session())
    idle(qtbot, ctx)
    assert "已记录" in page.s_result.text() and page.s_error.text() == ""
    assert ("七年级1班", "入学教育课") not in _missing(page)
    rows = [[page.s_rows.item(r, c).text() for c in range(6)] for r in range(page.s_rows.rowCount())]
    assert any(r[1] == "七年级1班" and r[3] == "李老师" and r[5].startswith("30/") for r in rows)
    with ctx.db.reading() as s:
        saved = s.scalars(select(ClassSession)).one()
    assert (saved.teacher, saved.attendance, saved.kind) == ("李老师", 30, "entry")


def test_a_class_without_teacher_or_with_too_many_present_is_refused_on_the_page(qtbot, ctx, page):
    """What is wrong is said on the page, by field, and nothing is recorded."""
    _choose(page.s_grade, "七年级")
    _choose(page.s_class, "1班")
    page.s_topic.setText("资助政策")
    page.s_attendance.setValue(199)
    finish(qtbot, page.record_session())
    idle(qtbot, ctx)
    assert "授课教师" in page.s_error.text() and "到课人数" in page.s_error.text()
    with ctx.db.reading() as s:
        assert s.scalars(select(ClassSession)).first() is None


def test_double_clicking_a_missing_class_fills_the_form(qtbot, ctx, page):
    """The missing list is where the clerk starts: a double click picks that class and its lesson."""
    index = page.s_missing.index(0, 0)
    label = page.s_missing.item(0, 0).text()
    page._missing_chosen(index)
    assert page.s_grade.currentText() + page.s_class.currentText() == label


@needs_poppler
def test_the_handout_and_the_sign_in_sheet_print_for_the_chosen_class(qtbot, ctx, page, tmp_path):
    """A leaving class's handout carries the next stage's policies; the sign-in sheet lists the class."""
    _choose(page.s_grade, "九年级")
    _choose(page.s_class, "1班")
    assert page.s_kind.currentData() == "leaving"
    page.s_teacher.setText("王老师")
    finish(qtbot, page.make_class_sheet("handout", str(tmp_path / "h.pdf")))
    idle(qtbot, ctx)
    handout = "".join(pdf_pages(tmp_path / "h.pdf"))
    assert "普通高中国家助学金" in handout and "新生入学资助" not in handout
    finish(qtbot, page.make_class_sheet("signin", str(tmp_path / "s.pdf")))
    idle(qtbot, ctx)
    sheet = "".join(pdf_pages(tmp_path / "s.pdf"))
    assert "九年级1班" in sheet and "王老师" in sheet
    assert "已生成" in page.s_result.text() and page.s_error.text() == ""
