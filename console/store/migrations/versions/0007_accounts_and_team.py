"""One-time passwords expire; team mode on PostgreSQL records how it was set up.

Revision ID: 0007_accounts_and_team
Revises: 0006_audit_object_index

users.password_expires_at: a one-time password (new account, reset) stops working after the
time the site configuration sets (72 h by default); an own password never expires (NULL).
team_setup: one row, written by `privacy-console team setup` on PostgreSQL only (the owner
role, the prefix of the group roles); its presence is what makes a database run in team mode.
PostgreSQL: TRUNCATE of the audit trail is refused too (row triggers do not see it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_accounts_and_team"
down_revision = "0006_audit_object_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("password_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "team_setup",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(63), nullable=False),
        sa.Column("role_prefix", sa.String(40), nullable=False),
        sa.Column("set_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_setup")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.drop_table("team_setup")
    op.drop_column("users", "password_expires_at")
