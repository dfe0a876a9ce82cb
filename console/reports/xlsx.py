"""XLSX renderer: a streamed openpyxl write-only workbook, one typed sheet per table, no formulas.

Text from data is always a string cell: nothing a spreadsheet would evaluate reaches the file.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, BinaryIO
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart as XLBarChart
from openpyxl.chart import Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from console.reports import document as d
from console.reports.text import has_invisible, make_visible, normalise_newlines, truncate

MAX_ROWS = 1_048_576  # Excel's sheet limit, header row included
MAX_CELL_CHARS = 32_767
SAMPLE_ROWS = 100
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# Leading characters that make Excel, LibreOffice or Sheets treat typed text as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BOLD = Font(bold=True)
_WIDTHS = {"int": 10, "float": 12, "date": 12, "datetime": 20}

Converter = Callable[[object], object]


def render_xlsx(document: d.Document, out: BinaryIO, *, max_rows: int = MAX_ROWS) -> dict[str, int]:
    """Write document as XLSX to out; returns rows written per table name."""
    meta = document.meta
    wb = Workbook(write_only=True)
    wb.properties.title = meta.title
    wb.properties.creator = meta.generated_by
    wb.properties.created = d.utc_naive(meta.generated_at)
    wb.properties.subject = meta.classification
    wb.properties.description = f"{meta.report_name} — Privacy Ops Console {meta.app_version}"
    wb.properties.keywords = meta.report_name
    try:
        return _render(wb, document, out, max_rows)
    except BaseException:
        _discard(wb)
        raise


def _render(wb: Workbook, document: d.Document, out: BinaryIO, max_rows: int) -> dict[str, int]:
    names = _SheetNames()
    # Created first so it is the first tab, filled last when the row counts are known.
    about = wb.create_sheet(names.take("About"))
    counts: dict[str, int] = {}
    sheets_of: dict[str, list[str]] = {}
    keys = iter(document.table_keys())
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, d.Table):
                key = next(keys)
                sheets_of[key], counts[key] = _write_table(wb, names, block, max_rows)
            elif isinstance(block, d.BarChart):
                _write_chart(wb, names, block)
    _write_about(about, document, counts, sheets_of)
    # openpyxl's own save leaves its ZipFile open when a write fails (a full disk), and the
    # ZipFile's finaliser then prints a traceback to stderr: own the archive, close it always.
    wb.properties.modified = d.utc_naive(datetime.now(UTC))
    with ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return counts


def _discard(wb: Workbook) -> None:
    """Close the half-written sheets of an aborted export and delete their temporary files."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        # Closing the row stream first lets openpyxl finish its XML without errors at GC time.
        with contextlib.suppress(Exception):
            ws.close()
        if writer is not None and isinstance(writer.out, str):
            with contextlib.suppress(OSError):
                os.remove(writer.out)


