"""Data-subject requests: requests, identifiers, clock ledger, tasks, attached records.

Revision ID: 0003_requests
Revises: 0002_records
Depends on: 0002_records (attached records reference the records table)
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_requests"
down_revision = "0002_records"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "dsr_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_type", sa.String(32), nullable=False),
        sa.Column("law", sa.String(16), nullable=False),
        sa.Column("country", sa.String(16), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("requester_name", sa.String(200), nullable=False),
        sa.Column("requester_address", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("original_due_on", sa.Date(), nullable=False),
        sa.Column("acknowledge_by", sa.Date(), nullable=True),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("denial_reason", sa.String(64), nullable=True),
        sa.Column("denial_text", sa.Text(), nullable=False),
        sa.Column("identity_method", sa.String(64), nullable=True),
        sa.Column("identity_evidence", sa.String(200), nullable=True),
        sa.Column("identity_verified_by", sa.String(64), nullable=True),
        sa.Column("identity_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("policy_version", sa.String(80), nullable=True),
        sa.Column("fulfilment", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_dsr_requests_assignee_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_requests")),
    )
    op.create_index(op.f("ix_dsr_requests_law"), "dsr_requests", ["law"])
    op.create_index(op.f("ix_dsr_requests_received_on"), "dsr_requests", ["received_on"])
    op.create_index(op.f("ix_dsr_requests_due_on"), "dsr_requests", ["due_on"])
    op.create_index(
        "ix_dsr_requests_status_due", "dsr_requests", ["status", "due_on", "paused_since"]
    )
    op.create_index("ix_dsr_requests_status_type", "dsr_requests", ["status", "request_type"])

    op.create_table(
        "dsr_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("normalised", sa.String(320), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.id"],
            ondelete="CASCADE",
            name=op.f("fk_dsr_identifiers_request_id_dsr_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_identifiers")),
    )
    op.create_index(op.f("ix_dsr_identifiers_request_id"), "dsr_identifiers", ["request_id"])
    op.create_index(op.f("ix_dsr_identifiers_normalised"), "dsr_identifiers", ["normalised"])

    op.create_table(
        "dsr_clock_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("requester_told_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.id"],
            ondelete="CASCADE",
            name=op.f("fk_dsr_clock_entries_request_id_dsr_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_clock_entries")),
        sa.UniqueConstraint("request_id", "position", name=op.f("uq_dsr_clock_entries_request_id")),
    )

    op.create_table(
        "dsr_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.id"],
            ondelete="CASCADE",
            name=op.f("fk_dsr_tasks_request_id_dsr_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_dsr_tasks_assignee_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_tasks")),
    )
    op.create_index(op.f("ix_dsr_tasks_request_id"), "dsr_tasks", ["request_id"])

    op.create_table(
        "dsr_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("link", sa.String(16), nullable=False),
        sa.Column("via", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("outcome_detail", sa.Text(), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.id"],
            ondelete="CASCADE",
            name=op.f("fk_dsr_records_request_id_dsr_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_dsr_records_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_records")),
        sa.UniqueConstraint("request_id", "record_id", name=op.f("uq_dsr_records_request_id")),
    )
    op.create_index(op.f("ix_dsr_records_record_id"), "dsr_records", ["record_id"])


def downgrade() -> None:
    op.drop_table("dsr_records")
    op.drop_table("dsr_tasks")
    op.drop_table("dsr_clock_entries")
    op.drop_table("dsr_identifiers")
    op.drop_table("dsr_requests")
