"""Take the README's screenshots from the real window: run under Xvfb with a demo database.

xvfb-run -s "-screen 0 1366x768x24" python docs/screenshots.py --db demo.db
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from aidoffice.db.engine import Database
from ui.main_window import MainWindow
from ui.operations import AppContext


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default=str(Path(__file__).parent / "manual" / "images"))
    parser.add_argument("--import-file", help="a 学籍 export to preview on the import page")
    args = parser.parse_args()
    app = QApplication(sys.argv)
    window = MainWindow(AppContext(Database(args.db)))
    window.show()
    out = Path(args.out)

    def village_page() -> None:
        window.nav.setCurrentRow(1)
        window.villages.last_task.done.connect(open_village)

    def open_village() -> None:
        tree, model = window.villages.tree, window.villages.model
        town = model.index(0, 0)
        tree.expand(town)
        village = model.index(0, 0, town)
        model.children_loaded.connect(lambda: open_household(village), Qt.ConnectionType.SingleShotConnection)
        tree.expand(village)  # the households arrive from a background read

    def open_household(village) -> None:  # type: ignore[no-untyped-def]
        tree, model = window.villages.tree, window.villages.model
        household = next(
            (model.index(r, 0, village) for r in range(model.rowCount(village))
             if model.data(model.index(r, 4, village))), model.index(0, 0, village)
        )  # fmt: skip
        model.children_loaded.connect(
            lambda: QTimer.singleShot(
                400, lambda: grab("village-ledger.png", import_page if args.import_file else app.quit)
            ),
            Qt.ConnectionType.SingleShotConnection,
        )
        tree.expand(household)

    def import_page() -> None:
        window.nav.setCurrentRow(2)
        window.imports.set_file(args.import_file)
        window.imports.preview().done.connect(
            lambda: QTimer.singleShot(500, lambda: grab("import-preview.png", app.quit))
        )

    def grab(name: str, then) -> None:  # type: ignore[no-untyped-def]
        window.screen().grabWindow(0).save(str(out / name))
        print("saved", out / name)
        then()

    QTimer.singleShot(800, lambda: grab("student-ledger.png", village_page))
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
