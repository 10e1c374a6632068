"""The student ledger page as a clerk uses it; every query runs off the GUI thread (conftest guard)."""

import threading
from datetime import date

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from aidoffice.db.models import Student, StudentStatus
from aidoffice.domain.pinyin import name_order, pinyin_key
from aidoffice.ledgers.students import add_student
from tests.factories import an_id, student
from tests.gui.helpers import finish, idle
from ui.dialogs.student_form import StudentForm
from ui.operations import students as ops
from ui.pages.student_ledger import StudentLedgerPage


def _page(qtbot, ctx):
    page = StudentLedgerPage(ctx)
    qtbot.addWidget(page)
    page.activate()
    idle(qtbot, ctx)
    return page


def _column(qtbot, page, col=0, n=None):
    """The column's values as the view would show them once the rows have arrived."""
    model = page.model
    rows = range(model.rowCount() if n is None else min(n, model.rowCount()))
    for r in rows:
        model.data(model.index(r, col))  # asks for the pages
    idle(qtbot, page.ctx)
    return [model.data(model.index(r, col)) for r in rows]


def test_the_ledger_shows_every_student_and_says_how_many(qtbot, ctx):
    """The count a clerk reads must be the number of rows the table holds."""
    page = _page(qtbot, ctx)
    assert page.model.rowCount() == 300
    assert page.count_label.text() == "共 300 人"
    with ctx.db.reading() as s:
        names = set(s.scalars(select(Student.name)))
    assert set(_column(qtbot, page)) == names


def test_typing_pinyin_initials_finds_the_student(qtbot, ctx):
    """Clerks find a child by typing initials; the table narrows to names that fit and the count follows."""
    with ctx.db.unit_of_work() as s:
        add_student(s, 1, student("张三丰", grade="九年级"))
    page = _page(qtbot, ctx)
    qtbot.keyClicks(page.search, "zsf")
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < 301, timeout=5000)
    idle(qtbot, ctx)
    names = _column(qtbot, page)
    assert "张三丰" in names
    assert all(pinyin_key(n)[:1] == "z" for n in names)
    assert page.count_label.text() == f"共 {page.model.rowCount()} 人"


def test_a_search_for_a_like_wildcard_finds_only_literal_matches(qtbot, ctx):
    """`%` must not act as a wildcard: searching for it finds no one, while a real name is still found."""
    page = _page(qtbot, ctx)
    some_name = _column(qtbot, page, n=1)[0]
    page.search.setText("%")
    page.apply_filter()
    idle(qtbot, ctx)
    assert page.model.rowCount() == 0
    page.search.setText(some_name)
    page.apply_filter()
    idle(qtbot, ctx)
    assert some_name in _column(qtbot, page)


def test_ids_are_masked_until_the_clerk_asks(qtbot, ctx):
    """Anyone passing the screen must not read full IDs or phones; the clerk shows them only on purpose."""
    page = _page(qtbot, ctx)
    masked, student_no, phone = (_column(qtbot, page, col, 1)[0] for col in (2, 3, 11))
    assert masked[6:14] == "********" and student_no[7:15] == "********" and "****" in phone
    page.show_full.setChecked(True)
    full = page.model.data(page.model.index(0, 2))
    assert len(full) == 18 and "*" not in full and full[-4:] == masked[-4:]
    assert page.model.data(page.model.index(0, 3)) == "G" + full


def test_clicking_the_name_header_sorts_by_pinyin(qtbot, ctx):
    """Sorting by name must follow the sound order of a Chinese dictionary, as clerks expect, not code points."""
    page = _page(qtbot, ctx)
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    idle(qtbot, ctx)
    keys = [name_order(n) for n in _column(qtbot, page)]
    assert keys == sorted(keys)  # syllable by syllable, as a class roll


def test_grade_and_class_filters(qtbot, ctx):
    """Choosing a grade must show exactly that grade's students and open the class filter."""
    page = _page(qtbot, ctx)
    page.grade.setCurrentIndex(page.grade.findText("七年级"))
    idle(qtbot, ctx)
    assert page.class_name.isEnabled()
    assert set(_column(qtbot, page, 4)) == {"七年级"}
    with ctx.db.reading() as s:
        assert page.model.rowCount() == s.scalar(
            select(func.count()).select_from(Student).where(Student.grade == 7)
        )


