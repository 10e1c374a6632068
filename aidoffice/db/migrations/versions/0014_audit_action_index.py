"""audit_entry (action, entity_id): sign-in replays one account's sealed account entries, and `check`
the security settings, without reading the whole trail; single-clerk mode leaves the database (it is
kept on the computer now: aidoffice.safety.accounts moves the old row there when the trail explains it)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06
"""

from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_entry_action_entity", "audit_entry", ["action", "entity_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_entry_action_entity", table_name="audit_entry")
