from tests.gui.helpers import idle
from ui.main_window import MainWindow
from ui.pages.placeholder import PlaceholderPage


def test_navigation_covers_the_whole_product_and_marks_what_is_not_ready(qtbot, ctx):
    """A clerk must see at once which parts work; a page that does nothing is never dressed up as working."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    idle(qtbot, ctx)
    titles = window.page_titles()
    for area in (
        "学籍台账",
        "户籍台账",
        "导入名单",
        "比对与问题清单",
        "1222宣传材料",
        "回执登记",
        "控辍保学",
        "三包与家访",
        "导出花名册",
        "统计",
        "设置",
    ):
        assert any(t.startswith(area) for t in titles), area
    assert titles[0] == "学籍台账" and titles[1] == "户籍台账"
    for row, title in enumerate(titles):
        page = window.stack.widget(row)
        assert isinstance(page, PlaceholderPage) == title.endswith("（未开放）")
        if isinstance(page, PlaceholderPage):
            assert page.findChild(type(window.status_label), "notAvailable").text() == "此功能尚未开放"


def test_status_bar_names_school_and_term(qtbot, ctx):
    """A clerk must see at a glance which school's database and which term is open."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    idle(qtbot, ctx)
    assert "测试县第一中学" in window.status_label.text()
    assert "当前学期 20" in window.status_label.text()


def test_in_march_the_window_says_the_calendar_moved_on_and_settings_moves_the_office(
    qtbot, school_ctx, monkeypatch
):
    """The autumn term stays current into March until the clerk moves on: the status bar and 设置 say
    the calendar is in the spring term, and 换到… (after a question) makes it the current term."""
    from datetime import date

    from PySide6.QtWidgets import QMessageBox
    from sqlalchemy import select, text

    from aidoffice import clock
    from aidoffice.db.models import Term
    from aidoffice.ledgers.school import ensure_current_term

    ctx = school_ctx
    with ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM term"))
    with clock.pinned_to(date(2026, 11, 22)), ctx.db.unit_of_work(actor="资助专干") as s:
        ensure_current_term(s)
    with clock.pinned_to(date(2027, 3, 15)):
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        idle(qtbot, ctx)
        assert "当前学期 2026-2027-1" in window.status_label.text()
        assert "按日历已是 2026-2027-2" in window.status_label.text()
        page = window.settings_page
        window.go_to(page)
        idle(qtbot, ctx)
        assert page.term.text() == "2026-2027学年第一学期（按日历今天已是2026-2027学年第二学期）"
        assert page.move_btn.isVisibleTo(page) and page.move_btn.text() == "换到2026-2027学年第二学期…"
        asked: list[str] = []

        def answer(_parent, _title, question, *_a, **_k):  # type: ignore[no-untyped-def]
            asked.append(question)
            return QMessageBox.StandardButton.Yes

        monkeypatch.setattr(QMessageBox, "question", answer)
        page.move_on()
        idle(qtbot, ctx)
        qtbot.waitUntil(lambda: page.term.text() == "2026-2027学年第二学期", timeout=10_000)
        assert "记录都保留" in asked[0] and not page.move_btn.isVisibleTo(page)
        qtbot.waitUntil(lambda: "按日历" not in window.status_label.text(), timeout=10_000)
        assert "当前学期 2026-2027-2" in window.status_label.text()
    with ctx.db.reading() as s:
        assert s.scalars(select(Term.code).where(Term.is_current.is_(True))).all() == ["2026-2027-2"]
