"""Demo records: seven sources of the policy's kinds, a few hundred rows, names in many scripts.

Built in: a person reachable only through cookie → customer id → email (Mei Tanaka), placeholder
values that must link nobody, and an office IP shared by two people that must not merge them.
"""

from __future__ import annotations

from typing import Any

from console.domain.permissions import Role
from console.importers.mapping import Mapping
from console.paths import data_path
from console.services.context import Actor
from console.services.records import imports, sources
from console.store.db import Database


def _col(
    identifier: str | None = None, category: str | None = None, role: str | None = None
) -> dict[str, str]:
    spec = {"identifier": identifier, "category": category, "role": role}
    return {k: v for k, v in spec.items() if v is not None}


# (source name, kind, region, owner, system, file, mapping)
DEMO_SOURCES: list[tuple[str, str, str, str, str, str, dict[str, Any]]] = [
    (
        "CRM",
        "crm",
        "US",
        "Sales operations",
        "Salesforce",
        "crm_customers.csv",
        {
            "columns": {
                "Customer ID": _col("customer_id", "account.customer_id"),
                "First Name": _col("name", "contact.name"),
                "Last Name": _col("name", "contact.name"),
                "Email": _col("email", "contact.email"),
                "Phone": _col("phone", "contact.phone"),
                "Country": _col(None, "contact.postal_address"),
                "Created": _col(role="collected_at"),
            },
            "record_key": ["Customer ID"],
        },
    ),
    (
        "Newsletter list",
        "marketing",
        "US",
        "Marketing",
        "Mailchimp",
        "newsletter.csv",
        {
            "columns": {
                "E-mail": _col("email", "contact.email"),
                "Name": _col("name", "contact.name"),
                "Opt-in": _col(None, "preferences.marketing"),
                "Subscribed at": _col(role="collected_at"),
            },
            "record_key": ["E-mail"],
        },
    ),
    (
        "Website contact form",
        "web_form",
        "DE",
        "Web team",
        "Website",
        "contact_form.jsonl",
        {
            "columns": {
                "submitted_at": _col(role="collected_at"),
                "name": _col("name", "contact.name"),
                "email": _col("email", "contact.email"),
                "phone": _col("phone", "contact.phone"),
                "ip": _col("ip", "technical.ip_address"),
            },
            "record_key": [],
        },
    ),
    (
        "Conference business cards",
        "event",
        "US",
        "Events",
        "Typed in after events",
        "business_cards.xlsx",
        {
            "columns": {
                "Name": _col("name", "contact.name"),
                "Company": _col(None, "professional.employer"),
                "Job Title": _col(None, "professional.job_role"),
                "Email": _col("email", "contact.email"),
                "Phone": _col("phone", "contact.phone"),
            },
            "record_key": [],
        },
    ),
    (
        "Web analytics cookies",
        "analytics",
        "US",
        "Growth",
        "Analytics export",
        "cookie_log.jsonl",
        {
            "columns": {
                "ts": _col(role="collected_at"),
                "cookie_id": _col("cookie_id", "technical.cookie_id"),
                "customer_id": _col("customer_id", "account.customer_id"),
                "ip": _col("ip", "technical.ip_address"),
                "page": _col(None, "technical.pages_visited"),
            },
            "record_key": [],
        },
    ),
    (
        "Payments",
        "transaction",
        "US",
        "Finance",
        "Stripe",
        "payments.csv",
        {
            "columns": {
                "Payment ID": _col("order_id", "transaction.order"),
                "Customer ID": _col("customer_id", "account.customer_id"),
                "Card Name": _col("name", "contact.name"),
                "Email": _col("email", "contact.email"),
                "Amount": _col(None, "transaction.amount"),
                "Paid at": _col(role="collected_at"),
            },
            "record_key": ["Payment ID"],
        },
    ),
    (
        "Support tickets",
        "support",
        "US",
        "Customer support",
        "Zendesk",
        "support_tickets.csv",
        {
            "columns": {
                "Ticket": _col(None, "transaction.support"),
                "Requester Email": _col("email", "contact.email"),
                "Requester Name": _col("name", "contact.name"),
                "Subject": _col(None, "transaction.support"),
                "Opened": _col(role="collected_at"),
            },
            "record_key": ["Ticket"],
        },
    ),
]


# How long each demo system keeps its data (example wording; a real office takes it from its
# retention schedule).
DEMO_RETENTION = {
    "CRM": "3 years after the last interaction with the person",
    "Newsletter list": "Until the person unsubscribes, then 30 days",
    "Website contact form": "1 year after the enquiry is answered",
    "Conference business cards": "2 years after the event",
    "Web analytics cookies": "14 months after collection",
    "Payments": "7 years after the transaction (tax and accounting law)",
    "Support tickets": "3 years after the ticket is closed",
}


def load_demo(db: Database, actors: dict[Role, Actor]) -> str:
    """Add the demo sources and import their files (once; a second run changes nothing)."""
    actor = actors.get(Role.PRIVACY_OFFICER) or actors[Role.ADMIN]
    existing = {s.name for s in sources.list_sources(db, actor)}
    imported = 0
    for name, kind, region, owner, system, file_name, mapping in DEMO_SOURCES:
        if name in existing:
            continue
        parsed = Mapping.from_json(mapping, source_name=name)
        sources.add_source(
            db,
            actor,
            name,
            kind,
            owner=owner,
            system=system,
            default_region=region,
            categories=sorted(set(parsed.categories().values())),
            retention=DEMO_RETENTION.get(name, ""),
        )
        result = imports.run_import(
            db,
            actor,
            data_path("demo", file_name),
            name,
            parsed,
        )
        imported += result.rows_imported
    if not imported:
        return "demo records already loaded"
    return f"{len(DEMO_SOURCES)} demo sources, {imported} records"
