"""A requester with one strong record and one possible match (a shared IP), for the review tests.

The CRM export (records_data.CRM_ROWS) holds Ana's row (email ana@example.com) and Zoë's row,
which shares only Ana's IP address: the subject search attaches it as a "possible match".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from console.domain.permissions import Role
from console.importers.mapping import Mapping
from console.services import policy
from console.services.context import Actor
from console.services.records import imports, sources
from console.services.requests import fulfil as work
from console.services.requests import lifecycle as dsr
from console.services.requests.model import RequestView
from console.store.db import Database
from tests.fixtures import UserMaker
from tests.unit.services.records_data import crm, write_csv

ANA = "ana@example.com"
ZOE_EMAIL = "zoe@example.com"
ZOE_NAME = "Zoë Martin"
TICKETS_MAPPING = {
    "columns": {
        "Ticket": {"category": "transaction.support"},
        "Email": {"identifier": "email", "category": "contact.email"},
        "Message": {"category": "transaction.support"},
        "Opened": {"role": "collected_at"},
    },
    "record_key": ["Ticket"],
}


def review_world(db: Database, admin: Actor, make_user: UserMaker, tmp: Path) -> Actor:
    """The CRM plus a support-ticket source; returns a privacy officer."""
    policy.ensure_default_pack(db, admin)
    officer = make_user(Role.PRIVACY_OFFICER, "olivia")
    crm(db, officer, tmp)
    sources.add_source(db, officer, "Support", "support")
    tickets = write_csv(
        tmp / "tickets.csv",
        ["Ticket", "Email", "Message", "Opened"],
        [
            [
                "T-1",
                "Ana@example.com",
                "Invoice wrong, my colleague Zoë Martin saw it too",
                "2024-02-12T09:00:00Z",
            ],
            ["T-2", "zoe@example.com", "Question about my invoice", "2024-03-01T09:00:00Z"],
        ],
    )
    imports.run_import(
        db, officer, tickets, "Support", Mapping.from_json(TICKETS_MAPPING, source_name="t")
    )
    return officer


def open_request(
    db: Database,
    officer: Actor,
    *,
    rtype: str = "access",
    law: str = "gdpr",
    received: dt.date | None = None,
) -> RequestView:
    """A request from Ana, identity verified, with the subject search's records attached."""
    view = dsr.create_request(
        db,
        officer,
        dsr.Intake(
            request_type=rtype,
            law=law,
            country="DE" if law == "gdpr" else None,
            received_on=received or dt.date.today(),
            emails=(ANA,),
            name="Ana Example",
            address="1 Example Street, Berlin",
            channel="email",
        ),
    )
    if view.verification == "forbidden":  # an opt-out needs no verification (11 CCR §7026(d))
        view = dsr.advance(db, officer, view.id, "in_progress")
    else:
        view = dsr.verify_identity(db, officer, view.id, "account login", "SSO-1")
    work.find_records(db, officer, view.id)
    return dsr.get_request(db, officer, view.id)


def record_of(view: RequestView, source: str, link: str) -> int:
    return next(r.record_id for r in view.records if r.source == source and r.link == link)
