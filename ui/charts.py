"""Simple horizontal bar charts drawn with QPainter (no QtCharts: it would add PySide6-Addons, a 59 MB
wheel, for a few bars). A chart can be copied to the clipboard or saved as a picture for a report."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR = QColor("#2563eb")
LOW = QColor("#dc2626")  # a rate below the mark
TRACK = QColor("#e5e7eb")
TEXT = QColor("#111827")
MUTED = QColor("#6b7280")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # the length: a rate 0..1, or a count
    text: str  # what is written at the end of the bar: 96.1%（222/231）
    low: bool = False  # drawn in red (a rate under the target, open problems)


class BarChart(QWidget):
    """A titled list of horizontal bars, one row per label; rates use a fixed 0–100% scale."""

    ROW = 24

    def __init__(self, title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.bars: list[Bar] = []
        self.maximum = 1.0
        self.empty_text = self.tr("暂无数据")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(360)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), QColor("white"))
        self.setPalette(pal)

    def set_bars(self, bars: list[Bar], maximum: float | None = None) -> None:
        self.bars = bars
        self.maximum = maximum if maximum is not None else max((b.value for b in bars), default=1.0) or 1.0
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 40 + self.ROW * max(1, len(self.bars)) + 10)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        bold = QFont(font)
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(TEXT)
        p.drawText(QRectF(8, 6, self.width() - 16, 22), Qt.AlignmentFlag.AlignLeft, self.title)
        p.setFont(font)
        if not self.bars:
            p.setPen(MUTED)
            p.drawText(QRectF(8, 34, self.width() - 16, 20), Qt.AlignmentFlag.AlignLeft, self.empty_text)
            return
        metrics = QFontMetrics(font)
        label_w = min(180, max(metrics.horizontalAdvance(b.label) for b in self.bars) + 12)
        text_w = max(metrics.horizontalAdvance(b.text) for b in self.bars) + 12
        track_w = max(40, self.width() - label_w - text_w - 24)
        for i, b in enumerate(self.bars):
            y = 36 + i * self.ROW
            p.setPen(TEXT)
            p.drawText(
                QRectF(8, y, label_w - 8, self.ROW - 4),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(b.label, Qt.TextElideMode.ElideRight, label_w - 8),
            )
            x = 8 + label_w
            p.fillRect(QRectF(x, y + 4, track_w, self.ROW - 12), TRACK)
            share = max(0.0, min(1.0, b.value / self.maximum)) if self.maximum else 0.0
            p.fillRect(QRectF(x, y + 4, track_w * share, self.ROW - 12), LOW if b.low else BAR)
            p.setPen(LOW if b.low else TEXT)
            p.drawText(
                QRectF(x + track_w + 8, y, text_w, self.ROW - 4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                b.text,
            )
        p.end()

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setPixmap(self.grab())

    def save(self, path: str) -> bool:
        return self.grab().save(path)
