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


def test_the_quick_head_check_agrees_with_alembic(db):
    """Opening a database compares the version table with the newest migration file without loading
    Alembic; that shortcut must name the same head Alembic does."""
    from alembic.script import ScriptDirectory

    from aidoffice.db.engine import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
