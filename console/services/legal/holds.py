"""Preservation holds: freeze the records a request's identifiers reach, renew, release, remind.

The held records are marked in the records store (erasure.place_hold), in the same transaction as
the hold and its audit event; erasure of a held record is refused there, naming the hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from console.domain import legal as rules
from console.domain.permissions import Permission
from console.errors import NotFound, ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.legal.model import aware, get_request, identifiers_of, touch
from console.services.legal.ndo import reached_record_ids
from console.services.records import erasure
from console.store.db import Database
from console.store.legal_models import LegalHold, LegalRequest
from console.store.records_models import RecordHold


@dataclass(frozen=True)
class HoldInfo:
    id: int
    ref: str
    request_id: int
    request_ref: str
    case_number: str
    reason: str
    placed_at: datetime
    placed_by: str
    until: date
    renewals: int
    record_count: int
    released_at: datetime | None
    released_by: str
    release_reason: str

    @property
    def active(self) -> bool:
        return self.released_at is None

    def days_left(self, today: date) -> int:
        return (self.until - today).days


def _info(h: LegalHold, case_number: str) -> HoldInfo:
    placed = aware(h.placed_at)
    assert placed is not None
    return HoldInfo(
        h.id,
        rules.hold_ref(h.id),
        h.request_id,
        rules.request_ref(h.request_id),
        case_number,
        h.reason,
        placed,
        h.placed_by,
        h.until,
        h.renewals,
        h.record_count,
        aware(h.released_at),
        h.released_by,
        h.release_reason,
    )


def place_hold(
    db: Database,
    actor: Actor,
    request_id: int,
    *,
    days: int = rules.HOLD_DAYS,
    start: date | None = None,
    record_ids: list[int] | None = None,
) -> HoldInfo:
    """Hold every record the request's identifiers reach (or the given records) for `days`."""
    actor.require(Permission.MANAGE_HOLDS)
    with db.read() as s:
        req = get_request(s, request_id)
        specs = identifiers_of(s, req.id)
    if record_ids is None:
        if not specs:
            raise ValidationError(
                "The request names no identifiers, so there is nothing to hold: "
                "add identifiers or choose records."
            )
        record_ids = sorted(reached_record_ids(db, actor, [(i.kind, i.value) for i in specs]))
    until = rules.hold_until(start or actor.clock.now().date(), days)
    with db.transaction() as s:
        req = get_request(s, request_id)
        hold = LegalHold(
            request_id=req.id,
            reason="",
            placed_at=actor.clock.now(),
            placed_by=actor.name,
            until=until,
            renewals=0,
            record_count=0,
            released_by="",
            release_reason="",
        )
        s.add(hold)
        s.flush()
        hold.reason = rules.hold_reason(rules.hold_ref(hold.id), req.case_number, until)
        count = (
            erasure.place_hold(
                s,
                list(record_ids),
                hold_ref=rules.hold_ref(hold.id),
                reason=rules.hold_note(req.case_number, rules.request_ref(req.id)),
                until=until,
            )
            if record_ids
            else 0
        )
        hold.record_count = count
        touch(req, actor)
        s.flush()
        record(
            s,
            actor,
            "legal.hold_place",
            "legal_request",
            req.id,
            {
                "hold": rules.hold_ref(hold.id),
                "until": until.isoformat(),
                "records": count,
            },
        )
        return _info(hold, req.case_number)


