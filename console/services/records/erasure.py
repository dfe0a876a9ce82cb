"""Changing records for requests: legal holds, erasure (with tombstones), correction.

Every function here runs in the caller's transaction (``db.transaction()``); the caller records
its own audit event as well.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from console.domain import identifiers as ids
from console.domain.permissions import Permission
from console.errors import NotFound, ValidationError
from console.importers.mapping import Mapping
from console.services.audit import record, value_hmac
from console.services.context import Actor
from console.services.records.suppression import add_digest, digest_of
from console.store import search_backend
from console.store.records_models import (
    ImportBatch,
    Record,
    RecordHold,
    RecordIdentifier,
    Source,
    Tombstone,
    identifier_key,
    identifiers_of,
)

_CHUNK = 500


@dataclass(frozen=True)
class ErasureResult:
    erased: list[int]
    held: dict[int, list[str]] = field(default_factory=dict)


def place_hold(
    session: Session,
    record_ids: Sequence[int],
    *,
    hold_ref: str,
    reason: str,
    until: date | None,
) -> int:
    """Put records under a hold (a renewal updates reason and expiry); returns records covered."""
    ref = hold_ref.strip()
    if not ref:
        raise ValidationError("A hold needs a reference (like LH-3).")
    now = datetime.now(UTC)
    wanted = sorted(set(record_ids))
    existing = (
        {
            h.record_id: h
            for h in session.execute(
                select(RecordHold).where(
                    RecordHold.hold_ref == ref, RecordHold.record_id.in_(wanted)
                )
            ).scalars()
        }
        if wanted
        else {}
    )
    present = set(session.execute(select(Record.id).where(Record.id.in_(wanted))).scalars())
    missing = set(wanted) - present
    if missing:
        raise NotFound(f"No record with id {min(missing)}.")
    for rid in wanted:
        hold = existing.get(rid)
        if hold is None:
            session.add(
                RecordHold(
                    record_id=rid,
                    hold_ref=ref,
                    reason=reason[:400],
                    until=until,
                    placed_at=now,
                    released_at=None,
                )
            )
        else:
            hold.reason, hold.until, hold.released_at = reason[:400], until, None
    session.flush()
    return len(wanted)


def release_hold(session: Session, hold_ref: str) -> int:
    """Release every record of a hold; returns how many were released."""
    result = session.execute(
        update(RecordHold)
        .where(RecordHold.hold_ref == hold_ref.strip(), RecordHold.released_at.is_(None))
        .values(released_at=datetime.now(UTC))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def held_record_ids(session: Session, record_ids: Sequence[int]) -> dict[int, list[str]]:
    """Record id → why it is held ("Legal hold LH-3 (case 24-CR-118) until 2027-02-24")."""
    today = datetime.now(UTC).date()
    out: dict[int, list[str]] = {}
    ids_ = sorted(set(record_ids))
    for start in range(0, len(ids_), _CHUNK):
        part = ids_[start : start + _CHUNK]
        for h in session.execute(
            select(RecordHold)
            .where(RecordHold.record_id.in_(part), RecordHold.released_at.is_(None))
            .order_by(RecordHold.hold_ref)
        ).scalars():
            if h.until is not None and h.until < today:
                continue
            text = f"Legal hold {h.hold_ref}"
            if h.reason:
                text += f" ({h.reason})"
            if h.until is not None:
                text += f" until {h.until.isoformat()}"
            out.setdefault(h.record_id, []).append(text)
    return out


def erase_records(
    session: Session, actor: Actor, record_ids: Sequence[int], *, reason: str, request_ref: str
) -> ErasureResult:
    """Remove the personal data of records, keep tombstones, suppress their strong identifiers.

    Held records are refused and reported, not erased.
    """
    actor.require(Permission.FULFIL_DSR)
    wanted = sorted(set(record_ids))
    held = held_record_ids(session, wanted)
    rows = {r.id: r for r in session.execute(select(Record).where(Record.id.in_(wanted))).scalars()}
    missing = set(wanted) - set(rows)
    if missing:
        raise NotFound(f"No record with id {min(missing)}.")
    to_erase = [rid for rid in wanted if rid not in held and rows[rid].erased_at is None]
    already = [rid for rid in wanted if rid not in held and rows[rid].erased_at is not None]
    now = actor.clock.now()
    found = identifiers_of(session, to_erase)
    idents = {rid: [(k, v) for k, v, _c in found.get(rid, ())] for rid in to_erase}
    suppressed = 0
    for rid in to_erase:
        pairs = sorted(set(idents.get(rid, [])))
        for kind, value in pairs:
            if ids.is_strong(kind):
                suppressed += add_digest(
                    session,
                    actor,
                    kind,
                    digest_of(kind, value),
                    reason=reason,
                    request_ref=request_ref,
                )
        session.add(
            Tombstone(
                record_id=rid,
                source_id=rows[rid].source_id,
                row_number=rows[rid].row_number,
                identifier_digests=json.dumps([digest_of(k, v) for k, v in pairs]),
                reason=reason[:400],
                request_ref=request_ref[:100],
                erased_at=now,
                erased_by=actor.name,
            )
        )
    if to_erase:
        search_backend.backend(session).unindex(to_erase)
        for start in range(0, len(to_erase), _CHUNK):
            session.execute(
                delete(RecordIdentifier).where(
                    RecordIdentifier.record_id.in_(to_erase[start : start + _CHUNK])
                )
            )
        session.execute(
            update(Record)
            .where(Record.id.in_(to_erase))
            .values(
                values_json="{}",
                categories_json="{}",
                search_text="",
                erased_at=now,
                erased_ref=request_ref[:200],
            )
        )
    session.flush()
    record(
        session,
        actor,
        "records.erase",
        "records",
        request_ref,
        {
            "erased": to_erase,
            "refused_held": sorted(held),
            "identifiers_suppressed": suppressed,
            "reason": reason,
        },
    )
    return ErasureResult(sorted(to_erase + already), held)


def correct_record(
    session: Session,
    actor: Actor,
    record_id: int,
    column: str,
    new_value: str | None,
    *,
    request_ref: str,
) -> tuple[str | None, str | None]:
    """Change one value; identifiers and the search index follow. Returns (before, after)."""
    actor.require(Permission.FULFIL_DSR)
    rec = session.get(Record, record_id)
    if rec is None:
        raise NotFound(f"No record with id {record_id}.")
    if rec.erased_at is not None:
        raise ValidationError(f"Record {record_id} was erased; there is nothing to correct.")
    values: dict[str, str | None] = json.loads(rec.values_json)
    if column not in values:
        raise ValidationError(f'Record {record_id} has no column "{column}".')
    before = values[column]
    after = new_value if new_value not in ("", None) else None
    values[column] = after
    mapping = _batch_mapping(session, rec)
    column_spec = mapping.columns.get(column) if mapping is not None else None
    spec = column_spec.identifier if column_spec is not None else None
    backend = search_backend.backend(session)
    backend.unindex([record_id])
    session.execute(
        delete(RecordIdentifier).where(
            RecordIdentifier.record_id == record_id, RecordIdentifier.column == column
        )
    )
    if spec is not None and after is not None:
        region = session.execute(
            select(Source.default_region).where(Source.id == rec.source_id)
        ).scalar_one()
        normalised = ids.normalise(spec, after, default_region=region)
        if normalised is not None:
            session.add(
                RecordIdentifier(
                    record_id=record_id,
                    column=column,
                    kind=spec,
                    value=normalised,
                    key=identifier_key(spec, normalised),
                )
            )
    rec.values_json = json.dumps(values, ensure_ascii=False)
    rec.categories_json = _categories_json(rec.categories_json, mapping, values)
    rec.search_text = search_backend.search_text(values.values())
    session.flush()
    backend.reindex([record_id])
    record(
        session,
        actor,
        "records.correct",
        "record",
        record_id,
        {
            "column": column,
            "request_ref": request_ref,
            # Keyed hashes: a plain SHA-256 of an e-mail address is reversed by trying candidates.
            "before_hmac": value_hmac(session, before),
            "after_hmac": value_hmac(session, after),
        },
    )
    return before, after


def _batch_mapping(session: Session, rec: Record) -> Mapping | None:
    """The mapping the record's import used, if it came from an import."""
    if rec.batch_id is None:
        return None
    text = session.execute(
        select(ImportBatch.mapping).where(ImportBatch.id == rec.batch_id)
    ).scalar_one_or_none()
    if not text:
        return None
    return Mapping.from_json(json.loads(text), source_name="import batch")


def _categories_json(stored: str, mapping: Mapping | None, values: dict[str, str | None]) -> str:
    """A record's categories after a correction: the categorised columns that hold a value.

    As on import, "" stands for "every categorised column of the batch's mapping".
    """
    if mapping is None:
        kept = {c: k for c, k in json.loads(stored or "{}").items() if values.get(c) is not None}
        return json.dumps(kept, ensure_ascii=False)
    every = mapping.categories()
    kept = {c: k for c, k in every.items() if values.get(c) is not None}
    return "" if kept == every else json.dumps(kept, ensure_ascii=False)
