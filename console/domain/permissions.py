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
    PRODUCE_LEGAL = "legal.produce"
    # Reports
    EXPORT_REPORTS = "reports.export"
    EXPORT_PERSONAL_DATA = "reports.export_personal"


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
    Role.ADMIN: frozenset(Permission) - {Permission.DECIDE_LEGAL, Permission.PRODUCE_LEGAL},
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
        raise PermissionDenied(
            f"{who} may not do this: it needs the '{permission.value}' permission."
        )


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise PermissionDenied(f"Unknown role '{text}'. Roles: {choices}.") from None
