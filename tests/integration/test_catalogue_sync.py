"""The catalogue files reach an existing database on start: an amount the office edits applies from
its own date, is recorded in the audit trail, and never rewrites an award already paid."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from aidoffice.catalogue import catalogue_files, load_catalogue, read_catalogue, sync_catalogue
from aidoffice.db.models import AuditEntry, Award, Policy
from aidoffice.demo import generate
from aidoffice.paths import data_dir


def _office_copy(tmp_path=None):
    """The office's own copy of the catalogue in the data folder (it takes precedence)."""
    folder = data_dir() / "policies"
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in catalogue_files().items():
        if path.parent != folder:
            shutil.copy(path, folder / name)
    return folder


def test_an_amount_added_by_the_office_reaches_the_database_on_start(school_db):
    """An amount the office edits must apply from its own date on the next start, audited, leaving paid awards alone."""
    with school_db.unit_of_work() as s:
        generate(s, 80, today=date(2026, 11, 22))
    with school_db.reading() as s:
        paid = {a.id: a.amount for a in s.scalars(select(Award))}
    folder = _office_copy()
    try:
        path = folder / "catalogue.toml"
        text = path.read_text("utf-8")
        old = '  { kind = "fixed", annual = "1500", from = "2024-03-01" },'
        assert old in text
        path.write_text(
            text.replace(
                old,
                '  { kind = "fixed", annual = "1800", from = "2027-03-01" },\n'
                '  { kind = "fixed", annual = "1500", from = "2024-03-01", to = "2027-02-28" },',
            ),
            "utf-8",
        )
        from aidoffice.office import open_office

        office = open_office(school_db.url)
        assert any("资助标准变更" in line and "1800" in line for line in office.catalogue_changes)
        office.db.dispose()
        with school_db.reading() as s:
            junior = load_catalogue(s).policies["compulsory_living_junior_boarding"]
            assert junior.standard_on(date(2026, 9, 1)).per_term() == Decimal(
                "750.00"
            )  # this term: unchanged
            assert junior.standard_on(date(2027, 3, 1)).per_term() == Decimal("900.00")  # from its own date
            assert {a.id: a.amount for a in s.scalars(select(Award))} == paid  # paid awards keep their amount
            entry = s.scalars(
                select(AuditEntry).where(AuditEntry.entity == "policy", AuditEntry.action == "update")
            ).one()
            assert "amount_rule" in entry.after and entry.note == "资助政策目录按文件更新"
        # opening again changes nothing
        again = open_office(school_db.url)
        assert again.catalogue_changes == []
        again.db.dispose()
    finally:
        shutil.rmtree(folder)


def test_the_shipped_catalogue_and_the_database_agree_after_set_up(school_db):
    """A new school must hold exactly the shipped policies, so starting with no edits changes nothing."""
    with school_db.reading() as s:
        in_db = load_catalogue(s)
        codes = set(s.scalars(select(Policy.code)))
    shipped = read_catalogue()
    assert codes == set(shipped.policies)
    assert in_db.policies == shipped.policies and in_db.groups == shipped.groups
    with school_db.unit_of_work() as s:
        assert not sync_catalogue(s)
