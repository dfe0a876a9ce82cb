"""Clock entries name UK GDPR Art. 12A's events (identity, fee, clarification asked or received).

Revision ID: 0010_clock_entry_kinds
Revises: 0009_review_and_scope

'clarification_requested' is 23 characters: the kind column grows from 16 to 32, so PostgreSQL
keeps it (SQLite never enforced the length). Stored entries are unchanged.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_clock_entry_kinds"
down_revision = "0009_review_and_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dsr_clock_entries") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=16), type_=sa.String(length=32))


def downgrade() -> None:
    with op.batch_alter_table("dsr_clock_entries") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=32), type_=sa.String(length=16))
