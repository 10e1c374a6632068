"""A page a later release fills: says plainly that it is not available yet and what it will do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPage(QWidget):
    available = False

    def __init__(self, title: str, purpose: str, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading = QLabel(f"<h2>{title}</h2>")
        badge = QLabel(self.tr("此功能尚未开放"))
        badge.setObjectName("notAvailable")
        badge.setStyleSheet(
            "background:#fef3c7;color:#92400e;padding:6px 10px;border-radius:4px;font-weight:bold"
        )
        badge.setSizePolicy(badge.sizePolicy().horizontalPolicy(), badge.sizePolicy().verticalPolicy())
        text = QLabel(self.tr("开放后可以：") + purpose)
        text.setWordWrap(True)
        text.setStyleSheet("color:#374151")
        layout.addWidget(heading)
        layout.addWidget(badge, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(text)
