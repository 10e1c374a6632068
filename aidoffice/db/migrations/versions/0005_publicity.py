"""the 1222 publicity: produced batches, return slips, policy classes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publicity_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("term_code", sa.String(length=11), nullable=True),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publicity_batch")),
    )
    with op.batch_alter_table("publicity_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publicity_batch_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_publicity_batch_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_publicity_batch_term_code"), ["term_code"], unique=False)

    op.create_table(
        "class_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("class_name", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("teacher", sa.String(length=50), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"], name=op.f("fk_class_session_term_id_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_session")),
    )
    with op.batch_alter_table("class_session", schema=None) as batch_op:
        batch_op.create_index("ix_class_session_term_class", ["term_id", "grade", "class_name"], unique=False)

    op.create_table(
        "slip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("received_by", sa.String(length=60), nullable=True),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("objection", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["publicity_batch.id"], name=op.f("fk_slip_batch_id_publicity_batch")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_slip_student_id_student"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"], name=op.f("fk_slip_term_id_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slip")),
        sa.UniqueConstraint("code", name=op.f("uq_slip_code")),
        sa.UniqueConstraint("student_id", "kind", "term_id", name=op.f("uq_slip_student_id")),
    )
    with op.batch_alter_table("slip", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slip_student_id"), ["student_id"], unique=False)
        batch_op.create_index("ix_slip_term_kind", ["term_id", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slip", schema=None) as batch_op:
        batch_op.drop_index("ix_slip_term_kind")
        batch_op.drop_index(batch_op.f("ix_slip_student_id"))

    op.drop_table("slip")
    with op.batch_alter_table("class_session", schema=None) as batch_op:
        batch_op.drop_index("ix_class_session_term_class")

    op.drop_table("class_session")
    with op.batch_alter_table("publicity_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publicity_batch_term_code"))
        batch_op.drop_index(batch_op.f("ix_publicity_batch_kind"))
        batch_op.drop_index(batch_op.f("ix_publicity_batch_at"))

    op.drop_table("publicity_batch")
