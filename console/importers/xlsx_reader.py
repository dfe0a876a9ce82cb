"""XLSX reading: the zip is inspected before openpyxl sees it; the first sheet is streamed."""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException

from console.importers.errors import ImportFileError, RowProblem, kept_fields
from console.importers.table import Limits, RowItem, TableReader, unique_headers

# Real workbooks compress 5–30:1; far more than this is a zip bomb or padding meant to be one.
MAX_COMPRESSION_RATIO = 100
_RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
_XML_HEAD_BYTES = 4096
_READ_ERRORS = (
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    OSError,
    zipfile.BadZipFile,
    ParseError,
    DefusedXmlException,
)
_MIDNIGHT = dt.time()


def inspect_zip(path: Path, limits: Limits) -> None:
    """Refuse what is not a workbook, or would unpack into far more than it looks."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(
            name, "is not a valid XLSX workbook (the file is damaged or not a zip archive)."
        ) from exc
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise ImportFileError(name, "is a zip archive but not an XLSX workbook.")
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ImportFileError(name, f"has more than {MAX_ZIP_ENTRIES} parts inside; refused.")
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise ImportFileError(name, "has encrypted parts; save it without a password.")
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_bytes:
            raise ImportFileError(
                name,
                f"would unpack to {_mb(total)}, over the limit of {_mb(limits.max_bytes)}; "
                "refused as a possible zip bomb.",
            )
        for entry in entries:
            if (
                entry.file_size > _RATIO_CHECK_FROM_BYTES
                and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
            ):
                raise ImportFileError(
                    name,
                    f"has a part compressed more than {MAX_COMPRESSION_RATIO}:1; "
                    "refused as a possible zip bomb.",
                )
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    with archive.open(entry) as part:
                        head = part.read(_XML_HEAD_BYTES)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                    # A part that does not match its own header (CRC, sizes): a damaged or
                    # doctored archive, refused here rather than escaping as a crash.
                    raise ImportFileError(
                        name, "is not a valid XLSX workbook (a part inside is damaged)."
                    ) from exc
                # A DTD is how entity-expansion and external-entity attacks start; Office never
                # writes one. defusedxml would refuse it too; this gives a clear message first.
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ImportFileError(
                        name,
                        "contains XML document type declarations, which XLSX never needs; "
                        "refused as unsafe.",
                    )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def cell_text(value: Any) -> str | None:
    """A cell value as the text a person sees: ISO dates, integers without ".0"."""
    kind = type(value)
    if value is None:
        return None
    if kind is str:
        return value or None
    if kind is int:
        return str(value)
    if kind is float:
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is dt.datetime:
        if value.time() == _MIDNIGHT and value.tzinfo is None:
            return value.date().isoformat()  # type: ignore[no-any-return]
        return value.isoformat()  # type: ignore[no-any-return]
    if kind in (dt.date, dt.time):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


class XlsxReader(TableReader):
    file_format = "xlsx"

    def __init__(self, path: Path, limits: Limits) -> None:
        name = self._name = path.name
        inspect_zip(path, limits)
        try:
            with warnings.catch_warnings():
                # openpyxl warns about features it drops (data validation, styles); they do not
                # change cell values, and warnings must not reach the user as errors.
                warnings.simplefilter("ignore")
                self._workbook = openpyxl.load_workbook(
                    path, read_only=True, data_only=False, keep_links=False
                )
        except _READ_ERRORS as exc:
            raise ImportFileError(
                name, f"cannot be read as an XLSX workbook ({_why(exc)})."
            ) from exc
        try:
            notes = self._open_sheet(limits)
            raw_headers = self._read_header()
        except BaseException:
            self._workbook.close()
            raise
        if raw_headers is None:
            self.close()
            raise ImportFileError(name, f'sheet "{self.sheet_title}" is empty.')
        if len(raw_headers) > limits.max_columns:
            self.close()
            raise ImportFileError(
                name,
                f"the header row has {len(raw_headers)} columns; at most {limits.max_columns}.",
            )
        headers, header_notes = unique_headers(raw_headers)
        super().__init__(path, headers, notes + header_notes, limits)

    def _is_console_report(self) -> bool:
        description = self._workbook.properties.description or ""
        return "Privacy Ops Console" in description

    def _open_sheet(self, limits: Limits) -> list[str]:
        sheets = self._workbook.worksheets
        if not sheets:
            raise ImportFileError(self._name, "has no worksheets.")
        sheet = sheets[0]
        notes = []
        if len(sheets) > 1 and sheet.title == "About" and self._is_console_report():
            # Reports made by the console open with an About sheet; the data comes after it.
            notes.append('The "About" sheet of a console report is skipped.')
            sheets = sheets[1:]
            sheet = sheets[0]
        self.sheet_title: str = sheet.title
        if len(sheets) > 1:
            notes.append(
                f'Only the first sheet, "{sheet.title}", is read; the workbook has '
                f"{len(sheets)} sheets."
            )
        max_row, max_column = sheet.max_row, sheet.max_column
        if max_row is not None and max_row > limits.max_rows:
            raise ImportFileError(
                self._name,
                f'sheet "{sheet.title}" declares {max_row:,} rows; at most {limits.max_rows:,}.',
            )
        if max_column is not None and max_column > limits.max_columns:
            raise ImportFileError(
                self._name,
                f'sheet "{sheet.title}" declares {max_column:,} columns; '
                f"at most {limits.max_columns:,}.",
            )
        # The declared size only refuses a huge sheet early: read-only mode would otherwise stop
        # at it, and exporters that write a wrong one (often "A1") would lose every row after it
        # without a word. The rows are read to the sheet's real end; _rows counts them.
        self._declared_rows = max_row or 0  # only for progress; the real end may differ
        sheet.reset_dimensions()
        self._rows_iter: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        self._header_row = 0
        self._rows_read = 0
        return notes

    def _read_header(self) -> list[str | None] | None:
        for values in self._next_rows():
            self._header_row += 1
            texts = [cell_text(value) for value in values]
            while texts and texts[-1] is None:
                texts.pop()
            if texts:
                return texts
        return None

    def _next_rows(self) -> Iterator[tuple[Any, ...]]:
        while True:
            try:
                values = next(self._rows_iter)
            except StopIteration:
                return
            except _READ_ERRORS as exc:
                raise ImportFileError(
                    self._name,
                    f"the sheet cannot be read ({_why(exc)}).",
                ) from exc
            yield values

    def __iter__(self) -> Iterator[RowItem]:
        return self._rows()

    def fraction_read(self) -> float | None:
        if self._declared_rows <= 1:
            return None
        return min(1.0, (self._rows_read + self._header_row) / self._declared_rows)

    def _rows(self) -> Iterator[RowItem]:
        headers = self.headers
        width = len(headers)
        max_chars = self.limits.max_cell_chars
        max_rows = self.limits.max_rows
        row = 0
        try:
            for values in self._next_rows():
                row += 1
                self._rows_read = row
                if row + self._header_row > max_rows:
                    raise ImportFileError(self.name, f"the sheet has more than {max_rows:,} rows.")
                texts = [cell_text(value) for value in values]
                if len(texts) > width:
                    extra = next(
                        (i for i in range(width, len(texts)) if texts[i] is not None), None
                    )
                    if extra is not None:
                        yield RowProblem(
                            row,
                            f"Column {extra + 1}",
                            "the cell has a value but no header.",
                            kept_fields(texts),
                        )
                        continue
                    del texts[width:]
                elif len(texts) < width:
                    texts.extend([None] * (width - len(texts)))
                if not any(texts):
                    continue
                long_column = next(
                    (h for h, t in zip(headers, texts, strict=True) if t and len(t) > max_chars),
                    None,
                )
                if long_column is not None:
                    yield RowProblem(
                        row,
                        long_column,
                        f"the cell is longer than {max_chars} characters.",
                        kept_fields(texts),
                    )
                    continue
                yield row, texts
        finally:
            self.close()

    def close(self) -> None:
        self._workbook.close()


def _why(exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None:  # openpyxl wraps parser errors in a ValueError
        if isinstance(cause, DefusedXmlException):
            return "it contains XML constructs refused as unsafe"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, zipfile.BadZipFile):
        return "the zip archive is damaged"
    return f"damaged or unusual workbook: {type(exc).__name__}"