def test_scrolling_to_the_end_fetches_only_the_pages_seen(qtbot, ctx):
    """Jumping to the last row fetches that page (not the ones in between), and the cache stays bounded."""
    page = _page(qtbot, ctx)
    model = page.model
    model.PAGE = 20  # 15 pages over 300 students
    model.MAX_PAGES = 3
    model.refresh()
    idle(qtbot, ctx)
    last = model.rowCount() - 1
    assert model.data(model.index(last, 0)) == "正在加载…"
    idle(qtbot, ctx)
    with ctx.db.reading() as s:
        assert model.data(model.index(last, 0)) == s.get(Student, model.student_id(last)).name
    assert last // model.PAGE in model._pages
    assert set(model._pages) <= {0, last // model.PAGE}  # the first page may come with the count
    for row in range(0, model.rowCount(), model.PAGE):
        model.data(model.index(row, 0))
        idle(qtbot, ctx)
    assert len(model._pages) == model.MAX_PAGES


def test_a_deep_page_is_fetched_by_id_not_by_offset(qtbot, ctx):
    """Rows are fetched by id, not with OFFSET: the last page of the sorted list is as quick as the first
    (a query skipping N rows grows with N; timings are in bench/bench_ledger.py, not in a test)."""
    from sqlalchemy import event

    page = _page(qtbot, ctx)
    ids = page.model.ids
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if threading.current_thread() is threading.main_thread():  # not the page's own background reads
            statements.append(statement.upper())

    with ctx.db.reading() as s:
        from aidoffice.ledgers.student_queries import rows_by_ids

        event.listen(ctx.db.engine, "before_cursor_execute", seen)
        try:
            deep = rows_by_ids(s, ids[-50:])
        finally:
            event.remove(ctx.db.engine, "before_cursor_execute", seen)
    assert [r.id for r in deep] == ids[-50:]
    student_rows = [q for q in statements if "FROM STUDENT" in q]
    assert student_rows and not any("OFFSET" in q for q in student_rows)
    assert any(" IN " in q or "= ANY" in q for q in statements)


def test_a_bad_id_on_the_form_is_explained_and_nothing_is_saved(qtbot, ctx):
    """A mistyped ID is marked on the form with the reason and nothing saved; once corrected, the student is saved."""
    form = StudentForm(ctx)
    qtbot.addWidget(form)
    good = an_id(date(2014, 3, 2))
    form.fields["name"].setText("李新生")
    form.fields["id_number"].setText(good[:17] + ("0" if good[17] != "0" else "1"))
    form.fields["grade"].setCurrentText("六年级")
    form.fields["class_name"].setText("2")
    form.accept()
    finish(qtbot, form.last_task)
    assert form.result() == 0
    assert "身份证件号" in form.errors.text() and "校验位" in form.errors.text()
    assert "dc2626" in form.fields["id_number"].styleSheet()
    with ctx.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Student).where(Student.name == "李新生")) == 0
    form.fields["id_number"].setText(good)
    form.accept()
    finish(qtbot, form.last_task)
    assert form.result() == 1
    with ctx.db.reading() as s:
        saved = s.get(Student, form.saved_id)
        assert (saved.name, saved.grade, saved.class_name, saved.birth_date) == (
            "李新生",
            6,
            "2班",
            date(2014, 3, 2),
        )


def test_a_new_name_with_rare_characters_is_accepted(qtbot, ctx):
    """Real names use CJK extension characters (𠮷, 䶮) and the middle dot; the form must take them."""
    form = StudentForm(ctx)
    qtbot.addWidget(form)
    form.fields["name"].setText("𠮷䶮·阿依")
    form.fields["id_number"].setText(an_id(date(2014, 3, 2)))
    form.fields["grade"].setCurrentText("六年级")
    form.fields["class_name"].setText("2")
    form.accept()
    finish(qtbot, form.last_task)
    assert form.result() == 1, form.errors.text()


def test_editing_keeps_the_values_the_form_did_not_touch(qtbot, ctx):
    """Changing a phone must not quietly reset the ID, account, grade or boarding the form also holds."""
    with ctx.db.reading() as s:
        before = s.scalars(select(Student).order_by(Student.id)).first()
    loaded = []
    finish(qtbot, ops.load_form(ctx, None, before.id, loaded.append))
    form = StudentForm(ctx, before.id, loaded[0])
    qtbot.addWidget(form)
    assert form.fields["name"].text() == before.name
    form.fields["guardian_phone"].setText("13912345678")
    form.accept()
    finish(qtbot, form.last_task)
    assert form.result() == 1, form.errors.text()
    with ctx.db.reading() as s:
        after = s.get(Student, before.id)
        assert after.guardian_phone == "13912345678"
        assert (after.id_number, after.bank_account, after.grade, after.boarding) == (
            before.id_number,
            before.bank_account,
            before.grade,
            before.boarding,
        )


