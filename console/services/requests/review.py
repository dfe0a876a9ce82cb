"""Record review on a data-subject request: each attached record is confirmed, excluded or
awaiting review, and only a confirmed record is ever disclosed, erased or corrected.

A strong link (a shared email, phone, customer id, cookie id...) confirms a record when it is
attached. A possible match (reached only by a name, address, IP or order id) awaits a person who
confirms it with a note saying why it is this requester, or excludes it with a reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain import labels
from console.domain.permissions import Permission
from console.errors import NotFound, ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.requests.model import (
    OBJECT_TYPE,
    RequestError,
    load_for_update,
    touch,
    writing,
)
from console.store.db import Database
from console.store.requests_models import DsrRecord, DsrRequest

CONFIRMED = "confirmed"
EXCLUDED = "excluded"
AWAITING = "awaiting"
# One label per stored code, used by the window, the command line and the case file alike.
# One label per review state and link kind: the catalogue's (console.domain.labels).
REVIEW_LABELS: dict[str, str] = dict(labels.REVIEW_STATES)
LINK_LABELS: dict[str, str] = dict(labels.LINKS)
NOTE_LIMIT = 2_000


def via_text(via: list[str]) -> str:
    """The identifiers a record was reached through, as people read them ("E-mail: a@b.c")."""
    from console.domain.identifiers import kind_label

    out = []
    for item in via:
        kind, sep, value = item.partition(":")
        if kind.startswith("other") and sep:  # other:NAMESPACE:value
            namespace, _, value = value.partition(":")
            kind = f"other:{namespace}"
        out.append(f"{kind_label(kind)}: {value}" if sep else item)
    return ", ".join(out)


def initial_review(link: str) -> str:
    """What a newly attached record starts as: a strong link confirms it, anything else waits."""
    return CONFIRMED if link == "strong" else AWAITING


@dataclass(frozen=True)
class ReviewRow:
    """One attached record as the Records tab and `dsr records` show it."""

    record_id: int
    source: str
    row: int
    link: str
    via: list[str]
    review: str
    note: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    outcome: str | None
    outcome_detail: str

    @property
    def link_label(self) -> str:
        return LINK_LABELS.get(self.link, self.link)

    @property
    def review_label(self) -> str:
        return REVIEW_LABELS.get(self.review, self.review)

    @property
    def decided_by(self) -> str:
        """Who put the record in its state: a person, or the strong link itself."""
        if self.reviewed_by:
            return self.reviewed_by
        return "strong link" if self.review == CONFIRMED else ""


@dataclass(frozen=True)
class ReviewResult:
    request_id: int
    changed: list[int]
    state: str
    awaiting: int


def _row(r: DsrRecord) -> ReviewRow:
    at = r.reviewed_at
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return ReviewRow(
        r.record_id,
        r.source,
        r.row,
        r.link,
        list(json.loads(r.via)),
        r.review,
        r.review_note,
        r.reviewed_by,
        at,
        r.outcome,
        r.outcome_detail,
    )


def review_rows(db: Database, actor: Actor, request_id: int) -> list[ReviewRow]:
    """The records attached to a request with their link, "via" and review state."""
    actor.require(Permission.VIEW_DSR)
    with db.transaction() as s:
        if s.get(DsrRequest, request_id) is None:
            raise NotFound(f"No data-subject request with id {request_id}.")
        rows = _attached(s, request_id)
        record(s, actor, "dsr.records.view", OBJECT_TYPE, request_id, {"records": len(rows)})
        return [_row(r) for r in rows]


def _attached(s: Session, request_id: int) -> list[DsrRecord]:
    return list(
        s.execute(
            select(DsrRecord).where(DsrRecord.request_id == request_id).order_by(DsrRecord.id)
        ).scalars()
    )


def awaiting_count(s: Session, request_id: int) -> int:
    return sum(1 for r in _attached(s, request_id) if r.review == AWAITING)


def awaiting_message(request_id: int, count: int) -> str:
    """What fulfilment says while records await review: the count and how to review them."""
    noun = "record awaits" if count == 1 else "records await"
    return (
        f"Request {request_id}: {count} {noun} review (possible matches that may be someone "
        "else's data). Confirm or exclude each on the request's Records tab, or with "
        f"`dsr records {request_id}`, `dsr confirm {request_id} RECORD... --note TEXT` and "
        f"`dsr exclude {request_id} RECORD... --reason TEXT`; nothing was changed."
    )


def confirmed_record_ids(db: Database, actor: Actor, request_id: int) -> list[int]:
    """The attached records that may leave the console, in the order they were attached."""
    actor.require(Permission.VIEW_DSR)
    with db.read() as s:
        return [r.record_id for r in _attached(s, request_id) if r.review == CONFIRMED]


def _clean(text: str, what: str) -> str:
    text = text.strip()
    if len(text) > NOTE_LIMIT:
        raise ValidationError(f"The {what} is longer than {NOTE_LIMIT} characters.")
    return text


def _chosen(s: Session, req: DsrRequest, record_ids: Iterable[int]) -> list[DsrRecord]:
    wanted = list(dict.fromkeys(record_ids))
    if not wanted:
        raise ValidationError("Name at least one record.")
    by_id = {r.record_id: r for r in _attached(s, req.id)}
    missing = [rid for rid in wanted if rid not in by_id]
    if missing:
        listed = ", ".join(str(m) for m in missing[:5]) + (" …" if len(missing) > 5 else "")
        noun = "Record" if len(missing) == 1 else "Records"
        verb = "is" if len(missing) == 1 else "are"
        raise ValidationError(
            f"{noun} {listed} {verb} not attached to request {req.id}: see `dsr records {req.id}` "
            "for the records it has; nothing was changed."
        )
    return [by_id[rid] for rid in wanted]


def _writable(req: DsrRequest) -> None:
    from console.domain.workflow import DsrStatus

    if req.status not in (DsrStatus.IN_PROGRESS.value, DsrStatus.REVIEW.value):
        raise RequestError(
            f"Request {req.id} is {DsrStatus(req.status).label.lower()}: its records are reviewed "
            "while it is in progress or in review."
        )


def _digest(text: str) -> str:
    # The audit trail keeps the note's hash: the note itself is in the request, and may name people.
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def confirm(
    db: Database,
    actor: Actor,
    request_id: int,
    record_ids: Sequence[int],
    note: str = "",
    *,
    expected_version: int | None = None,
) -> ReviewResult:
    """Confirm records as the requester's. A possible match needs a note saying why."""
    actor.require(Permission.MANAGE_DSR)
    note = _clean(note, "note")
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        _writable(req)
        rows = _chosen(s, req, record_ids)
        unexplained = [r for r in rows if r.link != "strong" or r.review == EXCLUDED]
        if unexplained and not note:
            first = unexplained[0]
            why = (
                f"is a possible match (via {via_text(json.loads(first.via)) or 'a weak identifier'})"
                if first.link != "strong"
                else "was excluded"
            )
            raise ValidationError(
                f"Record {first.record_id} {why}: confirming it needs a note saying why it is "
                "this requester's data (--note TEXT); nothing was changed."
            )
        return _decide(s, actor, req, rows, CONFIRMED, note)


