"""Demo legal requests: twelve requests of every kind, an emergency, a preservation hold, an NDO
case and a numbered production, over two small sample sources of their own."""

from __future__ import annotations

import csv
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from console.domain.legal import CHECKLIST
from console.domain.permissions import Role
from console.importers.mapping import Mapping
from console.services.context import Actor
from console.services.legal import disclosures as legal_disclosures
from console.services.legal import holds as legal_holds
from console.services.legal import intake as legal
from console.services.legal import production as legal_production
from console.services.legal import review as legal_review
from console.services.legal.model import IdentifierSpec, LegalIntake
from console.services.records import imports, sources
from console.store.db import Database
from console.store.legal_models import LegalRequest

CRM_SOURCE = "Legal demo: CRM"
PAYMENTS_SOURCE = "Legal demo: Payments"

# (customer id, email, name, phone)
PEOPLE = [
    ("C-1001", "ana.lima@example.org", "Ana Lima", "+1 415 555 0101"),
    ("C-1002", "bjorn.sund@example.org", "Björn Sund", "+46 8 555 010 20"),
    ("C-1003", "wang.xiaoming@example.org", "王小明", "+1 212 555 0133"),
    ("C-1004", "lukasz.nowak@example.org", "Łukasz Nowak", "+48 22 555 01 44"),
]
PAYMENTS = [
    ("P-1", "C-1001", "19.99", "ANA LIMA", "2025-02-03T10:00:00Z"),
    ("P-2", "C-1001", "5.00", "ANA LIMA", "2025-03-01T11:30:00Z"),
    ("P-3", "C-1003", "120.00", "WANG XIAOMING", "2025-03-12T08:15:00Z"),
    ("P-4", "C-1004", "42.50", "LUKASZ NOWAK", "2025-04-20T17:45:00Z"),
]

CRM_MAPPING = {
    "columns": {
        "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
        "Email": {"identifier": "email", "category": "contact.email"},
        "Name": {"identifier": "name", "category": "contact.name"},
        "Phone": {"identifier": "phone", "category": "contact.phone"},
    },
    "record_key": ["Customer ID"],
}
PAYMENTS_MAPPING = {
    "columns": {
        "Payment ID": {"identifier": "order_id", "category": "transaction.payment"},
        "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
        "Amount": {"category": "transaction.amount"},
        "Card Name": {"identifier": "name", "category": "contact.name"},
        "Paid at": {"role": "collected_at"},
    },
    "record_key": ["Payment ID"],
}


def import_sample_records(db: Database, actor: Actor, folder: Path) -> dict[str, int]:
    """Two small sources (CRM and payments) that link people through their customer ids."""
    out: dict[str, int] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for name, kind, header, rows, mapping in (
        (CRM_SOURCE, "crm", ["Customer ID", "Email", "Name", "Phone"], PEOPLE, CRM_MAPPING),
        (
            PAYMENTS_SOURCE,
            "transaction",
            ["Payment ID", "Customer ID", "Amount", "Card Name", "Paid at"],
            PAYMENTS,
            PAYMENTS_MAPPING,
        ),
    ):
        parsed = Mapping.from_json(mapping, source_name=name)
        sources.add_source(
            db,
            actor,
            name,
            kind,
            categories=sorted(set(parsed.categories().values())),
            retention="Kept for the legal demo's matters (example data)",
        )
        path = folder / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        result = imports.run_import(db, actor, path, name, parsed)
        out[name] = result.rows_imported
    return out


def _production_folder(db: Database) -> Path:
    from console.paths import user_data_dir

    base = db.sqlite_path.parent if db.sqlite_path is not None else user_data_dir()
    # A demo loaded again (console.db deleted, its productions kept) must not collide with the
    # earlier demo's LR-1 folder: use the first productions folder that has none.
    folder, n = base / "productions", 1
    while any(folder.glob("LR-1_*")):
        n += 1
        folder = base / f"productions-{n}"
    return folder


