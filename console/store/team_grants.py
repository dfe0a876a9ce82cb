"""Team mode: which table privileges each console role's group role holds, from the permission matrix.

A group role gets the union of what its permissions need (MATRIX in console.domain.permissions),
so the database refuses what the console refuses. Nobody gets TRUNCATE, ownership, or any write
on the audit trail, the accounts or the team set-up: those change only through the definer
functions of console.store.team_sql.
"""

from __future__ import annotations

from collections.abc import Mapping

from console.domain.permissions import MATRIX, Permission, Role

SELECT, INSERT, UPDATE, DELETE = "SELECT", "INSERT", "UPDATE", "DELETE"


def columns(*names: str) -> str:
    """SELECT on these columns only (a privilege like any other in the maps below)."""
    return f"SELECT ({', '.join(names)})"


# The accounts as every desk may read them: everything but the (unused in team mode) hash.
USER_COLUMNS = columns(
    "id",
    "name",
    "full_name",
    "role",
    "must_change_password",
    "active",
    "failed_logins",
    "retry_after",
    "last_login_at",
    "created_at",
    "version",
    "password_expires_at",
)

# What every desk reads whatever its role: the schema revision, the team set-up, the
# organisation's settings, the policy pack, the accounts (VIEW_USERS is every role's) and the
# audit trail (VIEW_AUDIT is every role's).
BASE: Mapping[str, tuple[str, ...]] = {
    "alembic_version": (SELECT,),
    "team_setup": (SELECT,),
    "settings": (SELECT,),
    "policy_packs": (SELECT,),
    "audit_events": (SELECT,),
    "users": (USER_COLUMNS,),
}

_DSR_TABLES = ("dsr_requests", "dsr_identifiers", "dsr_clock_entries", "dsr_tasks", "dsr_records")
_LEGAL_TABLES = (
    "legal_requests",
    "legal_identifiers",
    "legal_checklist",
    "legal_documents",
    "legal_holds",
    "legal_productions",
    "legal_production_items",
    "legal_disclosures",
)
_RECORD_TABLES = ("records", "record_identifiers", "record_holds", "record_tombstones")


def _all(tables: tuple[str, ...], *privileges: str) -> dict[str, tuple[str, ...]]:
    return {t: privileges for t in tables}


# Permission -> table -> privileges its services use, and no more (rows of requests, legal
# matters and sources are never deleted; their children go by ON DELETE CASCADE, which runs as
# the owner). A permission not listed needs no table: accounts change through the definer
# functions, backups are SQLite-only, and no service writes the settings table.
NEEDS: Mapping[Permission, Mapping[str, tuple[str, ...]]] = {
    Permission.MANAGE_POLICY: {"policy_packs": (INSERT,)},
    Permission.VIEW_SOURCES: {
        # Counting a source's records reads no personal data: not its values, only its keys.
        "sources": (SELECT,),
        "import_batches": (SELECT,),
        "records": (columns("id", "source_id", "batch_id", "erased_at"),),
    },
    Permission.MANAGE_SOURCES: {"sources": (INSERT, UPDATE)},
    Permission.IMPORT_RECORDS: {
        # Imports lock their source and batch rows (FOR UPDATE needs UPDATE).
        "sources": (UPDATE,),
        "import_batches": (INSERT, UPDATE),
        "records": (INSERT,),
        "record_identifiers": (SELECT, INSERT),
        "suppressions": (SELECT,),
        "record_tombstones": (SELECT,),
    },
    Permission.UNDO_IMPORT: {
        "import_batches": (UPDATE,),
        **_all(("records", "record_identifiers"), SELECT, DELETE),
        "record_holds": (SELECT, DELETE),
    },
    Permission.SEARCH_RECORDS: {
        **_all(_RECORD_TABLES, SELECT),
        "sources": (SELECT,),
        "import_batches": (SELECT,),
        "legal_holds": (SELECT,),
        "legal_requests": (SELECT,),
    },
    Permission.VIEW_DSR: {
        **_all(_DSR_TABLES, SELECT),
        "dsr_redactions": (SELECT,),
        "suppressions": (SELECT,),
    },
    Permission.MANAGE_DSR: {
        **_all(_DSR_TABLES, SELECT, INSERT, UPDATE),
        # A redaction for a package is withdrawn by deleting it (the audit trail keeps both).
        "dsr_redactions": (SELECT, INSERT, UPDATE, DELETE),
    },
    Permission.FULFIL_DSR: {
        **_all(_DSR_TABLES, SELECT, INSERT, UPDATE),
        "records": (SELECT, UPDATE),
        "record_identifiers": (SELECT, DELETE, INSERT),
        "record_holds": (SELECT,),
        "record_tombstones": (SELECT, INSERT),
        "suppressions": (SELECT, INSERT),
    },
    Permission.VIEW_LEGAL: {**_all(_LEGAL_TABLES, SELECT), "record_holds": (SELECT,)},
    Permission.MANAGE_LEGAL: {
        **_all(
            ("legal_requests", "legal_identifiers", "legal_checklist", "legal_documents"),
            SELECT,
            INSERT,
            UPDATE,
        ),
    },
    Permission.DECIDE_LEGAL: _all(("legal_requests", "legal_checklist"), SELECT, INSERT, UPDATE),
    Permission.MANAGE_HOLDS: {
        "legal_holds": (SELECT, INSERT, UPDATE),
        "record_holds": (SELECT, INSERT, UPDATE),
        "legal_requests": (SELECT, UPDATE),
    },
    Permission.PRODUCE_LEGAL: {
        **_all(
            ("legal_productions", "legal_production_items", "legal_disclosures"), SELECT, INSERT
        ),
        "legal_requests": (SELECT, UPDATE),
        "records": (SELECT,),
        "record_identifiers": (SELECT,),
    },
    Permission.EXPORT_PERSONAL_DATA: _all(_RECORD_TABLES, SELECT),
}

# Tables no desk reads at all: the installation's HMAC key is used only by the definer function
# console_keyed_hash, so a desk (the auditor included) can hash a text but never learn the key.
UNREADABLE = frozenset({"installation_keys"})

# Tables that no desk ever writes directly, whatever NEEDS says.
NEVER_WRITTEN = frozenset({"audit_events", "users", "team_setup", "alembic_version"})


def table_privileges(role: Role) -> dict[str, tuple[str, ...]]:
    """The table privileges of a role's group: BASE plus what each of its permissions needs."""
    granted: dict[str, set[str]] = {t: set(p) for t, p in BASE.items()}
    for permission in MATRIX[role]:
        for table, privileges in NEEDS.get(permission, {}).items():
            granted.setdefault(table, set()).update(privileges)
    for table in NEVER_WRITTEN & granted.keys():
        granted[table] = {p for p in granted[table] if p.startswith(SELECT)}
    for privs in granted.values():
        if SELECT in privs:  # the whole row is readable: column lists add nothing
            privs.difference_update({p for p in privs if p.startswith("SELECT (")})
    order = {SELECT: 0, INSERT: 1, UPDATE: 2, DELETE: 3}
    return {
        t: tuple(sorted(privs, key=lambda p: (order.get(p, 0), p)))
        for t, privs in sorted(granted.items())
    }


def writes_sequences(role: Role) -> bool:
    """Whether the group inserts rows anywhere (and so needs the id sequences)."""
    return any(INSERT in p for p in table_privileges(role).values())
