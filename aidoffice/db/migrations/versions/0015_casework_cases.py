"""控辍保学: dropout cases (一人一案), the people responsible for each and the history of what was done

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dropout_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("sex", sa.String(length=2), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("class_name", sa.String(length=30), nullable=True),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("township", sa.String(length=50), nullable=True),
        sa.Column("village", sa.String(length=50), nullable=True),
        sa.Column("guardian_name", sa.String(length=50), nullable=True),
        sa.Column("guardian_phone", sa.String(length=30), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("reason_note", sa.Text(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="casestatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=True),
        sa.Column("times_opened", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problem.id"],
            name=op.f("fk_dropout_case_problem_id_problem"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["student.id"],
            name=op.f("fk_dropout_case_student_id_student"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_dropout_case_village_id_village")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dropout_case")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_dropout_case_person_key"), "dropout_case", ["person_key"], unique=False)
    op.create_index(op.f("ix_dropout_case_problem_id"), "dropout_case", ["problem_id"], unique=False)
    op.create_index(op.f("ix_dropout_case_student_id"), "dropout_case", ["student_id"], unique=False)
    op.create_index(op.f("ix_dropout_case_village_id"), "dropout_case", ["village_id"], unique=False)
    op.create_index("ix_dropout_case_status_village", "dropout_case", ["status", "village_id"], unique=False)
    op.create_table(
        "case_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dropout_case.id"],
            name=op.f("fk_case_person_case_id_dropout_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_person")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_case_person_case_id"), "case_person", ["case_id"], unique=False)
    op.create_table(
        "case_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("who", sa.String(length=60), nullable=False),
        sa.Column("way", sa.String(length=20), nullable=True),
        sa.Column("said", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dropout_case.id"],
            name=op.f("fk_case_action_case_id_dropout_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_action")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_case_action_case_id"), "case_action", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_action_case_id"), table_name="case_action")
    op.drop_table("case_action")
    op.drop_index(op.f("ix_case_person_case_id"), table_name="case_person")
    op.drop_table("case_person")
    for name in ("ix_dropout_case_status_village", "ix_dropout_case_village_id", "ix_dropout_case_student_id",
                 "ix_dropout_case_problem_id", "ix_dropout_case_person_key"):  # fmt: skip
        op.drop_index(name, table_name="dropout_case")
    op.drop_table("dropout_case")
