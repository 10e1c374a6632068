"""catalogue families and import batches

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batch_at"), ["at"], unique=False)

    op.create_table(
        "policy_family",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_policy_family")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_entry_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entry_batch_id_import_batch"), "import_batch", ["batch_id"], ["id"]
        )

    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_award_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_award_batch_id_import_batch"), "import_batch", ["batch_id"], ["id"]
        )

    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_group_membership_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_group_membership_batch_id_import_batch"), "import_batch", ["batch_id"], ["id"]
        )

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_household_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_household_batch_id_import_batch"), "import_batch", ["batch_id"], ["id"]
        )

    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_household_member_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_household_member_batch_id_import_batch"), "import_batch", ["batch_id"], ["id"]
        )

    with op.batch_alter_table("list_snapshot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_list_snapshot_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_list_snapshot_batch_id_import_batch"), "import_batch", ["batch_id"], ["id"]
        )

    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aliases", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("family", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_family_policy_family"), "policy_family", ["family"], ["code"]
        )

    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_student_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_student_batch_id_import_batch"), "import_batch", ["batch_id"], ["id"]
        )
    # after the batch above: SQLite rebuilds the table there and would not carry an expression index
    op.create_index(
        "ix_student_display_order",
        "student",
        ["grade", sa.text("length(class_name)"), "class_name", "name_pinyin", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_student_display_order", table_name="student")
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_student_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_student_batch_id"))
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_policy_family_policy_family"), type_="foreignkey")
        batch_op.drop_column("family")
        batch_op.drop_column("aliases")

    with op.batch_alter_table("list_snapshot", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_list_snapshot_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_list_snapshot_batch_id"))
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_household_member_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_household_member_batch_id"))
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_household_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_household_batch_id"))
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_group_membership_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_group_membership_batch_id"))
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_award_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_award_batch_id"))
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_entry_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_entry_batch_id"))
        batch_op.drop_column("batch_id")

    op.drop_table("policy_family")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_at"))

    op.drop_table("import_batch")
