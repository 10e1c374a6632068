"""The 待核对 queue after a scanned stack is read on the 回执登记 page, for the manual.

    xvfb-run -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python docs/screenshot_slip_scan.py
    QT_QPA_PLATFORM=offscreen python docs/screenshot_slip_scan.py     # the dialog alone, no X server

A demo school is made in a temporary folder, 七年级1班's policy letters printed, their slips ticked
and scanned as in tests/scans.py (one with both boxes ticked), and the stack imported as a clerk
would; the queue dialog is grabbed with its first slip's picture."""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def class_letters(kind: str) -> tuple[Path, object, object, dict]:
    """A demo school in a temporary folder (the data folder too) with 七年级1班's `kind` letters
    printed: (folder, database, the batch, each slip's page as a picture)."""
    folder = Path(tempfile.mkdtemp(prefix="aidoffice-shot-"))
    os.environ.setdefault("AIDOFFICE_HOME", str(folder / "home"))

    from aidoffice.demo import generate
    from aidoffice.ledgers.school import setup_school
    from aidoffice.office import open_office
    from aidoffice.publicity.letters import produce_letters
    from tests.scans import slip_pages

    db = open_office(str(folder / "演示库.db")).db
    with db.unit_of_work(actor="资助专干") as s:
        setup_school(s, "阜平县实验学校", None, "阜平县")
        generate(s, 300, seed=3)
    with db.unit_of_work(actor="资助专干") as s:
        letters = produce_letters(
            s, kind, folder / f"{kind}.pdf", grade="七年级", class_name="1班", covers=False
        )
    return folder, db, letters, slip_pages(letters.path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "manual" / "images"))
    args = parser.parse_args()
    folder, db, letters, pages = class_letters("policy")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tests.scans import as_scanned, mark_slip, pack_pdf
    from ui.operations import AppContext
    from ui.pages.slips_page import SlipsPage

    rng = random.Random(5)
    images = []
    for code, tick, box in zip(
        letters.slips[:6],
        ("double", "pen", "pen", "none", "pen", "crossed"),
        (0, 1, 0, 0, 1, 0),
        strict=False,
    ):
        page = pages[code].copy()
        mark_slip(page, tick, box, rng)
        images.append(as_scanned(page, rng, angle=rng.uniform(-4, 4)))
    stack = pack_pdf(images, folder / "扫描.pdf")

    app = QApplication(sys.argv)
    page = SlipsPage(AppContext(db, actor="资助专干"))
    page.resize(1200, 700)
    page.show()
    out = Path(args.out)

    def imported() -> None:
        dialog = page.queue_dialog
        assert dialog is not None
        QTimer.singleShot(
            2500, lambda: (dialog.grab().save(str(out / "slip-scan-queue.png")), print("saved"), app.quit())
        )

    def start() -> None:
        page.import_scans([str(stack)]).done.connect(lambda: QTimer.singleShot(500, imported))

    page.activate().done.connect(lambda: QTimer.singleShot(500, start))
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
