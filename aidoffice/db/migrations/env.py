"""Alembic environment: the engine comes from aidoffice (config.attributes["engine"])."""

from alembic import context

from aidoffice.db.models import Base

config = context.config
engine = config.attributes["engine"]


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()


if engine.dialect.name == "sqlite":
    # A migration that rebuilds a table (batch mode: copy, drop, rename) must not fire the foreign keys'
    # ON DELETE CASCADE when it drops the old table. The pragma only takes effect outside a transaction,
    # so it is set on the connection first and restored before the connection goes back to the pool.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                _run(connection)
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
else:
    with engine.begin() as connection:
        _run(connection)
