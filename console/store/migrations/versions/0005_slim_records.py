"""Records keep their identifiers in record_identifiers only (no JSON copy in every row).

Revision ID: 0005_slim_records
Revises: 0004_legal

The copy doubled what a big import writes; every reader now takes a record's identifiers from
record_identifiers by its primary key (record_id, column).
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0005_slim_records"
down_revision = "0004_legal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ALTER TABLE ... DROP COLUMN: PostgreSQL, and SQLite from 3.35 (2021).
    op.drop_column("records", "identifiers_json")


def downgrade() -> None:
    op.add_column(
        "records",
        sa.Column("identifiers_json", sa.Text(), nullable=False, server_default="[]"),
    )
    conn = op.get_bind()
    found: dict[int, list[list[str]]] = {}
    for rid, kind, value, column in conn.execute(
        sa.text(
            'SELECT record_id, kind, value, "column" FROM record_identifiers '
            'ORDER BY record_id, "column"'
        )
    ):
        found.setdefault(rid, []).append([kind, value, column])
    for rid, triples in found.items():
        conn.execute(
            sa.text("UPDATE records SET identifiers_json = :j WHERE id = :id"),
            {"j": json.dumps(triples, ensure_ascii=False), "id": rid},
        )