def load_demo(db: Database, actors: dict[Role, Actor]) -> str:
    legal_actor = actors.get(Role.LEGAL)
    officer = actors.get(Role.PRIVACY_OFFICER) or actors[Role.ADMIN]
    if legal_actor is None:
        return "skipped: no legal reviewer account"
    with db.read() as s:
        if s.execute(select(func.count()).select_from(LegalRequest)).scalar_one():
            return "already loaded"
    with tempfile.TemporaryDirectory() as tmp:
        import_sample_records(db, officer, Path(tmp))
    now = datetime.now(UTC)
    made = [legal.create_request(db, legal_actor, intake) for intake in _intakes(now)]
    ids = [d.id for d in made]
    # 0: subpoena, reviewed, decided produce and produced.
    _review(db, legal_actor, ids[0])
    legal_review.decide(db, legal_actor, ids[0], "produce", "Valid subpoena, narrow scope.")
    # The CRM export has no collection time: legal decides to include its record.
    records = legal_production.candidate_record_ids(db, legal_actor, ids[0], include_undated=True)
    if records:
        legal_production.produce(
            db,
            legal_actor,
            ids[0],
            records,
            _production_folder(db),
            method="Law-enforcement portal upload",
            certifier="Leo Legal",
            include_undated=True,
        )
    # 1: emergency, fast path, disclosed by telephone.
    legal_review.emergency_decide(
        db,
        legal_actor,
        ids[1],
        "produce_in_part",
        "Credible threat to life reported by the agency; subscriber contact details only.",
    )
    legal_disclosures.record_disclosure(
        db,
        legal_actor,
        ids[1],
        recipient="Duty officer",
        method="Telephone, confirmed by e-mail",
        what="E-mail address and phone number of one customer",
        record_count=1,
    )
    # 2: preservation with a hold.
    legal_holds.place_hold(db, legal_actor, ids[2])
    legal_review.preserve_only(db, legal_actor, ids[2])
    # 3: NDO case under review, notice delayed.
    _review(db, legal_actor, ids[3])
    legal_review.set_notice(
        db,
        legal_actor,
        ids[3],
        ndo=True,
        ndo_until=(now + timedelta(days=365)).date(),
        notice="delay_until",
        delay_until=(now + timedelta(days=366)).date(),
    )
    # 4: rejected; 5: challenged; 6: no data.
    for i, decision, reason in (
        (4, "reject", "Overbroad: no account specified."),
        (5, "challenge", "Foreign order without MLAT: challenged."),
        (6, "no_data", "No records match the identifiers."),
    ):
        _review(db, legal_actor, ids[i])
        legal_review.decide(db, legal_actor, ids[i], decision, reason)
    return f"{len(ids)} legal requests, 1 production, 1 hold"


def _review(db: Database, actor: Actor, request_id: int) -> None:
    legal_review.assign(db, actor, request_id, actor.name)
    for key, _label in CHECKLIST:
        legal_review.set_checklist(db, actor, request_id, key, True)


def _intakes(now: datetime) -> list[LegalIntake]:
    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    email, cust = IdentifierSpec("email", PEOPLE[0][1]), IdentifierSpec("customer_id", "C-1003")
    base: dict[str, Any] = {"categories": ["contact.email", "transaction.payment"]}
    return [
        LegalIntake(
            "subpoena",
            "County Sheriff's Office",
            "US",
            ago(20),
            officer="Det. R. Cole",
            jurisdiction="California",
            case_number="24-CR-118",
            identifiers=[email],
            served_on=ago(21).date(),
            **base,
        ),
        LegalIntake(
            "emergency",
            "Metropolitan Police",
            "GB",
            ago(2),
            officer="DS K. Patel",
            deadline_hours=12,
            identifiers=[IdentifierSpec("phone", PEOPLE[1][3])],
            categories=["contact.email", "contact.phone"],
            case_number="EMG-5521",
        ),
        LegalIntake(
            "preservation",
            "FBI Field Office",
            "US",
            ago(10),
            case_number="PR-2025-77",
            identifiers=[cust],
            data_from=date(2024, 1, 1),
            **base,
        ),
        LegalIntake(
            "court_order",
            "Amtsgericht München",
            "DE",
            ago(8),
            case_number="3 Gs 12/25",
            identifiers=[IdentifierSpec("email", PEOPLE[3][1])],
            ndo=True,
            **base,
        ),
        LegalIntake(
            "subpoena",
            "State Attorney General",
            "US",
            ago(40),
            case_number="AG-889",
            description="All customers who paid more than USD 10 in 2024.",
        ),
        LegalIntake(
            "mlat",
            "Ministry of Justice",
            "BR",
            ago(35),
            case_number="MLAT-0042",
            identifiers=[IdentifierSpec("customer_id", "C-1002")],
        ),
        LegalIntake(
            "civil_subpoena",
            "Smith & Partners LLP",
            "US",
            ago(30),
            case_number="CV-2025-311",
            identifiers=[IdentifierSpec("email", "nobody@example.net")],
        ),
        LegalIntake(
            "search_warrant",
            "Police Nationale",
            "FR",
            ago(5),
            case_number="PN-7781",
            identifiers=[IdentifierSpec("cookie_id", "ga1.2.1234567890.1700000000")],
        ),
        LegalIntake("national_security", "(withheld)", "US", ago(15)),
        LegalIntake(
            "other",
            "Data Protection Authority",
            "IE",
            ago(3),
            case_number="DPA-19",
            description="Inquiry about processing of one customer's data.",
            identifiers=[IdentifierSpec("email", PEOPLE[2][1])],
        ),
        LegalIntake(
            "court_order",
            "Tribunal de Justiça",
            "BR",
            ago(1),
            case_number="TJ-5510",
            identifiers=[IdentifierSpec("phone", PEOPLE[2][3])],
        ),
        LegalIntake(
            "subpoena",
            "US Attorney's Office",
            "US",
            ago(0),
            case_number="25-GJ-004",
            identifiers=[IdentifierSpec("customer_id", "C-1004")],
            deadline_hours=240,
        ),
    ]
