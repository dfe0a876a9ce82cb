"""Demo data: accounts with known passwords, the policy pack, and each area's sample data.

Only for trying the console out; the passwords below are public (README) and must never guard
real data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from console.domain.permissions import Permission, Role
from console.errors import ConsoleError
from console.services import accounts, policy
from console.services.context import Actor
from console.services.demo import legal as demo_legal
from console.services.demo import records as demo_records
from console.services.demo import requests as demo_requests
from console.store.db import Database

DEMO_PASSWORD = "demo-console-2026"  # noqa: S105 - public on purpose: demo data only
DEMO_USERS = [
    ("admin", Role.ADMIN, "Ada Admin"),
    ("officer", Role.PRIVACY_OFFICER, "Olivia Officer"),
    ("legal", Role.LEGAL, "Leo Legal"),
    ("auditor", Role.AUDITOR, "Aud Itor"),
]
# Each area's sample data, in the order it is loaded: `load_demo(db, actors)` says what it made.
DEMO_AREAS: list[tuple[str, Callable[[Database, dict[Role, Actor]], str]]] = [
    ("demo_records", demo_records.load_demo),
    ("demo_requests", demo_requests.load_demo),
    ("demo_legal", demo_legal.load_demo),
]


@dataclass
class DemoSummary:
    accounts_created: list[str] = field(default_factory=list)
    password: str | None = None
    areas: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        lines = []
        if self.accounts_created:
            lines.append(
                f"Demo accounts {', '.join(self.accounts_created)} (password: {self.password})."
            )
        for area, result in self.areas.items():
            lines.append(f"{area}: {result}")
        return "\n".join(lines) or "Demo data already loaded."


def load(db: Database, actor: Actor | None) -> DemoSummary:
    """Fill a database with demo data; an empty one gets the demo accounts first."""
    summary = DemoSummary()
    if not accounts.has_users(db):
        admin = accounts.bootstrap_admin(db, "admin", DEMO_PASSWORD, full_name="Ada Admin")
        summary.accounts_created.append("admin")
        for name, role, full in DEMO_USERS[1:]:
            accounts.add_user(db, admin, name, role, full_name=full)
            accounts.set_password_for_demo(db, name, DEMO_PASSWORD)
            summary.accounts_created.append(name)
        summary.password = DEMO_PASSWORD
        actor = admin
    elif actor is None:
        raise ConsoleError("This database already has accounts: sign in as an admin (--user).")
    actor.require(Permission.MANAGE_USERS)
    policy.ensure_default_pack(db, actor)
    actors = _demo_actors(db, actor)
    for area, load_demo in DEMO_AREAS:
        summary.areas[area] = load_demo(db, actors)
    return summary


def _demo_actors(db: Database, admin: Actor) -> dict[Role, Actor]:
    """One acting user per role, so each area's sample data is made by the role that would."""
    found: dict[Role, Actor] = {Role.ADMIN: admin}
    for info in accounts.list_users(db, admin):
        if info.active and info.role not in found:
            found[info.role] = Actor(info.id, info.name, info.role)
    return found
