"""Finding records: free-text search, identifier lookup, rows by id, and subject discovery.

Holds, erasure and correction are in records.erasure, the suppression list in records.suppression.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from console.domain import identifiers as ids
from console.domain.permissions import Permission
from console.errors import ValidationError
from console.importers.mapping import Mapping
from console.services.audit import record, typed_details
from console.services.context import Actor
from console.services.records.erasure import held_record_ids
from console.services.records.model import regions
from console.store import search_backend
from console.store.db import Database
from console.store.records_models import (
    ImportBatch,
    Record,
    RecordIdentifier,
    Source,
    identifier_key,
    identifiers_of,
)

DEFAULT_FOLLOW_LIMIT = 50
_CHUNK = 500


@dataclass(frozen=True)
class RecordRow:
    id: int
    source: str
    source_id: int
    batch_id: int | None
    row_number: int
    collected_at: datetime | None
    values: dict[str, str | None]
    identifiers: list[tuple[str, str]]
    categories: dict[str, str]
    held_by: list[str]
    erased: bool


@dataclass(frozen=True)
class SubjectRecord:
    record_id: int
    source: str
    row: int
    link: str  # "strong" or "possible"
    via: list[str]  # "email:ana@example.com"
    values: dict[str, str | None]
    categories: dict[str, str]
    held_by: list[str] = field(default_factory=list)  # why it must be kept, as RecordRow says


@dataclass(frozen=True)
class NotFollowed:
    identifier: str
    record_count: int
    reason: str


@dataclass(frozen=True)
class SubjectResult:
    records: list[SubjectRecord]
    not_followed: list[NotFollowed]
    identifiers_followed: list[str]


def _filters(s: Session, source_ids: Sequence[int] | None, category: str | None) -> list[Any]:
    where: list[Any] = [Record.erased_at.is_(None)]
    if source_ids is not None:
        where.append(Record.source_id.in_(list(source_ids)))
    if category:
        listed = Record.categories_json.contains(f'"{category}"', autoescape=True)
        mentioning = select(ImportBatch.id, ImportBatch.mapping).where(
            ImportBatch.mapping.contains(f'"{category}"', autoescape=True)
        )
        batches = [
            bid
            for bid, text in s.execute(mentioning)
            if category in _mapping_categories(text).values()
        ]
        if batches:
            # "" is "every categorised column of the batch's mapping" (see Record.categories_json).
            where.append(
                or_(listed, and_(Record.categories_json == "", Record.batch_id.in_(batches)))
            )
        else:
            where.append(listed)
    return where


def _mapping_categories(mapping_json: str) -> dict[str, str]:
    return Mapping.from_json(json.loads(mapping_json), source_name="import batch").categories()


def _batch_categories(s: Session, batch_ids: Iterable[int | None]) -> dict[int, dict[str, str]]:
    wanted = sorted({b for b in batch_ids if b is not None})
    if not wanted:
        return {}
    rows = s.execute(
        select(ImportBatch.id, ImportBatch.mapping).where(ImportBatch.id.in_(wanted))
    ).all()
    return {bid: _mapping_categories(text) for bid, text in rows}


def _identifier_hits(
    s: Session, pairs: Iterable[tuple[str, str]], where: list[Any], limit: int
) -> list[int]:
    by_kind: dict[str, set[str]] = {}
    for kind, value in pairs:
        by_kind.setdefault(kind, set()).add(value)
    found: set[int] = set()
    for kind, values in by_kind.items():
        stmt = select(RecordIdentifier.record_id).where(
            RecordIdentifier.key.in_(sorted({identifier_key(kind, v) for v in values})),
            RecordIdentifier.kind == kind,
            RecordIdentifier.value.in_(sorted(values)),
        )
        found.update(
            s.execute(stmt.order_by(RecordIdentifier.record_id.desc()).limit(limit)).scalars()
        )
    if not found:
        return []
    if len(where) > 1:
        kept: set[int] = set()
        ordered = sorted(found)
        for start in range(0, len(ordered), _CHUNK):
            part = ordered[start : start + _CHUNK]
            kept.update(s.execute(select(Record.id).where(Record.id.in_(part), *where)).scalars())
        found = kept
    return sorted(found, reverse=True)[:limit]


def _guesses(s: Session, text: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for region in regions(s):
        for pair in ids.guess_query(text, region):
            if pair not in pairs:
                pairs.append(pair)
    return pairs


def search_ids(
    db: Database,
    actor: Actor,
    text: str,
    *,
    source_ids: Sequence[int] | None = None,
    category: str | None = None,
    limit: int = 100_000,
) -> list[int]:
    """Record ids for a search box entry: identifier matches first, then text matches, newest first."""
    actor.require(Permission.SEARCH_RECORDS)
    query = text.replace("\x00", "").strip()[:1000]  # PostgreSQL text cannot hold NUL
    words = search_backend.query_tokens(query)
    with db.transaction() as s:
        where = _filters(s, source_ids, category)
        out: list[int] = []
        wanted = limit + 1  # one more than asked: whether the list is complete
        guesses = _guesses(s, query) if query else []
        if query:
            out = _identifier_hits(s, guesses, where, wanted)
        if words and len(out) < wanted:
            seen = set(out)
            more = search_backend.backend(s).text_match(words, where=where, limit=wanted)
            out.extend(i for i in more if i not in seen)
        complete = len(out) <= limit
        out = out[:limit]
        details: dict[str, Any] = {
            # Keyed hashes, never the text: what is typed in a search box is personal data.
            **typed_details(s, query=query, identifiers=guesses),
            "results": len(out),
            # The Records page asks for a first screenful, then the whole list: two events of
            # one search, the first one marked as stopped at its limit.
            "limit": limit,
            "complete": complete,
        }
        if source_ids is not None:
            details["source_ids"] = sorted(source_ids)
        if category is not None:
            details["category"] = category
        record(s, actor, "records.search", "records", "", details)
    return out


def records_by_id(db: Database, actor: Actor, ids_: Sequence[int]) -> list[RecordRow]:
    """The rows for ids (in the order given) — what a table shows for the ids on screen."""
    actor.require(Permission.SEARCH_RECORDS)
    wanted = list(ids_)
    if not wanted:
        return []
    with db.read() as s:
        rows = _load(s, wanted)
    return [rows[i] for i in wanted if i in rows]


def _load(s: Session, wanted: list[int]) -> dict[int, RecordRow]:
    found: dict[int, RecordRow] = {}
    names = {i: n for i, n in s.execute(select(Source.id, Source.name))}
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        held = held_record_ids(s, part)
        identifiers = identifiers_of(s, part)
        records = s.execute(select(Record).where(Record.id.in_(part))).scalars().all()
        by_batch = _batch_categories(s, (r.batch_id for r in records if not r.categories_json))
        for r in records:
            collected = r.collected_at
            if collected is not None and collected.tzinfo is None:
                collected = collected.replace(tzinfo=UTC)
            idents = sorted({(k, v) for k, v, _c in identifiers.get(r.id, ())})
            found[r.id] = RecordRow(
                r.id,
                names.get(r.source_id, ""),
                r.source_id,
                r.batch_id,
                r.row_number,
                collected,
                json.loads(r.values_json),
                idents,
                json.loads(r.categories_json)
                if r.categories_json
                else dict(by_batch.get(r.batch_id or 0, {})),
                held.get(r.id, []),
                r.erased_at is not None,
            )
    return found


def _normalised_pairs(s: Session, kind: str, value: str) -> list[tuple[str, str]]:
    kind = ids.parse_kind(kind)
    if kind == ids.PHONE:
        values = {ids.normalise_phone(value, default_region=r) for r in regions(s)}
    else:
        values = {ids.normalise(kind, value)}
    return [(kind, v) for v in sorted(v for v in values if v is not None)]


def lookup(db: Database, actor: Actor, kind: str, value: str) -> list[int]:
    """Records holding an identifier typed in any format (phones read with each source's region)."""
    actor.require(Permission.SEARCH_RECORDS)
    with db.transaction() as s:
        pairs = _normalised_pairs(s, kind, value)
        out = _identifier_hits(s, pairs, [Record.erased_at.is_(None)], 100_000) if pairs else []
        record(
            s,
            actor,
            "records.lookup",
            "records",
            "",
            {
                "kind": ids.parse_kind(kind),
                **typed_details(s, query=value, identifiers=pairs),
                "results": len(out),
            },
        )
    return out


def find_subject(
    db: Database,
    actor: Actor,
    identifiers: list[tuple[str, str]],
    *,
    follow_limit: int = DEFAULT_FOLLOW_LIMIT,
    typed: bool = False,
) -> SubjectResult:
    """Everything reachable from the identifiers through shared strong identifiers.

    Weak identifiers (names, addresses, IPs, order ids) of the records found only add "possible"
    matches and are never followed. A strong identifier found on the way that more than
    ``follow_limit`` records share is not followed either (the given ones always are).

    typed: the identifiers were just typed by the user (command line, "Find a person by"): one
    that no record can hold is refused rather than looked for. Identifiers kept with a request
    are looked for as they are (an unusable one simply finds nothing).
    """
    actor.require(Permission.SEARCH_RECORDS)
    if not identifiers:
        raise ValidationError("Give at least one identifier (an email, a phone or KIND=VALUE).")
    with db.transaction() as s:
        start: list[tuple[str, str]] = []
        for number, (kind, value) in enumerate(identifiers, start=1):
            # PostgreSQL text cannot hold NUL, and no stored identifier has one.
            pairs = _normalised_pairs(s, kind, value.replace("\x00", ""))
            if not pairs and typed:
                # "Nothing found" must never be the answer to a typo. The value is not repeated:
                # messages reach logs, and personal data never does.
                which = f"identifier {number}" if len(identifiers) > 1 else "identifier"
                raise ValidationError(
                    f"The {which} given ({ids.parse_kind(kind)}) is not usable: it is malformed "
                    "or a placeholder (such as test@test.com), so no record can hold it."
                )
            for pair in pairs:
                if pair not in start:
                    start.append(pair)
        result = _walk(s, start, follow_limit)
        record(
            s,
            actor,
            "records.subject_find",
            "records",
            "",
            {
                **typed_details(s, identifiers=start),
                "identifiers": len(start),
                "results": len(result.records),
            },
        )
    return result


def _records_with(
    s: Session,
    pairs: Sequence[tuple[str, str]],
    cap: int | None,
    always: Collection[tuple[str, str]] = (),
) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str], int]]:
    """Record ids and number of records per identifier, in two queries for all of them.

    The ids of an identifier with more than ``cap`` records (unless in ``always``) are not read:
    it is only counted, from the narrow index.
    """
    by_key = {identifier_key(kind, value): (kind, value) for kind, value in pairs}
    counts: dict[tuple[str, str], int] = dict.fromkeys(pairs, 0)
    keys = sorted(by_key)
    for start in range(0, len(keys), _CHUNK):
        part = keys[start : start + _CHUNK]
        for key, n in s.execute(
            select(RecordIdentifier.key, func.count())
            .where(RecordIdentifier.key.in_(part))
            .group_by(RecordIdentifier.key)
        ):
            counts[by_key[key]] = int(n)
    wanted = sorted(
        key
        for key, pair in by_key.items()
        if counts[pair] and (cap is None or counts[pair] <= cap or pair in always)
    )
    found: dict[tuple[str, str], set[int]] = {pair: set() for pair in pairs}
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        for key, kind, value, rid in s.execute(
            select(
                RecordIdentifier.key,
                RecordIdentifier.kind,
                RecordIdentifier.value,
                RecordIdentifier.record_id,
            ).where(RecordIdentifier.key.in_(part))
        ):
            pair = by_key[key]
            if pair == (kind, value):  # a 64-bit key is checked, never trusted
                found[pair].add(int(rid))
    return {pair: sorted(ids_) for pair, ids_ in found.items()}, counts


