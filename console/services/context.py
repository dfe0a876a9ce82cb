"""Who is acting: the signed-in user that every service call takes, checks and records."""

from __future__ import annotations

from dataclasses import dataclass

from console.domain.permissions import Permission, Role, require


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    role: Role

    def require(self, permission: Permission) -> None:
        require(self.role, permission, user=self.name)

    def can(self, permission: Permission) -> bool:
        from console.domain.permissions import allows

        return allows(self.role, permission)


# Work the console does by itself (migrations, scheduled backups) is recorded under this name.
SYSTEM = Actor(None, "system", Role.ADMIN)
