"""Team mode on PostgreSQL at run time: each desk is its own database role, and what the server
must vouch for (the audit chain, accounts) goes through the definer functions of team_sql.

A database is in team mode once `privacy-console team setup` has written its team_setup row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from console.domain.permissions import Role
from console.errors import PermissionDenied, ValidationError
from console.store import team_sql

DEFAULT_PREFIX = "console_"
GROUP_SUFFIXES = {
    Role.ADMIN: "admin",
    Role.PRIVACY_OFFICER: "officer",
    Role.LEGAL: "legal",
    Role.AUDITOR: "auditor",
}


@dataclass(frozen=True)
class TeamInfo:
    owner: str
    role_prefix: str

    def groups(self) -> dict[Role, str]:
        return group_names(self.role_prefix)


def group_names(prefix: str) -> dict[Role, str]:
    return {role: prefix + suffix for role, suffix in GROUP_SUFFIXES.items()}


@dataclass(frozen=True)
class Account:
    """The signed-in desk's own account, as the server sees it (console_whoami)."""

    id: int
    name: str
    role: Role
    active: bool
    must_change_password: bool
    password_expires_at: datetime | None


class TeamConflict(Exception):
    """The server found the object changed since the desk read it (CP409)."""


def read_setup(conn: Connection) -> TeamInfo | None:
    """The team set-up of a PostgreSQL database at this build's schema, or None (not set up)."""
    row = conn.execute(text("SELECT owner, role_prefix FROM team_setup WHERE id = 1")).first()
    return TeamInfo(row[0], row[1]) if row else None


@contextmanager
def server_errors() -> Iterator[None]:
    """Turn the definer functions' refusals (our SQLSTATEs) into the console's known errors."""
    try:
        yield
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        message = _server_message(exc)
        if state == team_sql.DENIED:
            raise PermissionDenied(message) from None
        if state == team_sql.INVALID:
            raise ValidationError(message) from None
        if state == team_sql.CONFLICT:
            raise TeamConflict(message) from None
        raise


def _server_message(exc: DBAPIError) -> str:
    diag = getattr(exc.orig, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return str(primary or exc.orig).strip()


def _call(session: Session | Connection, sql: str, **params: Any) -> Any:
    with server_errors():
        return session.execute(text(sql), params).scalar()


def append(session: Session, *, action: str, object_type: str, object_id: str, details: str) -> int:
    """Append an event as the signed-in desk; the server numbers, times, links and signs it."""
    return int(
        _call(
            session,
            "SELECT console_audit_append(:action, :object_type, :object_id, :details)",
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )
    )


def whoami(session: Session | Connection) -> Account | None:
    with server_errors():
        row = session.execute(
            text(
                "SELECT id, name, role, active, must_change_password, password_expires_at "
                "FROM console_whoami()"
            )
        ).first()
    if row is None:
        return None
    return Account(int(row[0]), row[1], Role(row[2]), bool(row[3]), bool(row[4]), row[5])


def signed_in(session: Session) -> None:
    _call(session, "SELECT console_signed_in()")


def add_user(
    session: Session,
    *,
    name: str,
    full_name: str,
    role: Role,
    verifier: str,
    valid_until: datetime,
) -> int:
    return int(
        _call(
            session,
            "SELECT console_user_add(:name, :full_name, :role, :verifier, :valid_until)",
            name=name,
            full_name=full_name,
            role=role.value,
            verifier=verifier,
            valid_until=valid_until,
        )
    )


def set_role(session: Session, user_id: int, role: Role, expected_version: int | None) -> None:
    _call(
        session,
        "SELECT console_user_set_role(:id, :role, :version)",
        id=user_id,
        role=role.value,
        version=expected_version,
    )


def set_active(session: Session, user_id: int, active: bool, expected_version: int | None) -> None:
    _call(
        session,
        "SELECT console_user_set_active(:id, :active, :version)",
        id=user_id,
        active=active,
        version=expected_version,
    )


def reset(session: Session, user_id: int, verifier: str, valid_until: datetime) -> None:
    _call(
        session,
        "SELECT console_user_reset(:id, :verifier, :valid_until)",
        id=user_id,
        verifier=verifier,
        valid_until=valid_until,
    )


def passwd(session: Session, verifier: str) -> None:
    _call(session, "SELECT console_passwd(:verifier)", verifier=verifier)


def verifier(session: Session | Connection, user: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of a password, made here: the password never reaches the
    server (nor its statement log), only what the server stores in place of it."""
    import psycopg

    conn = session.connection() if isinstance(session, Session) else session
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    made = raw.pgconn.encrypt_password(password.encode(), user.encode(), b"scram-sha-256")
    return bytes(made).decode("ascii")
