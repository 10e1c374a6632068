from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from aidoffice.db.models import Base


def test_migrations_produce_exactly_the_models(db):
    """A model changed without a migration would break every clerk's database at the next start."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_opening_a_current_database_again_changes_nothing(db):
    from aidoffice.db.engine import Database, schema_is_current

    assert schema_is_current(db.engine)
    Database(db.url).dispose()
    assert schema_is_current(db.engine)
