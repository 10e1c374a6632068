"""person_link: a department's mistyped ID linked to the ID on the school's records while the
department corrects its list (请更正), so the child's groups count meanwhile

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_key", sa.String(length=30), nullable=False),
        sa.Column("to_key", sa.String(length=30), nullable=False),
        sa.Column("source_label", sa.String(length=100), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_by", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problem.id"],
            name=op.f("fk_person_link_problem_id_problem"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_link")),
        sa.UniqueConstraint("from_key", "to_key", "source_label", name=op.f("uq_person_link_from_key")),
    )
    with op.batch_alter_table("person_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_link_from_key"), ["from_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_link_to_key"), ["to_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_link_problem_id"), ["problem_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_link_problem_id"))
        batch_op.drop_index(batch_op.f("ix_person_link_to_key"))
        batch_op.drop_index(batch_op.f("ix_person_link_from_key"))
    op.drop_table("person_link")
