"""Screenshots of the 比对与问题清单 and 统计 pages from the real window, for the README.

    xvfb-run -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python docs/screenshot_reconcile.py --db 演示库.db

The database should hold a comparison's worth of data (e.g. bench/bench_reconcile.py's district with
--students 3000); the script runs the comparison in the window as a clerk would."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aidoffice.office import open_office
from ui.main_window import MainWindow
from ui.operations import AppContext


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default=str(Path(__file__).parent / "manual" / "images"))
    parser.add_argument("--kind", default="ID_TYPO_SUSPECT", help="the kind of problem to open")
    args = parser.parse_args()
    app = QApplication(sys.argv)
    window = MainWindow(AppContext(open_office(args.db).db, actor="资助专干"))
    window.show()
    out = Path(args.out)
    page = window.problems

    def grab(name: str) -> None:
        window.screen().grabWindow(0).save(str(out / name))
        print("saved", out / name)

    def problems() -> None:
        window.nav.setCurrentRow(window.page_titles().index("比对与问题清单"))
        QTimer.singleShot(600, run)

    def run() -> None:
        page.run_comparison().done.connect(lambda: QTimer.singleShot(800, pick))

    def pick() -> None:
        page.kind.setCurrentIndex(page.kind.findData(args.kind))
        QTimer.singleShot(800, select)

    def select() -> None:
        page.table.selectRow(0)
        QTimer.singleShot(800, lambda: (grab("reconcile.png"), statistics()))

    def statistics() -> None:
        window.nav.setCurrentRow(window.page_titles().index("统计"))
        QTimer.singleShot(2500, lambda: (grab("statistics.png"), app.quit()))

    QTimer.singleShot(800, problems)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
