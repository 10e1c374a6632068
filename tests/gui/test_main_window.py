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
