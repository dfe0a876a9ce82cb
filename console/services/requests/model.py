"""What the data-subject request services share: the catalogue of types, laws and channels, the
request view with its clock, tasks, records and timeline, and the helpers every change uses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from console.domain import deadlines, labels, request_types
from console.domain.workflow import DsrStatus, allowed_targets
from console.errors import ConflictError, ConsoleError, NotFound
from console.services.context import Actor
from console.store.db import Database
from console.store.models import AuditEvent, User
from console.store.requests_models import (
    DsrClockEntry,
    DsrIdentifier,
    DsrRecord,
    DsrRequest,
    DsrTask,
)
from console.store.versioning import check_version, conflict_message

OBJECT_TYPE = "dsr_request"
# How a request came in: the catalogue's one label per channel.
CHANNELS: dict[str, str] = dict(labels.CHANNELS)
# Request types, laws and denial reasons are the registry's (data/requests/registry.json): the one
# source the CLI's choices, the window's lists and every label read. Denial reasons include the
# legacy codes a stored request may hold; which reasons a law allows is per request (`deny`).
REQUEST_TYPES: dict[str, str] = dict(labels.table("request_type"))
LAWS: dict[str, str] = dict(labels.table("law"))
DENIAL_REASONS: dict[str, str] = dict(labels.table("denial_reason"))
OPEN_STATUSES: tuple[str, ...] = (
    DsrStatus.RECEIVED.value,
    DsrStatus.IDENTITY_VERIFICATION.value,
    DsrStatus.IN_PROGRESS.value,
    DsrStatus.REVIEW.value,
)
IDENTIFIER_KINDS = ("email", "phone", "customer_id")


class RequestError(ConsoleError):
    """A data-subject request cannot be created or changed as asked."""


@contextmanager
def writing(db: Database) -> Iterator[Session]:
    """A write transaction that turns a concurrent save by someone else into ConflictError."""
    try:
        with db.transaction() as s:
            yield s
    except StaleDataError:
        raise ConflictError(conflict_message("This request", None)) from None


# --- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockEntryView:
    position: int
    kind: str
    at: dt.date
    reason: str
    requester_told_on: dt.date | None
    recorded_by: str


@dataclass(frozen=True)
class TaskView:
    id: int
    source: str
    action: str
    assignee: str | None
    due_on: dt.date | None
    status: str
    note: str
    done_by: str | None


@dataclass(frozen=True)
class AttachedRecord:
    record_id: int
    source: str
    row: int
    link: str
    via: list[str]
    outcome: str | None
    outcome_detail: str
    review: str = "awaiting"  # confirmed, excluded, awaiting (console.services.requests.review)
    review_note: str = ""
    reviewed_by: str | None = None


@dataclass(frozen=True)
class TimelineEvent:
    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]


@dataclass(frozen=True)
class RequestView:
    """A request as screens, the CLI and reports see it (no ORM object leaves the services)."""

    id: int
    request_type: str
    law: str
    country: str | None
    channel: str
    status: str
    requester_name: str
    requester_address: str
    notes: str
    identifiers: list[tuple[str, str]]
    received_on: dt.date
    due_on: dt.date
    original_due_on: dt.date
    acknowledge_by: dt.date | None
    paused_since: dt.date | None
    extended: bool
    extensions_left: int
    pause_reasons: list[str]
    citations: list[str]
    closed_on: dt.date | None
    outcome: str | None
    denial_reason: str | None
    denial_text: str
    identity_method: str | None
    identity_evidence: str | None
    identity_verified_by: str | None
    identity_verified_at: dt.datetime | None
    policy_version: str | None
    assignee: str | None
    version: int
    updated_by: str
    updated_at: dt.datetime
    allowed_next: list[str]
    fulfilment: dict[str, Any]
    duplicates: list[int] = field(default_factory=list)
    clock: list[ClockEntryView] = field(default_factory=list)
    tasks: list[TaskView] = field(default_factory=list)
    records: list[AttachedRecord] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    ndo_flags: list[str] = field(default_factory=list)
    # What the request's law allows (the registry): the grounds it may be denied on, whether
    # identity must, may or may not be verified, and the 'manifestly unfounded' decisions open.
    denial_reasons: list[str] = field(default_factory=list)
    verification: str = "required"
    excessive_options: list[str] = field(default_factory=list)
    # The waits the law gives an effect (UK GDPR Art. 12A: identity, fee, clarification).
    clock_events: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return DsrStatus(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_left(self, today: dt.date) -> int | None:
        if not self.is_open:
            return None
        return days_left(self.due_on, self.paused_since, today)

    def summary(self) -> dict[str, Any]:
        """What `dsr new --json` prints."""
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "type": self.request_type,
            "law": self.law,
            "received": self.received_on.isoformat(),
            "due_date": self.due_on.isoformat(),
        }
        if self.acknowledge_by is not None:
            out["acknowledge_by"] = self.acknowledge_by.isoformat()
        if self.duplicates:
            out["possible_duplicates"] = self.duplicates
        return out


def duplicates_in(
    s: Session, request_type: str, normalised: Sequence[str], *, exclude: int | None = None
) -> list[int]:
    """Open requests of the same type that share a normalised strong identifier."""
    if not normalised:
        return []
    stmt = (
        select(DsrRequest.id)
        .join(DsrIdentifier, DsrIdentifier.request_id == DsrRequest.id)
        .where(
            DsrIdentifier.normalised.in_(list(normalised)),
            DsrRequest.request_type == request_type,
            DsrRequest.status.in_(OPEN_STATUSES),
        )
        .distinct()
        .order_by(DsrRequest.id)
    )
    if exclude is not None:
        stmt = stmt.where(DsrRequest.id != exclude)
    return list(s.execute(stmt).scalars())


def days_left(due_on: dt.date, paused_since: dt.date | None, today: dt.date) -> int:
    """Days to the due date, frozen while the clock is paused (as deadlines.days_left)."""
    reference = min(today, paused_since) if paused_since else today
    return (due_on - reference).days


def ledger_of(s: Session, request_id: int) -> deadlines.Ledger:
    rows = s.execute(
        select(DsrClockEntry)
        .where(DsrClockEntry.request_id == request_id)
        .order_by(DsrClockEntry.position)
    ).scalars()
    return deadlines.Ledger(
        tuple(
            deadlines.ClockEntry(deadlines.EntryKind(r.kind), r.at, r.reason, r.requester_told_on)
            for r in rows
        )
    )


def clock_of(s: Session, req: DsrRequest) -> deadlines.ClockState:
    return deadlines.compute(req.law, req.request_type, ledger_of(s, req.id), country=req.country)


def _user_names(s: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        uid: name for uid, name in s.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    }


def rule_of(req: DsrRequest) -> request_types.RequestTypeEntry:
    """The registry's rule for a stored request (its law's general clock for a pair the law does
    not hold, kept only so a request recorded before the registry refused such pairs keeps one)."""
    return request_types.registry().rule_for(req.law, req.request_type, req.received_on)


def clock_events_of(rule: request_types.RequestTypeEntry) -> list[str]:
    """The clock events (`dsr clock`) the rule gives an effect: identity and a fee where they
    move the start (UK GDPR Art. 12A(2)), clarification where it stops the clock (Art. 12A(5))."""
    moves = rule.start_moves.events if rule.start_moves else frozenset()
    stops = rule.stop_clock.reasons if rule.stop_clock else frozenset()
    out: list[str] = []
    if "identity" in moves:
        out += ["identity-requested", "identity-received"]
    if "fee" in moves:
        out += ["fee-requested", "fee-paid"]
    if "clarification" in stops:
        out += ["clarification-requested", "clarification-received"]
    return out


def build_view(
    s: Session,
    req: DsrRequest,
    state: deadlines.ClockState,
    *,
    duplicates: list[int] | None = None,
    timeline: bool = True,
) -> RequestView:
    idents = (
        s.execute(
            select(DsrIdentifier)
            .where(DsrIdentifier.request_id == req.id)
            .order_by(DsrIdentifier.id)
        )
        .scalars()
        .all()
    )
    clock = (
        s.execute(
            select(DsrClockEntry)
            .where(DsrClockEntry.request_id == req.id)
            .order_by(DsrClockEntry.position)
        )
        .scalars()
        .all()
    )
    tasks = (
        s.execute(select(DsrTask).where(DsrTask.request_id == req.id).order_by(DsrTask.id))
        .scalars()
        .all()
    )
    recs = (
        s.execute(select(DsrRecord).where(DsrRecord.request_id == req.id).order_by(DsrRecord.id))
        .scalars()
        .all()
    )
    names = _user_names(s, {req.assignee_id, *(t.assignee_id for t in tasks)})
    events: list[TimelineEvent] = []
    if timeline:
        events = [
            TimelineEvent(e.seq, e.at, e.actor, e.action, json.loads(e.details))
            for e in s.execute(
                select(AuditEvent)
                .where(
                    AuditEvent.object_type == OBJECT_TYPE,
                    AuditEvent.object_id == str(req.id),
                    AuditEvent.action != "dsr.view",
                )
                .order_by(AuditEvent.seq)
            ).scalars()
        ]
    rule = rule_of(req)
    status = DsrStatus(req.status)
    norms = [i.normalised for i in idents if i.normalised]
    if duplicates is None:
        duplicates = (
            duplicates_in(s, req.request_type, norms, exclude=req.id)
            if req.status in OPEN_STATUSES
            else []
        )
    return RequestView(
        id=req.id,
        request_type=req.request_type,
        law=req.law,
        country=req.country,
        channel=req.channel,
        status=req.status,
        requester_name=req.requester_name,
        requester_address=req.requester_address,
        notes=req.notes,
        identifiers=[(i.kind, i.value) for i in idents],
        received_on=req.received_on,
        due_on=state.due_date,
        original_due_on=state.original_due_date,
        acknowledge_by=state.acknowledge_by,
        paused_since=state.paused_since,
        extended=state.extended,
        extensions_left=state.extensions_left,
        pause_reasons=sorted(rule.pause_reasons),
        citations=list(state.citations),
        closed_on=req.closed_on,
        outcome=req.outcome,
        denial_reason=req.denial_reason,
        denial_text=req.denial_text,
        identity_method=req.identity_method,
        identity_evidence=req.identity_evidence,
        identity_verified_by=req.identity_verified_by,
        identity_verified_at=req.identity_verified_at,
        policy_version=req.policy_version,
        assignee=names.get(req.assignee_id) if req.assignee_id else None,
        version=req.version,
        updated_by=req.updated_by,
        updated_at=req.updated_at,
        allowed_next=[
            t.value for t in sorted(allowed_targets(status, rule), key=list(DsrStatus).index)
        ],
        denial_reasons=list(rule.denial_reasons),
        verification=rule.verification.mode.value,
        excessive_options=list(rule.excessive.options) if rule.excessive else [],
        clock_events=clock_events_of(rule),
        fulfilment=json.loads(req.fulfilment or "{}"),
        duplicates=duplicates,
        clock=[
            ClockEntryView(c.position, c.kind, c.at, c.reason, c.requester_told_on, c.recorded_by)
            for c in clock
        ],
        tasks=[
            TaskView(
                t.id,
                t.source,
                t.action,
                names.get(t.assignee_id) if t.assignee_id else None,
                t.due_on,
                t.status,
                t.note,
                t.done_by,
            )
            for t in tasks
        ],
        records=[
            AttachedRecord(
                r.record_id,
                r.source,
                r.row,
                r.link,
                json.loads(r.via),
                r.outcome,
                r.outcome_detail,
                r.review,
                r.review_note,
                r.reviewed_by,
            )
            for r in recs
        ],
        timeline=events,
    )


def load_request(s: Session, request_id: int) -> DsrRequest:
    req = s.get(DsrRequest, request_id)
    if req is None:
        raise NotFound(f"No data-subject request with id {request_id}.")
    return req


def load_for_update(s: Session, request_id: int, expected_version: int | None) -> DsrRequest:
    """The request to change; ConflictError naming who changed it if it moved on since read."""
    req = load_request(s, request_id)
    check_version(s, req, expected_version, object_type=OBJECT_TYPE, what=f"Request {req.id}")
    return req


def touch(req: DsrRequest, actor: Actor) -> None:
    """Mark the request changed by `actor` (this also bumps its version)."""
    req.updated_at = actor.clock.now()
    req.updated_by = actor.name


def identifiers_of(s: Session, request_id: int) -> list[tuple[str, str]]:
    return [
        (k, v)
        for k, v in s.execute(
            select(DsrIdentifier.kind, DsrIdentifier.value)
            .where(DsrIdentifier.request_id == request_id)
            .order_by(DsrIdentifier.id)
        ).all()
    ]
