"""回执登记 → 有异议 after a scanned stack is read, for the manual: the family's handwriting on the
有异议 line of a scanned aid slip, shown beside the list of objections.

    xvfb-run -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python docs/screenshot_slip_objection.py
    QT_QPA_PLATFORM=offscreen python docs/screenshot_slip_objection.py

A demo school is made in a temporary folder, 七年级1班's aid letters printed, two slips ticked 有异议
(one with words written on the line), one 无异议, a blank back among them, scanned as in
tests/scans.py and imported as a clerk would; the page is grabbed on its 有异议 tab."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
from screenshot_slip_scan import class_letters  # noqa: E402  (the same school and letters)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "manual" / "images"))
    args = parser.parse_args()
    folder, db, letters, pages = class_letters("aid")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tests.scans import as_scanned, blank_page, mark_slip, pack_pdf, write_note
    from ui.operations import AppContext
    from ui.pages.slips_page import SlipsPage

    rng = random.Random(5)
    images = []
    for n, (code, box) in enumerate(zip(letters.slips[:3], (1, 0, 1), strict=False)):
        page = pages[code].copy()
        mark_slip(page, "pen", box, rng)
        if n == 0:
            write_note(page)
        images.append(as_scanned(page, rng, angle=rng.uniform(-3, 3)))
        if n == 0:
            images.append(blank_page("grey", rng))  # the blank back of the first letter
    stack = pack_pdf(images, folder / "扫描.pdf")

    app = QApplication(sys.argv)
    page = SlipsPage(AppContext(db, actor="资助专干"))
    page.resize(1200, 700)
    page.show()
    out = Path(args.out)

    def shoot() -> None:
        page.tabs.setCurrentIndex(1)
        QTimer.singleShot(
            1500, lambda: (page.grab().save(str(out / "slip-objection.png")), print("saved"), app.quit())
        )

    def start() -> None:
        page.import_scans([str(stack)]).done.connect(lambda: QTimer.singleShot(1500, shoot))

    page.activate().done.connect(lambda: QTimer.singleShot(500, start))
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
