"""The scope of a legal request — the identifiers it names, the data categories it seeks and the
date range on when data was collected — and which records, and which of their fields, fall in it.

A record is in scope when it holds one of the named identifiers itself (an IP only within the
time it was named for), has fields of a sought category, and was collected within the range.
A record without a collection time is listed for legal to decide; anything else is beyond the
scope and goes out only with legal's override and its reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from console.domain import identifiers as ident
from console.domain import legal as rules
from console.domain.permissions import Permission
from console.errors import ValidationError
from console.services.context import Actor
from console.services.legal.intake import get
from console.services.legal.model import (
    IdentifierSpec,
    LegalDetail,
    aware,
    flush_versioned,
    get_request,
    identifiers_of,
    touch,
)
from console.store.db import Database
from console.store.legal_models import LegalRequest

IN_SCOPE = "in_scope"
UNDATED = "undated"
OUT_OF_RANGE = "out_of_range"
LINKED_ONLY = "linked_only"
NO_CATEGORY = "no_category"
NOT_REACHED = "not_reached"
STATUS_LABELS = {
    IN_SCOPE: "In scope",
    UNDATED: "No collection time: legal decides",
    OUT_OF_RANGE: "Collected outside the date range",
    LINKED_ONLY: "Reached only through linked identifiers",
    NO_CATEGORY: "Holds none of the categories sought",
    NOT_REACHED: "Not reached by the request's identifiers",
}


@dataclass(frozen=True)
class Scope:
    identifiers: list[IdentifierSpec]
    categories: list[str]
    data_from: date | None
    data_to: date | None

    @property
    def defined(self) -> bool:
        return bool(self.identifiers) and bool(self.categories)

    def describe(self, labels: dict[str, str]) -> dict[str, Any]:
        """The scope as the manifest, the index and the certification state it."""
        return {
            "identifiers": [_spec_label(i) for i in self.identifiers],
            "categories": [labels.get(c, c) for c in self.categories],
            "collected_from": self.data_from.isoformat() if self.data_from else None,
            "collected_to": self.data_to.isoformat() if self.data_to else None,
        }


@dataclass(frozen=True)
class ScopedRecord:
    record_id: int
    source: str
    row: int
    collected_at: datetime | None
    status: str
    matched: list[str]  # the named identifiers it holds, as labels ("E-mail: ana@example.org")
    columns: list[str]  # its fields of the sought categories
    categories: list[str]  # those fields' category ids
    reason: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class ScopeResult:
    request_id: int
    scope: Scope
    records: list[ScopedRecord] = field(default_factory=list)

    def having(self, status: str) -> list[ScopedRecord]:
        return [r for r in self.records if r.status == status]


def no_scope_message(ref: str, scope: Scope) -> str | None:
    """Why a request cannot be decided 'produce' (or produced) yet, or None when it can."""
    missing = []
    if not scope.identifiers:
        missing.append("the identifiers it names")
    if not scope.categories:
        missing.append("the data categories it seeks (legal scope --category)")
    if not missing:
        return None
    return (
        f"{ref} has no production scope: record {' and '.join(missing)} before deciding to "
        "produce, so that only what the request asks for can be disclosed."
    )


def scope_of(detail: LegalDetail) -> Scope:
    return Scope(
        list(detail.identifiers), list(detail.categories), detail.data_from, detail.data_to
    )


def scope_of_row(s: Session, row: LegalRequest) -> Scope:
    return Scope(
        identifiers_of(s, row.id),
        list(json.loads(row.categories or "[]")),
        row.data_from,
        row.data_to,
    )


def refuse_without_scope(s: Session, row: LegalRequest) -> None:
    message = no_scope_message(rules.request_ref(row.id), scope_of_row(s, row))
    if message:
        raise ValidationError(message)


def _spec_label(spec: IdentifierSpec) -> str:
    text = f"{ident.kind_label(spec.kind)}: {spec.value}"
    if spec.seen_from or spec.seen_to:
        start = spec.seen_from.isoformat() if spec.seen_from else "…"
        end = spec.seen_to.isoformat() if spec.seen_to else "…"
        text += f" (seen {start} to {end})"
    return text


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment <= end)


def _day_range(scope: Scope) -> tuple[datetime | None, datetime | None]:
    start = (
        datetime(scope.data_from.year, scope.data_from.month, scope.data_from.day, tzinfo=UTC)
        if scope.data_from
        else None
    )
    end = (
        datetime(
            scope.data_to.year,
            scope.data_to.month,
            scope.data_to.day,
            23,
            59,
            59,
            999999,
            tzinfo=UTC,
        )
        if scope.data_to
        else None
    )
    return start, end


def _via_label(via: str) -> str:
    kind, _, value = via.partition(":")
    return f"{ident.kind_label(kind)}: {value}"


def classify(scope: Scope, row: Any, reached: bool = True, via: Sequence[str] = ()) -> ScopedRecord:
    """Where one record (a records.RecordRow) stands against the scope, and why.

    `via`: the identifiers the subject search reached it through, named for a linked record.
    """
    held = set(row.identifiers)
    collected = aware(row.collected_at)
    matched: list[str] = []
    time_bound_miss = False
    for spec in scope.identifiers:
        if (spec.kind, spec.value) not in held:
            continue
        if spec.seen_from or spec.seen_to:
            if collected is None:
                matched.append(_spec_label(spec))  # undated: legal decides below
                continue
            if not _within(collected, aware(spec.seen_from), aware(spec.seen_to)):
                time_bound_miss = True
                continue
        matched.append(_spec_label(spec))
    sought = set(scope.categories)
    cats = row.categories if isinstance(row.categories, dict) else {}
    columns = [
        c for c, cid in cats.items() if cid in sought and row.values.get(c) not in (None, "")
    ]
    categories = sorted({cats[c] for c in columns})
    base = (row.id, row.source, row.row_number, collected)

    def result(status: str, reason: str = "") -> ScopedRecord:
        return ScopedRecord(*base, status, matched, columns, categories, reason)

    if not matched:
        if time_bound_miss:
            return result(OUT_OF_RANGE, "collected outside the time the IP address was named for")
        if not reached:
            return result(NOT_REACHED)
        linked = ", ".join(_via_label(v) for v in via)
        return result(
            LINKED_ONLY,
            f"linked through {linked}" if linked else "holds none of the named identifiers itself",
        )
    if not columns:
        return result(NO_CATEGORY)
    if collected is None:
        return result(UNDATED)
    start, end = _day_range(scope)
    if not _within(collected, start, end):
        return result(OUT_OF_RANGE, f"collected {collected.date().isoformat()}")
    return result(IN_SCOPE)


def evaluate(db: Database, actor: Actor, request_id: int) -> ScopeResult:
    """Every record the request's identifiers reach, each with its place in the scope."""
    from console.services.records import search as records

    actor.require(Permission.PRODUCE_LEGAL)
    scope = scope_of(get(db, actor, request_id))
    if not scope.identifiers:
        return ScopeResult(request_id, scope)
    via = reach(db, actor, scope)
    rows = [r for r in records.records_by_id(db, actor, list(via)) if not r.erased]
    out = sorted((classify(scope, r, via=via[r.id]) for r in rows), key=lambda r: (r.source, r.row))
    return ScopeResult(request_id, scope, out)


