"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_entity"), ["entity"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("amount_rule", sa.JSON(), nullable=False),
        sa.Column("boarding", sa.String(length=8), nullable=False),
        sa.Column("eligible_groups", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("letter_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy")),
        sa.UniqueConstraint("code", name=op.f("uq_policy_code")),
    )
    op.create_table(
        "priority_group",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_priority_group")),
    )
    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("county", sa.String(length=50), nullable=True),
        sa.Column("township", sa.String(length=50), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school")),
        sa.UniqueConstraint("code", name=op.f("uq_school_code")),
    )
    op.create_table(
        "term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=11), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_term")),
        sa.UniqueConstraint("code", name=op.f("uq_term_code")),
    )
    op.create_table(
        "township",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_township")),
        sa.UniqueConstraint("name", name=op.f("uq_township_name")),
    )
    op.create_table(
        "group_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=30), nullable=False),
        sa.Column("group_code", sa.String(length=30), nullable=False),
        sa.Column(
            "source_kind",
            sa.Enum("roster", "list", "assessment", name="sourcekind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("source_label", sa.String(length=100), nullable=False),
        sa.Column("known_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["priority_group.code"],
            name=op.f("fk_group_membership_group_code_priority_group"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_membership")),
        sa.UniqueConstraint(
            "person_key",
            "group_code",
            "source_kind",
            "source_label",
            name=op.f("uq_group_membership_person_key"),
        ),
    )
    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_membership_group_code"), ["group_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_membership_person_key"), ["person_key"], unique=False)

    op.create_table(
        "village",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_village_township_id_township")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village")),
        sa.UniqueConstraint("township_id", "name", name=op.f("uq_village_township_id")),
    )
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_village_township_id"), ["township_id"], unique=False)

    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("household_no", sa.String(length=40), nullable=True),
        sa.Column("head_name", sa.String(length=50), nullable=False),
        sa.Column("head_id_number", sa.String(length=18), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_household_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
        sa.UniqueConstraint("village_id", "household_no", name=op.f("uq_household_village_id")),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_village_id"), ["village_id"], unique=False)

    op.create_table(
        "student",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=30), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("student_no", sa.String(length=30), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_pinyin", sa.String(length=120), nullable=False),
        sa.Column("name_initials", sa.String(length=30), nullable=False),
        sa.Column("sex", sa.String(length=2), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("ethnicity", sa.String(length=20), nullable=True),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("class_name", sa.String(length=30), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "enrolled",
                "transferred_out",
                "suspended",
                "dropped_out",
                "graduated",
                name="studentstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_on", sa.Date(), nullable=True),
        sa.Column("status_note", sa.String(length=200), nullable=True),
        sa.Column("boarding", sa.Boolean(), nullable=False),
        sa.Column("enrolled_on", sa.String(length=7), nullable=True),
        sa.Column("hukou_address", sa.String(length=200), nullable=True),
        sa.Column("hukou_township", sa.String(length=50), nullable=True),
        sa.Column("hukou_village", sa.String(length=50), nullable=True),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("current_address", sa.String(length=200), nullable=True),
        sa.Column("guardian_name", sa.String(length=50), nullable=True),
        sa.Column("guardian_relation", sa.String(length=20), nullable=True),
        sa.Column("guardian_phone", sa.String(length=30), nullable=True),
        sa.Column("bank_name", sa.String(length=50), nullable=True),
        sa.Column("bank_account", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_student_school_id_school")),
        sa.ForeignKeyConstraint(["village_id"], ["village.id"], name=op.f("fk_student_village_id_village")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student")),
        sa.UniqueConstraint("id_number", name=op.f("uq_student_id_number")),
        sa.UniqueConstraint("person_key", name=op.f("uq_student_person_key")),
        sa.UniqueConstraint("student_no", name=op.f("uq_student_student_no")),
    )
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.create_index("ix_student_grade_class", ["grade", "class_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_student_name_initials"), ["name_initials"], unique=False)
        batch_op.create_index(batch_op.f("ix_student_name_pinyin"), ["name_pinyin"], unique=False)
        batch_op.create_index(batch_op.f("ix_student_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_student_village_id"), ["village_id"], unique=False)

    op.create_table(
        "award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("batch", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(["policy_id"], ["policy.id"], name=op.f("fk_award_policy_id_policy")),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_award_student_id_student"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"], name=op.f("fk_award_term_id_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award")),
        sa.UniqueConstraint("student_id", "policy_id", "term_id", name=op.f("uq_award_student_id")),
    )
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_student_id"), ["student_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_term_id"), ["term_id"], unique=False)

    op.create_table(
        "household_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("person_key", sa.String(length=30), nullable=True),
        sa.Column("relation", sa.String(length=20), nullable=True),
        sa.Column("sex", sa.String(length=2), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("school_name", sa.String(length=100), nullable=True),
        sa.Column("schooling", sa.String(length=30), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_household_member_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["student.id"],
            name=op.f("fk_household_member_student_id_student"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_member")),
    )
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_member_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_member_id_number"), ["id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_member_person_key"), ["person_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_member_student_id"), ["student_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_member_student_id"))
        batch_op.drop_index(batch_op.f("ix_household_member_person_key"))
        batch_op.drop_index(batch_op.f("ix_household_member_id_number"))
        batch_op.drop_index(batch_op.f("ix_household_member_household_id"))

    op.drop_table("household_member")
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_term_id"))
        batch_op.drop_index(batch_op.f("ix_award_student_id"))
        batch_op.drop_index(batch_op.f("ix_award_policy_id"))

    op.drop_table("award")
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_village_id"))
        batch_op.drop_index(batch_op.f("ix_student_school_id"))
        batch_op.drop_index(batch_op.f("ix_student_name_pinyin"))
        batch_op.drop_index(batch_op.f("ix_student_name_initials"))
        batch_op.drop_index("ix_student_grade_class")

    op.drop_table("student")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_village_id"))

    op.drop_table("household")
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_village_township_id"))

    op.drop_table("village")
    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_membership_person_key"))
        batch_op.drop_index(batch_op.f("ix_group_membership_group_code"))

    op.drop_table("group_membership")
    op.drop_table("township")
    op.drop_table("term")
    op.drop_table("school")
    op.drop_table("priority_group")
    op.drop_table("policy")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_entity_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_entity"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
