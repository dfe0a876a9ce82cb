"""Record review on requests, redactions for access packages, and the scope of productions.

Revision ID: 0009_review_and_scope
Revises: 0008_keyed_hashes

A record attached to a data-subject request is now confirmed, excluded or awaiting review: what
leaves the console holds only confirmed records. Records attached before this revision keep what
their link said: a strong link is confirmed; a possible match (name, address, IP or order id
only) awaits review, because nobody has yet said it is this person.

A production now keeps the scope it was cut to (identifiers, categories, dates), any override of
it with the reason, and for each numbered item the identifier and categories that brought it in.
Productions made before this revision keep an empty scope: they were made before scoping.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_review_and_scope"
down_revision = "0008_keyed_hashes"
branch_labels = None
depends_on = None

_RECORD_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("dsr_records") as batch:
        batch.add_column(
            sa.Column("review", sa.String(length=16), nullable=False, server_default="awaiting")
        )
        batch.add_column(sa.Column("review_note", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("reviewed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE dsr_records SET review = 'confirmed' WHERE link = 'strong'")
    op.execute("UPDATE dsr_records SET review = 'awaiting' WHERE link <> 'strong'")

    op.create_table(
        "dsr_redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("record_id", _RECORD_ID, nullable=False),
        sa.Column("column", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("redacted_by", sa.String(length=64), nullable=False),
        sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.id"],
            name=op.f("fk_dsr_redactions_request_id_dsr_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_dsr_redactions_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_redactions")),
        sa.UniqueConstraint(
            "request_id", "record_id", "column", name=op.f("uq_dsr_redactions_request_id")
        ),
    )

    with op.batch_alter_table("legal_productions") as batch:
        batch.add_column(sa.Column("scope", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("override_reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("legal_production_items") as batch:
        batch.add_column(sa.Column("matched", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("categories", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("legal_production_items") as batch:
        batch.drop_column("categories")
        batch.drop_column("matched")
    with op.batch_alter_table("legal_productions") as batch:
        batch.drop_column("override_reason")
        batch.drop_column("scope")
    op.drop_table("dsr_redactions")
    with op.batch_alter_table("dsr_records") as batch:
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by")
        batch.drop_column("review_note")
        batch.drop_column("review")
