"""Appending to and reading the hash-chained audit trail; the one place that serialises appends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from console.domain.auditchain import (
    GENESIS_HASH,
    Anchor,
    ChainEvent,
    canonical_details,
    event_hash,
)
from console.store import team
from console.store.models import AuditEvent
from console.store.team_sql import AUDIT_LOCK_KEY

# Any constant works; it only has to be the same for every writer of one database.
_PG_AUDIT_LOCK_KEY = AUDIT_LOCK_KEY


def _lock_chain(session: Session) -> None:
    """Make concurrent appenders queue, so two events never claim the same place in the chain."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK_KEY})
    # SQLite: write transactions begin IMMEDIATE (console.store.db), which already serialises them.


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Append one event in the caller's transaction: it commits or rolls back with the change.

    Returns its sequence number. In team mode the server appends it (console_audit_append): it
    takes the time, the actor (the signed-in database role) and the chain link itself.
    """
    if session.info.get("team"):
        return team.append(
            session,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=canonical_details(details),
        )
    _lock_chain(session)
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    body = canonical_details(details)
    ev = AuditEvent(
        seq=seq,
        at=when,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=body,
        prev_hash=prev,
        hash=event_hash(
            seq=seq,
            at=when,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=body,
            prev_hash=prev,
        ),
    )
    session.add(ev)
    session.flush()
    return seq


def head(session: Session) -> Anchor | None:
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return Anchor(row[0], row[1]) if row else None


def stream(
    session: Session, *, batch: int = 5000, first: int = 1, last: int | None = None
) -> Iterator[ChainEvent]:
    """Events first..last (default: all) in sequence order, fetched in batches so verifying
    millions stays flat."""
    columns = (
        AuditEvent.seq,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.details,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    )
    last_seq = first - 1
    while True:
        # Plain rows, not ORM objects: the verifier reads every event once (3x faster).
        stmt = select(*columns).where(AuditEvent.seq > last_seq)
        if last is not None:
            stmt = stmt.where(AuditEvent.seq <= last)
        rows = session.execute(stmt.order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            return
        for r in rows:
            yield ChainEvent(*r)
        last_seq = rows[-1][0]


TAIL_EVENTS = 64


def tail_problem(session: Session, count: int = TAIL_EVENTS) -> str | None:
    """Check the newest `count` events (each one's hash, and each link to the one before) in
    constant time; a description of the first problem, or None. Every open runs this; the
    whole chain is for `audit verify`."""
    rows = (
        session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(count + 1))
        .scalars()
        .all()
    )
    rows = list(reversed(rows))
    for i, r in enumerate(rows):
        recomputed = event_hash(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            action=r.action,
            object_type=r.object_type,
            object_id=r.object_id,
            details=r.details,
            prev_hash=r.prev_hash,
        )
        if recomputed != r.hash:
            return f"event {r.seq} does not match its hash (it was edited after it was written)"
        if i == 0:
            continue
        before = rows[i - 1]
        if r.seq != before.seq + 1:
            return f"event {before.seq + 1} is missing (deleted?)"
        if r.prev_hash != before.hash:
            return f"event {r.seq} is not linked to event {before.seq}"
    if rows and rows[0].seq == 1 and rows[0].prev_hash != GENESIS_HASH:
        return "event 1 is not the start of a chain"
    return None
