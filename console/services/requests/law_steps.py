"""What the law lets an office record on a request beyond its workflow: the waits of the clock
ledger (UK GDPR Art. 12A), a manifestly unfounded or excessive request (GDPR Art. 12(5)), and the
acknowledgement of receipt (e.g. DPA 2018 s.164A for UK complaints)."""

from __future__ import annotations

import datetime as dt

from console.domain import deadlines
from console.domain.permissions import Permission
from console.domain.workflow import (
    DsrStatus,
    decide_excessive,
)
from console.errors import ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.requests.model import (
    CHANNELS,
    DENIAL_REASONS,
    LAWS,
    OBJECT_TYPE,
    OPEN_STATUSES,
    REQUEST_TYPES,
    RequestError,
    RequestView,
    build_view,
    clock_of,
    load_for_update,
    rule_of,
    touch,
    writing,
)
from console.services.requests.read import get_request
from console.store.db import Database

__all__ = [
    "CHANNELS",
    "DENIAL_REASONS",
    "LAWS",
    "REQUEST_TYPES",
    "RequestView",
    "get_request",
]

# --- intake ---------------------------------------------------------------------------------------

from console.services.requests.lifecycle import apply_clock, clock_change, set_status

# --- decisions the law records --------------------------------------------------------------------

# The waits of the clock ledger a person asks for and records the answer to (UK GDPR Art. 12A:
# identity information and a fee move the start; clarification of an access request stops it).
CLOCK_EVENTS: dict[str, deadlines.EntryKind] = {
    "identity-requested": deadlines.EntryKind.IDENTITY_REQUESTED,
    "identity-received": deadlines.EntryKind.IDENTITY_RECEIVED,
    "fee-requested": deadlines.EntryKind.FEE_REQUESTED,
    "fee-paid": deadlines.EntryKind.FEE_PAID,
    "clarification-requested": deadlines.EntryKind.CLARIFICATION_REQUESTED,
    "clarification-received": deadlines.EntryKind.CLARIFICATION_RECEIVED,
}


def clock_event(
    db: Database,
    actor: Actor,
    request_id: int,
    event: str,
    at: dt.date,
    reason: str = "",
    *,
    expected_version: int | None = None,
) -> RequestView:
    """Record identity information, a fee or clarification asked for or received; the clock
    follows the request's law (UK GDPR Art. 12A(2) moves the start, Art. 12A(5) stops it), and a
    law that gives the wait no effect refuses it, saying so."""
    actor.require(Permission.MANAGE_DSR)
    kind = CLOCK_EVENTS.get(event)
    if kind is None:
        raise ValidationError(
            f"Clock event '{event}' is unknown; use one of: {', '.join(CLOCK_EVENTS)}"
        )
    entry = deadlines.ClockEntry(kind, at, reason=reason.strip())
    return clock_change(db, actor, request_id, entry, expected_version)


def decide_manifestly_unfounded(
    db: Database,
    actor: Actor,
    request_id: int,
    choice: str,
    reasons: str,
    *,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> RequestView:
    """A request found manifestly unfounded or excessive (GDPR Art. 12(5) and its peers): charge a
    reasonable fee or refuse to act, with the reasons recorded, since the organisation bears the
    burden of showing it. A refusal closes the request as denied on that ground; a fee, where the
    law says so (UK GDPR Art. 12A(2)(c)), starts the period again once paid."""
    actor.require(Permission.MANAGE_DSR)
    day = today or dt.date.today()
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        if req.status not in OPEN_STATUSES:
            raise RequestError(
                f"Request {req.id} is {DsrStatus(req.status).label.lower()}: reopen it first."
            )
        decision = decide_excessive(rule_of(req), choice, reasons)
        record(
            s,
            actor,
            "dsr.excessive",
            OBJECT_TYPE,
            req.id,
            {
                "decision": decision.choice,
                "reasons": decision.reasons,
                "citation": decision.citation.text,
            },
        )
        if decision.choice == "refuse":
            ground = decision.denial_reason
            req.outcome = "denied"
            req.denial_reason = ground.code if ground else "manifestly_unfounded_or_excessive"
            req.denial_text = decision.reasons
            set_status(
                s,
                actor,
                req,
                DsrStatus.DENIED,
                decision.reasons,
                day,
                {"reason": req.denial_reason},
            )
            state = clock_of(s, req)
        elif decision.fee_moves_start:
            entry = deadlines.ClockEntry(
                deadlines.EntryKind.FEE_REQUESTED, day, reason=decision.reasons
            )
            state = apply_clock(s, actor, req, entry)
        else:
            touch(req, actor)
            state = clock_of(s, req)
        s.flush()
        return build_view(s, req, state)


def acknowledge(
    db: Database,
    actor: Actor,
    request_id: int,
    on: dt.date,
    *,
    how: str = "",
    expected_version: int | None = None,
) -> RequestView:
    """Record that receipt was acknowledged (e.g. a UK complaint within 30 days, DPA 2018 s.164A(3));
    the request keeps its acknowledge-by date, and the metrics compare the two."""
    actor.require(Permission.MANAGE_DSR)
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        if on < req.received_on:
            raise ValidationError("Acknowledged on: it cannot be before the request was received.")
        touch(req, actor)
        record(
            s,
            actor,
            "dsr.acknowledge",
            OBJECT_TYPE,
            req.id,
            {
                "on": on.isoformat(),
                "how": how.strip(),
                "acknowledge_by": req.acknowledge_by.isoformat() if req.acknowledge_by else None,
                "on_time": None if req.acknowledge_by is None else on <= req.acknowledge_by,
            },
        )
        s.flush()
        return build_view(s, req, clock_of(s, req))
