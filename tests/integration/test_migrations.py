import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from aidoffice.db.models import Base


def _comparable(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """SQLite's reflection cannot read an index on an expression; PostgreSQL compares it fully, and the
    next test checks it exists on SQLite."""
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


EXPRESSION_INDEXES = {"ix_student_display_order"}


def test_migrations_produce_exactly_the_models(db):
    """A model changed without a migration would break every clerk's database at the next start."""
    opts = {"compare_type": True}
    if db.dialect == "sqlite":
        opts["include_object"] = _comparable
    with warnings.catch_warnings(), db.engine.connect() as conn:
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    assert diff == []


def test_the_display_order_index_exists_and_serves_the_ledger_order(db):
    """The student table's id list reads this index instead of sorting every student."""
    from sqlalchemy import text

    from aidoffice.ledgers.student_queries import StudentFilter, _order, filtered

    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='index'"))}
            query = filtered(StudentFilter()).order_by(*_order("grade", False))
            plan = " ".join(
                str(r[-1])
                for r in conn.execute(
                    text("EXPLAIN QUERY PLAN " + str(query.compile(compile_kwargs={"literal_binds": True})))
                )
            )
            assert "ix_student_display_order" in plan and "TEMP B-TREE" not in plan.upper()
        else:
            names = {
                r[0] for r in conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename='student'"))
            }
    assert names >= EXPRESSION_INDEXES


def test_opening_a_current_database_again_changes_nothing(db):
    """Every start opens the database; an up-to-date one must be neither migrated again nor written to."""
    from sqlalchemy import func, select, text

    from aidoffice.db.engine import Database, schema_is_current

    def state() -> tuple:
        with db.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            counts = {
                t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
            }
        return version, counts

    assert schema_is_current(db.engine)
    before = state()
    Database(db.url).dispose()
    assert schema_is_current(db.engine)
    assert state() == before


def test_the_quick_head_check_agrees_with_alembic(db):
    """Opening a database compares the version table with the newest migration file without loading
    Alembic; that shortcut must name the same head Alembic does."""
    from alembic.script import ScriptDirectory

    from aidoffice.db.engine import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()


def test_upgrading_fills_the_roll_order_of_the_students_already_there(school_db):
    """A school's existing students get the new roll order at the upgrade, so the ledger keeps every 李
    together; the way back down keeps the data and the index."""
    from alembic import command
    from sqlalchemy import select

    from aidoffice.db.engine import alembic_config, head_revision
    from aidoffice.db.models import Student
    from aidoffice.ledgers.student_queries import StudentFilter, _order, filtered
    from aidoffice.ledgers.students import add_student
    from tests.factories import student

    with school_db.unit_of_work() as s:
        for name in ("李涛", "林婷春", "李嫣", "刘语婷"):
            add_student(s, 1, student(name, "一年级", "1班"))
    cfg = alembic_config(school_db.engine)
    command.downgrade(cfg, "0007")
    from sqlalchemy import inspect

    with school_db.engine.connect() as conn:
        assert "name_sort" not in {c["name"] for c in inspect(conn).get_columns("student")}
    command.upgrade(cfg, head_revision())
    with school_db.reading() as s:
        ordered = s.scalars(
            filtered(StudentFilter()).with_only_columns(Student.name).order_by(*_order("grade", False))
        )
        assert list(ordered) == ["李涛", "李嫣", "林婷春", "刘语婷"]
        assert s.scalar(select(Student.name_sort).where(Student.name == "李嫣")) == "li yan"
