"""The row stream every file reader produces, its limits, and header clean-up shared by readers."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from console.importers.errors import RowProblem

Values = list[str | None]
# A data row as (row number, one value per header), or a rejected row.
RowItem = tuple[int, Values] | RowProblem


@dataclass(frozen=True, slots=True)
class Limits:
    """What a file may be, so a hostile or broken export cannot exhaust memory or time."""

    max_bytes: int = 2 * 1024**3
    max_columns: int = 1000
    # Excel's own limit for a cell; longer cells in CSV/JSON are rejected rows.
    max_cell_chars: int = 32_767
    # Excel's own row limit; a sheet whose dimension claims more is refused before it is read.
    max_rows: int = 1_048_576
    # What a reader ever holds of one field and of one row (line), in characters (bytes for
    # JSON lines): a longer one is rejected without being read into memory whole. The site
    # configuration sets them (max_field_mb, max_row_mb; console.config.input_limits).
    max_field_chars: int = 1 << 20
    max_row_chars: int = 16 << 20


def megabytes(chars: int) -> str:
    """A limit as people read it: "16 MB"."""
    mb = chars / (1 << 20)
    return f"{mb:g} MB" if mb >= 1 else f"{chars:,} characters"


def field_too_long(limits: Limits) -> str:
    return (
        f"a field is longer than {megabytes(limits.max_field_chars)} (the site's limit, "
        "max_field_mb)."
    )


def row_too_long(limits: Limits, what: str = "row") -> str:
    return (
        f"the {what} is longer than {megabytes(limits.max_row_chars)} (the site's limit, "
        "max_row_mb); it was skipped without being read whole."
    )


class TableReader(abc.ABC):
    """Headers of a table file and a single pass over its rows (iterate once)."""

    file_format: str = ""

    def __init__(self, path: Path, headers: list[str], notes: list[str], limits: Limits) -> None:
        self.path = path
        self.headers = headers
        # Things the user should know that do not reject a row (renamed headers, extra sheets).
        self.notes = notes
        self.limits = limits

    @property
    def name(self) -> str:
        return self.path.name

    @abc.abstractmethod
    def __iter__(self) -> Iterator[RowItem]: ...

    # The open file the rows are being read from, and its size: for fraction_read.
    _reading: Any = None
    _size: int = 0

    def fraction_read(self) -> float | None:
        """How much of the file the rows read so far cover, 0 to 1; None if it cannot tell."""
        handle = self._reading
        if handle is None or not self._size:
            return None
        if handle.closed:  # read to the end (the last rows are still being handed on)
            return 1.0
        return min(1.0, self._position(handle) / self._size)

    def _position(self, handle: Any) -> int:
        return int(handle.tell())

    def close(self) -> None:  # noqa: B027 - most readers hold nothing open between calls
        """Release the file."""

    def __enter__(self) -> TableReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def unique_headers(raw: list[str | None]) -> tuple[list[str], list[str]]:
    """Headers made unique ("Email", "Email (2)") and named where empty ("Column 3"), with notes."""
    headers: list[str] = []
    notes: list[str] = []
    taken: set[str] = set()
    for position, value in enumerate(raw, start=1):
        text = (value or "").replace("\ufeff", "").strip()
        if not text:
            name = _free(f"Column {position}", taken)
            notes.append(f'Column {position} has no header; it is called "{name}".')
        elif text in taken:
            name = _free(text, taken, start=2)
            notes.append(f'Column {position} repeats the header "{text}"; it is called "{name}".')
        else:
            name = text
        taken.add(name)
        headers.append(name)
    return headers, notes


def _free(base: str, taken: set[str], start: int = 1) -> str:
    if start == 1 and base not in taken:
        return base
    n = max(start, 2)
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"
