"""Who is acting: the signed-in user that every service call takes, checks and records, and the
clock the services read the time from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from console.domain.permissions import Permission, Role, allows, require


class Guard(Protocol):
    """Checks a signed-in user against the database before each permission check."""

    def check(self, actor: Actor, permission: Permission) -> None:
        """Raise PermissionDenied (recording the refusal) unless the actor may do this now."""


class Clock(Protocol):
    """Where the services read the time: the system's, or a fixed one a test passes in."""

    def now(self) -> datetime:
        """The current moment, in UTC."""

    def today(self) -> date:
        """Today's date where the console runs (the calendar day a person at the desk sees)."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return date.today()  # the desk's calendar day, as before the clock


@dataclass(frozen=True)
class FixedClock:
    """Always the same moment: `dataclasses.replace(actor, clock=FixedClock(at))` in a test."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


SYSTEM_CLOCK: Clock = SystemClock()


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    role: Role
    # Set at sign-in. Without it the role captured at sign-in would be trusted for as long as a
    # window stays open; with it every permission check re-reads the account and records refusals.
    guard: Guard | None = field(default=None, compare=False, repr=False)
    # Every time a service stamps or compares is read from here, so a test can fix it.
    clock: Clock = field(default=SYSTEM_CLOCK, compare=False, repr=False)

    def require(self, permission: Permission) -> None:
        if self.guard is not None:
            self.guard.check(self, permission)
        else:
            require(self.role, permission, user=self.name)

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)


# Work the console does by itself (migrations, scheduled backups) is recorded under this name.
SYSTEM = Actor(None, "system", Role.ADMIN)