def exclude(
    db: Database,
    actor: Actor,
    request_id: int,
    record_ids: Sequence[int],
    reason: str,
    *,
    expected_version: int | None = None,
) -> ReviewResult:
    """Exclude records from the request (not this requester's, or not to be acted on): why is kept."""
    actor.require(Permission.MANAGE_DSR)
    reason = _clean(reason, "reason")
    if not reason:
        raise ValidationError("Excluding a record needs a reason (--reason TEXT).")
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        _writable(req)
        return _decide(s, actor, req, _chosen(s, req, record_ids), EXCLUDED, reason)


def exclude_awaiting(
    db: Database, actor: Actor, request_id: int, reason: str, *, expected_version: int | None = None
) -> ReviewResult:
    """Exclude every record still awaiting review, with one reason."""
    actor.require(Permission.MANAGE_DSR)
    reason = _clean(reason, "reason")
    if not reason:
        raise ValidationError("Excluding records needs a reason.")
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        _writable(req)
        rows = [r for r in _attached(s, req.id) if r.review == AWAITING]
        if not rows:
            return ReviewResult(req.id, [], EXCLUDED, 0)
        return _decide(s, actor, req, rows, EXCLUDED, reason)


# Once a record was erased or corrected for the request, what was decided about it is history.
_FINAL_OUTCOMES = ("erased", "corrected")


def _decide(
    s: Session, actor: Actor, req: DsrRequest, rows: list[DsrRecord], state: str, note: str
) -> ReviewResult:
    for r in rows:
        if r.outcome in _FINAL_OUTCOMES:
            raise ValidationError(
                f"Record {r.record_id} was already {r.outcome} for request {req.id}: its review "
                "can no longer change; nothing was changed."
            )
    now = actor.clock.now()
    before = sorted({r.review for r in rows})
    for r in rows:
        r.review, r.review_note, r.reviewed_by, r.reviewed_at = state, note, actor.name, now
    touch(req, actor)
    s.flush()
    action = "dsr.record.confirm" if state == CONFIRMED else "dsr.record.exclude"
    record(
        s,
        actor,
        action,
        OBJECT_TYPE,
        req.id,
        {
            "records": [r.record_id for r in rows],
            "from": before,
            "possible_matches": sum(1 for r in rows if r.link != "strong"),
            "note_sha256": _digest(note) if note else None,
        },
    )
    return ReviewResult(req.id, [r.record_id for r in rows], state, awaiting_count(s, req.id))