def _label(pair: tuple[str, str]) -> str:
    return f"{pair[0]}:{pair[1]}"


def _walk(s: Session, start: list[tuple[str, str]], cap: int) -> SubjectResult:
    strong_via: dict[int, list[str]] = {}
    followed: list[tuple[str, str]] = []
    not_followed: list[NotFollowed] = []
    seen_pairs: set[tuple[str, str]] = set(start)
    weak_pairs: list[tuple[str, str]] = [p for p in start if not ids.is_strong(p[0])]
    frontier = [p for p in start if ids.is_strong(p[0])]
    given = set(start)
    while frontier:
        hits, counts = _records_with(s, frontier, cap, given)
        new_records: list[int] = []
        for pair in frontier:
            records = hits[pair]
            if counts[pair] > cap and pair not in given:
                not_followed.append(
                    NotFollowed(
                        _label(pair),
                        counts[pair],
                        f"shared by more than {cap} records, so it is not taken to mean one person",
                    )
                )
                continue
            followed.append(pair)
            for rid in records:
                if rid not in strong_via:
                    strong_via[rid] = []
                    new_records.append(rid)
                if _label(pair) not in strong_via[rid]:
                    strong_via[rid].append(_label(pair))
        frontier = []
        for _rid, kind, value in _identifiers_of(s, new_records):
            pair = (kind, value)
            if pair in seen_pairs:
                continue
            seen_pairs.add(pair)
            (frontier if ids.is_strong(kind) else weak_pairs).append(pair)
    possible_via: dict[int, list[str]] = {}
    weak_hits, weak_counts = _records_with(s, weak_pairs, cap)
    for pair in weak_pairs:
        records = weak_hits[pair]
        if weak_counts[pair] > cap:
            not_followed.append(
                NotFollowed(
                    _label(pair),
                    weak_counts[pair],
                    f"a weak identifier shared by more than {cap} records; not shown as a match",
                )
            )
            continue
        for rid in records:
            if rid not in strong_via:
                possible_via.setdefault(rid, []).append(_label(pair))
    rows = _load(s, sorted(set(strong_via) | set(possible_via)))
    out: list[SubjectRecord] = []
    for rid, row in rows.items():
        if row.erased:
            continue
        link = "strong" if rid in strong_via else "possible"
        via = strong_via.get(rid) or possible_via.get(rid, [])
        out.append(
            SubjectRecord(
                rid, row.source, row.row_number, link, via, row.values, row.categories, row.held_by
            )
        )
    out.sort(key=lambda r: (r.link != "strong", r.source, r.row))
    return SubjectResult(out, not_followed, [_label(p) for p in followed])


def _identifiers_of(s: Session, record_ids: list[int]) -> list[tuple[int, str, str]]:
    found = identifiers_of(s, record_ids)
    return [
        (rid, k, v) for rid in sorted(found) for k, v in sorted({(k, v) for k, v, _c in found[rid]})
    ]
