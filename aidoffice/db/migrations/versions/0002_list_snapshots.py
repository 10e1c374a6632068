"""list snapshots

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_label", sa.String(length=100), nullable=False),
        sa.Column("list_kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("known_on", sa.Date(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_snapshot")),
    )
    with op.batch_alter_table("list_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_snapshot_source_label"), ["source_label"], unique=False)

    op.create_table(
        "list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("sex", sa.String(length=2), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("township", sa.String(length=50), nullable=True),
        sa.Column("village", sa.String(length=50), nullable=True),
        sa.Column("household_no", sa.String(length=40), nullable=True),
        sa.Column("head_name", sa.String(length=50), nullable=True),
        sa.Column("relation", sa.String(length=20), nullable=True),
        sa.Column("group_code", sa.String(length=30), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("school_name", sa.String(length=100), nullable=True),
        sa.Column("schooling", sa.String(length=30), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["list_snapshot.id"],
            name=op.f("fk_list_entry_snapshot_id_list_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_entry")),
    )
    with op.batch_alter_table("list_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_entry_person_key"), ["person_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_entry_snapshot_id"), ["snapshot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("list_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_entry_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_list_entry_person_key"))

    op.drop_table("list_entry")
    with op.batch_alter_table("list_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_snapshot_source_label"))

    op.drop_table("list_snapshot")
