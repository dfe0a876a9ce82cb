"""The audit trail as a user sees it: browse, count, verify against anchors, show the chain head."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from console.domain.audit_text import EventText, Namer, describe
from console.domain.auditchain import Anchor, VerifyResult, verify_chain
from console.domain.permissions import Permission
from console.domain.typed_text import identifier_message, query_message, value_message
from console.services.context import Actor
from console.store import audit_log
from console.store.db import Database
from console.store.keyed_hash import KEY_ID_MESSAGE, keyed_hashes
from console.store.models import AuditEvent, User
from console.store.records_models import Source


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
) -> int:
    """Append an event inside the caller's transaction; returns its sequence number."""
    return audit_log.append(
        session,
        actor=actor.name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )


def record_refusal(db: Database, actor: Actor, what: str, reason: str) -> None:
    """Record that something was refused to actor (access.denied: what and why, nothing personal).

    In its own transaction: the refused work never began, or was rolled back.
    """
    with db.transaction() as s:
        record(
            s,
            actor,
            "access.denied",
            "permission",
            what,
            {"role": actor.role.value, "reason": reason},
        )


@dataclass(frozen=True)
class EventFilter:
    since: datetime | None = None  # inclusive, aware
    until: datetime | None = None  # exclusive, aware
    actor: str | None = None
    action_prefix: str | None = None
    object_type: str | None = None
    object_id: str | None = None


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    hash: str


def _filtered(stmt: Select[Any], f: EventFilter) -> Select[Any]:
    if f.since is not None:
        stmt = stmt.where(AuditEvent.at >= _iso(f.since))
    if f.until is not None:
        stmt = stmt.where(AuditEvent.at < _iso(f.until))
    if f.actor:
        stmt = stmt.where(AuditEvent.actor == f.actor)
    if f.action_prefix:
        stmt = stmt.where(AuditEvent.action.startswith(f.action_prefix, autoescape=True))
    if f.object_type:
        stmt = stmt.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        stmt = stmt.where(AuditEvent.object_id == f.object_id)
    return stmt


def _iso(when: datetime) -> str:
    from datetime import UTC

    return when.astimezone(UTC).isoformat(timespec="microseconds")


def event_seqs(db: Database, actor: Actor, f: EventFilter = EventFilter()) -> list[int]:
    """Sequence numbers of matching events, newest first: the lazy table holds these, not rows."""
    actor.require(Permission.VIEW_AUDIT)
    with db.read() as s:
        stmt = _filtered(select(AuditEvent.seq), f).order_by(AuditEvent.seq.desc())
        return list(s.execute(stmt).scalars())


def events_by_seq(db: Database, actor: Actor, seqs: list[int]) -> list[EventRow]:
    actor.require(Permission.VIEW_AUDIT)
    if not seqs:
        return []
    with db.read() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.seq.in_(seqs))).scalars().all()
        by_seq = {r.seq: event_row(r) for r in rows}
    return [by_seq[q] for q in seqs if q in by_seq]


def list_events(
    db: Database, actor: Actor, f: EventFilter = EventFilter(), *, limit: int | None = None
) -> list[EventRow]:
    """Matching events oldest first (for reports and the CLI)."""
    actor.require(Permission.VIEW_AUDIT)
    with db.read() as s:
        stmt = _filtered(select(AuditEvent), f).order_by(AuditEvent.seq)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [event_row(r) for r in s.execute(stmt).scalars()]


def iter_events(db: Database, actor: Actor, f: EventFilter = EventFilter()) -> Iterator[EventRow]:
    """Matching events oldest first, streamed: memory stays flat for reports of any length."""
    actor.require(Permission.VIEW_AUDIT)
    with db.read() as s:
        stmt = _filtered(select(AuditEvent), f).order_by(AuditEvent.seq)
        for r in s.execute(stmt.execution_options(yield_per=2000)).scalars():
            yield event_row(r)


def event_row(r: AuditEvent) -> EventRow:
    try:
        details = json.loads(r.details)
    except (TypeError, ValueError):  # TypeError: damage turned the text into NULL
        # A damaged event is still shown (verify names it); its text is kept as found.
        details = {"unreadable_details": r.details}
    return EventRow(r.seq, r.at, r.actor, r.action, r.object_type, r.object_id, details, r.hash)


def object_namer(db: Database, actor: Actor) -> Namer:
    """Names for the trail's objects as users know them: users by name, sources by name (read once;
    a desk whose database role may not read them sees "User 4", never an error)."""
    actor.require(Permission.VIEW_AUDIT)
    names: dict[tuple[str, str], str] = {}
    try:
        with db.read() as s:
            for uid, name, full in s.execute(select(User.id, User.name, User.full_name)):
                names[("user", str(uid))] = f"{full} ({name})" if full else name
            for sid, name in s.execute(select(Source.id, Source.name)):
                names[("source", str(sid))] = name
    except DBAPIError as exc:  # a role refused the read: the plain names stay
        if db.known_error(exc) is None:
            raise
    return lambda object_type, object_id: names.get((object_type, object_id))


def describe_event(ev: EventRow, namer: Namer | None = None) -> EventText:
    """One event as a person reads it: a sentence and labelled details (the window, CLI, reports)."""
    return describe(ev.actor, ev.action, ev.object_type, ev.object_id, ev.details, namer)


def actors(db: Database, actor: Actor) -> list[str]:
    actor.require(Permission.VIEW_AUDIT)
    with db.read() as s:
        return list(
            s.execute(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)).scalars()
        )


def count(db: Database, actor: Actor) -> int:
    actor.require(Permission.VIEW_AUDIT)
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def head(db: Database, actor: Actor) -> Anchor | None:
    """The newest event's SEQ:HASH: write it down (reports print it) to pin the chain."""
    actor.require(Permission.VIEW_AUDIT)
    with db.read() as s:
        return audit_log.head(s)


def verify(db: Database, actor: Actor, *, anchors: tuple[Anchor, ...] = ()) -> VerifyResult:
    """Verify the whole chain (and any anchors), then record that it was verified and the outcome."""
    actor.require(Permission.VERIFY_AUDIT)
    with db.read() as s:
        result = verify_chain(audit_log.stream(s), anchors=anchors)
    with db.transaction() as s:
        record(
            s,
            actor,
            "audit.verify",
            "audit_trail",
            "",
            {
                "ok": result.ok,
                "events_checked": result.events_checked,
                "broken_seq": result.broken_seq,
                "anchors": [str(a) for a in anchors],
            },
        )
    return result


def typed_details(
    session: Session,
    *,
    query: str | None = None,
    identifiers: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """What an event keeps of typed text: keyed hashes, never the text itself.

    query is the text as typed; identifiers are (kind, normalised value) pairs. An auditor
    finds the events again by the same text (console.services.audit_queries).
    """
    pairs = list(dict.fromkeys(identifiers))
    messages = [identifier_message(kind, value) for kind, value in pairs]
    if query is not None:
        messages.insert(0, query_message(query))
    hashes = keyed_hashes(session, [KEY_ID_MESSAGE, *messages])
    out: dict[str, Any] = {"hmac_key": hashes.pop(0)[:12]}
    if query is not None:
        out["query_hmac"] = hashes.pop(0)
    if pairs:
        out["identifier_hmacs"] = hashes
    return out


def value_hmac(session: Session, value: str | None) -> str | None:
    """The keyed hash of one stored value (None stays None)."""
    return None if value is None else keyed_hashes(session, [value_message(value)])[0]
