"""Open a CSV, XLSX or JSON-lines export as headers plus a row stream, judged by its content."""

from __future__ import annotations

from pathlib import Path

from console.importers.csv_reader import SAMPLE_BYTES, CsvReader, detect_encoding
from console.importers.errors import ImportFileError, RowProblem
from console.importers.jsonl_reader import JsonLinesReader
from console.importers.table import Limits, RowItem, TableReader, Values
from console.importers.xlsx_reader import XlsxReader

__all__ = [
    "ImportFileError",
    "Limits",
    "RowItem",
    "RowProblem",
    "TableReader",
    "Values",
    "open_table",
    "sniff_format",
]

FORMAT_NAMES = {"csv": "a CSV file", "xlsx": "an XLSX workbook", "jsonl": "a JSON lines file"}
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_DEFAULTS = Limits()
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


def sniff_format(head: bytes) -> str:
    """What the first bytes say the file is: csv, xlsx, jsonl, or a name for what we refuse."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")):
        return "archive"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if text.startswith(b"{"):
        return "jsonl"
    if text.startswith(b"["):
        return "json"
    if text.startswith((b"<?xml", b"<html", b"<!DOCTYPE", b"<HTML")):
        return "markup"
    encoding = detect_encoding(head)
    if not encoding.startswith(("utf-16", "utf-32")):
        controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
        # Text exports have next to no control characters; images and databases are full of them.
        if controls > max(16, len(head) // 20):
            return "binary"
    return "csv"


_REFUSED = {
    "ole": "is a legacy Excel (.xls) or password-protected workbook; save it as .xlsx or CSV.",
    "pdf": "is a PDF document, not a table; export the data as CSV, XLSX or JSON lines.",
    "archive": "is a compressed archive; unpack it and import the table inside.",
    "json": "is one JSON document, not JSON lines (one object per line).",
    "markup": "is an XML or HTML document, not a table; export it as CSV, XLSX or JSON lines.",
    "binary": "contains binary data, not a text table.",
}


def open_table(
    path: str | Path,
    *,
    max_bytes: int = _DEFAULTS.max_bytes,
    max_columns: int = _DEFAULTS.max_columns,
    max_cell_chars: int = _DEFAULTS.max_cell_chars,
    max_rows: int = _DEFAULTS.max_rows,
    max_field_chars: int = _DEFAULTS.max_field_chars,
    max_row_chars: int = _DEFAULTS.max_row_chars,
) -> TableReader:
    """The table in ``path``, its format decided by content; ImportFileError if unusable."""
    path = Path(path)
    name = path.name
    limits = Limits(
        max_bytes=max_bytes,
        max_columns=max_columns,
        max_cell_chars=max_cell_chars,
        max_rows=max_rows,
        max_field_chars=max_field_chars,
        max_row_chars=max_row_chars,
    )
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(SAMPLE_BYTES)
    except FileNotFoundError as exc:
        raise ImportFileError(name, "the file does not exist.") from exc
    except IsADirectoryError as exc:
        raise ImportFileError(name, "is a folder, not a file.") from exc
    except OSError as exc:
        raise ImportFileError(name, f"the file cannot be read ({exc.strerror}).") from exc
    if size > limits.max_bytes:
        raise ImportFileError(
            name, f"the file is {size:,} bytes; at most {limits.max_bytes:,} can be imported."
        )
    if not head.strip():
        raise ImportFileError(name, "the file is empty.")
    found = sniff_format(head)
    if found in _REFUSED:
        raise ImportFileError(name, _REFUSED[found])
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(name, _REFUSED["ole"])
    expected = _EXTENSIONS.get(suffix)
    if expected is not None and expected != found:
        raise ImportFileError(
            name,
            f"the name says {FORMAT_NAMES[expected]} but the content is {FORMAT_NAMES[found]}; "
            "rename it or export it again.",
        )
    if found == "xlsx":
        return XlsxReader(path, limits)
    if found == "jsonl":
        return JsonLinesReader(path, limits)
    return CsvReader(path, limits, head)
