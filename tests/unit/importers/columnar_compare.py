"""Both parsers on one file, their results in one comparable shape (shared by the tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.importers.columnar import parse_columnar
from console.importers.columnar_records import RecordBatches
from console.importers.errors import RowProblem
from console.importers.mapping import Mapping
from console.importers.pipeline import ParsedRow, parse
from console.services.records.import_rows import Counts, Job, produce
from console.services.records.suppression import digest_of

UTC = dt.UTC


@dataclass
class Outcome:
    # (row number, [(kind, value, original, column)], collected_at, categories)
    rows: list[tuple[int, list[tuple[str, str, str, str]], dt.datetime | None, dict[str, str]]]
    problems: list[RowProblem]
    unusable: list[tuple[str, str, int, int]]
    # (row number, collected_at, dedupe key, values JSON, categories JSON, search text)
    records: list[tuple[int, dt.datetime | None, int, str, str, str]]
    # (record position, column, kind, value, key)
    identifiers: list[tuple[int, str, str, str, int]]
    counts: tuple[int, int, int, int, int]


def old_outcome(
    path: Path, mapping: Mapping, region: str = "US", suppressed: list[tuple[str, str]] = ()
) -> Outcome:
    rows: list[Any] = []
    problems: list[RowProblem] = []
    with parse(path, mapping, default_region=region) as table:
        for item in table:
            if isinstance(item, ParsedRow):
                found = [(i.kind, i.value, i.original, i.column) for i in item.identifiers]
                rows.append((item.row_number, found, item.collected_at, dict(item.categories)))
            else:
                problems.append(item)
        unusable = [(c, k, n, first) for c, (k, n, first) in table.unusable.items()]
    job = Job(path, mapping, region, 1, 1, list(suppressed), chunk_rows=7, first_id=0)
    records: list[Any] = []
    identifiers: list[Any] = []
    counts = Counts()
    for item in produce(job):
        if item[0] == "chunk":
            records += [(r[3], r[4], r[5], r[6], r[7], r[8]) for r in item[1]]
            identifiers += [tuple(i) for i in item[2]]
        else:
            counts = item[1]
    assert counts.problems == problems
    assert [(u.column, u.kind, u.count, u.first_row) for u in counts.unusable] == unusable
    # produce() leaves "imported" to the writer, which counts the record rows it is handed.
    numbers = (counts.read, len(records), counts.duplicate, counts.suppressed, counts.rejected)
    return Outcome(rows, problems, unusable, records, identifiers, numbers)


def new_outcome(
    path: Path,
    mapping: Mapping,
    region: str = "US",
    suppressed: list[tuple[str, str]] = (),
    batch_rows: int = 50_000,
) -> Outcome:
    rows: list[Any] = []
    problems: list[RowProblem] = []
    with parse_columnar(path, mapping, default_region=region, batch_rows=batch_rows) as table:
        category_of = mapping.categories()
        for batch in table:
            problems += batch.problems
            found: dict[int, list[tuple[str, str, str, str]]] = {}
            for row, kind, value, original, column in batch.identifiers.select(
                "row", "kind", "value", "original", "column"
            ).iter_rows():
                found.setdefault(row, []).append((kind, value, original, column))
            values = batch.values.to_dicts()
            for position, (number, collected) in enumerate(
                batch.rows.select("row_number", "collected_at").iter_rows()
            ):
                categories = {
                    c: k for c, k in category_of.items() if values[position][c] is not None
                }
                rows.append((number, found.get(position, []), collected, categories))
        unusable = [(c, k, n, first) for c, (k, n, first) in table.unusable.items()]
    table = parse_columnar(path, mapping, default_region=region, batch_rows=batch_rows)
    records: list[Any] = []
    identifiers: list[Any] = []
    with RecordBatches(table, suppressed=suppressed, digest=digest_of) as stream:
        for batch in stream:
            offset = len(records)
            records += list(batch.records.iter_rows())
            identifiers += [
                (offset + r, c, k, v, key) for r, c, k, v, key in batch.identifiers.iter_rows()
            ]
        counts = stream.counts
    assert counts.problems == problems
    assert counts.unusable == unusable
    numbers = (counts.read, counts.imported, counts.duplicate, counts.suppressed, counts.rejected)
    return Outcome(rows, problems, unusable, records, identifiers, numbers)


def assert_same(old: Outcome, new: Outcome) -> None:
    """Field by field, so a failure names what differs rather than dumping two whole files."""
    assert new.problems == old.problems
    assert new.unusable == old.unusable
    assert new.counts == old.counts
    assert len(new.rows) == len(old.rows)
    for mine, theirs in zip(new.rows, old.rows, strict=True):
        assert mine == theirs
    assert len(new.records) == len(old.records)
    for mine, theirs in zip(new.records, old.records, strict=True):
        assert mine == theirs
    assert new.identifiers == old.identifiers
