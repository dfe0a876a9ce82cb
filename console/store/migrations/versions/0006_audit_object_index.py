"""An index on the audit trail's object, for the history of one request, legal matter or record.

Revision ID: 0006_audit_object_index
Revises: 0005_slim_records

A request's or a legal matter's history page reads that object's events; without an index each
opening read the whole trail (every search and import of the office adds to it).
"""

from alembic import op

revision = "0006_audit_object_index"
down_revision = "0005_slim_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_object", "audit_events", ["object_type", "object_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_object", table_name="audit_events")
