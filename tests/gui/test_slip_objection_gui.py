"""回执登记 → 有异议: what a family wrote on a scanned slip's 有异议 line is shown once the slip is
registered — the line only, never the rest of the page — and larger on a click; a head teacher of
another class gets neither the objection nor its picture."""

from __future__ import annotations

import random

from sqlalchemy import select

from aidoffice.db.models import Slip
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.omr import CROP_PX_PER_MM, letter_geometry
from aidoffice.publicity.slipmarks import MM
from tests.gui.helpers import finish, idle
from tests.letters_world import LETTER_DAY, build_school
from tests.scans import as_scanned, blank_page, mark_slip, pack_pdf, slip_pages, write_note
from ui.pages.slips_page import SlipsPage


def _open(qtbot, ctx) -> SlipsPage:  # type: ignore[no-untyped-def]
    page = SlipsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 650)
    page.show()
    finish(qtbot, page.activate())
    idle(qtbot, ctx)
    return page


def test_a_scanned_objection_shows_its_handwriting_and_not_to_another_class_teacher(
    qtbot, school_ctx, tmp_path
):
    from aidoffice.access.checks import act_as, bind_user
    from aidoffice.safety.accounts import create_user, sign_in

    ctx = school_ctx
    build_school(ctx.db, rare_names=False)
    with ctx.db.unit_of_work(actor="资助专干") as s:
        aid = produce_letters(s, "aid", tmp_path / "a.pdf", letter_date=LETTER_DAY)
    code = aid.slips[0]
    with ctx.db.reading() as s:
        student = s.scalar(select(Slip).where(Slip.code == code)).student
        theirs = (student.grade, student.class_name)
    rng = random.Random(31)
    page_image = slip_pages(aid.path)[code].copy()
    mark_slip(page_image, "pen", 1, rng)  # 有异议
    write_note(page_image)
    stack = pack_pdf([as_scanned(page_image, rng, angle=2), blank_page("grey", rng)], tmp_path / "扫描.pdf")

    page = _open(qtbot, ctx)
    assert page.objections.rowCount() == 0 and page.note_picture.pixmap().isNull()
    finish(qtbot, page.import_scans([str(stack)]))
    idle(qtbot, ctx)
    assert "空白页 1 张，已跳过" in page.sign.text() and page.queue_dialog is None
    assert page.objections.rowCount() == 1 and page.objections.item(0, 1).text() == student.name
    assert "手写" in page.objections.item(0, 3).text() and page.tabs.tabText(1) == "有异议（1）"
    qtbot.waitUntil(lambda: not page.note_picture.pixmap().isNull())
    # the picture is the 有异议 line's (its shape), not the slip's or the page's
    note = letter_geometry().note
    shown = page.note_picture.pixmap()
    assert abs(shown.width() / shown.height() - note.w / note.h) < 0.1
    assert page.enlarge_btn.isEnabled()
    page.enlarge_btn.click()
    dialog = page.note_dialog
    assert dialog is not None and dialog.isVisible()
    large = dialog.findChild(type(page.note_picture), "objectionPictureLarge").pixmap()
    assert large.width() == 4 * round(note.w / MM * CROP_PX_PER_MM)
    dialog.close()

    with ctx.db.unit_of_work() as s:
        create_user(s, "admin", "管理员", "Mountain-2026", "admin")
    admin = sign_in(ctx.db, "admin", "Mountain-2026")
    other = (theirs[0], "10班" if theirs[1] != "10班" else "2班")
    with ctx.db.unit_of_work() as s:
        act_as(s, admin)
        for login, cls in (("wang", theirs), ("li", other)):
            create_user(s, login, login, "River-2026x", "head_teacher", [cls], must_change_password=False)
    try:
        for login, sees in (("wang", True), ("li", False)):
            bind_user(ctx.db, sign_in(ctx.db, login, "River-2026x"))
            teacher_page = _open(qtbot, ctx)
            assert teacher_page.objections.rowCount() == (1 if sees else 0), login
            if sees:
                qtbot.waitUntil(lambda p=teacher_page: not p.note_picture.pixmap().isNull())
            else:
                assert (
                    teacher_page.note_picture.pixmap().isNull() and not teacher_page.enlarge_btn.isEnabled()
                )
                assert teacher_page.note_png is None
    finally:
        bind_user(ctx.db, None)  # the PostgreSQL database object is shared by the following tests
