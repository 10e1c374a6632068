"""帮助: the clerk's manual (docs/manual/*.md, shipped with the program) in a Qt text browser, one page
per task, opened at the page of the screen the clerk is on (F1); and 关于 (version, data folder)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from aidoffice import __version__

# (file, title) in the order of the table of contents
PAGES: list[tuple[str, str]] = [
    ("overview.md", "程序能做什么"),
    ("quickstart.md", "快速开始"),
    ("install.md", "安装与卸载"),
    ("importing.md", "导入名单"),
    ("ledgers.md", "两个台账"),
    ("reconcile.md", "比对与问题清单"),
    ("publicity.md", "1222 宣传材料"),
    ("rosters.md", "花名册与县级汇总"),
    ("dropout.md", "控辍保学"),
    ("visits.md", "三包与家访"),
    ("safety.md", "账户、留痕与备份"),
    ("faq.md", "常见问题"),
]

# the manual page that explains each screen of the main window (by its title in the navigation)
PAGE_FOR_SCREEN: dict[str, str] = {
    "学籍台账": "ledgers.md",
    "户籍台账": "ledgers.md",
    "导入名单": "importing.md",
    "比对与问题清单": "reconcile.md",
    "统计": "reconcile.md",
    "1222宣传材料": "publicity.md",
    "回执登记": "publicity.md",
    "控辍保学": "dropout.md",
    "导出花名册": "rosters.md",
    "县级汇总": "rosters.md",
    "三包与家访": "visits.md",
    "账户管理": "safety.md",
    "操作记录": "safety.md",
    "设置": "safety.md",
}


def manual_dir() -> Path:
    """docs/manual beside the program: in a source checkout next to ui/, in a frozen build inside the bundle."""
    candidates = [Path(__file__).resolve().parent.parent / "docs" / "manual"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "docs" / "manual")
    for path in candidates:
        if (path / "overview.md").is_file():
            return path
    return candidates[-1]


CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_SOFT_BREAK = re.compile(rf"(?<=[{CJK}])\n[ \t]*(?=[{CJK}])")


def unwrap_chinese(markdown: str) -> str:
    """Lines of Chinese wrapped in the source join without the space Markdown would put between them
    (outside code blocks); list items, headings and table rows, which start otherwise, stay apart."""
    parts = markdown.split("```")
    for i in range(0, len(parts), 2):  # even parts are outside fenced code
        parts[i] = _SOFT_BREAK.sub("", parts[i])
    return "```".join(parts)


def page_for_screen(title: str) -> str:
    """The manual file for a navigation title (ignoring the （未开放）/（无权限） marks)."""
    bare = title.split("（", 1)[0]
    return PAGE_FOR_SCREEN.get(bare, "overview.md")


class ManualViewer(QDialog):
    """The manual: a table of contents on the left, the page on the right; links between pages work,
    links to web pages open in the browser."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("使用手册 — 学校资助办助手"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.folder = manual_dir()
        self.contents = QListWidget()
        self.contents.setFixedWidth(190)
        self.contents.setStyleSheet("QListWidget{font-size:14px} QListWidget::item{padding:5px 4px}")
        for file, title in PAGES:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, file)
            item.setHidden(not (self.folder / file).is_file())
            self.contents.addItem(item)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._follow)
        self.browser.setSearchPaths([str(self.folder)])
        self.browser.document().setDefaultStyleSheet("table{border-collapse:collapse} td,th{padding:3px 6px}")
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color:#b91c1c")
        self.missing.hide()
        right = QVBoxLayout()
        right.addWidget(self.missing)
        right.addWidget(self.browser, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.contents)
        layout.addLayout(right, 1)
        self.contents.currentRowChanged.connect(self._show_row)
        self.resize(1100, 700)

        self.current_file = ""

    def show_page(self, file: str) -> None:
        path = self.folder / file
        if not path.is_file():
            self.missing.setText(
                self.tr("找不到使用手册“{f}”（应在 {d}）。程序安装可能不完整，请重新安装。").format(
                    f=file, d=self.folder
                )
            )
            self.missing.show()
            return
        self.missing.hide()
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(self.folder) + "/"))
        self.browser.setMarkdown(unwrap_chinese(path.read_text(encoding="utf-8")))
        self.current_file = file
        for row in range(self.contents.count()):
            if self.contents.item(row).data(Qt.ItemDataRole.UserRole) == file:
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(row)
                self.contents.blockSignals(False)

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self.show_page(self.contents.item(row).data(Qt.ItemDataRole.UserRole))

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        if url.path().endswith(".md"):
            self.show_page(Path(url.path()).name)
            if url.fragment():
                self.browser.scrollToAnchor(url.fragment())
        elif url.fragment() and not url.path():
            self.browser.scrollToAnchor(url.fragment())


def show_about(parent: QWidget, data_folder: str, database: str) -> None:
    QMessageBox.about(
        parent,
        parent.tr("关于学校资助办助手"),
        parent.tr(
            "<b>学校资助办助手</b> 版本 {v}<br><br>控辍保学一个不能少，精准资助一个不能落。<br><br>"
            "数据文件夹：{d}<br>数据库：{db}"
        ).format(v=__version__, d=data_folder, db=database),
    )