def renew_hold(
    db: Database, actor: Actor, hold_id: int, *, days: int = rules.HOLD_DAYS
) -> HoldInfo:
    """Extend an active hold by `days` from its current end (records found since are added)."""
    actor.require(Permission.MANAGE_HOLDS)
    with db.read() as s:
        hold = _get(s, hold_id)
        specs = identifiers_of(s, hold.request_id)
    reached = reached_record_ids(db, actor, [(i.kind, i.value) for i in specs])
    with db.transaction() as s:
        hold = _get(s, hold_id)
        if hold.released_at is not None:
            raise ValidationError(f"Hold {rules.hold_ref(hold.id)} was released: place a new one.")
        req = get_request(s, hold.request_id)
        ref = rules.hold_ref(hold.id)
        before = hold.until
        kept = set(
            s.execute(select(RecordHold.record_id).where(RecordHold.hold_ref == ref)).scalars()
        )
        hold.until = rules.hold_until(max(hold.until, actor.clock.now().date()), days)
        hold.renewals += 1
        hold.reason = rules.hold_reason(ref, req.case_number, hold.until)
        # Re-marking under the same reference moves the end date the deletion request shows,
        # and adds records imported since the hold was placed.
        ids = sorted(kept | reached)
        note = rules.hold_note(req.case_number, rules.request_ref(req.id))
        hold.record_count = (
            erasure.place_hold(s, ids, hold_ref=ref, reason=note, until=hold.until) if ids else 0
        )
        touch(req, actor)
        s.flush()
        record(
            s,
            actor,
            "legal.hold_renew",
            "legal_request",
            req.id,
            {
                "hold": ref,
                "from": before.isoformat(),
                "until": hold.until.isoformat(),
                "records": hold.record_count,
            },
        )
        return _info(hold, req.case_number)


def release_hold(db: Database, actor: Actor, hold_id: int, reason: str) -> HoldInfo:
    """End a hold: its records may be erased again (unless another hold covers them). Releasing
    preserved evidence is a legal decision, so only a legal reviewer may (never an admin)."""
    actor.require(Permission.RELEASE_HOLDS)
    if not reason.strip():
        raise ValidationError("Say why the hold is released.")
    with db.transaction() as s:
        hold = _get(s, hold_id)
        if hold.released_at is not None:
            raise ValidationError(f"Hold {rules.hold_ref(hold.id)} is already released.")
        req = get_request(s, hold.request_id)
        released = erasure.release_hold(s, rules.hold_ref(hold.id))
        hold.released_at = actor.clock.now()
        hold.released_by = actor.name
        hold.release_reason = reason.strip()
        touch(req, actor)
        s.flush()
        record(
            s,
            actor,
            "legal.hold_release",
            "legal_request",
            req.id,
            {
                "hold": rules.hold_ref(hold.id),
                "records": released,
                "reason": reason.strip()[:500],
            },
        )
        return _info(hold, req.case_number)


def _get(s: object, hold_id: int) -> LegalHold:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    hold = s.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(f"No legal hold {rules.hold_ref(hold_id)}.")
    return hold


def holds_for(db: Database, actor: Actor, request_id: int) -> list[HoldInfo]:
    actor.require(Permission.VIEW_LEGAL)
    with db.read() as s:
        req = get_request(s, request_id)
        rows = s.execute(
            select(LegalHold).where(LegalHold.request_id == request_id).order_by(LegalHold.id)
        ).scalars()
        return [_info(h, req.case_number) for h in rows]


def holds_expiring(
    db: Database, actor: Actor, within_days: int, *, today: date | None = None
) -> list[HoldInfo]:
    """Active holds that end within `within_days` (or have already passed their end): reminders."""
    actor.require(Permission.VIEW_LEGAL)
    day = today or actor.clock.now().date()
    with db.read() as s:
        stmt = (
            select(LegalHold, LegalRequest.case_number)
            .join(LegalRequest, LegalRequest.id == LegalHold.request_id)
            .where(LegalHold.released_at.is_(None))
            .where(LegalHold.until <= day + timedelta(days=within_days))
            .order_by(LegalHold.until, LegalHold.id)
        )
        return [_info(h, case) for h, case in s.execute(stmt)]


def hold_badges(db: Database, actor: Actor, record_ids: list[int]) -> dict[int, str]:
    """Badge text for the held records among `record_ids` (for any page that shows records)."""
    if not record_ids:
        return {}
    with db.read() as s:
        held = erasure.held_record_ids(s, list(record_ids))
    return {rid: "Legal hold: " + ", ".join(refs) for rid, refs in held.items() if refs}
