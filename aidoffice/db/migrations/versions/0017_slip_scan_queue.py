"""slip_scan and slip_scan_image: slips read from a scanned stack, registered or queued for the clerk,
with the straightened picture of each slip and of its 有异议 line

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slip_scan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=80), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=True),
        sa.Column("slip_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("read_answer", sa.String(length=10), nullable=True),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("note_ink", sa.Boolean(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
        sa.Column("scanned_by", sa.String(length=60), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["slip_id"], ["slip.id"], name=op.f("fk_slip_scan_slip_id_slip"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slip_scan")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_slip_scan_fingerprint")),
    )
    with op.batch_alter_table("slip_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slip_scan_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_slip_scan_slip_id"), ["slip_id"], unique=False)
        batch_op.create_index("ix_slip_scan_status", ["status"], unique=False)
    op.create_table(
        "slip_scan_image",
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["slip_scan.id"],
            name=op.f("fk_slip_scan_image_scan_id_slip_scan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scan_id", name=op.f("pk_slip_scan_image")),
    )


def downgrade() -> None:
    op.drop_table("slip_scan_image")
    with op.batch_alter_table("slip_scan", schema=None) as batch_op:
        batch_op.drop_index("ix_slip_scan_status")
        batch_op.drop_index(batch_op.f("ix_slip_scan_slip_id"))
        batch_op.drop_index(batch_op.f("ix_slip_scan_code"))
    op.drop_table("slip_scan")
