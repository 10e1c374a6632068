"""Our own icon on every window, from the files the installers ship."""

from __future__ import annotations

from PySide6.QtCore import QSize

from ui.app import program_icon


def test_the_program_icon_has_every_size_a_desktop_asks_for(qtbot):
    """The task bar (16/32), Alt+Tab (48) and the start menu (256) each get a real rendering, not Qt's blank."""
    icon = program_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
    image = icon.pixmap(QSize(48, 48)).toImage()
    page = image.pixelColor(12, 26)  # the open book: white on the blue field
    assert page.alpha() == 255 and page.lightness() > 200
    star = image.pixelColor(24, 8)  # the yellow star above it
    assert star.red() > 200 and star.blue() < 80
