"""Render resources/icons/aidoffice.svg to the PNG sizes (16, 32, 48, 256) and the Windows .ico.

Run by hand after changing the SVG (the PNGs and the ICO are committed, so a build needs no SVG
renderer):  QT_QPA_PLATFORM=offscreen python installer/make_icons.py"""

from __future__ import annotations

import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (256, 48, 32, 16)


def main() -> int:
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "aidoffice.svg"))
    if not renderer.isValid():
        print("aidoffice.svg cannot be read", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(ICONS / f"aidoffice-{size}.png"))
    big = Image.open(ICONS / "aidoffice-256.png")
    big.save(ICONS / "aidoffice.ico", sizes=[(s, s) for s in sorted(SIZES)])
    del app
    print("icons written to", ICONS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
