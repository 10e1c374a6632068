"""contact_duty and visit: who is responsible for reaching each served village, household or student
(三包), and each contact made (家访/电话/微信/到校面谈)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_duty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher", sa.String(length=50), nullable=False),
        sa.Column("teacher_login", sa.String(length=40), nullable=True),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_contact_duty_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_contact_duty_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["student.id"],
            name=op.f("fk_contact_duty_student_id_student"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_duty")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_contact_duty_teacher"), "contact_duty", ["teacher"], unique=False)
    op.create_index(op.f("ix_contact_duty_village_id"), "contact_duty", ["village_id"], unique=False)
    op.create_index(op.f("ix_contact_duty_household_id"), "contact_duty", ["household_id"], unique=False)
    op.create_index(op.f("ix_contact_duty_student_id"), "contact_duty", ["student_id"], unique=False)
    op.create_index(op.f("ix_contact_duty_ends_on"), "contact_duty", ["ends_on"], unique=False)
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("family_name", sa.String(length=50), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("teacher", sa.String(length=50), nullable=False),
        sa.Column("way", sa.String(length=10), nullable=False),
        sa.Column("said", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_visit_household_id_household"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_visit_student_id_student"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problem.id"], name=op.f("fk_visit_problem_id_problem"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_visit_household_day", "visit", ["household_id", "visited_on"], unique=False)
    op.create_index(op.f("ix_visit_student_id"), "visit", ["student_id"], unique=False)
    op.create_index(op.f("ix_visit_visited_on"), "visit", ["visited_on"], unique=False)
    op.create_index(op.f("ix_visit_problem_id"), "visit", ["problem_id"], unique=False)


def downgrade() -> None:
    op.drop_table("visit")
    op.drop_table("contact_duty")
