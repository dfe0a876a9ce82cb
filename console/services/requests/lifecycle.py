"""Data-subject requests: intake with duplicate detection, the clock ledger, the status workflow and
identity verification. Every change is audited in the same transaction and bumps the version.

Opening a request is in requests.read; records and fulfilment in requests.fulfil; lists, the
dashboard and the CCPA register and metrics in requests.metrics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain import deadlines, identifiers, request_types
from console.domain.permissions import Permission, Role, allows
from console.domain.registry_model import VerificationMode
from console.domain.workflow import (
    DsrStatus,
    decide_excessive,
    deletion_outcome,
    denial_ground,
    transition,
)
from console.errors import NotFound, ValidationError
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
    duplicates_in,
    ledger_of,
    load_for_update,
    rule_of,
    touch,
    writing,
)
from console.services.requests.read import get_request
from console.store.db import Database
from console.store.models import PolicyPackVersion, User
from console.store.requests_models import DsrClockEntry, DsrIdentifier, DsrRecord, DsrRequest

__all__ = [
    "CHANNELS",
    "DENIAL_REASONS",
    "LAWS",
    "REQUEST_TYPES",
    "RequestView",
    "get_request",
]

# --- intake ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    request_type: str
    law: str
    received_on: dt.date
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    customer_ids: tuple[str, ...] = ()
    name: str = ""
    address: str = ""
    channel: str = "email"
    country: str | None = None
    notes: str = ""

    def identifiers(self) -> list[tuple[str, str]]:
        return [
            *(("email", e) for e in self.emails),
            *(("phone", p) for p in self.phones),
            *(("customer_id", c) for c in self.customer_ids),
        ]


def types_for(law: str, on: dt.date | None = None) -> list[tuple[str, str]]:
    """The request types the law gives on `on` (now, without a date), with their labels: what
    the New Request dialog offers for the law chosen (the registry's order)."""
    reg = request_types.registry()
    return [(t, reg.type_label(t)) for t in reg.law(law).types_on(on)]


def type_description(law: str, request_type: str, on: dt.date | None = None) -> str:
    """One line on what the law gives for the type: the right, its clock and verification."""
    reg = request_types.registry()
    try:
        rule = reg.entry(law, request_type, on)
    except request_types.RegistryError as e:
        return str(e)
    period = rule.clock.period
    unit = period.unit.value.replace("_", " ")
    return (
        f"{reg.types[request_type].description} Answer within {period.amount} {unit}"
        f" ({rule.clock.citation.text.split(':')[0]}). {rule.verification.mode.label}."
    )


def phone_region(law: str, country: str | None) -> str:
    """The region a phone number without +country code is read in: the law's own calendar."""
    try:
        return deadlines.calendar_for(law, country=country).country
    except deadlines.DeadlineError:
        return "US"


def email_problem(text: str) -> str | None:
    """Why an email address is not usable, or None (the New Request dialog asks as you type)."""
    if not text.strip():
        return None
    if identifiers.normalise_email(text) is None:
        return "Not an email address (or a placeholder such as test@test.com)."
    return None


def phone_problem(text: str, region: str = "US") -> str | None:
    if not text.strip():
        return None
    try:
        phone = identifiers.normalise_phone(text, default_region=region)
    except IndexError:  # identifiers.normalise_phone("+") fails; reported to the lead
        phone = None
    if phone is None:
        return f"Not a phone number (read in region {region}; start with + for another country)."
    return None


def date_problem(text: str, today: dt.date | None = None) -> str | None:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return "A date like 2026-01-31."
    if day > (today or dt.date.today()):
        return "The received date cannot be in the future."
    return None


def _normalised(kind: str, value: str, region: str) -> str | None:
    norm = identifiers.normalise(kind, value, default_region=region)
    return f"{kind}:{norm}" if norm else None


def check_intake(intake: Intake, today: dt.date | None = None) -> None:
    """Refuse an intake that cannot be logged; the message names the field."""
    if intake.request_type not in REQUEST_TYPES:
        raise ValidationError(
            f"Request type '{intake.request_type}' is unknown; use one of: "
            + ", ".join(REQUEST_TYPES)
        )
    if intake.law not in LAWS:
        raise ValidationError(f"Law '{intake.law}' is unknown; use one of: {', '.join(LAWS)}")
    try:
        request_types.registry().entry(intake.law, intake.request_type, intake.received_on)
    except request_types.PairNotHeld as e:
        raise ValidationError(str(e)) from None
    if intake.channel not in CHANNELS:
        raise ValidationError(
            f"Channel '{intake.channel}' is unknown; use one of: {', '.join(CHANNELS)}"
        )
    if intake.received_on > (today or dt.date.today()):
        raise ValidationError("Received date: it cannot be in the future.")
    if not intake.identifiers():
        raise ValidationError("Requester: give at least one email, phone or customer ID.")
    region = phone_region(intake.law, intake.country)
    for n, email in enumerate(intake.emails, start=1):
        if email_problem(email):
            raise ValidationError(f"Email {n}: not a usable email address.")
    for n, phone in enumerate(intake.phones, start=1):
        if phone_problem(phone, region):
            raise ValidationError(f"Phone {n}: not a phone number (region {region}).")
    if intake.country:
        deadlines.calendar_for(intake.law, country=intake.country)


def find_duplicates(db: Database, actor: Actor, intake: Intake) -> list[int]:
    """Ids of open requests of the same type for the same person (shown before saving)."""
    actor.require(Permission.VIEW_DSR)
    region = phone_region(intake.law, intake.country)
    norms = [n for k, v in intake.identifiers() if (n := _normalised(k, v, region))]
    with db.read() as s:
        return duplicates_in(s, intake.request_type, norms)


def _policy_cited(s: Session, on: dt.date) -> str | None:
    row = s.execute(
        select(PolicyPackVersion.pack_id, PolicyPackVersion.version)
        .where(PolicyPackVersion.effective_date <= on.isoformat())
        .order_by(PolicyPackVersion.effective_date.desc(), PolicyPackVersion.id.desc())
        .limit(1)
    ).first()
    return f"{row[0]} {row[1]}" if row else None


def create_request(
    db: Database, actor: Actor, intake: Intake, *, today: dt.date | None = None
) -> RequestView:
    """Log a request: its clock starts on the received date and its deadlines follow from it."""
    actor.require(Permission.MANAGE_DSR)
    check_intake(intake, today)
    ledger = deadlines.Ledger().start(intake.received_on)
    country = intake.country.upper() if intake.country else None
    state = deadlines.compute(intake.law, intake.request_type, ledger, country=country)
    region = phone_region(intake.law, country)
    stamp = actor.clock.now()
    with writing(db) as s:
        req = DsrRequest(
            request_type=intake.request_type,
            law=intake.law,
            country=country,
            channel=intake.channel,
            status=DsrStatus.RECEIVED.value,
            requester_name=intake.name.strip(),
            requester_address=intake.address.strip(),
            notes=intake.notes.strip(),
            received_on=intake.received_on,
            due_on=state.due_date,
            original_due_on=state.original_due_date,
            acknowledge_by=state.acknowledge_by,
            paused_since=None,
            extended=False,
            denial_text="",
            fulfilment="{}",
            policy_version=_policy_cited(s, intake.received_on),
            created_at=stamp,
            created_by=actor.name,
            updated_at=stamp,
            updated_by=actor.name,
        )
        s.add(req)
        s.flush()
        norms: list[str] = []
        for kind, value in intake.identifiers():
            norm = _normalised(kind, value, region)
            if norm:
                norms.append(norm)
            s.add(DsrIdentifier(request_id=req.id, kind=kind, value=value.strip(), normalised=norm))
        s.add(
            DsrClockEntry(
                request_id=req.id,
                position=1,
                kind=deadlines.EntryKind.START.value,
                at=intake.received_on,
                reason="",
                recorded_by=actor.name,
                recorded_at=stamp,
            )
        )
        dups = duplicates_in(s, intake.request_type, norms, exclude=req.id)
        record(
            s,
            actor,
            "dsr.create",
            OBJECT_TYPE,
            req.id,
            {
                "type": intake.request_type,
                "law": intake.law,
                "channel": intake.channel,
                "received": intake.received_on.isoformat(),
                "due": state.due_date.isoformat(),
                "acknowledge_by": state.acknowledge_by.isoformat()
                if state.acknowledge_by
                else None,
                "identifier_kinds": sorted({k for k, _ in intake.identifiers()}),
                "possible_duplicates": dups,
                "policy_version": req.policy_version,
            },
        )
        s.flush()
        return build_view(s, req, state, duplicates=dups, timeline=False)


# --- the clock ------------------------------------------------------------------------------------


def _apply_clock(
    s: Session, actor: Actor, req: DsrRequest, entry: deadlines.ClockEntry
) -> deadlines.ClockState:
    if req.status not in OPEN_STATUSES:
        raise RequestError(
            f"Request {req.id} is {DsrStatus(req.status).label.lower()}: reopen it "
            "before changing its clock."
        )
    ledger = ledger_of(s, req.id)
    new_ledger = deadlines.Ledger((*ledger.entries, entry))
    state = deadlines.compute(req.law, req.request_type, new_ledger, country=req.country)
    s.add(
        DsrClockEntry(
            request_id=req.id,
            position=len(new_ledger.entries),
            kind=entry.kind.value,
            at=entry.at,
            reason=entry.reason,
            requester_told_on=entry.requester_told_on,
            recorded_by=actor.name,
            recorded_at=actor.clock.now(),
        )
    )
    _store_clock(req, state)
    touch(req, actor)
    record(
        s,
        actor,
        f"dsr.clock.{entry.kind.value}",
        OBJECT_TYPE,
        req.id,
        {
            "at": entry.at.isoformat(),
            "reason": entry.reason,
            "requester_told_on": entry.requester_told_on.isoformat()
            if entry.requester_told_on
            else None,
            "due": state.due_date.isoformat(),
        },
    )
    return state


def _store_clock(req: DsrRequest, state: deadlines.ClockState) -> None:
    req.due_on = state.due_date
    req.original_due_on = state.original_due_date
    req.acknowledge_by = state.acknowledge_by
    req.paused_since = state.paused_since
    req.extended = state.extended


def _clock_change(
    db: Database,
    actor: Actor,
    request_id: int,
    entry: deadlines.ClockEntry,
    expected_version: int | None,
) -> RequestView:
    actor.require(Permission.MANAGE_DSR)
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        state = _apply_clock(s, actor, req, entry)
        s.flush()
        return build_view(s, req, state)


def pause(
    db: Database,
    actor: Actor,
    request_id: int,
    at: dt.date,
    reason: str,
    *,
    expected_version: int | None = None,
) -> RequestView:
    """Stop the clock (only where the law allows it, and only for its reasons)."""
    entry = deadlines.ClockEntry(deadlines.EntryKind.PAUSE, at, reason=reason.strip())
    return _clock_change(db, actor, request_id, entry, expected_version)


def resume(
    db: Database, actor: Actor, request_id: int, at: dt.date, *, expected_version: int | None = None
) -> RequestView:
    entry = deadlines.ClockEntry(deadlines.EntryKind.RESUME, at)
    return _clock_change(db, actor, request_id, entry, expected_version)


def extend(
    db: Database,
    actor: Actor,
    request_id: int,
    at: dt.date,
    reason: str,
    requester_told_on: dt.date,
    *,
    expected_version: int | None = None,
) -> RequestView:
    """Extend the deadline as the law allows, with the reason given to the requester and when."""
    entry = deadlines.ClockEntry(
        deadlines.EntryKind.EXTEND, at, reason=reason.strip(), requester_told_on=requester_told_on
    )
    return _clock_change(db, actor, request_id, entry, expected_version)


# --- workflow -------------------------------------------------------------------------------------


def _set_status(
    s: Session,
    actor: Actor,
    req: DsrRequest,
    target: DsrStatus,
    note: str,
    today: dt.date,
    extra: dict[str, Any] | None = None,
) -> None:
    current = DsrStatus(req.status)
    transition(current, target, rule_of(req))
    if current.is_finished and target is DsrStatus.IN_PROGRESS:
        req.closed_on = None
        req.outcome = None
        req.denial_reason = None
        req.denial_text = ""
    if target in (DsrStatus.COMPLETED, DsrStatus.DENIED, DsrStatus.WITHDRAWN):
        req.closed_on = today
    req.status = target.value
    touch(req, actor)
    record(
        s,
        actor,
        "dsr.status",
        OBJECT_TYPE,
        req.id,
        {"from": current.value, "to": target.value, "note": note, **(extra or {})},
    )


def advance(
    db: Database,
    actor: Actor,
    request_id: int,
    target: DsrStatus | str,
    *,
    note: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> RequestView:
    """Move the request along its workflow; illegal moves are refused saying why."""
    actor.require(Permission.MANAGE_DSR)
    target = _status(target)
    if target is DsrStatus.DENIED:
        raise RequestError(
            "A denial needs a reason: use deny (dsr close --outcome denied --reason)."
        )
    day = today or actor.clock.today()
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        rule = rule_of(req)
        if (
            target is DsrStatus.IN_PROGRESS
            and req.status in (DsrStatus.RECEIVED.value, DsrStatus.IDENTITY_VERIFICATION.value)
            and req.identity_verified_at is None
            and rule.verification.mode is VerificationMode.REQUIRED
        ):
            raise RequestError(
                f"Request {req.id}: record how the requester's identity was verified first."
            )
        extra: dict[str, Any] = {}
        if target is DsrStatus.COMPLETED:
            counts = _record_outcomes(s, req.id)
            held = counts.get("held", 0)
            if req.request_type == "deletion":
                found = held + counts.get("erased", 0)
                ends = deletion_outcome(rule, found, held)
                if ends.outcome == "denied" and ends.denial_reason is not None:
                    # 11 CCR §7022(f): every record kept on an exception is a denial, explained.
                    target = DsrStatus.DENIED
                    req.denial_reason = ends.denial_reason.code
                    req.denial_text = held_denial_text(held, ends.denial_reason.label, ends)
                    extra["reason"] = ends.denial_reason.code
                req.outcome = ends.outcome
            else:
                req.outcome = "complied_in_part" if held else "complied"
            extra["outcome"] = req.outcome
        elif target is DsrStatus.WITHDRAWN:
            req.outcome = "withdrawn"
        _set_status(s, actor, req, target, note.strip(), day, extra)
        s.flush()
        return build_view(s, req, clock_of(s, req))


def _record_outcomes(s: Session, request_id: int) -> dict[str, int]:
    """How many attached records fulfilment erased, kept under a hold, skipped or corrected."""
    rows = s.execute(
        select(DsrRecord.outcome, func.count())
        .where(DsrRecord.request_id == request_id, DsrRecord.outcome.is_not(None))
        .group_by(DsrRecord.outcome)
    ).all()
    return {str(outcome): int(n) for outcome, n in rows}


def held_denial_text(held: int, ground: str, outcome: Any) -> str:
    """What the response says when every record found had to be kept: the basis, in words."""
    records = "record" if held == 1 else "records"
    text = (
        f"Every record found ({held} {records}) must be kept under a legal hold, so none was"
        f" deleted. Ground: {ground} ({outcome.citation.text}). The records are used only for"
        " that purpose and will be deleted when the hold ends."
    )
    if outcome.letter is not None:
        text += f" This refusal is given under {outcome.letter.citation.text}."
    return text


def _status(value: DsrStatus | str) -> DsrStatus:
    if isinstance(value, DsrStatus):
        return value
    try:
        return DsrStatus(value)
    except ValueError:
        raise ValidationError(
            f"Status '{value}' is unknown; use one of: {', '.join(s.value for s in DsrStatus)}"
        ) from None


def verify_identity(
    db: Database,
    actor: Actor,
    request_id: int,
    method: str,
    evidence_ref: str,
    *,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> RequestView:
    """Record how the requester's identity was verified, and start work on the request."""
    actor.require(Permission.MANAGE_DSR)
    if not method.strip():
        raise ValidationError("Verification method: say how the identity was verified.")
    day = today or actor.clock.today()
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        if req.status not in (DsrStatus.RECEIVED.value, DsrStatus.IDENTITY_VERIFICATION.value):
            raise RequestError(f"Request {req.id} is past identity verification.")
        rule = rule_of(req)
        if rule.verification.mode is VerificationMode.FORBIDDEN:
            raise RequestError(
                f"Request {req.id}: identity may not be required for this request"
                f" ({rule.verification.citation.text}); start work on it without verifying."
            )
        req.identity_method = method.strip()
        req.identity_evidence = evidence_ref.strip()
        req.identity_verified_by = actor.name
        req.identity_verified_at = actor.clock.now()
        touch(req, actor)
        record(
            s,
            actor,
            "dsr.identity_verified",
            OBJECT_TYPE,
            req.id,
            {"method": req.identity_method, "evidence_ref": req.identity_evidence},
        )
        if req.status == DsrStatus.RECEIVED.value:
            _set_status(s, actor, req, DsrStatus.IDENTITY_VERIFICATION, "", day)
        _set_status(s, actor, req, DsrStatus.IN_PROGRESS, "identity verified", day)
        s.flush()
        return build_view(s, req, clock_of(s, req))


def deny(
    db: Database,
    actor: Actor,
    request_id: int,
    reason: str,
    text: str = "",
    *,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> RequestView:
    """Refuse the request on a ground its law allows for its type (the registry), with text."""
    actor.require(Permission.MANAGE_DSR)
    if reason not in DENIAL_REASONS:
        raise ValidationError(
            f"Denial reason '{reason}' is unknown; use one of: " + ", ".join(DENIAL_REASONS)
        )
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        denial_ground(rule_of(req), reason)
        req.outcome = "denied"
        req.denial_reason = reason
        req.denial_text = text.strip()
        _set_status(
            s,
            actor,
            req,
            DsrStatus.DENIED,
            text.strip(),
            today or actor.clock.today(),
            {"reason": reason},
        )
        s.flush()
        return build_view(s, req, clock_of(s, req))


def assignable_users(db: Database, actor: Actor) -> list[str]:
    """The active users a request may be assigned to (those who may work on requests)."""
    actor.require(Permission.MANAGE_DSR)
    with db.read() as s:
        users = s.execute(select(User.name, User.role).where(User.active.is_(True))).all()
    return sorted(name for name, role in users if allows(Role(role), Permission.MANAGE_DSR))


def assign(
    db: Database,
    actor: Actor,
    request_id: int,
    user_name: str | None,
    *,
    expected_version: int | None = None,
) -> RequestView:
    actor.require(Permission.MANAGE_DSR)
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        user_id = None
        if user_name:
            user = s.execute(
                select(User).where(User.name == user_name.strip())
            ).scalar_one_or_none()
            if user is None or not user.active:
                raise NotFound(f"No active user named '{user_name}'.")
            if not allows(Role(user.role), Permission.MANAGE_DSR):
                raise ValidationError(
                    f"'{user.name}' is {Role(user.role).label.lower()} and cannot work on "
                    "data-subject requests: assign a privacy officer or an administrator."
                )
            user_id, user_name = user.id, user.name
        req.assignee_id = user_id
        touch(req, actor)
        record(s, actor, "dsr.assign", OBJECT_TYPE, req.id, {"assignee": user_name})
        s.flush()
        return build_view(s, req, clock_of(s, req))


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
    return _clock_change(db, actor, request_id, entry, expected_version)


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
            _set_status(
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
            state = _apply_clock(s, actor, req, entry)
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
