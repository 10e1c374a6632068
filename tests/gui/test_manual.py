"""帮助: the clerk's manual ships with the program and F1 opens the page about the screen on show."""

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.gui.helpers import idle
from ui.help import PAGE_FOR_SCREEN, PAGES, ManualViewer, manual_dir
from ui.main_window import MainWindow


def _window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    idle(qtbot, ctx)
    return window


def test_f1_opens_the_manual_at_the_page_of_the_screen_on_show(qtbot, ctx):
    window = _window(qtbot, ctx)
    titles = window.page_titles()
    for screen, file in (
        ("导入名单", "importing.md"),
        ("回执登记", "publicity.md"),
        ("户籍台账", "ledgers.md"),
    ):
        window.nav.setCurrentRow(next(i for i, t in enumerate(titles) if t.startswith(screen)))
        idle(qtbot, ctx)  # the page's own loading done before the next one starts
        qtbot.keyClick(window, Qt.Key.Key_F1)
        viewer = window.manual
        assert viewer is not None and viewer.isVisible()
        assert viewer.current_file == file, screen
        assert viewer.contents.currentItem().data(Qt.ItemDataRole.UserRole) == file
        assert len(viewer.browser.toPlainText()) > 300  # the page's text, not an empty browser
    window.manual.close()
    idle(qtbot, ctx)


def test_the_help_menu_offers_the_manual_and_about(qtbot, ctx, monkeypatch):
    window = _window(qtbot, ctx)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "帮助")
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["使用手册（本页）", "使用手册目录", "关于…"]
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    next(a for a in menu.actions() if a.text() == "关于…").trigger()
    assert "版本" in shown[0] and "数据文件夹" in shown[0]


def test_every_page_of_the_contents_opens_with_its_pictures_and_links(qtbot):
    """Each manual page exists, renders, every picture it shows is shipped, and links between pages work."""
    viewer = ManualViewer()
    qtbot.addWidget(viewer)
    folder = manual_dir()
    for row, (file, _title) in enumerate(PAGES):
        viewer.contents.setCurrentRow(row)
        assert viewer.current_file == file
        text = (folder / file).read_text(encoding="utf-8")
        assert text.startswith("# ")
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            assert (folder / image).is_file(), f"{file}: {image}"
        for link in re.findall(r"\]\(([a-z_]+\.md)(?:#[^)]*)?\)", text):
            assert (folder / link).is_file(), f"{file}: {link}"
    assert set(PAGE_FOR_SCREEN.values()) <= {f for f, _ in PAGES}


def test_a_missing_manual_page_is_said_in_chinese(qtbot, tmp_path):
    viewer = ManualViewer()
    qtbot.addWidget(viewer)
    viewer.folder = tmp_path
    viewer.show_page("faq.md")
    assert "找不到使用手册" in viewer.missing.text() and "重新安装" in viewer.missing.text()


def test_chinese_wrapped_in_the_source_reads_without_stray_spaces():
    from ui.help import unwrap_chinese

    text = (
        "程序先逐行告诉您将新增，\n还是不能导入。\n- 列表项\n  接着写。\n```\n代码\n保持\n```\nEnglish\nwords"
    )
    assert (
        unwrap_chinese(text)
        == "程序先逐行告诉您将新增，还是不能导入。\n- 列表项接着写。\n```\n代码\n保持\n```\nEnglish\nwords"
    )
