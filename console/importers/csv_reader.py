"""CSV reading: encoding and delimiter decided from a sample, damaged rows reported one by one."""

from __future__ import annotations

import codecs
import contextlib
import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from console.importers.errors import ImportFileError, RowProblem, kept_fields
from console.importers.table import (
    Limits,
    RowItem,
    TableReader,
    field_too_long,
    megabytes,
    row_too_long,
    unique_headers,
)

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_RECORDS = 200

# Undecodable bytes become this lone surrogate, which no correct decoding can produce, so a row
# can be rejected without failing the whole file.
_MARK = "\udfff"
_MARK_ERRORS = "console.importers.mark"

# The csv module's own field limit is the site's max_field_mb while a file is read (it is what
# keeps one field's memory bounded); cells under it but over max_cell_chars are still reported
# by row and column by our own check.
_FIELD_LIMIT_ERROR = "field larger than field limit"


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return _MARK, error.end


codecs.register_error(_MARK_ERRORS, _mark_undecodable)

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252",
}


def detect_encoding(sample: bytes, *, whole: bool = False) -> str:
    """The codec for a file starting with ``sample``: BOM first, then UTF-8, else Windows-1252.

    whole: the sample runs to the end of the file, so a sequence cut off at its end is damaged,
    not continued in the next bytes.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    half = len(sample) // 2
    if half >= 8:
        even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
        # Text in UTF-16 without a BOM: every other byte of ASCII characters is zero.
        if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
            return "utf-16-le"
        if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
    except UnicodeDecodeError:
        # A UTF-8 file with a few damaged bytes still has many good multi-byte letters; a
        # Windows-1252 file almost never contains a valid UTF-8 multi-byte sequence.
        text = sample.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        good = sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
        return "utf-8" if good > bad else "cp1252"
    return "utf-8"


_NON_ASCII_RE = re.compile(rb"[\x80-\xff]")


def _first_non_ascii(path: Path, start: int, block: int = 1 << 20) -> tuple[bytes, bool]:
    """Up to SAMPLE_BYTES of the file from its first non-ASCII byte at or after start, and
    whether they run to the end of the file."""
    with path.open("rb") as handle:
        offset = start
        handle.seek(offset)
        while chunk := handle.read(block):
            found = _NON_ASCII_RE.search(chunk)
            if found is not None:
                handle.seek(offset + found.start())  # a whole window, not the block's tail
                window = handle.read(SAMPLE_BYTES)
                return window, not handle.read(1)
            offset += len(chunk)
    return b"", True


def detect_delimiter(sample_text: str) -> str:
    """The candidate that splits the sampled records most consistently into the most fields."""
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        counts: list[int] = []
        try:
            for record in csv.reader(sample_text.splitlines(keepends=True), delimiter=delimiter):
                if record:
                    counts.append(len(record))
                if len(counts) >= _SAMPLE_RECORDS:
                    break
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for n in counts if n == counts[0]) / len(counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


class CsvReader(TableReader):
    file_format = "csv"

    def __init__(self, path: Path, limits: Limits, sample: bytes) -> None:
        self.encoding = detect_encoding(sample, whole=len(sample) < SAMPLE_BYTES)
        if self.encoding == "utf-8" and len(sample) >= SAMPLE_BYTES and sample.isascii():
            # Plain ASCII says nothing about the encoding: judge by the first non-ASCII text
            # further on (a Windows-1252 export whose first "é" comes after the sample would
            # otherwise lose every row with one as "not valid UTF-8").
            later, whole = _first_non_ascii(path, len(sample))
            if later:
                self.encoding = detect_encoding(later, whole=whole)
        text = codecs.getincrementaldecoder(self.encoding)(errors=_MARK_ERRORS).decode(sample)
        if len(sample) >= SAMPLE_BYTES:
            # Only whole lines, so the last sampled record is not judged on a fragment.
            text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1] or text
        self.delimiter = detect_delimiter(text)
        self._header_lines = 0
        name = path.name
        raw_headers: list[str] | None = None
        with self._open(path) as handle, _field_limit(limits):
            lines = _BoundedLines(handle, limits.max_row_chars)
            reader = csv.reader(lines, delimiter=self.delimiter)
            try:
                for record in reader:
                    if any(field.strip() for field in record):
                        raw_headers = list(record)
                        break
            except _RowTooLong:
                raise ImportFileError(
                    name,
                    f"the header row is longer than {megabytes(limits.max_row_chars)} (the "
                    "site's limit, max_row_mb): is this a CSV file?",
                ) from None
            except csv.Error as exc:
                if _FIELD_LIMIT_ERROR in str(exc):
                    raise ImportFileError(
                        name, "the header row: " + field_too_long(limits)
                    ) from None
                raise ImportFileError(name, f"the header row cannot be read ({exc}).") from exc
            self._header_lines = lines.number
        if raw_headers is None:
            raise ImportFileError(name, "the file has no header row (it is empty).")
        if any(_MARK in field or "\x00" in field for field in raw_headers):
            raise ImportFileError(
                name,
                f"the header row has bytes that are not valid {self.encoding_label} "
                "or NUL bytes; is this a text CSV file?",
            )
        if len(raw_headers) > limits.max_columns:
            raise ImportFileError(
                name, f"the file has {len(raw_headers)} columns; at most {limits.max_columns}."
            )
        headers, notes = unique_headers(list[str | None](raw_headers))
        super().__init__(path, headers, notes, limits)
        self._size = path.stat().st_size

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    def _position(self, handle: Any) -> int:
        return int(handle.buffer.tell())  # a text handle cannot tell() while iterated

    def _open(self, path: Path) -> TextIO:
        # newline="" leaves line ends inside quoted fields to the csv module.
        return open(path, encoding=self.encoding, errors=_MARK_ERRORS, newline="")

    def __iter__(self) -> Iterator[RowItem]:
        return self._rows()

    def _rows(self) -> Iterator[RowItem]:
        headers = self.headers
        width = len(headers)
        limits = self.limits
        max_chars = limits.max_cell_chars
        flagged: dict[int, str] = {}
        clean = self._is_clean()
        with self._open(self.path) as handle, _field_limit(limits):
            self._reading = handle
            # A clean file (the usual case) skips the per-line checks: ~25% of the reading time.
            lines = _BoundedLines(handle, limits.max_row_chars, None if clean else flagged)
            for _ in range(self._header_lines):
                next(lines, None)
            reader = csv.reader(lines, delimiter=self.delimiter)
            row = 0
            while True:
                lines.since_record = 0
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except (_RowTooLong, csv.Error) as exc:
                    row += 1
                    for line in [line for line in flagged if line <= lines.number]:
                        del flagged[line]
                    if isinstance(exc, _RowTooLong):
                        reason = row_too_long(limits)
                    elif _FIELD_LIMIT_ERROR in str(exc):
                        reason = field_too_long(limits)
                    else:
                        reason = f"the row cannot be read as CSV ({exc})."
                    yield RowProblem(row, None, reason)
                    continue
                row += 1
                if flagged:
                    problem = self._flagged(flagged, lines.number, row, record)
                    if problem is not None:
                        yield problem
                        continue
                if len(record) != width:
                    if not record:
                        continue
                    if len(record) > width and not any(record[width:]):
                        record = record[:width]
                    else:
                        yield self._wrong_width(row, record)
                        continue
                has_empty = "" in record
                if has_empty and not any(record):
                    continue
                if max(map(len, record)) > max_chars:  # one C call per row
                    column = next(
                        h for h, v in zip(headers, record, strict=True) if len(v) > max_chars
                    )
                    yield RowProblem(
                        row,
                        column,
                        f"the cell is longer than {max_chars} characters.",
                        kept_fields(record),
                    )
                    continue
                yield row, [value or None for value in record] if has_empty else record  # type: ignore[misc]

    def _is_clean(self) -> bool:
        """Whether the whole file decodes and has no NUL: one fast pass in C before the real one."""
        decoder = codecs.getincrementaldecoder(self.encoding)(errors=_MARK_ERRORS)
        with self.path.open("rb") as raw:
            while chunk := raw.read(1 << 20):
                text = decoder.decode(chunk)
                if _MARK in text or "\x00" in text:
                    return False
        return _MARK not in decoder.decode(b"", final=True)

    def _flagged(
        self, flagged: dict[int, str], last: int, row: int, record: list[str]
    ) -> RowProblem | None:
        reasons = [flagged.pop(line) for line in sorted(flagged) if line <= last]
        if not reasons:
            return None
        marker = _MARK if reasons[0] == "bytes" else "\x00"
        column = next((h for h, v in zip(self.headers, record, strict=False) if marker in v), None)
        if reasons[0] == "bytes":
            reason = f"the row has bytes that are not valid {self.encoding_label}."
        else:
            reason = "the row contains a NUL byte."
        # What could not be decoded is shown as U+FFFD, as any text editor would.
        shown = [v.replace(_MARK, "\ufffd").replace("\x00", "\ufffd") for v in record]
        return RowProblem(row, column, reason, kept_fields(shown))

    def _wrong_width(self, row: int, record: list[str]) -> RowProblem:
        width, fields = len(self.headers), len(record)
        column = self.headers[fields] if fields < width else f"Column {width + 1}"
        noun = "field" if fields == 1 else "fields"
        return RowProblem(
            row,
            column,
            f"the row has {fields} {noun}; the header has {width}.",
            kept_fields(record[: self.limits.max_columns]),
        )


class _RowTooLong(Exception):
    """A line, or the lines of one quoted record, past the row limit (already skipped)."""


class _BoundedLines:
    """The lines of a text file for the csv module, none held longer than the row limit.

    A longer line is read on in 1 MB pieces to its end, never whole, and reported by raising
    _RowTooLong; the csv reader starts afresh on the next call, so reading goes on. The lines
    of one quoted record together count against the same limit (the caller resets
    since_record after each record). With flagged, lines with undecodable bytes or NULs are
    noted by their number (in the file), for the row that holds them.
    """

    def __init__(self, handle: TextIO, limit: int, flagged: dict[int, str] | None = None) -> None:
        self._readline = handle.readline
        self._limit = limit
        self._flagged = flagged
        self.number = 0  # lines of the file read so far, skipped ones included
        self.since_record = 0

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        line = self._readline(self._limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self.since_record += len(line)
        if len(line) > self._limit:
            if not line.endswith(("\n", "\r")):
                while (piece := self._readline(1 << 20)) and not piece.endswith(("\n", "\r")):
                    pass
            raise _RowTooLong
        if self.since_record > self._limit:
            raise _RowTooLong
        flagged = self._flagged
        if flagged is not None:
            # Undecodable bytes and NULs are rare, so two substring scans are the cost.
            if _MARK in line:
                flagged[self.number] = "bytes"
            elif "\x00" in line:
                flagged[self.number] = "nul"
        return line


@contextlib.contextmanager
def _field_limit(limits: Limits) -> Iterator[None]:
    """The csv module's field limit (process-wide) is the site's while a file is read."""
    previous = csv.field_size_limit(limits.max_field_chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)