def test_transfer_out_from_the_page_and_the_table_follows(qtbot, ctx, monkeypatch):
    """After a change every page hears of it: the row shows the new status without a manual refresh."""
    page = _page(qtbot, ctx)
    page.show()
    _column(qtbot, page, n=1)
    page.table.selectRow(0)
    sid = page.selected_id()
    monkeypatch.setattr("ui.pages.student_ledger.StatusDialog.exec", lambda self: True)
    monkeypatch.setattr(
        "ui.pages.student_ledger.StatusDialog.values", lambda self: (date(2026, 11, 1), "保定市某学校")
    )
    finish(qtbot, page._status("transfer"))
    idle(qtbot, ctx)
    with ctx.db.reading() as s:
        st = s.get(Student, sid)
        assert (st.status, st.status_note) == (StudentStatus.TRANSFERRED_OUT, "转往：保定市某学校")
    row = page.model.ids.index(sid)
    page.model.data(page.model.index(row, 6))
    idle(qtbot, ctx)
    assert page.model.data(page.model.index(row, 6)) == "转出"


def test_a_masked_export_from_the_page_holds_no_full_number(qtbot, ctx, tmp_path, messages):
    """The clerk did not tick 显示完整证件号: no cell of the workbook may carry a full ID, 学籍号, phone or
    account, and every student is there."""
    from openpyxl import load_workbook

    from aidoffice.privacy import find_sensitive

    page = _page(qtbot, ctx)
    out = tmp_path / "台账.xlsx"
    finish(qtbot, page.export_to(str(out), mask=not page.show_full.isChecked()))
    assert messages[-1][0] == "information" and "300" in messages[-1][2]
    ws = load_workbook(out).active
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert [c for c in cells if find_sensitive(c)] == []
    with ctx.db.reading() as s:
        names = set(s.scalars(select(Student.name)))
    assert {row[1] for row in ws.iter_rows(min_row=3, values_only=True)} == names


def test_exporting_full_numbers_asks_what_for_and_the_trail_keeps_the_answer(
    qtbot, ctx, tmp_path, messages, monkeypatch
):
    """Full ID numbers leaving the office must say why; cancelling the question exports nothing."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    from aidoffice.db.models import AuditEntry

    page = _page(qtbot, ctx)
    page.show_full.setChecked(True)
    out = tmp_path / "台账.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    page.export()
    idle(qtbot, ctx)
    assert not out.exists()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("学籍系统比对", True))
    page.export()
    qtbot.waitUntil(lambda: bool(out.exists() and messages and messages[-1][1] == "导出完成"), timeout=20000)
    idle(qtbot, ctx)
    with ctx.db.reading() as s:
        note = s.scalars(select(AuditEntry.note).where(AuditEntry.action == "export")).all()[-1]
    assert note.endswith("（含完整证件号，用途：学籍系统比对）")


def test_a_second_clerks_save_is_refused_not_merged(qtbot, ctx, messages, expect_errors):
    """Two clerks open the same student; the second to save is told who changed it and nothing of theirs
    overwrites the first clerk's change."""
    from aidoffice.ledgers.students import update_student

    with ctx.db.reading() as s:
        sid = s.scalars(select(Student.id).order_by(Student.id)).first()
    loaded = []
    finish(qtbot, ops.load_form(ctx, None, sid, loaded.append))
    form = StudentForm(ctx, sid, loaded[0])
    qtbot.addWidget(form)
    with ctx.db.unit_of_work(actor="张主任") as s:
        other = loaded[0].data
        other.guardian_phone = "13911112222"
        update_student(s, sid, other)
    form.fields["guardian_phone"].setText("13733334444")
    form.accept()
    finish(qtbot, form.last_task)
    assert form.result() == 0
    assert messages[-1][0] == "warning" and "张主任" in messages[-1][2] and "没有保存" in messages[-1][2]
    with ctx.db.reading() as s:
        assert s.get(Student, sid).guardian_phone == "13911112222"