class _SheetNames:
    """Excel sheet names: at most 31 characters, no []:*?/\\, unique regardless of case."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, wanted: str, suffix: str = "") -> str:
        base = _SHEET_NAME_BAD.sub("_", make_visible(wanted)).strip("'") or "Sheet"
        n = 1
        while True:
            tail = suffix if n == 1 else f"{suffix} ({n})"
            name = base[: 31 - len(tail)] + tail
            if name.casefold() not in self._used:
                self._used.add(name.casefold())
                return name
            n += 1


def _text_cell(ws: Any, value: str, bold: bool = False) -> Any:
    """A string cell whatever the text looks like; never a formula, never over the cell limit."""
    text = _clean(value)
    cell = WriteOnlyCell(ws, value=None)
    cell.value = text
    # openpyxl makes a formula of any str starting with "="; the type is forced back here.
    cell.data_type = "s"
    if text.startswith(_FORMULA_START):
        # Keeps Excel from evaluating it even when someone edits the cell later.
        cell.quotePrefix = True
    if bold:
        cell.font = _BOLD
    return cell


def _clean(text: str) -> str:
    if "\r" in text:
        # XML readers turn a bare CR into LF anyway; doing it here keeps the length honest.
        text = normalise_newlines(text)
    if has_invisible(text):
        text = make_visible(text)
    if len(text) > MAX_CELL_CHARS:
        text = truncate(text, MAX_CELL_CHARS)
    return text


def _converter(ws: Any, kind: d.ColumnKind) -> Converter:
    def text(value: object) -> object:
        if value is None:
            return None
        s = value if isinstance(value, str) else str(value)
        if s.startswith(_FORMULA_START) or len(s) > MAX_CELL_CHARS or "\r" in s or has_invisible(s):
            return _text_cell(ws, s)
        return s

    def number(value: object) -> object:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return value
        return text(value)

    def when(value: object) -> object:
        if isinstance(value, datetime):
            return d.utc_naive(value)
        if isinstance(value, date):
            return value
        return text(value)

    if kind in ("int", "float"):
        return number
    if kind in ("date", "datetime"):
        return when
    return text


def _display_width(value: object) -> int:
    s = value if isinstance(value, str) else str(value)
    line = max(s.split("\n"), key=len) if "\n" in s else s
    if line.isascii():
        return len(line)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _write_table(
    wb: Workbook, names: _SheetNames, table: d.Table, max_rows: int
) -> tuple[list[str], int]:
    columns = list(table.columns)
    rows: Iterator[Sequence[object]] = iter(table.rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    widths = _widths(columns, sample)
    per_sheet = max_rows - 1
    sheets: list[str] = []
    total = 0
    pending: Iterator[Sequence[object]] = _chain(sample, rows)
    while True:
        ws = wb.create_sheet(names.take(table.name, "" if not sheets else f" ({len(sheets) + 1})"))
        sheets.append(ws.title)
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ws.append([_text_cell(ws, c.header, bold=True) for c in columns])
        converters = [_converter(ws, c.kind) for c in columns]
        written = 0
        ncols = len(columns)
        for row in pending:
            if len(row) != ncols:
                raise ValueError(
                    f"table {table.name!r} row {total + written + 1} has {len(row)} values "
                    f"for {ncols} columns"
                )
            ws.append([conv(v) for conv, v in zip(converters, row, strict=True)])
            written += 1
            if written == per_sheet:
                break
        if ncols:
            ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{written + 1}"
        total += written
        if written < per_sheet:
            return sheets, total
        nxt = next(pending, None)
        if nxt is None:
            return sheets, total
        pending = _chain([nxt], pending)


def _chain(
    first: Sequence[Sequence[object]], rest: Iterator[Sequence[object]]
) -> Iterator[Sequence[object]]:
    yield from first
    yield from rest


def _widths(columns: Sequence[d.Column], sample: Sequence[Sequence[object]]) -> list[float]:
    widths = []
    for i, column in enumerate(columns):
        if column.width:
            widths.append(float(column.width))
            continue
        longest = _display_width(column.header) + 3  # room for the filter button
        longest = max(longest, _WIDTHS.get(column.kind, 0))
        if column.kind == "text":
            for row in sample:
                if i < len(row) and row[i] is not None:
                    longest = max(longest, _display_width(row[i]) + 1)
        widths.append(float(min(longest, 60)))
    return widths


def _write_chart(wb: Workbook, names: _SheetNames, chart: d.BarChart) -> None:
    ws = wb.create_sheet(names.take(chart.title, " (chart)"))
    series = list(chart.series.items())
    ws.column_dimensions["A"].width = 24
    ws.append(
        [_text_cell(ws, "Category", bold=True)] + [_text_cell(ws, n, True) for n, _ in series]
    )
    for i, category in enumerate(chart.categories):
        ws.append([_text_cell(ws, category)] + [float(values[i]) for _, values in series])
    if not series or not chart.categories:
        return
    bar = XLBarChart()
    bar.title = _clean(chart.title)
    n = len(chart.categories)
    data = Reference(ws, min_col=2, max_col=len(series) + 1, min_row=1, max_row=n + 1)
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    ws.add_chart(bar, f"{get_column_letter(len(series) + 3)}2")


def _write_about(
    ws: Any, document: d.Document, counts: dict[str, int], sheets_of: dict[str, list[str]]
) -> None:
    meta = document.meta
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 80

    def line(key: str, value: object = None, bold: bool = False) -> None:
        cells: list[object] = [_text_cell(ws, key, bold=True)]
        if isinstance(value, str):
            cells.append(_text_cell(ws, normalise_newlines(value), bold=bold))
        elif value is not None:
            cells.append(value)
        ws.append(cells)

    line("Report", meta.title, bold=True)
    line("Report name", meta.report_name)
    line("Organisation", meta.organisation)
    line("Classification", meta.classification)
    line("Generated by", meta.generated_by)
    line("Generated at (UTC)", d.utc_naive(meta.generated_at))
    line("Application version", meta.app_version)
    line("Audit chain head", meta.chain_head_text)
    ws.append([])
    line("Parameters")
    for key, value in meta.parameters.items():
        line(key, value)
    ws.append([])
    line("Table", "Rows", bold=True)
    for name, count in counts.items():
        line(name, count)
        if len(sheets_of[name]) > 1 or sheets_of[name][0] != name:
            line("  on sheets", ", ".join(sheets_of[name]))
    keys = iter(counts)
    for section in document.sections:
        ws.append([])
        line(section.heading)
        for block in section.blocks:
            if isinstance(block, d.Paragraph | d.Note):
                line("Note" if isinstance(block, d.Note) else "", block.text)
            elif isinstance(block, d.KeyValues):
                for key, value in block.pairs:
                    line(key, value)
            elif isinstance(block, d.Table):
                line("Table", f"{block.name} ({counts[next(keys)]:,} rows)")
                if block.note:
                    line("Note", block.note)
            else:
                line("Chart", block.title)
