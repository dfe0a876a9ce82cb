"""From a file and its mapping to parsed rows in columnar batches (Polars DataFrames).

The same results as console.importers.pipeline.parse and the row building of an import, computed
per batch of rows instead of per row: the readers still split the file (Python's C csv module,
openpyxl, json), so encoding and delimiter detection and every row problem stay as they are,
and everything after the split (normalising identifiers, collection times, categories, the
values as JSON, search text, keys) is column expressions, with Python called only once per
distinct value that the bulk rules cannot settle.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import polars as pl

from console.importers import column_text as text
from console.importers.column_normalise import ValueCache, normalise_column, timestamp_column
from console.importers.errors import RowProblem
from console.importers.mapping import Mapping, validate
from console.importers.pipeline import TimestampParser
from console.importers.readers import open_table
from console.importers.table import TableReader, Values

BATCH_ROWS = 10_000
_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode

_UTC_TIME = pl.Datetime("us", "UTC")
ROW_SCHEMA = {
    "row_number": pl.Int64,
    "collected_at": _UTC_TIME,
    "dedupe_key": pl.Int64,
    "values_json": pl.String,
    "categories_json": pl.String,
    "search_text": pl.String,
    # No record key named this row (none in the mapping, or all its cells empty): the whole row
    # is its key, and a repeat of it in the file is another record (RecordBatches numbers it).
    "whole_row": pl.Boolean,
}
IDENTIFIER_SCHEMA = {
    "row": pl.UInt32,
    "column": pl.String,
    "kind": pl.String,
    "value": pl.String,
    "original": pl.String,
    "key": pl.Int64,
}


@dataclass(frozen=True, slots=True)
class ColumnarBatch:
    """Consecutive rows of one file, parsed.

    rows: one row per parsed file row, in file order (ROW_SCHEMA): row_number, collected_at
      (UTC, null when absent or not a time), dedupe_key (what import_rows keys a record by),
      values_json, categories_json ("" when every categorised column has a value), search_text,
      whole_row (no record key names the row: its dedupe_key is the digest of values_json).
    values: the same rows' every column as original text (null for an empty cell), named by the
      file's headers.
    identifiers: the rows' usable identifiers (IDENTIFIER_SCHEMA), by row then mapping order:
      row (position in ``rows``), column, kind, value (normalised), original, key
      (records_models.identifier_key of kind and value).
    problems: the rejected rows among them, in file order.
    read: data rows this batch covers (parsed and rejected).
    """

    rows: pl.DataFrame
    values: pl.DataFrame
    identifiers: pl.DataFrame
    problems: tuple[RowProblem, ...]
    read: int


class ColumnarTable(Iterator[ColumnarBatch]):
    """Parsed batches of one file, in file order; iterate once, then (or on error) close."""

    def __init__(
        self, reader: TableReader, mapping: Mapping, *, default_region: str, batch_rows: int
    ) -> None:
        self.reader = reader
        self.mapping = mapping
        # As ParsedTable.unusable: column → [kind, how many values, first row], in the order the
        # row-by-row parser first meets them.
        self.unusable: dict[str, list[Any]] = {}
        self._batches = _Batcher(reader, mapping, default_region, self.unusable).run(batch_rows)

    @property
    def headers(self) -> list[str]:
        return self.reader.headers

    @property
    def notes(self) -> list[str]:
        return self.reader.notes

    @property
    def file_format(self) -> str:
        return self.reader.file_format

    @property
    def file_name(self) -> str:
        return self.reader.name

    def fraction_read(self) -> float | None:
        return self.reader.fraction_read()

    def __iter__(self) -> Iterator[ColumnarBatch]:
        return self._batches

    def __next__(self) -> ColumnarBatch:
        return next(self._batches)

    def close(self) -> None:
        self._batches.close()
        self.reader.close()

    def __enter__(self) -> ColumnarTable:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def parse_columnar(
    path: str | Path,
    mapping: Mapping,
    *,
    default_region: str = "US",
    batch_rows: int = BATCH_ROWS,
    **limits: int,
) -> ColumnarTable:
    """As pipeline.parse: open ``path`` and check ``mapping`` now (ImportFileError), then parse
    lazily, ``batch_rows`` parsed rows at a time."""
    reader = open_table(path, **limits)
    try:
        validate(mapping, reader.headers, file_name=reader.name)
    except BaseException:
        reader.close()
        raise
    return ColumnarTable(reader, mapping, default_region=default_region, batch_rows=batch_rows)


class _Batcher:
    """Everything decided once per file; ``batch`` turns split rows into a ColumnarBatch."""

    def __init__(
        self,
        reader: TableReader,
        mapping: Mapping,
        default_region: str,
        unusable: dict[str, list[Any]],
    ) -> None:
        self.reader = reader
        self.headers = list(reader.headers)
        self.region = default_region
        self.unusable = unusable
        self.cache = ValueCache()
        self.parse_time = TimestampParser(default_region)
        self.id_columns = [
            (column, spec.identifier)
            for column, spec in mapping.columns.items()
            if spec.identifier is not None
        ]
        self.category_columns = [
            (column, spec.category)
            for column, spec in mapping.columns.items()
            if spec.category is not None
        ]
        self.collected = mapping.collected_at_column
        self.record_key = list(mapping.record_key)

    def run(self, batch_rows: int) -> Generator[ColumnarBatch, None, None]:
        numbers: list[int] = []
        rows: list[Values] = []
        problems: list[RowProblem] = []
        for item in self.reader:
            if isinstance(item, RowProblem):
                problems.append(item)
                continue
            numbers.append(item[0])
            rows.append(item[1])
            if len(rows) >= batch_rows:
                yield self.batch(numbers, rows, problems)
                numbers, rows, problems = [], [], []
        if rows or problems:
            yield self.batch(numbers, rows, problems)

    def batch(
        self, numbers: list[int], rows: list[Values], problems: list[RowProblem]
    ) -> ColumnarBatch:
        headers = self.headers
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in headers]
        values = pl.DataFrame(
            [pl.Series(h, c, dtype=pl.String) for h, c in zip(headers, columns, strict=True)]
        )
        row_numbers = pl.Series("row_number", numbers, dtype=pl.Int64)
        lost: list[tuple[int, int, str, str, int]] = []
        found = self._identifiers(values, row_numbers, lost)
        collected = self._collected_at(values, row_numbers, lost)
        self._count_unusable(lost)
        json_texts = text.json_texts(values, self.cache)
        values_json = text.json_object(headers, json_texts)
        if self.record_key:
            position = {h: i for i, h in enumerate(headers)}
            key_json = text.json_list([json_texts[position[c]] for c in self.record_key])
            has_key = pl.any_horizontal([pl.col(c).is_not_null() for c in self.record_key])
            dedupe_text = pl.when(has_key).then(key_json).otherwise(values_json)
            whole_row = ~has_key
        else:
            dedupe_text = values_json
            whole_row = pl.lit(True)
        built = values.select(
            values_json.alias("values_json"),
            dedupe_text.alias("dedupe_text"),
            self._categories_json().alias("categories_json"),
            text.search_text(values, self.cache).alias("search_text"),
            whole_row.alias("whole_row"),
        )
        rows_frame = pl.DataFrame(
            [
                row_numbers,
                collected,
                text.digest64(built["dedupe_text"]).alias("dedupe_key"),
                built["values_json"],
                built["categories_json"],
                built["search_text"],
                built["whole_row"],
            ]
        )
        return ColumnarBatch(rows_frame, values, found, tuple(problems), len(rows) + len(problems))

    def _identifiers(
        self,
        values: pl.DataFrame,
        row_numbers: pl.Series,
        lost: list[tuple[int, int, str, str, int]],
    ) -> pl.DataFrame:
        parts: list[pl.DataFrame] = []
        for order, (column, kind) in enumerate(self.id_columns):
            raw = values[column]
            value = normalise_column(kind, raw, self.cache, default_region=self.region)
            frame = (
                pl.DataFrame({"original": raw, "value": value, "row_number": row_numbers})
                .with_row_index("row")
                .with_columns(pl.col("row").cast(pl.UInt32))
            )
            unusable = frame.filter(pl.col("original").is_not_null() & pl.col("value").is_null())
            if unusable.height:
                lost.append((unusable["row_number"][0], order, column, kind, unusable.height))
            usable = frame.filter(pl.col("value").is_not_null())
            parts.append(
                usable.select(
                    "row",
                    pl.lit(column).alias("column"),
                    pl.lit(kind).alias("kind"),
                    "value",
                    "original",
                ).with_columns(text.identifier_keys(kind, usable["value"]))
            )
        if not parts:
            return pl.DataFrame(schema=IDENTIFIER_SCHEMA)
        return pl.concat(parts).sort("row", maintain_order=True)

    def _collected_at(
        self,
        values: pl.DataFrame,
        row_numbers: pl.Series,
        lost: list[tuple[int, int, str, str, int]],
    ) -> pl.Series:
        if self.collected is None:
            return pl.Series("collected_at", [None] * values.height, dtype=_UTC_TIME)
        raw = values[self.collected]
        moments = timestamp_column(raw, self.cache, self.parse_time).alias("collected_at")
        unusable = raw.is_not_null() & moments.is_null()
        count = int(unusable.sum())
        if count:
            first = row_numbers.filter(unusable)[0]
            lost.append((first, len(self.id_columns), self.collected, "collected_at", count))
        return moments

    def _count_unusable(self, found: list[tuple[int, int, str, str, int]]) -> None:
        # The row-by-row parser meets them row by row, identifier columns in mapping order and
        # the collection time last: a column's entry is made where its first unusable value is.
        for first, _, column, kind, count in sorted(found):
            self.unusable.setdefault(column, [kind, 0, first])[1] += count

    def _categories_json(self) -> pl.Expr:
        if not self.category_columns:
            return pl.lit("")
        present = [pl.col(c).is_not_null() for c, _ in self.category_columns]
        pieces = [
            pl.when(pl.col(c).is_not_null()).then(pl.lit(f"{_dumps(c)}: {_dumps(k)}"))
            for c, k in self.category_columns
        ]
        partial = pl.lit("{") + pl.concat_str(pieces, separator=", ", ignore_nulls=True) + "}"
        return pl.when(pl.all_horizontal(present)).then(pl.lit("")).otherwise(partial)
