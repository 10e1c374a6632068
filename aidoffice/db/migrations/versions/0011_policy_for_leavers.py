"""policy.for_leavers: a policy for the leaving class of its stage about the stage after it (新生入学资助
for 高三 going to university): the letters show it under the next stage's policies of that stage's
leaving class only, never among the stage's own policies nor on an earlier stage's letter

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("policy", sa.Column("for_leavers", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_column("for_leavers")
