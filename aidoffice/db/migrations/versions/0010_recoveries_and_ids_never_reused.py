"""recoveries (收回): a paid award the roster review takes away is kept and a recovery to be done is
recorded; audit entries name the child they are about (audit_entry.student_id); row ids are never
reused (SQLite tables rebuilt with AUTOINCREMENT, their counters set past every id the trail names)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

# the audited tables with an integer id, as of this revision (the trail names their rows by id)
NEVER_REUSED = (
    "award", "class_session", "group_membership", "hardship_assessment", "household", "household_member",
    "list_snapshot", "policy", "problem", "problem_note", "school", "slip", "student", "study_elsewhere",
    "term", "township", "village",
)  # fmt: skip
# rows whose values carry the student they belong to
_STUDENT_OF = ("award", "problem", "slip", "hardship_assessment", "household_member")


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    op.create_table(
        "recovery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("person_key", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("policy_code", sa.String(length=40), nullable=False),
        sa.Column("policy_name", sa.String(length=60), nullable=False),
        sa.Column("term_code", sa.String(length=11), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "done", name="recoverystatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("done_note", sa.String(length=200), nullable=True),
        sa.Column("done_by", sa.String(length=60), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["award_id"], ["award.id"], name=op.f("fk_recovery_award_id_award"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_recovery_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_recovery_student_id_student"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_recovery_award_id"), "recovery", ["award_id"], unique=True)
    op.create_index(op.f("ix_recovery_batch_id"), "recovery", ["batch_id"], unique=False)
    op.create_index(op.f("ix_recovery_person_key"), "recovery", ["person_key"], unique=False)
    op.create_index(op.f("ix_recovery_student_id"), "recovery", ["student_id"], unique=False)
    op.create_index(op.f("ix_recovery_term_code"), "recovery", ["term_code"], unique=False)

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("student_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_entry_student_id"), ["student_id"], unique=False)
    _fill_audit_students(conn)

    if sqlite:
        _rebuild_with_autoincrement(conn)


def _fill_audit_students(conn: sa.Connection) -> None:
    """The child of each existing entry: its own values first (a deleted award's entry carries its
    student), else the row as it is now."""
    current = {t: dict(conn.execute(sa.text(f"SELECT id, student_id FROM {t}")).all()) for t in _STUDENT_OF}
    rows = conn.execute(
        sa.text(
            "SELECT id, entity, entity_id, before, after FROM audit_entry "
            "WHERE entity IN ('student', 'award', 'problem', 'slip', 'hardship_assessment', 'household_member')"
        )
    ).all()
    updates = []
    for eid, entity, entity_id, before, after in rows:
        sid = None
        if entity == "student":
            sid = entity_id
        else:
            for values in (after, before):
                if isinstance(values, str):
                    try:
                        values = json.loads(values)
                    except ValueError:
                        values = None
                if isinstance(values, dict) and isinstance(values.get("student_id"), int):
                    sid = values["student_id"]
                    break
            if sid is None and entity_id is not None:
                sid = current[entity].get(entity_id)
        if sid is not None:
            updates.append({"sid": sid, "id": eid})
    if updates:
        conn.execute(sa.text("UPDATE audit_entry SET student_id = :sid WHERE id = :id"), updates)


def _rebuild_with_autoincrement(conn: sa.Connection) -> None:
    """SQLite gives a new row the highest id + 1, so a deleted last row's id went to the next child.
    Rebuilt with AUTOINCREMENT (foreign keys are off during migrations: see env.py), each table's
    counter starts past every id it had, as far as the trail knows them."""
    op.drop_index("ix_student_display_order", table_name="student")  # an expression: batch drops it
    for name in NEVER_REUSED:
        with op.batch_alter_table(name, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
    op.create_index(
        "ix_student_display_order",
        "student",
        ["grade", sa.text("length(class_name)"), "class_name", "name_sort", "id"],
        unique=False,
    )
    for name in NEVER_REUSED:
        high = max(
            conn.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {name}")).scalar() or 0,
            conn.execute(
                sa.text("SELECT coalesce(max(entity_id), 0) FROM audit_entry WHERE entity = :e"), {"e": name}
            ).scalar()
            or 0,
        )
        if high:
            conn.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :n"), {"n": name})
            conn.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:n, :s)"), {"n": name, "s": high}
            )
    problems = conn.execute(sa.text("PRAGMA foreign_key_check")).all()
    if problems:
        raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")


def downgrade() -> None:
    # the AUTOINCREMENT tables stay as they are (the older schema reads and writes them the same)
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_student_id"))
        batch_op.drop_column("student_id")
    op.drop_index(op.f("ix_recovery_term_code"), table_name="recovery")
    op.drop_index(op.f("ix_recovery_student_id"), table_name="recovery")
    op.drop_index(op.f("ix_recovery_person_key"), table_name="recovery")
    op.drop_index(op.f("ix_recovery_batch_id"), table_name="recovery")
    op.drop_index(op.f("ix_recovery_award_id"), table_name="recovery")
    op.drop_table("recovery")
