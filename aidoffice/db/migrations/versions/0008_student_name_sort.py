"""student.name_sort: names in the order of a class roll (syllable by syllable, every 李 before every 刘),
filled for the students already there; the ledger's display-order index sorts by it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from aidoffice.domain.pinyin import sort_key

    op.add_column("student", sa.Column("name_sort", sa.String(length=160), server_default="", nullable=False))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name FROM student")).all()
    update = sa.text("UPDATE student SET name_sort = :key WHERE id = :id")
    for start in range(0, len(rows), 5000):
        conn.execute(update, [{"key": sort_key(name), "id": sid} for sid, name in rows[start : start + 5000]])
    op.create_index(op.f("ix_student_name_sort"), "student", ["name_sort"], unique=False)
    op.drop_index("ix_student_display_order", table_name="student")
    op.create_index(
        "ix_student_display_order",
        "student",
        ["grade", sa.text("length(class_name)"), "class_name", "name_sort", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_student_display_order", table_name="student")
    op.drop_index(op.f("ix_student_name_sort"), table_name="student")
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_column("name_sort")
    # after the batch above: SQLite rebuilds the table there and would not carry an expression index
    op.create_index(
        "ix_student_display_order",
        "student",
        ["grade", sa.text("length(class_name)"), "class_name", "name_pinyin", "id"],
        unique=False,
    )
