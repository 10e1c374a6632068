"""A cancelled job writes nothing: an import or a batch of letters stopped at any of its progress
reports (where the cancel button stops it) leaves no row, no audit entry, no slip code and no file."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aidoffice.db.models import AuditEntry, ImportBatch, PublicityBatch, Slip, Student
from aidoffice.demo import generate
from aidoffice.errors import OperationCancelled
from aidoffice.importing.service import ImportOptions, run_import
from aidoffice.publicity.letters import produce_letters
from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_xlsx

TERM = "2026-2027-1"


def _counts(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with db.reading() as s:
        return {
            m.__name__: s.scalar(select(func.count()).select_from(m))
            for m in (Student, AuditEntry, ImportBatch, PublicityBatch, Slip)
        }


def _cancelled_at(k: int):  # type: ignore[no-untyped-def]
    calls = [0]

    def progress(done: int, total: int | None, message: str = "") -> None:
        calls[0] += 1
        if calls[0] == k:
            raise OperationCancelled()

    return progress


def _every_stop(db, run) -> int:  # type: ignore[no-untyped-def]
    """Cancel at the 1st, 2nd, … report until the job runs to its end; nothing written each time.
    Returns how many places it could stop."""
    before = _counts(db)
    k = 1
    while True:
        try:
            with db.unit_of_work(actor="资助专干") as s:
                run(s, _cancelled_at(k))
        except OperationCancelled:
            assert _counts(db) == before, k
            k += 1
            continue
        return k - 1


@pytest.mark.today("2026-11-22")
def test_an_import_cancelled_at_any_report_writes_nothing(school_db, tmp_path):
    book = write_xlsx(
        tmp_path / "学籍导出.xlsx", [ENROLLMENT_HEADER, *enrollment_rows(1200, school_code="3130624999")]
    )

    def run(s, progress):  # type: ignore[no-untyped-def]
        run_import(s, book, ImportOptions(kind="students"), progress=progress)

    stops = _every_stop(school_db, run)
    assert stops >= 3
    assert _counts(school_db)["Student"] == 1200  # and uncancelled, it imports


@pytest.mark.today("2026-11-22")
def test_letters_cancelled_at_any_report_write_no_file_no_batch_and_no_slip_codes(school_db, tmp_path):
    with school_db.unit_of_work(actor="资助专干") as s:
        generate(s, 120)
    folder = tmp_path / "U盘"
    folder.mkdir()
    out = folder / "告知书.pdf"

    def run(s, progress):  # type: ignore[no-untyped-def]
        assert list(folder.iterdir()) == []  # not even a partial file
        produce_letters(s, "policy", out, term=TERM, progress=progress)

    stops = _every_stop(school_db, run)
    assert stops >= 2
    assert out.exists() and _counts(school_db)["Slip"] > 0
    assert list(folder.iterdir()) == [out]