def test_the_form_masks_id_bank_and_phone_numbers_until_shown(qtbot, ctx):
    """Opening a student's form for another reason must not put the whole ID, card and phone numbers
    on screen; “显示” shows one when the role allows it, and saving never writes a masked number back."""
    from aidoffice.privacy import find_sensitive

    with ctx.db.reading() as s:
        before = s.scalars(
            select(Student)
            .where(Student.bank_account.is_not(None), Student.guardian_phone.is_not(None))
            .order_by(Student.id)
        ).first()
    loaded = []
    finish(qtbot, ops.load_form(ctx, None, before.id, loaded.append))
    form = StudentForm(ctx, before.id, loaded[0])
    qtbot.addWidget(form)
    form.show()
    texts = [w.text() for w in form.fields.values() if hasattr(w, "text") and hasattr(w, "setReadOnly")]
    assert not find_sensitive(" ".join(texts)), texts
    for key in ("id_number", "bank_account", "guardian_phone"):
        assert "*" in form.fields[key].text() and form.fields[key].isReadOnly(), key
    assert before.id_number not in " ".join(texts) and before.bank_account not in " ".join(texts)
    button = form.show_buttons["id_number"]
    assert button.isVisible() and button.isEnabled()
    button.click()
    assert form.fields["id_number"].text() == before.id_number and not form.fields["id_number"].isReadOnly()
    button.click()
    assert "*" in form.fields["id_number"].text()
    form.fields["notes"].setText("家访已核实")
    form.accept()
    finish(qtbot, form.last_task)
    assert form.result() == 1, form.errors.text()
    with ctx.db.reading() as s:
        after = s.get(Student, before.id)
        assert after.notes == "家访已核实"
        assert (after.id_number, after.student_no, after.bank_account, after.guardian_phone) == (
            before.id_number,
            before.student_no,
            before.bank_account,
            before.guardian_phone,
        )


def test_a_grade_chosen_while_rows_are_on_their_way_shows_only_that_grade(qtbot, ctx, monkeypatch):
    """The clerk scrolls, then picks a grade before the rows she scrolled to have come: those rows of the
    whole school, arriving after the grade's own, must not show under the grade (they did: the table
    listed another grade's children under the grade chosen)."""
    page = _page(qtbot, ctx)
    model = page.model
    model.PAGE = 10
    model.refresh()
    idle(qtbot, ctx)
    real, gate, held = ops.rows_by_ids, threading.Event(), []

    def slow(s, ids):  # type: ignore[no-untyped-def]
        if not held:
            held.append(list(ids))
            gate.wait(30)
        return real(s, ids)

    monkeypatch.setattr(ops, "rows_by_ids", slow)
    last = page.grade.count() - 1
    name, grade = page.grade.itemText(last), page.grade.itemData(last)
    with ctx.db.reading() as s:
        wanted = s.scalar(select(func.count()).select_from(Student).where(Student.grade == grade))
    assert wanted > 2 * model.PAGE and page.grade.itemText(1) != name
    try:
        page.grade.setCurrentIndex(last)
        model.data(model.index(15, 0))  # the view paints a row not fetched yet: asked for by the old ids
        qtbot.waitUntil(lambda: bool(held), timeout=30_000)
        qtbot.waitUntil(lambda: model.rowCount() == wanted and not model.loading, timeout=30_000)
        qtbot.waitUntil(lambda: model.data(model.index(15, 4)) == name, timeout=30_000)  # the grade's own
    finally:
        gate.set()  # the old rows arrive, last
    idle(qtbot, ctx)
    assert set(_column(qtbot, page, 4)) == {name}
    assert all(model.row_at(r).id == model.ids[r] for r in range(model.rowCount()))


def test_a_village_no_longer_offered_is_not_kept_as_a_hidden_filter(qtbot, ctx):
    """The filter choices come back (after a change elsewhere) without the village the clerk had picked:
    the combo falls back to 全部, and the table must follow it (it kept listing that village only)."""
    import dataclasses

    from aidoffice.ledgers.student_queries import filter_choices

    page = _page(qtbot, ctx)
    everything = page.model.rowCount()
    with ctx.db.reading() as s:
        choices = filter_choices(s)
    village = page.village.itemData(1)
    page.village.setCurrentIndex(1)
    idle(qtbot, ctx)
    assert 0 < page.model.rowCount() < everything
    page._fill_combos(dataclasses.replace(choices, villages=[v for v in choices.villages if v[0] != village]))
    idle(qtbot, ctx)
    assert page.village.currentText() == "全部" and page.model.filter.village_id is None
    assert page.model.rowCount() == everything and page.count_label.text() == f"共 {everything} 人"
