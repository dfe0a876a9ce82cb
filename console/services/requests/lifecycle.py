"""Data-subject requests: intake with duplicate detection, the clock ledger, the status workflow and
identity verification. Every change is audited in the same transaction and bumps the version.

Opening a request is in requests.read; records and fulfilment in requests.fulfil; lists, the
dashboard and the CCPA register and metrics in requests.metrics.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain import deadlines
from console.domain.permissions import Permission, Role, allows
from console.domain.registry_model import VerificationMode
from console.domain.workflow import (
    DsrStatus,
    deletion_outcome,
    denial_ground,
    transition,
)
from console.errors import NotFound, ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.requests.intake import Intake, check_intake, normalised, phone_region
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
    "Intake",
    "RequestView",
    "get_request",
]


def find_duplicates(db: Database, actor: Actor, intake: Intake) -> list[int]:
    """Ids of open requests of the same type for the same person (shown before saving)."""
    actor.require(Permission.VIEW_DSR)
    region = phone_region(intake.law, intake.country)
    norms = [n for k, v in intake.identifiers() if (n := normalised(k, v, region))]
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
            norm = normalised(kind, value, region)
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


def apply_clock(
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


def clock_change(
    db: Database,
    actor: Actor,
    request_id: int,
    entry: deadlines.ClockEntry,
    expected_version: int | None,
) -> RequestView:
    actor.require(Permission.MANAGE_DSR)
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        state = apply_clock(s, actor, req, entry)
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
    return clock_change(db, actor, request_id, entry, expected_version)


def resume(
    db: Database, actor: Actor, request_id: int, at: dt.date, *, expected_version: int | None = None
) -> RequestView:
    entry = deadlines.ClockEntry(deadlines.EntryKind.RESUME, at)
    return clock_change(db, actor, request_id, entry, expected_version)


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
    return clock_change(db, actor, request_id, entry, expected_version)


# --- workflow -------------------------------------------------------------------------------------


def set_status(
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
        set_status(s, actor, req, target, note.strip(), day, extra)
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
            set_status(s, actor, req, DsrStatus.IDENTITY_VERIFICATION, "", day)
        set_status(s, actor, req, DsrStatus.IN_PROGRESS, "identity verified", day)
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
        set_status(
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
