"""Legal and law-enforcement requests: intake, changes, opening one.

Review and decisions are in legal.review, holds in legal.holds, productions in legal.production.
Every change is audited in its own transaction; stale saves raise ConflictError naming who saved.
"""

from __future__ import annotations

import json
from typing import Any

from console.domain import legal as rules
from console.domain.legal import ProcessType
from console.domain.permissions import Permission
from console.domain.workflow import LegalStatus
from console.errors import ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.legal.documents import attach
from console.services.legal.model import (
    LegalDetail,
    LegalIntake,
    aware,
    clean,
    country,
    detail,
    flush_versioned,
    get_request,
    normalise_identifier,
    touch,
)
from console.store.db import Database
from console.store.legal_models import LegalChecklistItem, LegalIdentifier, LegalRequest

# --- intake --------------------------------------------------------------------------------------


def create_request(
    db: Database,
    actor: Actor,
    intake: LegalIntake,
    *,
    document: tuple[str, bytes, str] | None = None,
) -> LegalDetail:
    """Log a new legal request (with the served document: (filename, bytes, media type))."""
    actor.require(Permission.MANAGE_LEGAL)
    process = (
        intake.process_type
        if isinstance(intake.process_type, ProcessType)
        else rules.parse_process_type(intake.process_type)
    )
    received = aware(intake.received_at)
    assert received is not None
    due = rules.response_due(
        received, process, due_at=aware(intake.due_at), hours=intake.deadline_hours
    )
    ids = [normalise_identifier(i) for i in intake.identifiers]
    if process is not ProcessType.NATIONAL_SECURITY and not ids and not intake.description.strip():
        raise ValidationError("Name at least one identifier, or describe what is sought.")
    if intake.data_from and intake.data_to and intake.data_to < intake.data_from:
        raise ValidationError("The date range sought ends before it starts.")
    if intake.ndo_until and not intake.ndo:
        raise ValidationError("An NDO expiry needs an NDO.")
    stamp = actor.clock.now()
    with db.transaction() as s:
        row = LegalRequest(
            process_type=process.value,
            status=LegalStatus.RECEIVED.value,
            agency=clean(intake.agency, "requesting agency", 200, required=True),
            officer=clean(intake.officer, "officer", 200),
            contact=clean(intake.contact, "contact", 300),
            country=country(intake.country),
            jurisdiction=clean(intake.jurisdiction, "jurisdiction", 200),
            case_number=clean(intake.case_number, "case number", 200),
            served_on=intake.served_on,
            received_at=received,
            due_at=due,
            categories=json.dumps(sorted(set(intake.categories))),
            data_from=intake.data_from,
            data_to=intake.data_to,
            description=intake.description.strip(),
            emergency_justification=intake.emergency_justification.strip(),
            ndo=intake.ndo,
            ndo_until=intake.ndo_until,
            decision_reasons="",
            created_at=stamp,
            created_by=actor.id,
            updated_at=stamp,
            updated_by=actor.name,
        )
        s.add(row)
        s.flush()
        for spec in ids:
            s.add(
                LegalIdentifier(
                    request_id=row.id,
                    kind=spec.kind,
                    value=spec.value,
                    seen_from=spec.seen_from,
                    seen_to=spec.seen_to,
                )
            )
        for key, label in rules.CHECKLIST:
            s.add(
                LegalChecklistItem(
                    request_id=row.id,
                    item_key=key,
                    label=label,
                    checked=False,
                    note="",
                    checked_by="",
                )
            )
        record(
            s,
            actor,
            "legal.create",
            "legal_request",
            row.id,
            {
                "ref": rules.request_ref(row.id),
                "process_type": process.value,
                "country": row.country,
                "identifiers": len(ids),
                "due_at": due.isoformat(),
                "ndo": row.ndo,
            },
        )
        if document is not None:
            attach(s, actor, row, *document)
        s.flush()
        return detail(s, row)


# --- updates -------------------------------------------------------------------------------------

_EDITABLE = {
    "agency": 200,
    "officer": 200,
    "contact": 300,
    "jurisdiction": 200,
    "case_number": 200,
    "description": 20_000,
}


def update_request(
    db: Database, actor: Actor, request_id: int, expected_version: int, **changes: Any
) -> LegalDetail:
    """Change intake details; a save based on a stale version raises ConflictError."""
    actor.require(Permission.MANAGE_LEGAL)
    with db.transaction() as s:
        row = get_request(s, request_id, expected_version=expected_version)
        before: dict[str, Any] = {}
        for name, value in changes.items():
            if name in _EDITABLE:
                value = clean(
                    str(value), name.replace("_", " "), _EDITABLE[name], required=name == "agency"
                )
            elif name == "country":
                value = country(str(value))
            elif name == "due_at":
                value = aware(value)
            elif name not in ("served_on", "data_from", "data_to"):
                raise ValidationError(f"'{name}' cannot be changed here.")
            old = getattr(row, name)
            if old != value:
                before[name] = old
                setattr(row, name, value)
        if not before:
            return detail(s, row)
        touch(row, actor)
        flush_versioned(s, row)
        # Field names only: the values may be personal data.
        record(s, actor, "legal.update", "legal_request", row.id, {"fields": sorted(before)})
        return detail(s, row)


# --- queries -------------------------------------------------------------------------------------


def get(db: Database, actor: Actor, request_id: int) -> LegalDetail:
    """One request in full; opening it is recorded (it names people)."""
    actor.require(Permission.VIEW_LEGAL)
    with db.transaction() as s:
        row = get_request(s, request_id)
        record(s, actor, "legal.view", "legal_request", row.id, {})
        return detail(s, row)
