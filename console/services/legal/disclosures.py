"""The disclosure log: what went to whom, when, how, under what legal basis."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from console.domain import labels
from console.domain import legal as rules
from console.domain.legal import Decision, ProcessType
from console.domain.permissions import Permission
from console.errors import ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.legal.model import aware, get_request, touch
from console.store.db import Database
from console.store.legal_models import (
    LegalDisclosure,
    LegalProduction,
    LegalProductionItem,
    LegalRequest,
)

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DisclosureRow:
    id: int
    request_ref: str
    disclosed_at: datetime
    recipient: str
    method: str
    legal_basis: str
    what: str
    record_count: int
    recorded_by: str
    production: str  # "CP-000001–CP-000005" or ""


def legal_basis(req: LegalRequest) -> str:
    process = ProcessType(req.process_type)
    parts = [process.label]
    if req.case_number:
        parts.append(f"case {req.case_number}")
    if req.jurisdiction:
        parts.append(req.jurisdiction)
    basis = ", ".join(parts)
    if req.decision:
        basis += f"; decision: {Decision(req.decision).label.lower()}"
    return f"{basis}; policy ground: {labels.label('disclosure_ground', rules.DISCLOSURE_GROUND[process])}"


_STORED_GROUND = re.compile(r"policy ground: ([a-z_]+)$")


def _basis_text(stored: str) -> str:
    """The legal basis as a person reads it; bases logged before grounds were written by their
    label end in the ground's code, which is read out by its label."""
    return _STORED_GROUND.sub(
        lambda m: "policy ground: " + labels.label("disclosure_ground", m.group(1)), stored
    )


# --- the disclosure log --------------------------------------------------------------------------


def record_disclosure(
    db: Database,
    actor: Actor,
    request_id: int,
    *,
    recipient: str,
    method: str,
    what: str,
    record_count: int = 0,
    disclosed_at: datetime | None = None,
    basis: str | None = None,
) -> DisclosureRow:
    """Log a disclosure made outside a production (e.g. by telephone in an emergency)."""
    actor.require(Permission.PRODUCE_LEGAL)
    if not (recipient.strip() and method.strip() and what.strip()):
        raise ValidationError("Say to whom, how and what was disclosed.")
    with db.transaction() as s:
        req = get_request(s, request_id)
        if not req.decision or not Decision(req.decision).discloses:
            raise ValidationError(f"{rules.request_ref(req.id)} has no decision to disclose.")
        row = LegalDisclosure(
            request_id=req.id,
            production_id=None,
            disclosed_at=disclosed_at or actor.clock.now(),
            recipient=recipient.strip(),
            method=method.strip(),
            legal_basis=basis or legal_basis(req),
            what=what.strip(),
            record_count=record_count,
            recorded_by=actor.name,
        )
        s.add(row)
        touch(req, actor)
        s.flush()
        record(
            s,
            actor,
            "legal.disclose",
            "legal_request",
            req.id,
            {"disclosure": row.id, "method": row.method, "records": record_count},
        )
        return _disclosure(row, None)


def disclosure_log(
    db: Database,
    actor: Actor,
    *,
    since: date | None = None,
    until: date | None = None,
    request_id: int | None = None,
) -> list[DisclosureRow]:
    """Disclosures oldest first; `until` is inclusive."""
    actor.require(Permission.VIEW_LEGAL)
    with db.read() as s:
        stmt = (
            select(LegalDisclosure, LegalProduction)
            .outerjoin(LegalProduction, LegalProduction.id == LegalDisclosure.production_id)
            .order_by(LegalDisclosure.disclosed_at, LegalDisclosure.id)
        )
        if since:
            stmt = stmt.where(
                LegalDisclosure.disclosed_at
                >= datetime(since.year, since.month, since.day, tzinfo=UTC)
            )
        if until:
            stmt = stmt.where(
                LegalDisclosure.disclosed_at
                < datetime(until.year, until.month, until.day, tzinfo=UTC) + _DAY
            )
        if request_id is not None:
            stmt = stmt.where(LegalDisclosure.request_id == request_id)
        return [_disclosure(row, prod) for row, prod in s.execute(stmt)]


def productions_for(db: Database, actor: Actor, request_id: int) -> list[DisclosureRow]:
    return [r for r in disclosure_log(db, actor, request_id=request_id) if r.production]


def produced_numbers(db: Database, actor: Actor, request_id: int) -> list[tuple[str, int]]:
    """(production number, record id) of everything a request's productions disclosed."""
    actor.require(Permission.VIEW_LEGAL)
    with db.read() as s:
        stmt = (
            select(LegalProductionItem.number, LegalProductionItem.record_id)
            .join(LegalProduction, LegalProduction.id == LegalProductionItem.production_id)
            .where(LegalProduction.request_id == request_id)
            .order_by(LegalProductionItem.number)
        )
        return [(rules.production_number(n), int(r)) for n, r in s.execute(stmt)]


def _disclosure(row: LegalDisclosure, prod: LegalProduction | None) -> DisclosureRow:
    span = ""
    if prod is not None:
        span = (
            f"{rules.production_number(prod.first_number, prod.prefix)}–"
            f"{rules.production_number(prod.last_number, prod.prefix)}"
        )
    when = aware(row.disclosed_at)
    assert when is not None
    return DisclosureRow(
        row.id,
        rules.request_ref(row.request_id),
        when,
        row.recipient,
        row.method,
        _basis_text(row.legal_basis),
        row.what,
        row.record_count,
        row.recorded_by,
        span,
    )


# --- what a data subject may be told -------------------------------------------------------------


@dataclass(frozen=True)
class NotifiedDisclosure:
    """A production that included some of a person's records, which legal decided may be told."""

    disclosed_at: datetime
    recipient: str  # the agency (the officer is not named to the person)
    process: str  # e.g. "Subpoena"
    record_ids: list[int]


def notified_disclosures(
    db: Database, actor: Actor, record_ids: list[int], *, today: date | None = None
) -> list[NotifiedDisclosure]:
    """Productions holding any of these records whose request lets the person be told of them.

    Only where legal decided to notify the user (or the notice delay is over) and no
    non-disclosure order is in force: anything else is never shown to the person.
    """
    from console.services.legal.model import ndo_in_force

    actor.require(Permission.VIEW_LEGAL)
    wanted = set(record_ids)
    if not wanted:
        return []
    day = today or actor.clock.now().date()
    out: dict[int, NotifiedDisclosure] = {}
    with db.read() as s:
        stmt = (
            select(
                LegalProductionItem.record_id,
                LegalProduction.id,
                LegalProduction.produced_at,
                LegalRequest,
            )
            .join(LegalProduction, LegalProduction.id == LegalProductionItem.production_id)
            .join(LegalRequest, LegalRequest.id == LegalProduction.request_id)
            .order_by(LegalProduction.produced_at, LegalProductionItem.number)
        )
        ordered = sorted(wanted)
        for start in range(0, len(ordered), 500):
            part = ordered[start : start + 500]
            for rid, prod_id, at, req in s.execute(
                stmt.where(LegalProductionItem.record_id.in_(part))
            ):
                delay_over = (
                    req.notice_decision == "delay_until"
                    and req.notice_delay_until is not None
                    and req.notice_delay_until < day
                )
                if ndo_in_force(req, day) or not (req.notice_decision == "notify" or delay_over):
                    continue
                when = aware(at)
                assert when is not None
                found = out.setdefault(
                    prod_id,
                    NotifiedDisclosure(when, req.agency, ProcessType(req.process_type).label, []),
                )
                found.record_ids.append(int(rid))
    return sorted(out.values(), key=lambda d: d.disclosed_at)
