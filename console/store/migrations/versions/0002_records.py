"""Records: sources, import batches, records, identifiers, holds, suppressions, tombstones, text index.

Revision ID: 0002_records
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_records"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

# The text index is outside the models' metadata (console.store.search_backend owns it).
_SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE records_fts USING fts5(search_text, content='records', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2')",
]
# The search text's own tokens (already folded in Python) as lexemes, no parser in between, kept
# in a generated column (a scan that filters on it does not rebuild it per row) with a GIN index;
# a token is cut to 500 characters (a lexeme holds at most 2047 bytes). The same expression is in
# console.store.search_backend.
_PG_INDEX = [
    "ALTER TABLE records ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ("
    "array_to_tsvector(string_to_array(btrim(CASE WHEN length(search_text) <= 500 "
    "THEN search_text ELSE regexp_replace(search_text, '(\\S{500})\\S+', '\\1', 'g') END), ' '))"
    ") STORED",
    "CREATE INDEX ix_records_search_tsv ON records USING gin (search_tsv)",
]


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("retention", sa.String(200), nullable=False),
        sa.Column("default_region", sa.String(2), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(400), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("file_format", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_duplicate", sa.Integer(), nullable=False),
        sa.Column("rows_suppressed", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("by_user", sa.String(64), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_import_batches_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_index(op.f("ix_import_batches_source_id"), "import_batches", ["source_id"])
    op.create_index(op.f("ix_import_batches_file_sha256"), "import_batches", ["file_sha256"])
    op.create_table(
        "records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dedupe_key", sa.BigInteger(), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.Column("categories_json", sa.Text(), nullable=False),
        sa.Column("identifiers_json", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_ref", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_records_batch_id_import_batches")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_records_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("source_id", "dedupe_key", name=op.f("uq_records_source_id")),
    )
    op.create_index(op.f("ix_records_batch_id"), "records", ["batch_id"])
    op.create_table(
        "record_identifiers",
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("column", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("value", sa.String(400), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            ondelete="CASCADE",
            name=op.f("fk_record_identifiers_record_id_records"),
        ),
        sa.PrimaryKeyConstraint("record_id", "column", name=op.f("pk_record_identifiers")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_record_identifiers_key", "record_identifiers", ["key"])
    op.create_table(
        "record_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("hold_ref", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(400), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            ondelete="CASCADE",
            name=op.f("fk_record_holds_record_id_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_holds")),
        sa.UniqueConstraint("record_id", "hold_ref", name=op.f("uq_record_holds_record_id")),
    )
    op.create_index(op.f("ix_record_holds_record_id"), "record_holds", ["record_id"])
    op.create_index(op.f("ix_record_holds_hold_ref"), "record_holds", ["hold_ref"])
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("reason", sa.String(400), nullable=False),
        sa.Column("request_ref", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressions")),
        sa.UniqueConstraint("digest", name=op.f("uq_suppressions_digest")),
    )
    op.create_table(
        "record_tombstones",
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("identifier_digests", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(400), nullable=False),
        sa.Column("request_ref", sa.String(100), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_record_tombstones_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_record_tombstones_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_record_tombstones")),
    )
    statements = _SQLITE_INDEX if op.get_bind().dialect.name == "sqlite" else _PG_INDEX
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS records_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_records_search_tsv")
        op.execute("ALTER TABLE records DROP COLUMN IF EXISTS search_tsv")
    op.drop_table("record_tombstones")
    op.drop_table("suppressions")
    op.drop_index(op.f("ix_record_holds_hold_ref"), table_name="record_holds")
    op.drop_index(op.f("ix_record_holds_record_id"), table_name="record_holds")
    op.drop_table("record_holds")
    op.drop_index("ix_record_identifiers_key", table_name="record_identifiers")
    op.drop_table("record_identifiers")
    op.drop_index(op.f("ix_records_batch_id"), table_name="records")
    op.drop_table("records")
    op.drop_index(op.f("ix_import_batches_file_sha256"), table_name="import_batches")
    op.drop_index(op.f("ix_import_batches_source_id"), table_name="import_batches")
    op.drop_table("import_batches")
    op.drop_table("sources")
