"""The manual opened with F1 from the import page, for docs/manual/images/manual.png.

xvfb-run -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python docs/screenshot_manual.py --db demo.db
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aidoffice.db.engine import Database
from ui.main_window import MainWindow
from ui.operations import AppContext


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default=str(Path(__file__).parent / "manual" / "images"))
    args = parser.parse_args()
    app = QApplication(sys.argv)
    window = MainWindow(AppContext(Database(args.db)))
    window.show()

    def open_manual() -> None:
        window.nav.setCurrentRow(2)  # 导入名单
        viewer = window.open_manual()
        viewer.move(120, 30)
        QTimer.singleShot(800, grab)

    def grab() -> None:
        path = Path(args.out) / "manual.png"
        window.screen().grabWindow(0).save(str(path))
        print("saved", path)
        app.quit()

    QTimer.singleShot(800, open_manual)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
