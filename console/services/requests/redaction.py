"""Redaction for a request's access package: a field of a confirmed record is left out of what this
request discloses (free text naming other people, say), with a reason the package repeats.

The record itself is never changed: a redaction belongs to the request, not to the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.permissions import Permission
from console.errors import NotFound, ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.requests import review
from console.services.requests.model import OBJECT_TYPE, load_for_update, touch, writing
from console.store.db import Database
from console.store.requests_models import DsrRecord, DsrRedaction

REASON_LIMIT = 500


@dataclass(frozen=True)
class Redaction:
    record_id: int
    source: str
    column: str
    reason: str
    redacted_by: str
    redacted_at: dt.datetime


def redactions(db: Database, actor: Actor, request_id: int) -> list[Redaction]:
    actor.require(Permission.VIEW_DSR)
    with db.read() as s:
        return _list(s, request_id)


def redacted_fields(s: Session, request_id: int) -> dict[tuple[int, str], str]:
    """(record id, column) -> reason, for building the request's package."""
    return {(r.record_id, r.column): r.reason for r in _list(s, request_id)}


def _list(s: Session, request_id: int) -> list[Redaction]:
    sources = {
        r.record_id: r.source
        for r in s.execute(select(DsrRecord).where(DsrRecord.request_id == request_id)).scalars()
    }
    rows = s.execute(
        select(DsrRedaction)
        .where(DsrRedaction.request_id == request_id)
        .order_by(DsrRedaction.record_id, DsrRedaction.column)
    ).scalars()
    out = []
    for r in rows:
        at = r.redacted_at if r.redacted_at.tzinfo else r.redacted_at.replace(tzinfo=dt.UTC)
        out.append(
            Redaction(
                r.record_id, sources.get(r.record_id, ""), r.column, r.reason, r.redacted_by, at
            )
        )
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def redact(
    db: Database, actor: Actor, request_id: int, record_id: int, column: str, reason: str
) -> Redaction:
    """Leave one field of a confirmed record out of this request's package, saying why."""
    from console.services.records import search as records  # the records area's contract

    actor.require(Permission.MANAGE_DSR)
    reason = reason.strip()
    if not reason:
        raise ValidationError("A redaction needs a reason; the package tells the requester why.")
    if len(reason) > REASON_LIMIT:
        raise ValidationError(f"The reason is longer than {REASON_LIMIT} characters.")
    found = records.records_by_id(db, actor, [record_id])
    fields = found[0].values if found else {}
    with writing(db) as s:
        req = load_for_update(s, request_id, None)
        attached = s.execute(
            select(DsrRecord).where(
                DsrRecord.request_id == req.id, DsrRecord.record_id == record_id
            )
        ).scalar_one_or_none()
        if attached is None:
            raise ValidationError(f"Record {record_id} is not attached to request {req.id}.")
        if attached.review != review.CONFIRMED:
            raise ValidationError(
                f"Record {record_id} is {review.REVIEW_LABELS[attached.review].lower()}: only a "
                "confirmed record goes into the package, so only its fields are redacted."
            )
        if column not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise ValidationError(f"Record {record_id} has no field '{column}' (fields: {known}).")
        existing = s.execute(
            select(DsrRedaction).where(
                DsrRedaction.request_id == req.id,
                DsrRedaction.record_id == record_id,
                DsrRedaction.column == column,
            )
        ).scalar_one_or_none()
        now = actor.clock.now()
        if existing is None:
            s.add(
                DsrRedaction(
                    request_id=req.id,
                    record_id=record_id,
                    column=column,
                    reason=reason,
                    redacted_by=actor.name,
                    redacted_at=now,
                )
            )
        else:
            existing.reason, existing.redacted_by, existing.redacted_at = reason, actor.name, now
        touch(req, actor)
        s.flush()
        # The field's name, not its value; the reason's hash (it may name the other person).
        record(
            s,
            actor,
            "dsr.redact",
            OBJECT_TYPE,
            req.id,
            {"record": record_id, "field": column, "reason_sha256": _digest(reason)},
        )
        return Redaction(record_id, attached.source, column, reason, actor.name, now)


def unredact(db: Database, actor: Actor, request_id: int, record_id: int, column: str) -> None:
    """Put a redacted field back into the request's package."""
    actor.require(Permission.MANAGE_DSR)
    with writing(db) as s:
        req = load_for_update(s, request_id, None)
        row = s.execute(
            select(DsrRedaction).where(
                DsrRedaction.request_id == req.id,
                DsrRedaction.record_id == record_id,
                DsrRedaction.column == column,
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFound(
                f"Field '{column}' of record {record_id} is not redacted on request {req.id}."
            )
        s.delete(row)
        touch(req, actor)
        record(
            s, actor, "dsr.unredact", OBJECT_TYPE, req.id, {"record": record_id, "field": column}
        )
