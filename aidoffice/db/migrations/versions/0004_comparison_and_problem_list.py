"""the comparison (双向比对): hardship assessments, studies-elsewhere records, the problem list and its notes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_elsewhere",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("school_name", sa.String(length=100), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("verified_by", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_elsewhere")),
        sa.UniqueConstraint("person_key", name=op.f("uq_study_elsewhere_person_key")),
    )
    op.create_table(
        "hardship_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=30), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_hardship_assessment_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["student.id"],
            name=op.f("fk_hardship_assessment_student_id_student"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_assessment")),
        sa.UniqueConstraint("student_id", "school_year", name=op.f("uq_hardship_assessment_student_id")),
    )
    with op.batch_alter_table("hardship_assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hardship_assessment_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hardship_assessment_person_key"), ["person_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_hardship_assessment_student_id"), ["student_id"], unique=False)

    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("scope", sa.String(length=11), nullable=False),
        sa.Column("person_key", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("policy_code", sa.String(length=40), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("class_name", sa.String(length=30), nullable=True),
        sa.Column("village", sa.String(length=50), nullable=True),
        sa.Column("group_codes", sa.String(length=300), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "in_progress", "closed", name="problemstatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("still_present", sa.Boolean(), nullable=False),
        sa.Column("first_seen_on", sa.Date(), nullable=False),
        sa.Column("last_seen_on", sa.Date(), nullable=False),
        sa.Column("assigned_to", sa.String(length=60), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=60), nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_problem_student_id_student"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
        sa.UniqueConstraint("identity", name=op.f("uq_problem_identity")),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_person_key"), ["person_key"], unique=False)
        batch_op.create_index("ix_problem_scope_status", ["scope", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_student_id"), ["student_id"], unique=False)

    op.create_table(
        "problem_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problem.id"],
            name=op.f("fk_problem_note_problem_id_problem"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_note")),
    )
    with op.batch_alter_table("problem_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_note_problem_id"), ["problem_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("problem_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_note_problem_id"))

    op.drop_table("problem_note")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_student_id"))
        batch_op.drop_index("ix_problem_scope_status")
        batch_op.drop_index(batch_op.f("ix_problem_person_key"))
        batch_op.drop_index(batch_op.f("ix_problem_kind"))

    op.drop_table("problem")
    with op.batch_alter_table("hardship_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hardship_assessment_student_id"))
        batch_op.drop_index(batch_op.f("ix_hardship_assessment_person_key"))
        batch_op.drop_index(batch_op.f("ix_hardship_assessment_batch_id"))

    op.drop_table("hardship_assessment")
    op.drop_table("study_elsewhere")
