"""The start-up window as it shows while an older database is upgraded, for
docs/manual/images/startup.png.

xvfb-run -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python docs/screenshot_startup.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ui.startup import StartupWindow


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).parent / "manual" / "images"))
    args = parser.parse_args()
    app = QApplication(sys.argv)
    window = StartupWindow()
    window.show()
    window.show_step(1, 4, "正在升级数据库…")

    def grab() -> None:
        path = Path(args.out) / "startup.png"
        window.grab().save(str(path))
        print("saved", path)
        app.quit()

    QTimer.singleShot(800, grab)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
