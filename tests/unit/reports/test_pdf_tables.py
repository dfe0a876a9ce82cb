"""PDF tables a person can read: headers break only between words, columns as wide as their
content, and digests shortened in the PDF while the XLSX keeps them whole."""

from __future__ import annotations

import hashlib
import io
import re

import openpyxl
from pypdf import PdfReader

from console.reports import document as d
from console.reports.fonts import BOLD
from console.reports.pdf import render_pdf
from console.reports.pdf_columns import CELL_PAD, content_widths, shorten_hashes
from console.reports.xlsx import render_xlsx

from .conftest import make_meta

COLUMNS = [
    d.Column("Seq", "int", 4),
    d.Column("Country", "text", 2),
    d.Column("Identifiers", "int", 2),
    d.Column("NDO", "text", 1),
    d.Column("Details"),
    d.Column("Hash"),
]


def _rows(n: int) -> list[list[object]]:
    return [
        [
            i,
            "US",
            i % 3,
            "yes" if i % 2 else "",
            f"file_sha256={hashlib.sha256(str(-i).encode()).hexdigest()}, rows_read={i}",
            hashlib.sha256(str(i).encode()).hexdigest(),
        ]
        for i in range(1, n + 1)
    ]


def _pdf_lines(document: d.Document) -> list[str]:
    out = io.BytesIO()
    render_pdf(document, out)
    out.seek(0)
    return [
        line.strip() for page in PdfReader(out).pages for line in page.extract_text().splitlines()
    ]


def test_headers_wrap_only_between_words_and_hashes_are_shortened() -> None:
    rows = _rows(60)
    doc = d.Document(make_meta(), [d.Section("Trail", [d.Table("Events", COLUMNS, iter(rows))])])
    lines = _pdf_lines(doc)
    text = "\n".join(lines)
    # pypdf gives each cell its own line: a header broken mid-word would read "Cou", "ntry".
    start = lines.index("Seq")
    assert lines[start : start + 6] == ["Seq", "Country", "Identifiers", "NDO", "Details", "Hash"]
    first_hash = str(rows[0][5])
    assert f"{first_hash[:12]}…" in text and first_hash not in text
    assert first_hash[12:24] not in text  # no wrapped tail of a digest anywhere
    assert "file_sha256=" + str(rows[0][4])[12:24] + "…" in text
    assert "Hashes are shortened to their first 12 characters" in text
    # Each digest is one short line of its own, never wrapped over several.
    assert sum(1 for line in lines if re.fullmatch("[0-9a-f]{12}…", line)) == 60


def test_the_xlsx_keeps_every_hash_whole() -> None:
    rows = _rows(3)
    doc = d.Document(make_meta(), [d.Section("Trail", [d.Table("Events", COLUMNS, iter(rows))])])
    out = io.BytesIO()
    render_xlsx(doc, out)
    out.seek(0)
    book = openpyxl.load_workbook(out, read_only=True)
    values = {
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    }
    assert str(rows[0][5]) in values


def test_column_widths_come_from_the_content() -> None:
    headers = ["Ref", "Agency", "Country", "Decision reasons"]
    sample = [["LR-1", "Metropolitan Police", "GB", "Overbroad: no account specified. " * 4]] * 5
    widths = content_widths(headers, sample, 500)
    assert abs(sum(widths) - 500) < 0.5
    from reportlab.pdfbase import pdfmetrics

    from console.reports.pdf_columns import CELL_SIZE

    for header, width in zip(headers, widths, strict=True):
        widest_word = max(pdfmetrics.stringWidth(w, BOLD, CELL_SIZE) for w in header.split())
        assert width >= widest_word + 2 * CELL_PAD
    assert widths[3] == max(widths)  # the long text gets the room
    agency = pdfmetrics.stringWidth("Metropolitan Police", "ConsoleSans", CELL_SIZE)
    assert widths[1] >= agency + 2 * CELL_PAD  # a short text column stays on one line


def test_shorten_hashes_leaves_other_text_alone() -> None:
    digest = "ab" * 32
    assert shorten_hashes(digest) == "abababababab…"
    assert shorten_hashes(f"sha={digest}, n=1") == "sha=abababababab…, n=1"
    assert shorten_hashes("C-000001 and 2026-12-04") == "C-000001 and 2026-12-04"
    assert shorten_hashes("DEADBEEF" * 8) == "DEADBEEF" * 8  # not a lowercase digest
