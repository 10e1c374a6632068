from datetime import date

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from aidoffice.db.models import Student, StudentStatus
from aidoffice.domain.pinyin import pinyin_key
from aidoffice.ledgers.students import add_student
from tests.factories import an_id, student
from ui.dialogs.student_form import StudentForm
from ui.pages.student_ledger import StudentLedgerPage
from ui.tasks import TaskRunner


def _page(qtbot, db):
    page = StudentLedgerPage(db, TaskRunner())
    qtbot.addWidget(page)
    page.activate()
    return page


def _names(page, n=None):
    model = page.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount() if n is None else n)]


def test_the_ledger_shows_every_student_and_says_how_many(qtbot, demo_db):
    page = _page(qtbot, demo_db)
    assert page.model.rowCount() == 300
    assert page.count_label.text() == "共 300 人"


def test_typing_pinyin_initials_finds_the_student(qtbot, demo_db):
    with demo_db.unit_of_work() as s:
        add_student(s, 1, student("张三丰", grade="九年级"))
    page = _page(qtbot, demo_db)
    qtbot.keyClicks(page.search, "zsf")
    qtbot.waitUntil(lambda: page.model.rowCount() < 300, timeout=2000)
    assert "张三丰" in _names(page)
    assert page.count_label.text() == f"共 {page.model.rowCount()} 人"


def test_ids_are_masked_until_the_clerk_asks(qtbot, demo_db):
    page = _page(qtbot, demo_db)
    masked = page.model.data(page.model.index(0, 2))
    assert masked[6:14] == "********"
    page.show_full.setChecked(True)
    full = page.model.data(page.model.index(0, 2))
    assert len(full) == 18 and "*" not in full and full[-4:] == masked[-4:]


def test_clicking_the_name_header_sorts_by_pinyin(qtbot, demo_db):
    page = _page(qtbot, demo_db)
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    keys = [pinyin_key(n) for n in _names(page)]
    assert keys == sorted(keys)


def test_grade_and_class_filters(qtbot, demo_db):
    page = _page(qtbot, demo_db)
    page.grade.setCurrentIndex(page.grade.findText("七年级"))
    assert page.class_name.isEnabled()
    grades = {page.model.data(page.model.index(r, 4)) for r in range(page.model.rowCount())}
    assert grades == {"七年级"}
    with demo_db.reading() as s:
        assert page.model.rowCount() == s.scalar(
            select(func.count()).select_from(Student).where(Student.grade == 7)
        )


def test_scrolling_to_the_end_fetches_the_last_page(qtbot, demo_db):
    page = _page(qtbot, demo_db)
    last = page.model.rowCount() - 1
    assert page.model.data(page.model.index(last, 0))
    assert len(page.model._pages) <= page.model.MAX_PAGES


def test_a_bad_id_on_the_form_is_explained_and_nothing_is_saved(qtbot, demo_db):
    form = StudentForm(demo_db)
    qtbot.addWidget(form)
    good = an_id(date(2014, 3, 2))
    form.fields["name"].setText("李新生")
    form.fields["id_number"].setText(good[:17] + ("0" if good[17] != "0" else "1"))
    form.fields["grade"].setCurrentText("六年级")
    form.fields["class_name"].setText("2")
    form.accept()
    assert form.result() == 0
    assert "身份证件号" in form.errors.text() and "校验位" in form.errors.text()
    assert "dc2626" in form.fields["id_number"].styleSheet()
    with demo_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Student).where(Student.name == "李新生")) == 0
    form.fields["id_number"].setText(good)
    form.accept()
    assert form.result() == 1
    with demo_db.reading() as s:
        saved = s.get(Student, form.saved_id)
        assert (saved.name, saved.grade, saved.class_name, saved.birth_date) == (
            "李新生",
            6,
            "2班",
            date(2014, 3, 2),
        )


def test_editing_keeps_the_values_the_form_did_not_touch(qtbot, demo_db):
    with demo_db.reading() as s:
        before = s.scalars(select(Student).order_by(Student.id)).first()
    form = StudentForm(demo_db, before.id)
    qtbot.addWidget(form)
    assert form.fields["name"].text() == before.name
    form.fields["guardian_phone"].setText("13912345678")
    form.accept()
    assert form.result() == 1, form.errors.text()
    with demo_db.reading() as s:
        after = s.get(Student, before.id)
        assert after.guardian_phone == "13912345678"
        assert (after.id_number, after.bank_account, after.grade, after.boarding) == (
            before.id_number,
            before.bank_account,
            before.grade,
            before.boarding,
        )


def test_transfer_out_from_the_page(qtbot, demo_db, monkeypatch):
    page = _page(qtbot, demo_db)
    page.table.selectRow(0)
    sid = page.selected_id()
    monkeypatch.setattr("ui.pages.student_ledger.StatusDialog.exec", lambda self: True)
    monkeypatch.setattr(
        "ui.pages.student_ledger.StatusDialog.values", lambda self: (date(2026, 11, 1), "保定市某学校")
    )
    page._status("transfer")
    with demo_db.reading() as s:
        st = s.get(Student, sid)
        assert (st.status, st.status_note) == (StudentStatus.TRANSFERRED_OUT, "转往：保定市某学校")


def test_export_runs_in_the_background_and_reports(qtbot, demo_db, tmp_path, messages):
    page = _page(qtbot, demo_db)
    out = tmp_path / "台账.xlsx"
    task = page.export_to(str(out), mask=True)
    with qtbot.waitSignal(task.done, timeout=20_000):
        pass
    assert out.exists()
    assert messages[-1][0] == "information" and "300" in messages[-1][2]
