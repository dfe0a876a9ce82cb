"""Demo data: accounts with known passwords, the policy pack, and each area's sample data.

Only for trying the console out; the passwords below are public (README) and must never guard
real data.
"""

from __future__ import annotations

import logging
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


log = logging.getLogger("db")
AREA_LABELS = {
    "demo_records": "Importing the demo sources and records",
    "demo_requests": "Logging the demo data-subject requests",
    "demo_legal": "Logging the demo legal requests and their production",
}
Progress = Callable[[str, int, int], None]  # (what is being done, step, steps)


def load(db: Database, actor: Actor | None, progress: Progress | None = None) -> DemoSummary:
    """Fill a database with demo data; an empty one gets the demo accounts first.

    A new SQLite database (no account yet) whose loading fails part way is removed, so the
    next try starts afresh instead of finding half a demo.
    """
    fresh = not accounts.has_users(db)
    try:
        return _load(db, actor, progress)
    except Exception as exc:
        path = db.sqlite_path
        if not fresh or path is None:
            raise
        # Nothing but the demo was ever in it (it had no account): remove the file rather than
        # leave half a demo that the next run would take for a loaded one.
        log.warning("demo loading failed part way; the new database file is removed")
        db.dispose()
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
        raise ConsoleError(
            f"The demo could not be loaded: {exc} The new database was removed, so nothing "
            "half-loaded is left; fix the cause and run it again."
        ) from exc


def _load(db: Database, actor: Actor | None, progress: Progress | None) -> DemoSummary:
    steps = 2 + len(DEMO_AREAS)

    def step(i: int, text: str) -> None:
        if progress is not None:
            progress(text, i, steps)

    summary = DemoSummary()
    step(0, "Creating the demo accounts")
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
    step(1, "Loading the policy pack")
    policy.ensure_default_pack(db, actor)
    actors = _demo_actors(db, actor)
    for i, (area, load_demo) in enumerate(DEMO_AREAS, start=2):
        step(i, AREA_LABELS.get(area, area))
        summary.areas[area] = load_demo(db, actors)
    step(steps, "Done")
    return summary


def _demo_actors(db: Database, admin: Actor) -> dict[Role, Actor]:
    """One acting user per role, so each area's sample data is made by the role that would."""
    found: dict[Role, Actor] = {Role.ADMIN: admin}
    for info in accounts.list_users(db, admin):
        if info.active and info.role not in found:
            found[info.role] = Actor(info.id, info.name, info.role)
    return found