def reach(db: Database, actor: Actor, scope: Scope) -> dict[int, list[str]]:
    """The records the request's identifiers reach (subject search), each with its "via"."""
    from console.services.records import search as records

    actor.require(Permission.PRODUCE_LEGAL)
    if not scope.identifiers:
        return {}
    found = records.find_subject(db, actor, [(i.kind, i.value) for i in scope.identifiers])
    return {r.record_id: [str(v) for v in r.via] for r in found.records}


def classify_ids(
    db: Database,
    actor: Actor,
    scope: Scope,
    record_ids: Sequence[int],
    reached: dict[int, list[str]],
) -> list[ScopedRecord]:
    """The chosen records, in the order given, each against the scope (`reached`: id -> via)."""
    from console.services.records import search as records

    actor.require(Permission.PRODUCE_LEGAL)
    rows = records.records_by_id(db, actor, list(record_ids))
    missing = len(set(record_ids)) - len(rows)
    erased = [r for r in rows if r.erased]
    if missing or erased:
        raise ValidationError(
            f"{missing + len(erased)} of the chosen records no longer exist "
            "or were erased: choose again."
        )
    return [classify(scope, r, reached=r.id in reached, via=reached.get(r.id, ())) for r in rows]


def set_scope(
    db: Database,
    actor: Actor,
    request_id: int,
    *,
    categories: Sequence[str] | None = None,
    data_from: date | None = None,
    data_to: date | None = None,
) -> LegalDetail:
    """Record what the request seeks: its data categories and the collection dates it covers."""
    from console.services import policy
    from console.services.audit import record

    actor.require(Permission.MANAGE_LEGAL)
    with db.transaction() as s:
        row = get_request(s, request_id)
        before: dict[str, Any] = {}
        if categories is not None:
            wanted = sorted(set(categories))
            unknown = policy.unknown_categories(s, wanted)
            if unknown:
                raise ValidationError(
                    f"Unknown data category '{unknown[0]}': use the policy pack's category ids "
                    "(see the Policy page)."
                )
            if json.loads(row.categories or "[]") != wanted:
                before["categories"] = True
                row.categories = json.dumps(wanted)
        start = data_from if data_from is not None else row.data_from
        end = data_to if data_to is not None else row.data_to
        if start and end and end < start:
            raise ValidationError("The date range sought ends before it starts.")
        for name, value in (("data_from", data_from), ("data_to", data_to)):
            if value is not None and getattr(row, name) != value:
                before[name] = True
                setattr(row, name, value)
        if before:
            touch(row, actor)
            flush_versioned(s, row)
            record(s, actor, "legal.scope", "legal_request", row.id, {"fields": sorted(before)})
    return get(db, actor, request_id)


__all__ = [
    "IN_SCOPE",
    "LINKED_ONLY",
    "NOT_REACHED",
    "NO_CATEGORY",
    "OUT_OF_RANGE",
    "STATUS_LABELS",
    "UNDATED",
    "Scope",
    "ScopeResult",
    "ScopedRecord",
    "classify",
    "classify_ids",
    "evaluate",
    "no_scope_message",
    "scope_of",
    "set_scope",
]
