"""The transparency report: per half-year, by country and process type, with national-security
figures only in bands. Figures here; the document and export are in console.services.legal.reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from console.domain.legal import HalfYear, ProcessType, band, percent
from console.domain.permissions import Permission
from console.services.context import Actor
from console.store.db import Database
from console.store.legal_models import LegalDisclosure, LegalIdentifier, LegalRequest


@dataclass(frozen=True)
class TransparencyRow:
    country: str  # ISO code, or "All"
    process_type: str  # label, or "All types"
    received: int
    identifiers: int
    produced: int
    preservation: int
    emergency: int

    @property
    def produced_pct(self) -> float:
        return percent(self.produced, self.received)


@dataclass(frozen=True)
class TransparencyFigures:
    half: HalfYear
    by_country: list[TransparencyRow]
    by_country_and_type: list[TransparencyRow]
    total: TransparencyRow
    national_security_requests: str  # a band, e.g. "0–249"
    national_security_identifiers: str


@dataclass
class _Tally:
    received: int = 0
    identifiers: int = 0
    produced: int = 0
    preservation: int = 0
    emergency: int = 0

    def add(self, process: ProcessType, identifiers: int, produced: bool) -> None:
        self.received += 1
        self.identifiers += identifiers
        self.produced += int(produced)
        self.preservation += int(process is ProcessType.PRESERVATION)
        self.emergency += int(process is ProcessType.EMERGENCY)

    def row(self, country: str, process: str) -> TransparencyRow:
        return TransparencyRow(
            country,
            process,
            self.received,
            self.identifiers,
            self.produced,
            self.preservation,
            self.emergency,
        )


def figures(db: Database, actor: Actor, half: HalfYear) -> TransparencyFigures:
    """Requests received in the half-year; 'produced' means some data was disclosed for it."""
    actor.require(Permission.VIEW_LEGAL)
    start = datetime(half.start.year, half.start.month, half.start.day, tzinfo=UTC)
    end = datetime(half.end.year, half.end.month, half.end.day, tzinfo=UTC)
    with db.read() as s:
        requests = s.execute(
            select(LegalRequest.id, LegalRequest.country, LegalRequest.process_type).where(
                LegalRequest.received_at >= start, LegalRequest.received_at < end
            )
        ).all()
        ids = [r.id for r in requests]
        counts: dict[int, int] = {}
        if ids:
            stmt = (
                select(LegalIdentifier.request_id, func.count())
                .where(LegalIdentifier.request_id.in_(ids))
                .group_by(LegalIdentifier.request_id)
            )
            counts = {int(r): int(n) for r, n in s.execute(stmt)}
        disclosed = (
            set(
                s.execute(
                    select(LegalDisclosure.request_id)
                    .where(LegalDisclosure.request_id.in_(ids))
                    .distinct()
                ).scalars()
            )
            if ids
            else set()
        )
    by_country: dict[str, _Tally] = defaultdict(_Tally)
    by_pair: dict[tuple[str, ProcessType], _Tally] = defaultdict(_Tally)
    total = _Tally()
    ns_requests = ns_identifiers = 0
    for request_id, country, process_text in requests:
        process = ProcessType(process_text)
        n = int(counts.get(request_id, 0))
        if process is ProcessType.NATIONAL_SECURITY:
            # Never by country, never exact: only the bands below leave this function.
            ns_requests += 1
            ns_identifiers += n
            continue
        produced = request_id in disclosed
        for tally in (by_country[country], by_pair[(country, process)], total):
            tally.add(process, n, produced)
    order = list(ProcessType)
    return TransparencyFigures(
        half=half,
        by_country=[by_country[c].row(c, "All types") for c in sorted(by_country)],
        by_country_and_type=[
            by_pair[k].row(k[0], k[1].label)
            for k in sorted(by_pair, key=lambda k: (k[0], order.index(k[1])))
        ],
        total=total.row("All", "All types"),
        national_security_requests=band(ns_requests),
        national_security_identifiers=band(ns_identifiers),
    )
