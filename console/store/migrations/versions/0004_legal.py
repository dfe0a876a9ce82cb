"""Legal requests: intake, documents, checklist, holds, productions and the disclosure log.

Revision ID: 0004_legal
Revises: 0003_requests
Depends on: 0002_records (holds and productions refer to imported records)
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_legal"
down_revision = "0003_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("jurisdiction", sa.String(length=200), nullable=False),
        sa.Column("case_number", sa.String(length=200), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("data_from", sa.Date(), nullable=True),
        sa.Column("data_to", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("emergency_justification", sa.Text(), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=32), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ndo", sa.Boolean(), nullable=False),
        sa.Column("ndo_until", sa.Date(), nullable=True),
        sa.Column("notice_decision", sa.String(length=16), nullable=True),
        sa.Column("notice_delay_until", sa.Date(), nullable=True),
        sa.Column("notice_given_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to"], ["users.id"], name=op.f("fk_legal_requests_assigned_to_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_legal_requests_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_legal_requests_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_requests")),
    )
    op.create_index(op.f("ix_legal_requests_country"), "legal_requests", ["country"], unique=False)
    op.create_index(op.f("ix_legal_requests_due_at"), "legal_requests", ["due_at"], unique=False)
    op.create_index(
        op.f("ix_legal_requests_process_type"), "legal_requests", ["process_type"], unique=False
    )
    op.create_index(
        op.f("ix_legal_requests_received_at"), "legal_requests", ["received_at"], unique=False
    )
    op.create_index(op.f("ix_legal_requests_status"), "legal_requests", ["status"], unique=False)
    op.create_table(
        "legal_checklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("checked_by", sa.String(length=64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["legal_requests.id"],
            name=op.f("fk_legal_checklist_request_id_legal_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_checklist")),
        sa.UniqueConstraint("request_id", "item_key", name=op.f("uq_legal_checklist_request_id")),
    )
    op.create_index(
        op.f("ix_legal_checklist_request_id"), "legal_checklist", ["request_id"], unique=False
    )
    op.create_table(
        "legal_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["legal_requests.id"],
            name=op.f("fk_legal_documents_request_id_legal_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_legal_documents_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_documents")),
    )
    op.create_index(
        op.f("ix_legal_documents_request_id"), "legal_documents", ["request_id"], unique=False
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=False),
        sa.Column("release_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["legal_requests.id"],
            name=op.f("fk_legal_holds_request_id_legal_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index(op.f("ix_legal_holds_request_id"), "legal_holds", ["request_id"], unique=False)
    op.create_index(op.f("ix_legal_holds_until"), "legal_holds", ["until"], unique=False)
    op.create_table(
        "legal_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=400), nullable=False),
        sa.Column("seen_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_to", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["legal_requests.id"],
            name=op.f("fk_legal_identifiers_request_id_legal_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_identifiers")),
    )
    op.create_index(
        op.f("ix_legal_identifiers_request_id"), "legal_identifiers", ["request_id"], unique=False
    )
    op.create_index(
        op.f("ix_legal_identifiers_value"), "legal_identifiers", ["value"], unique=False
    )
    op.create_table(
        "legal_productions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("produced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("produced_by", sa.String(length=64), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["legal_requests.id"],
            name=op.f("fk_legal_productions_request_id_legal_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_productions")),
        sa.UniqueConstraint("first_number", name=op.f("uq_legal_productions_first_number")),
        sa.UniqueConstraint("last_number", name=op.f("uq_legal_productions_last_number")),
    )
    op.create_index(
        op.f("ix_legal_productions_request_id"), "legal_productions", ["request_id"], unique=False
    )
    op.create_table(
        "legal_disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=True),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.String(length=400), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["legal_productions.id"],
            name=op.f("fk_legal_disclosures_production_id_legal_productions"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["legal_requests.id"],
            name=op.f("fk_legal_disclosures_request_id_legal_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_disclosures")),
    )
    op.create_index(
        op.f("ix_legal_disclosures_disclosed_at"),
        "legal_disclosures",
        ["disclosed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_legal_disclosures_request_id"), "legal_disclosures", ["request_id"], unique=False
    )
    op.create_table(
        "legal_production_items",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_id"],
            ["legal_productions.id"],
            name=op.f("fk_legal_production_items_production_id_legal_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_legal_production_items")),
    )
    op.create_index(
        op.f("ix_legal_production_items_production_id"),
        "legal_production_items",
        ["production_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_legal_production_items_record_id"),
        "legal_production_items",
        ["record_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_legal_production_items_record_id"), table_name="legal_production_items")
    op.drop_index(
        op.f("ix_legal_production_items_production_id"), table_name="legal_production_items"
    )
    op.drop_table("legal_production_items")
    op.drop_index(op.f("ix_legal_disclosures_request_id"), table_name="legal_disclosures")
    op.drop_index(op.f("ix_legal_disclosures_disclosed_at"), table_name="legal_disclosures")
    op.drop_table("legal_disclosures")
    op.drop_index(op.f("ix_legal_productions_request_id"), table_name="legal_productions")
    op.drop_table("legal_productions")
    op.drop_index(op.f("ix_legal_identifiers_value"), table_name="legal_identifiers")
    op.drop_index(op.f("ix_legal_identifiers_request_id"), table_name="legal_identifiers")
    op.drop_table("legal_identifiers")
    op.drop_index(op.f("ix_legal_holds_until"), table_name="legal_holds")
    op.drop_index(op.f("ix_legal_holds_request_id"), table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_index(op.f("ix_legal_documents_request_id"), table_name="legal_documents")
    op.drop_table("legal_documents")
    op.drop_index(op.f("ix_legal_checklist_request_id"), table_name="legal_checklist")
    op.drop_table("legal_checklist")
    op.drop_index(op.f("ix_legal_requests_status"), table_name="legal_requests")
    op.drop_index(op.f("ix_legal_requests_received_at"), table_name="legal_requests")
    op.drop_index(op.f("ix_legal_requests_process_type"), table_name="legal_requests")
    op.drop_index(op.f("ix_legal_requests_due_at"), table_name="legal_requests")
    op.drop_index(op.f("ix_legal_requests_country"), table_name="legal_requests")
    op.drop_table("legal_requests")
