"""Demo data-subject requests: about forty, across laws, types, channels and statuses.

Made by the demo privacy officer; dates are relative to today so some are due soon or overdue.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import func, select

from console.domain import request_types
from console.domain.permissions import Role
from console.domain.workflow import DsrStatus
from console.errors import ConsoleError
from console.services.context import Actor
from console.services.requests import lifecycle as dsr
from console.store.db import Database
from console.store.requests_models import DsrRequest

# The demo people (the same names and addresses the demo sources use where they exist).
PEOPLE = [
    ("Jane Doe", "jane.doe@example.com", "+1 415 555 0101", "C-1001"),
    ("Łukasz Nowak", "lukasz.nowak@example.pl", "+48 22 555 01 02", "C-1002"),
    ("Jürgen Müller", "juergen.mueller@example.de", "+49 30 5550103", "C-1003"),
    ("王小明", "xiaoming.wang@example.cn", "+1 212 555 0104", "C-1004"),
    ("Amira Haddad", "amira.haddad@example.com", "+44 20 7946 0105", "C-1005"),
    ("Carlos Silva", "carlos.silva@example.com.br", "+55 11 5555 0106", "C-1006"),
    ("Chloé Tremblay", "chloe.tremblay@example.ca", "+1 514 555 0107", "C-1007"),
    ("Bob Roe", "bob.roe@example.com", "+1 303 555 0108", "C-1008"),
]
_LAWS = [
    ("gdpr", "DE"),
    ("gdpr", "FR"),
    ("uk-gdpr", None),
    ("ccpa", None),
    ("lgpd", None),
    ("pipeda", None),
    ("vcdpa", None),
    ("cpa", None),
    ("ctdpa", None),
]
_TYPES = list(dsr.REQUEST_TYPES)
_CHANNELS = list(dsr.CHANNELS)
COUNT = 40


def load_demo(db: Database, actors: dict[Role, Actor]) -> str:
    officer = actors.get(Role.PRIVACY_OFFICER) or actors[Role.ADMIN]
    with db.read() as s:
        if s.execute(select(func.count()).select_from(DsrRequest)).scalar_one():
            return "requests already loaded"
    rng = random.Random(20240531)
    today = dt.date.today()
    made = 0
    counts: dict[str, int] = {}
    for i in range(COUNT):
        name, email, phone, customer = PEOPLE[i % len(PEOPLE)]
        law, country = _LAWS[i % len(_LAWS)]
        received = today - dt.timedelta(days=rng.randint(0, 120))
        intake = dsr.Intake(
            request_type=_type_for(law, i, received),
            law=law,
            country=country,
            received_on=received,
            emails=(email,),
            phones=(phone,) if i % 3 == 0 else (),
            customer_ids=(customer,) if i % 2 == 0 else (),
            name=name,
            channel=_CHANNELS[i % len(_CHANNELS)],
            notes="Demo request.",
        )
        view = dsr.create_request(db, officer, intake)
        made += 1
        status = _move(db, officer, view, i, rng)
        counts[status] = counts.get(status, 0) + 1
    return f"{made} requests ({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))})"


def _type_for(law: str, i: int, on: dt.date) -> str:
    """The i-th request type, or one the law gives when it gives no such request."""
    held = request_types.registry().law(law).types_on(on)
    wanted = _TYPES[i % len(_TYPES)]
    return wanted if wanted in held else held[i % len(held)]


def _move(db: Database, actor: Actor, view: Any, i: int, rng: random.Random) -> str:
    """Take a demo request some way along its workflow (a known refusal just stops it there)."""
    stage = i % 7
    try:
        if stage == 0:
            return view.status  # type: ignore[no-any-return]
        if stage == 6:
            return dsr.deny(
                db,
                actor,
                view.id,
                "identity_not_verified",
                "No reply to our request for proof of identity.",
            ).status
        view = dsr.verify_identity(
            db,
            actor,
            view.id,
            rng.choice(["account login", "email confirmation", "ID document"]),
            f"EV-{1000 + i}",
        )
        if view.pause_reasons and stage == 2:
            view = dsr.pause(
                db, actor, view.id, view.received_on + dt.timedelta(days=2), "clarification"
            )
        if stage >= 3:
            view = dsr.advance(db, actor, view.id, DsrStatus.REVIEW)
        if stage >= 4:
            closed = view.received_on + dt.timedelta(days=rng.randint(5, 30))
            view = dsr.advance(
                db, actor, view.id, DsrStatus.COMPLETED, today=min(closed, dt.date.today())
            )
        return view.status  # type: ignore[no-any-return]
    except ConsoleError:
        return "received"
