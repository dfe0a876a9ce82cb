"""A per-installation key for the audit trail's keyed hashes (HMAC-SHA256) of what users type.

Revision ID: 0008_keyed_hashes
Revises: 0007_accounts_and_team

Searches, identifiers and report queries are kept in the trail as HMACs under this key instead
of as text (or as plain SHA-256, which anyone can reverse for an e-mail address by trying
candidates). On PostgreSQL, console_keyed_hash() computes the HMAC on the server as SECURITY
DEFINER, so team mode can withhold the key itself from every desk role.
"""

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008_keyed_hashes"
down_revision = "0007_accounts_and_team"
branch_labels = None
depends_on = None

# HMAC-SHA256 (RFC 2104) with PostgreSQL's built-in sha256(): no extension needed. The key is
# 32 bytes, shorter than SHA-256's 64-byte block, so it is zero-padded, never hashed first.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION console_keyed_hash(message text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    k bytea;
    ipad bytea;
    opad bytea;
BEGIN
    SELECT key INTO STRICT k FROM installation_keys WHERE name = 'audit-hmac';
    k := k || decode(repeat('00', 64 - length(k)), 'hex');
    ipad := k;
    opad := k;
    FOR i IN 0..63 LOOP
        ipad := set_byte(ipad, i, get_byte(k, i) # 54);
        opad := set_byte(opad, i, get_byte(k, i) # 92);
    END LOOP;
    RETURN encode(sha256(opad || sha256(ipad || convert_to(message, 'UTF8'))), 'hex');
END
$$
"""


def upgrade() -> None:
    table = op.create_table(
        "installation_keys",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_installation_keys")),
    )
    op.bulk_insert(
        table, [{"name": "audit-hmac", "key": os.urandom(32), "created_at": datetime.now(UTC)}]
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        op.execute(_PG_FUNCTION.format(schema=quoted))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS console_keyed_hash(text)")
    op.drop_table("installation_keys")
