import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    """Message boxes would wait for a click; record them instead."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(
            QMessageBox, kind, lambda parent, title, text, *a, _k=kind, **kw: shown.append((_k, title, text))
        )
    return shown


@pytest.fixture
def demo_db(school_db):
    from aidoffice.demo import generate

    with school_db.unit_of_work() as s:
        generate(s, 300, today=date(2026, 11, 22))
    return school_db
