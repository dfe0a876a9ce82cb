"""JSON lines reading: one object per line, nested objects flattened to dotted column names.

Two passes over the file: the first collects every key (so a key first seen on the last line is
still a column), the second yields rows. Memory stays flat whatever the file size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from console.importers.errors import ImportFileError, RowProblem, kept_fields
from console.importers.table import (
    Limits,
    RowItem,
    TableReader,
    field_too_long,
    row_too_long,
    unique_headers,
)

MAX_DEPTH = 32


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def flatten(obj: dict[str, Any], max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``; raises _RowError past ``max_depth`` or on a clash."""
    out: dict[str, Any] = {}
    _flatten_into(obj, "", 1, max_depth, out)
    return out


def _flatten_into(
    obj: dict[str, Any], prefix: str, depth: int, max_depth: int, out: dict[str, Any]
) -> None:
    for key, value in obj.items():
        name = f"{prefix}.{key}" if prefix else key
        if type(value) is dict and value:
            if depth >= max_depth:
                raise _RowError(name, f"objects are nested more than {max_depth} deep.")
            _flatten_into(value, name, depth + 1, max_depth, out)
            continue
        if name in out:
            raise _RowError(name, "two keys give this column name once nested keys are joined.")
        out[name] = value


def value_text(value: Any) -> str | None:
    """A JSON value as text: strings as they are, numbers and booleans as JSON writes them."""
    kind = type(value)
    if kind is str:
        return value or None
    if value is None:
        return None
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return repr(value)
    # Arrays (and empty objects) stay JSON, so nothing is lost and the text is still searchable.
    return json.dumps(value, ensure_ascii=False)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):  # the usual case, decided in C
        return obj
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            # Which of the two values is "the" value differs between JSON readers: never guess.
            raise _RowError(key, f'the key "{key}" appears twice in one object.')
        seen.add(key)
    return obj


def _parse_line(raw: bytes, *, unique_keys: bool = False) -> dict[str, Any]:
    """The line's object, flattened. unique_keys: refuse an object with a key twice (a Python
    hook per object, which doubles the parse time: only the first pass pays it)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _RowError(None, "the line has bytes that are not valid UTF-8.") from exc
    try:
        obj = json.loads(text, object_pairs_hook=_unique_keys if unique_keys else None)
    except json.JSONDecodeError as exc:
        raise _RowError(None, f"the line is not valid JSON (at character {exc.pos + 1}).") from exc
    except RecursionError as exc:
        raise _RowError(None, "the line is nested too deeply.") from exc
    except ValueError as exc:
        # Python reads integers of at most 4,300 digits (sys.get_int_max_str_digits).
        if "integer string conversion" in str(exc):
            raise _RowError(None, "the line has a number with more than 4,300 digits.") from None
        raise _RowError(None, f"the line cannot be read as JSON ({exc}).") from None
    if type(obj) is not dict:
        raise _RowError(None, "the line is not a JSON object.")
    return flatten(obj)


_TOO_LONG = b""  # stands for a line skipped because it is past the row limit


def _lines(handle: BinaryIO, limit: int) -> Iterator[tuple[int, bytes]]:
    """(number, line) for each non-blank line; a line past limit bytes is read on to its end in
    1 MB pieces, never whole, and given as _TOO_LONG."""
    number = 0
    while raw := handle.readline(limit + 1):
        number += 1
        if len(raw) > limit:
            if not raw.endswith(b"\n"):
                while (piece := handle.readline(1 << 20)) and not piece.endswith(b"\n"):
                    pass
            yield number, _TOO_LONG
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.strip():
            yield number, raw


def _line_kept(raw: bytes) -> tuple[str, ...]:
    """A rejected line as text, for the list of rejected rows (one field: the line)."""
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n").replace("\x00", "\ufffd")
    return kept_fields([text])


class JsonLinesReader(TableReader):
    file_format = "jsonl"

    def __init__(self, path: Path, limits: Limits) -> None:
        keys: dict[str, None] = {}
        self._twice: dict[int, _RowError] = {}  # lines with a key twice, found by the first pass
        too_long = 0
        first_problem = ""
        with path.open("rb") as handle:
            for number, raw in _lines(handle, limits.max_row_chars):
                if raw is _TOO_LONG:
                    too_long += 1
                    continue
                try:
                    flat = _parse_line(raw, unique_keys=True)
                except _RowError as exc:
                    # Reported, with its line number, by the second pass.
                    first_problem = first_problem or f"line {number}: {exc.reason}"
                    if exc.reason.endswith("appears twice in one object."):
                        self._twice[number] = exc
                    continue
                for key in flat:
                    if key not in keys:
                        keys[key] = None
                        if len(keys) > limits.max_columns:
                            raise ImportFileError(
                                path.name,
                                f"the objects have more than {limits.max_columns} distinct keys.",
                            )
        if not keys and too_long:
            raise ImportFileError(
                path.name,
                "has no JSON object to read: "
                + row_too_long(limits, "line" if too_long == 1 else "every line"),
            )
        if not keys and first_problem:
            raise ImportFileError(
                path.name, f"has no JSON object that can be read ({first_problem})"
            )
        if not keys:
            raise ImportFileError(path.name, "has no JSON object with any key.")
        self._keys = list(keys)
        headers, notes = unique_headers(list(self._keys))
        super().__init__(path, headers, notes, limits)
        self._size = path.stat().st_size

    def __iter__(self) -> Iterator[RowItem]:
        return self._rows()

    def _rows(self) -> Iterator[RowItem]:
        index = {key: position for position, key in enumerate(self._keys)}
        header_of = dict(zip(self._keys, self.headers, strict=True))
        width = len(self._keys)
        max_chars = self.limits.max_cell_chars
        max_field = self.limits.max_field_chars
        with self.path.open("rb") as handle:
            self._reading = handle  # for fraction_read
            for number, raw in _lines(handle, self.limits.max_row_chars):
                if raw is _TOO_LONG:
                    yield RowProblem(number, None, row_too_long(self.limits, "line"))
                    continue
                try:
                    if number in self._twice:
                        raise self._twice[number]
                    flat = _parse_line(raw)
                except _RowError as exc:
                    column = header_of.get(exc.column, exc.column) if exc.column else None
                    yield RowProblem(number, column, exc.reason, _line_kept(raw))
                    continue
                values: list[str | None] = [None] * width
                problem = None
                for key, value in flat.items():
                    position = index.get(key)
                    if position is None:  # the file changed between the passes
                        problem = RowProblem(
                            number, key, "the key was not in the file when it was opened."
                        )
                        break
                    text = value_text(value)
                    if text is not None and len(text) > max_field:
                        problem = RowProblem(number, header_of[key], field_too_long(self.limits))
                        break
                    if text is not None and len(text) > max_chars:
                        problem = RowProblem(
                            number,
                            header_of[key],
                            f"the value is longer than {max_chars} characters.",
                        )
                        break
                    if text is not None and "\x00" in text:
                        # As in CSV: a NUL is never data, and PostgreSQL text cannot hold one.
                        problem = RowProblem(
                            number, header_of[key], "the value contains a NUL byte."
                        )
                        break
                    values[position] = text
                if problem is not None:
                    yield replace(problem, fields=_line_kept(raw))
                elif any(values):
                    yield number, values
