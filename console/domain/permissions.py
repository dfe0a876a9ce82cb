"""Roles and the permission matrix: which role may do what. Services check it; the UI only mirrors it."""

from __future__ import annotations

from enum import StrEnum

from console.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"
    LEGAL = "legal"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.PRIVACY_OFFICER: "Privacy officer",
    Role.LEGAL: "Legal reviewer",
    Role.AUDITOR: "Auditor (read-only)",
}


class Permission(StrEnum):
    # Accounts and system
    MANAGE_USERS = "users.manage"
    VIEW_USERS = "users.view"
    MANAGE_SETTINGS = "settings.manage"
    BACKUP = "system.backup"
    # Audit trail
    VIEW_AUDIT = "audit.view"
    VERIFY_AUDIT = "audit.verify"
    # Policy pack
    VIEW_POLICY = "policy.view"
    MANAGE_POLICY = "policy.manage"
    # Sources and records (personal data)
    VIEW_SOURCES = "sources.view"
    MANAGE_SOURCES = "sources.manage"
    IMPORT_RECORDS = "records.import"
    UNDO_IMPORT = "records.undo_import"
    SEARCH_RECORDS = "records.search"
    # Data-subject requests
    VIEW_DSR = "dsr.view"
    MANAGE_DSR = "dsr.manage"
    FULFIL_DSR = "dsr.fulfil"
    # Legal requests
    VIEW_LEGAL = "legal.view"
    MANAGE_LEGAL = "legal.manage"
    DECIDE_LEGAL = "legal.decide"
    MANAGE_HOLDS = "legal.holds"
    # Releasing preserved evidence is a legal decision: legal reviewers only, never an admin.
    RELEASE_HOLDS = "legal.holds_release"
    PRODUCE_LEGAL = "legal.produce"
    # Reports
    EXPORT_REPORTS = "reports.export"
    EXPORT_PERSONAL_DATA = "reports.export_personal"

    @property
    def label(self) -> str:
        """What the permission allows, to finish "it takes permission to …"."""
        return _PERMISSION_LABELS[self]


_PERMISSION_LABELS = {
    Permission.MANAGE_USERS: "manage user accounts",
    Permission.VIEW_USERS: "see user accounts",
    Permission.MANAGE_SETTINGS: "change the settings",
    Permission.BACKUP: "make and restore backups",
    Permission.VIEW_AUDIT: "read the audit trail",
    Permission.VERIFY_AUDIT: "verify the audit trail",
    Permission.VIEW_POLICY: "read the policy pack",
    Permission.MANAGE_POLICY: "install policy packs",
    Permission.VIEW_SOURCES: "see the sources",
    Permission.MANAGE_SOURCES: "manage sources",
    Permission.IMPORT_RECORDS: "import records",
    Permission.UNDO_IMPORT: "undo imports",
    Permission.SEARCH_RECORDS: "search personal data",
    Permission.VIEW_DSR: "see data-subject requests",
    Permission.MANAGE_DSR: "work on data-subject requests",
    Permission.FULFIL_DSR: "fulfil data-subject requests",
    Permission.VIEW_LEGAL: "see legal requests",
    Permission.MANAGE_LEGAL: "manage legal requests",
    Permission.DECIDE_LEGAL: "decide legal requests",
    Permission.MANAGE_HOLDS: "place and renew legal holds",
    Permission.RELEASE_HOLDS: "release legal holds (a legal decision)",
    Permission.PRODUCE_LEGAL: "make productions and disclosures",
    Permission.EXPORT_REPORTS: "export reports",
    Permission.EXPORT_PERSONAL_DATA: "export personal data",
}


def denied_message(who: str, permission: Permission) -> str:
    """The one message for an action a role may not take."""
    return f"{who} may not do this: it takes permission to {permission.label}."


_READ = {
    Permission.VIEW_AUDIT,
    Permission.VERIFY_AUDIT,
    Permission.VIEW_POLICY,
    Permission.VIEW_SOURCES,
    Permission.VIEW_DSR,
    Permission.VIEW_LEGAL,
    Permission.EXPORT_REPORTS,
}

MATRIX: dict[Role, frozenset[Permission]] = {
    # Admins run the installation; they see everything but decide no legal matter.
    Role.ADMIN: frozenset(Permission)
    - {Permission.DECIDE_LEGAL, Permission.PRODUCE_LEGAL, Permission.RELEASE_HOLDS},
    Role.PRIVACY_OFFICER: frozenset(
        _READ
        | {
            Permission.VIEW_USERS,
            Permission.MANAGE_SOURCES,
            Permission.IMPORT_RECORDS,
            Permission.UNDO_IMPORT,
            Permission.SEARCH_RECORDS,
            Permission.MANAGE_DSR,
            Permission.FULFIL_DSR,
            Permission.EXPORT_PERSONAL_DATA,
        }
    ),
    Role.LEGAL: frozenset(
        _READ
        | {
            Permission.VIEW_USERS,
            Permission.SEARCH_RECORDS,
            Permission.MANAGE_LEGAL,
            Permission.DECIDE_LEGAL,
            Permission.MANAGE_HOLDS,
            Permission.RELEASE_HOLDS,
            Permission.PRODUCE_LEGAL,
            Permission.EXPORT_PERSONAL_DATA,
        }
    ),
    # Auditors read and verify; they change nothing and take no personal data away.
    Role.AUDITOR: frozenset(_READ | {Permission.VIEW_USERS}),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in MATRIX[role]


def require(role: Role, permission: Permission, *, user: str = "") -> None:
    """Raise PermissionDenied unless the role holds the permission."""
    if permission not in MATRIX[role]:
        who = f"{user} ({role.label})" if user else role.label
        raise PermissionDenied(denied_message(who, permission))


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise PermissionDenied(f"Unknown role '{text}'. Roles: {choices}.") from None
