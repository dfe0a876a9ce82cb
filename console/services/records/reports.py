"""Reports over the collected data: the source catalogue with import history, and a search export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from console.domain import labels
from console.reports import Column, KeyValues, Note, Section, Table
from console.services import policy
from console.services.records import batches as import_batches
from console.services.records import search as records
from console.services.records import sources
from console.services.reporting.spec import BuildContext, ReportSpec

_PAGE = 500


def _naive(moment: datetime | None) -> datetime | None:
    # The renderers write datetimes as naive UTC (the column header says so).
    if moment is None or moment.tzinfo is None:  # SQLite hands back naive UTC
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def build_sources(ctx: BuildContext) -> list[Section]:
    pack = policy.pack_in_force(ctx.db, ctx.actor)
    kinds = {k.id: k.label for k in pack.source_kinds}
    cats = {c.id: c.label for c in pack.categories}
    infos = sources.list_sources(ctx.db, ctx.actor)
    batches = import_batches.list_batches(ctx.db, ctx.actor)
    since, until = ctx.params.since, ctx.params.until
    if since:
        batches = [b for b in batches if b.started_at.date() >= since]
    if until:
        batches = [b for b in batches if b.started_at.date() <= until]
    return [
        Section(
            "Sources",
            [
                Table(
                    "Sources",
                    [
                        Column("Source", "text", 18),
                        Column("Kind", "text", 16),
                        Column("Owner", "text", 14),
                        Column("System", "text", 14),
                        Column("Data categories", "text", 34),
                        Column("Retention", "text", 18),
                        Column("Records", "int", 9),
                        Column("Last import", "datetime", 17),
                    ],
                    [
                        (
                            i.name,
                            kinds.get(i.kind, i.kind),
                            i.owner,
                            i.system,
                            ", ".join(cats.get(c, c) for c in i.categories),
                            i.retention,
                            i.record_count,
                            _naive(i.last_import_at),
                        )
                        for i in infos
                    ],
                )
            ],
        ),
        Section(
            "Import history",
            [
                Table(
                    "Imports",
                    [
                        Column("Batch", "int", 7),
                        Column("Source", "text", 16),
                        Column("File", "text", 22),
                        Column("Status", "text", 11),
                        Column("Started", "datetime", 17),
                        Column("Finished", "datetime", 17),
                        Column("Imported", "int", 9),
                        Column("Rejected", "int", 9),
                        Column("Suppressed", "int", 9),
                        Column("By", "text", 10),
                        Column("File SHA-256", "text", 20),
                    ],
                    [
                        (
                            b.id,
                            b.source,
                            b.file_name,
                            labels.label("import_status", b.status),
                            _naive(b.started_at),
                            _naive(b.finished_at),
                            b.rows_imported,
                            b.rows_rejected,
                            b.rows_suppressed,
                            b.by,
                            b.file_sha256,
                        )
                        for b in batches
                    ],
                )
            ],
        ),
    ]


def _record_rows(ctx: BuildContext, ids: Sequence[int]) -> Iterator[Sequence[object]]:
    for start in range(0, len(ids), _PAGE):
        for r in records.records_by_id(ctx.db, ctx.actor, ids[start : start + _PAGE]):
            values = "; ".join(f"{k}: {v}" for k, v in r.values.items() if v not in (None, ""))
            idents = ", ".join(f"{k}:{v}" for k, v in r.identifiers)
            yield (
                r.id,
                r.source,
                r.row_number,
                _naive(r.collected_at),
                idents,
                values,
                "; ".join(r.held_by) or "",
            )


def build_records(ctx: BuildContext) -> list[Section]:
    query = ctx.params.query or ""
    source, category = ctx.params.source, ctx.params.category
    source_ids = [sources.get_source(ctx.db, ctx.actor, source).id] if source else None
    ids = (
        records.search_ids(ctx.db, ctx.actor, query, source_ids=source_ids, category=category)
        if query
        else []
    )
    scope = [("Search text", query or "(none)")]
    if source:
        scope.append(("Source", source))
    if category:
        scope.append(("Data category", category))
    return [
        Section(
            "Search",
            [
                KeyValues([*scope, ("Records found", f"{len(ids):,}")]),
                Note(
                    "Identifiers are shown normalised (emails lower-cased, phones in E.164); values "
                    "are as imported. Records under a legal hold say so."
                ),
            ],
        ),
        Section(
            "Records",
            [
                Table(
                    "Records",
                    [
                        Column("Record", "int", 8),
                        Column("Source", "text", 14),
                        Column("Row", "int", 6),
                        Column("Collected", "datetime", 17),
                        Column("Identifiers", "text", 30),
                        Column("Values", "text", 50),
                        Column("Legal hold", "text", 16),
                    ],
                    _record_rows(ctx, ids),
                )
            ],
        ),
    ]


REPORTS: list[ReportSpec] = [
    ReportSpec(
        "sources",
        "Source catalogue and import history",
        "Every data source with its kind, owner, categories and retention, and every import batch.",
        build_sources,
        takes=("since", "until"),
        classification="internal",
    ),
    ReportSpec(
        "records",
        "Records search result",
        "The records a search finds, with their identifiers and values.",
        build_records,
        personal_data=True,
        takes=("query", "source", "category"),
        requires=("query",),
    ),
]
