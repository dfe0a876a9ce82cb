"""From a file and its mapping to parsed rows: identifiers, collection time, categories."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from console.domain import identifiers as ids
from console.importers.errors import RowProblem
from console.importers.mapping import Mapping, propose, validate
from console.importers.readers import open_table
from console.importers.table import TableReader

UTC = dt.UTC


class Identifier(NamedTuple):
    kind: str
    value: str  # normalised: what records are matched on
    original: str  # the cell as it was in the file
    column: str


class ParsedRow(NamedTuple):
    row_number: int
    # Every column, mapped or not, as the original text (None for an empty cell).
    values: dict[str, str | None]
    identifiers: list[Identifier]
    # Aware, in UTC; None when the mapping has no collected_at column or the cell is not a date.
    collected_at: dt.datetime | None
    # Mapped category of each column that has a value in this row; rows share equal dicts, so
    # treat it as read-only.
    categories: dict[str, str]


_US_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%m/%d/%y")
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%y")
_OTHER_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y%m%d%H%M%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%Y-%m-%d %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
)
# Regions that write month first; everyone else writes 05/03/2024 as the 5th of March.
_MONTH_FIRST_REGIONS = frozenset({"US", "CA", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI"})


class TimestampParser:
    """ISO 8601 fast, then common export formats; naive times are taken as UTC."""

    def __init__(self, default_region: str = "US") -> None:
        first = _US_FIRST if default_region.upper() in _MONTH_FIRST_REGIONS else _DAY_FIRST
        self._formats = [*first, *_OTHER_FORMATS]
        self._last: str | None = None

    def __call__(self, text: str) -> dt.datetime | None:
        value = text.strip()
        parsed: dt.datetime | None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = self._slow(value)
            if parsed is None:
                return None
        if parsed.tzinfo is None:
            # Exports almost always write UTC without saying so ("Created (UTC)"); local time
            # would make the same file mean different things on different machines.
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def _slow(self, value: str) -> dt.datetime | None:
        if value.isdigit() and len(value) in (10, 13):
            seconds = int(value) / (1000 if len(value) == 13 else 1)
            try:
                return dt.datetime.fromtimestamp(seconds, UTC)
            except (OverflowError, OSError, ValueError):
                return None
        # A column keeps one format, so the one that worked last time is tried first.
        formats = self._formats if self._last is None else [self._last, *self._formats]
        for fmt in formats:
            try:
                parsed = dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
            self._last = fmt
            return parsed
        try:
            return email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None


class ParsedTable(Iterator[ParsedRow | RowProblem]):
    """Parsed rows of one file, in file order; iterate once, then (or on error) close."""

    def __init__(self, reader: TableReader, mapping: Mapping, *, default_region: str) -> None:
        self.reader = reader
        self.mapping = mapping
        # Column → [kind, how many values, first row]: values in an identifier or collection-time
        # column that are not usable as one (placeholders, malformed). They stay in the row as
        # text; the import's summary says so rather than drop them from linking silently.
        self.unusable: dict[str, list[Any]] = {}
        self._rows = _parse_rows(reader, mapping, default_region, self.unusable)

    @property
    def headers(self) -> list[str]:
        return self.reader.headers

    @property
    def notes(self) -> list[str]:
        return self.reader.notes

    @property
    def file_format(self) -> str:
        return self.reader.file_format

    def fraction_read(self) -> float | None:
        return self.reader.fraction_read()

    @property
    def file_name(self) -> str:
        return self.reader.name

    def __iter__(self) -> Iterator[ParsedRow | RowProblem]:
        # The generator itself, so a for loop does not pay for __next__ on every row.
        return self._rows

    def __next__(self) -> ParsedRow | RowProblem:
        return next(self._rows)

    def close(self) -> None:
        self._rows.close()
        self.reader.close()

    def __enter__(self) -> ParsedTable:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def parse(
    path: str | Path, mapping: Mapping, *, default_region: str = "US", **limits: int
) -> ParsedTable:
    """Open ``path`` and check ``mapping`` against it now (ImportFileError), then parse lazily.

    ``limits`` are passed to open_table (max_bytes, max_columns, max_cell_chars, max_rows).
    """
    reader = open_table(path, **limits)
    try:
        validate(mapping, reader.headers, file_name=reader.name)
    except BaseException:
        reader.close()
        raise
    return ParsedTable(reader, mapping, default_region=default_region)


def propose_mapping(
    path: str | Path, *, default_region: str = "US", sample_size: int = 500, **limits: int
) -> Mapping:
    """``--mapping auto``: a mapping proposed from the headers and the first rows of the file."""
    with open_table(path, **limits) as reader:
        sample: list[list[str | None]] = []
        for item in reader:
            if not isinstance(item, RowProblem):
                sample.append(item[1])
                if len(sample) >= sample_size:
                    break
        return propose(reader.headers, sample, default_region=default_region)


def _parse_rows(
    reader: TableReader, mapping: Mapping, default_region: str, unusable: dict[str, list[Any]]
) -> Generator[ParsedRow | RowProblem, None, None]:
    headers = reader.headers
    position = {header: index for index, header in enumerate(headers)}
    # Everything per column is decided once here, so the loop below only calls bound functions.
    id_columns: list[tuple[int, str, str, Callable[[str], str | None]]] = []
    category_columns: list[tuple[int, str, str]] = []
    for column, spec in mapping.columns.items():
        index = position[column]
        if spec.identifier is not None:
            normalise = ids.normaliser(spec.identifier, default_region=default_region)
            id_columns.append((index, spec.identifier, column, normalise))
        if spec.category is not None:
            category_columns.append((index, column, spec.category))
    all_categories = {column: category for _, column, category in category_columns}
    collected_column = mapping.collected_at_column or ""
    collected_index = position[collected_column] if collected_column else -1
    parse_time = TimestampParser(default_region)
    # tuple.__new__ skips the NamedTuple constructor written in Python: a third of a µs per call.
    new = tuple.__new__
    for item in reader:
        if isinstance(item, RowProblem):
            yield item
            continue
        number, values = item
        found: list[Identifier] = []
        for index, kind, column, normalise in id_columns:
            raw = values[index]
            if raw is not None:
                value = normalise(raw)
                if value is not None:
                    found.append(new(Identifier, (kind, value, raw, column)))
                else:
                    unusable.setdefault(column, [kind, 0, number])[1] += 1
        collected_at = None
        if collected_index >= 0:
            raw = values[collected_index]
            if raw is not None:
                collected_at = parse_time(raw)
                if collected_at is None:
                    unusable.setdefault(collected_column, ["collected_at", 0, number])[1] += 1
        categories = all_categories
        if None in values:
            categories = {c: k for i, c, k in category_columns if values[i] is not None}
        yield new(
            ParsedRow,
            (number, dict(zip(headers, values, strict=False)), found, collected_at, categories),
        )
