"""The row-by-row parser an import used before the columnar path, and the counts both share.

Imports now parse with console.importers.import_stream; `produce` stays as the reference the
equivalence tests (Hypothesis, the sample sources) and bench/columnar.py compare the columnar
path against, row for row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.importers.errors import RowProblem
from console.importers.mapping import Mapping
from console.importers.pipeline import ParsedRow, parse
from console.store.record_rows import repeat_text
from console.store.records_models import identifier_key
from console.store.search_backend import search_text, sqlite_datetime

MAX_LISTED_REJECTS = 10_000


@dataclass
class Counts:
    read: int = 0
    imported: int = 0
    duplicate: int = 0
    suppressed: int = 0
    rejected: int = 0
    existing: int = 0  # already in the source: counted by the writer thread only
    problems: list[RowProblem] = field(default_factory=list)
    unusable: list[Unusable] = field(default_factory=list)


@dataclass(frozen=True)
class Unusable:
    """Values of an identifier (or collection-time) column that could not be used as one.

    They stay in their rows as text (searchable), but link no one; the summary says so.
    """

    column: str
    kind: str  # the identifier kind, or "collected_at"
    count: int
    first_row: int

    def describe(self) -> str:
        what = "a date and time" if self.kind == "collected_at" else f"a usable {self.kind}"
        values = "value" if self.count == 1 else "values"
        return (
            f'column "{self.column}": {self.count:,} {values} not {what} '
            f"(kept as text; first at row {self.first_row})"
        )


def _dedupe_key(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


@dataclass(frozen=True)
class Job:
    """What parsing a file into record rows needs: picklable, for a worker process."""

    path: Path
    mapping: Mapping
    default_region: str
    source_id: int
    batch_id: int
    suppressed: list[tuple[str, str]]  # (kind, digest)
    chunk_rows: int
    # The id of the file's first record when the writer gives the parser the ids (SQLite: one
    # writer, so max(id) + 1 holds for the whole transaction); None: the writer allocates them
    # and the rows carry 0, 1, 2, ... in file order.
    first_id: int | None = None
    sqlite: bool = False  # collected_at as SQLite stores it (text), ready to insert as is
    # The site's reading limits (console.config.input_limits), read by the parent: a worker
    # process must not depend on the configuration files of the moment.
    limits: dict[str, int] = field(default_factory=dict)


# ("chunk", record rows, identifier rows, rows read so far, fraction of the file read or None) ...
# then
# ("done", counts of the file, file format). A record row is (id, source_id, batch_id,
# row_number, collected_at, dedupe_key, values_json, categories_json, search_text, erased_ref);
# an identifier row is (record_id, column, kind, value, key). The import itself now runs
# console.importers.import_stream; this row-by-row producer is the reference it is tested against.
Item = tuple[Any, ...]


def produce(job: Job) -> Iterator[Item]:
    """Parse the file into chunks of record and identifier rows, then the counts.

    Everything per row happens here (in the worker process for a big file), so the writer only
    hands finished rows to the database.
    """
    from console.services.records.suppression import digest_of

    counts = Counts()
    dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    seen: set[int] = set()
    copies: dict[int, int] = {}
    suppress_kinds = {kind for kind, _ in job.suppressed}
    suppressed_set = {d for _, d in job.suppressed}
    source_id, batch_id = job.source_id, job.batch_id
    chunk_rows = job.chunk_rows
    next_id = job.first_id or 0
    as_text = sqlite_datetime if job.sqlite else None
    with parse(job.path, job.mapping, default_region=job.default_region, **job.limits) as table:
        key_index = [table.headers.index(c) for c in job.mapping.record_key]
        # A row with a value in every categorised column stores "" ("as the batch's mapping
        # says"): the same 200-odd bytes in a million rows were a fifth of a big import's writes.
        every_category = job.mapping.categories()
        last_categories: dict[str, str] | None = None
        last_categories_json = "{}"
        chunk: list[tuple[Any, ...]] = []
        found_rows: list[tuple[Any, ...]] = []
        for item in table:
            counts.read += 1  # every data row: read = imported + duplicate + suppressed + rejected
            if not isinstance(item, ParsedRow):
                counts.rejected += 1
                if len(counts.problems) < MAX_LISTED_REJECTS:
                    counts.problems.append(item)
                continue
            number, values, found, collected_at, categories = item
            if suppress_kinds and any(
                i.kind in suppress_kinds and digest_of(i.kind, i.value) in suppressed_set
                for i in found
            ):
                counts.suppressed += 1
                continue
            values_json = dumps(values)
            row_values = list(values.values())
            key_values = [row_values[i] for i in key_index] if key_index else None
            if key_values and key_values.count(None) < len(key_values):
                key = _dedupe_key(dumps(key_values))
            else:  # no record key, or a row without one: the whole row is what names it
                key = _dedupe_key(values_json)
                # ... and a repeat of it in the file is another record, keyed by its copy number.
                copy = copies[key] = copies.get(key, 0) + 1
                if copy > 1:
                    key = _dedupe_key(repeat_text(values_json, copy))
            if key in seen:
                counts.duplicate += 1
                continue
            seen.add(key)
            if categories is not last_categories:
                last_categories = categories
                last_categories_json = "" if categories == every_category else dumps(categories)
            rid = next_id
            next_id += 1
            chunk.append(
                (
                    rid,
                    source_id,
                    batch_id,
                    number,
                    as_text(collected_at) if as_text is not None else collected_at,
                    key,
                    values_json,
                    last_categories_json,
                    search_text(row_values),
                    "",
                )
            )
            found_rows.extend(
                (rid, i.column, i.kind, i.value, identifier_key(i.kind, i.value)) for i in found
            )
            if len(chunk) >= chunk_rows:
                yield ("chunk", chunk, found_rows, counts.read, table.fraction_read())
                chunk, found_rows = [], []
        if chunk:
            yield ("chunk", chunk, found_rows, counts.read, table.fraction_read())
        file_format = table.file_format
        counts.unusable = [Unusable(c, k, n, first) for c, (k, n, first) in table.unusable.items()]
    yield ("done", counts, file_format)
