"""Parsed batches into the rows an import writes: suppressed and repeated rows left out.

The columnar counterpart of console.services.records.import_rows.produce: the same records, the same
identifier rows, the same counts, as Polars frames a writer can hand to executemany or COPY
without building a Python object per row. The writer adds what only it knows: record ids
(``first_id + record``), source and batch ids, and collected_at as its database stores it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Generator, Iterator
from dataclasses import dataclass
from types import TracebackType

import polars as pl

from console.importers.columnar import ColumnarBatch, ColumnarTable
from console.importers.errors import FileCounts
from console.store.record_rows import dedupe_key, repeat_text

MAX_LISTED_REJECTS = 10_000


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Records to insert and their identifier rows, in file order.

    records: row_number, collected_at (UTC), dedupe_key, values_json, categories_json,
      search_text (columnar.ROW_SCHEMA).
    identifiers: record (position in ``records``), column, kind, value, key.
    read: data rows of the file read so far; fraction_read: of the file's bytes, if known.
    """

    records: pl.DataFrame
    identifiers: pl.DataFrame
    read: int
    fraction_read: float | None


class RecordBatches(Iterator[RecordBatch]):
    """The record batches of one parsed file; ``counts`` is complete once they are exhausted.

    suppressed: (kind, digest) pairs of the suppression list; digest(kind, value) computes a
    digest the same way (console.services.records.suppression.digest_of).
    """

    def __init__(
        self,
        table: ColumnarTable,
        *,
        suppressed: Collection[tuple[str, str]] = (),
        digest: Callable[[str, str], str] | None = None,
    ) -> None:
        if suppressed and digest is None:
            raise ValueError("a suppression list needs the digest function it was made with")
        self.table = table
        self.counts = FileCounts()
        self._kinds = sorted({kind for kind, _ in suppressed})
        self._digests = {d for _, d in suppressed}
        self._digest = digest
        self._seen: set[int] = set()
        # Rows without a record key: how many copies of each row's values the file held so far.
        self._copies: dict[int, int] = {}
        self._batches = self._run()

    @property
    def file_format(self) -> str:
        return self.table.file_format

    def __iter__(self) -> Iterator[RecordBatch]:
        return self._batches

    def __next__(self) -> RecordBatch:
        return next(self._batches)

    def close(self) -> None:
        self._batches.close()
        self.table.close()

    def __enter__(self) -> RecordBatches:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self) -> Generator[RecordBatch, None, None]:
        counts = self.counts
        for batch in self.table:
            counts.read += batch.read
            counts.rejected += len(batch.problems)
            room = MAX_LISTED_REJECTS - len(counts.problems)
            counts.problems.extend(batch.problems[: max(room, 0)])
            records, identifiers = self._keep(batch)
            counts.imported += records.height
            if records.height:
                yield RecordBatch(records, identifiers, counts.read, self.table.fraction_read())
        counts.unusable = [
            (column, kind, count, first)
            for column, (kind, count, first) in self.table.unusable.items()
        ]

    def _keep(self, batch: ColumnarBatch) -> tuple[pl.DataFrame, pl.DataFrame]:
        rows = batch.rows.with_row_index("position")
        hit = self._suppressed_rows(batch.identifiers)
        if hit is not None:
            before = rows.height
            rows = rows.filter(~pl.col("position").is_in(hit.to_list()))
            self.counts.suppressed += before - rows.height
        if rows["whole_row"].any():
            rows = rows.with_columns(self._number_copies(rows))
        rows = rows.drop("whole_row")
        keys = rows["dedupe_key"]
        key_list = keys.to_list()
        seen = self._seen
        # A file's first row with a key is kept: first in this batch and not in an earlier one.
        earlier = pl.Series(list(map(seen.__contains__, key_list)), dtype=pl.Boolean)
        keep = keys.is_first_distinct() & ~earlier
        seen.update(key_list)
        kept = rows.filter(keep)
        self.counts.duplicate += rows.height - kept.height
        places = kept.select(
            pl.col("position").alias("row"),
            pl.int_range(kept.height, dtype=pl.UInt32).alias("record"),
        )
        found = batch.identifiers.join(places, on="row", how="inner", maintain_order="left").select(
            "record", "column", "kind", "value", "key"
        )
        return kept.drop("position"), found

    def _number_copies(self, rows: pl.DataFrame) -> pl.Series:
        """Dedupe keys with each repeat of a row without a record key keyed as its copy number
        (record_rows.repeat_text): identical rows of one file are separate records."""
        keys = rows["dedupe_key"].to_list()
        copies = self._copies
        texts: list[str] | None = None
        for i, (key, whole) in enumerate(zip(list(keys), rows["whole_row"].to_list(), strict=True)):
            if not whole:
                continue
            n = copies.get(key, 0) + 1
            copies[key] = n
            if n > 1:
                if texts is None:
                    texts = rows["values_json"].to_list()
                keys[i] = dedupe_key(repeat_text(texts[i], n))
        return pl.Series("dedupe_key", keys, dtype=pl.Int64)

    def _suppressed_rows(self, identifiers: pl.DataFrame) -> pl.Series | None:
        if not self._kinds or self._digest is None:
            return None
        candidates = identifiers.filter(pl.col("kind").is_in(self._kinds))
        pairs = candidates.select("kind", "value").unique()
        digest, listed = self._digest, self._digests
        flagged = [
            digest(kind, value) in listed
            for kind, value in zip(pairs["kind"].to_list(), pairs["value"].to_list(), strict=True)
        ]
        bad = pairs.filter(pl.Series(flagged, dtype=pl.Boolean))
        if bad.is_empty():
            return None
        return candidates.join(bad, on=["kind", "value"], how="semi")["row"].unique()
