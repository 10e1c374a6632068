"""PostgreSQL databases for tests: each made fresh (or as a copy of another) beside the one named by
AIDOFFICE_TEST_PG_URL, and named after it, so that two test runs on one server never drop each
other's databases."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, make_url, text

from aidoffice.db.engine import normalize_url

PG_URL = os.environ.get("AIDOFFICE_TEST_PG_URL")


def fresh_pg_url(suffix: str, template: str | None = None) -> str:
    """The URL of a new, empty database `<test database>_<suffix>` (a copy of the database named
    `template` when given: `CREATE DATABASE … TEMPLATE`, a file copy on the server).

    Commits on it do not wait for the disk (`synchronous_commit = off`): the tests' thousands of small
    transactions otherwise spend most of their time in fsync; what is committed is the same, only a
    crash of the server could lose the last moments, and a test database has nothing to lose."""
    base = make_url(normalize_url(PG_URL or ""))
    name = f"{base.database}_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)
