"""Who is acting: the signed-in user that every service call takes, checks and records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from console.domain.permissions import Permission, Role, allows, require


class Guard(Protocol):
    """Checks a signed-in user against the database before each permission check."""

    def check(self, actor: Actor, permission: Permission) -> None:
        """Raise PermissionDenied (recording the refusal) unless the actor may do this now."""


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    role: Role
    # Set at sign-in. Without it the role captured at sign-in would be trusted for as long as a
    # window stays open; with it every permission check re-reads the account and records refusals.
    guard: Guard | None = field(default=None, compare=False, repr=False)

    def require(self, permission: Permission) -> None:
        if self.guard is not None:
            self.guard.check(self, permission)
        else:
            require(self.role, permission, user=self.name)

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)


# Work the console does by itself (migrations, scheduled backups) is recorded under this name.
SYSTEM = Actor(None, "system", Role.ADMIN)
