"""帮助 → 关于 (version, data folder, the program's icon), for docs/manual/images/about.png.

xvfb-run -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python docs/screenshot_about.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ui.app import install_qt_chinese, program_icon
from ui.help import show_about


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).parent / "manual" / "images"))
    args = parser.parse_args()
    app = QApplication(sys.argv)
    app.setWindowIcon(program_icon())
    install_qt_chinese(app)
    owner = QWidget()

    def grab() -> None:
        box = app.activeModalWidget()
        path = Path(args.out) / "about.png"
        box.grab().save(str(path))
        print("saved", path)
        box.accept()

    QTimer.singleShot(800, grab)
    show_about(
        owner,
        r"C:\Users\资助办\AppData\Local\aidoffice",
        r"C:\Users\资助办\AppData\Local\aidoffice\aidoffice.db",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
