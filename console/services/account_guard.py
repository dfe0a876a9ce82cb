"""Sessions re-check the actor: before each permission check the signed-in account is read again,
and a refusal of any kind is recorded in the audit trail (access.denied, no personal data).

Without this a window kept the powers of the role it signed in with: an admin demoted or disabled
at another desk could go on working in a window left open.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, select

from console.domain.permissions import MATRIX, Permission, Role, denied_message
from console.errors import AccountChanged, ConsoleError, PermissionDenied
from console.services.context import Actor
from console.store import team
from console.store.db import Database
from console.store.models import User

log = logging.getLogger("auth")

# Built once: making the statement cost more than running it (by the primary key).
_ACCOUNT = select(User.active, User.role, User.must_change_password).where(
    User.id == bindparam("id")
)


class AccountGuard:
    """The guard of actors signed in to one database (console.services.context.Guard)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def check(self, actor: Actor, permission: Permission) -> None:
        active, role, must_change = self._account(actor)
        if not active:
            self._refuse(
                actor,
                permission,
                "account disabled after sign-in",
                AccountChanged(
                    "Your account was disabled after you signed in: nothing was done. "
                    "Ask an administrator."
                ),
            )
        if role is not actor.role:
            now = role.label if role is not None else "unknown"
            self._refuse(
                actor,
                permission,
                "role changed after sign-in",
                AccountChanged(
                    f"Your role changed after you signed in (it is now {now}): nothing was done. "
                    "Sign in again to go on with your new role."
                ),
            )
        if must_change:
            self._refuse(
                actor,
                permission,
                "one-time password not changed",
                PermissionDenied(
                    "Choose your own password first: the one-time password only lets you change it."
                ),
            )
        if permission not in MATRIX[actor.role]:
            self._refuse(
                actor,
                permission,
                "permission not held",
                PermissionDenied(denied_message(f"{actor.name} ({actor.role.label})", permission)),
            )

    def _account(self, actor: Actor) -> tuple[bool, Role | None, bool]:
        """(enabled, role, on a one-time password) as stored now: one primary-key read (team
        mode: console_whoami, which a desk on its one-time password may call too)."""
        # A pooled connection, not a session: this runs before every permission check.
        with self.db.engine.connect() as conn:
            if self.db.team is not None:
                account = team.whoami(conn)
                if account is None or account.id != actor.id:
                    return False, None, False
                return account.active, account.role, account.must_change_password
            row = conn.execute(_ACCOUNT, {"id": actor.id}).first()
        if row is None:
            return False, None, False
        return bool(row[0]), _role(row[1]), bool(row[2])

    def _refuse(
        self, actor: Actor, permission: Permission, reason: str, error: PermissionDenied
    ) -> None:
        from console.services.audit import record_refusal

        try:
            record_refusal(self.db, actor, permission.value, reason)
        except ConsoleError as exc:
            # The refusal stands even if it cannot be recorded (e.g. the database is busy).
            log.warning("could not record a refused action: %s", exc)
        raise error


def _role(text: str) -> Role | None:
    try:
        return Role(text)
    except ValueError:
        return None
