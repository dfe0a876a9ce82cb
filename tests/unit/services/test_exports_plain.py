"""Every exported report reads in words: no stored code, JSON or Python value in a PDF or XLSX.

Run on the demo data (every area filled), each report in both formats, the text read back from
the files themselves (pypdf, openpyxl).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from console.domain import labels
from console.services import accounts
from console.services.context import Actor
from console.services.demo import seed as demo
from console.services.reporting import catalogue as reports
from console.store.db import Database, open_database

# Stored codes that differ from their labels (a cell holding exactly one of these shows a code).
# Roles are left out: the demo's user names are "admin" and "legal", which a User column shows.
_CODES = {
    code
    for kind in labels.KINDS
    if kind not in ("role", "action", "object")
    for code, text in labels.table(kind).items()
    if text != code
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, Actor, Path]:
    folder = tmp_path_factory.mktemp("exports")
    db = open_database(f"sqlite:///{folder / 'console.db'}")
    demo.load(db, None)
    return db, accounts.authenticate(db, "admin", demo.DEMO_PASSWORD), folder


def _params(spec: reports.ReportSpec) -> reports.ReportParams:
    return reports.ReportParams(
        object_id=1 if "object_id" in spec.requires else None,
        query="Müller" if "query" in spec.requires else None,
    )


def _source_columns(db: Database, admin: Actor) -> set[str]:
    """The demo sources' own column names: the records report quotes a source as it is."""
    from console.services.records import sources

    return {
        str(column)
        for info in sources.list_sources(db, admin)
        for column in (info.mapping or {}).get("columns", {})
    }


def _pdf_lines(path: Path) -> list[str]:
    return [line for page in PdfReader(path).pages for line in page.extract_text().splitlines()]


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_no_report_shows_a_stored_code(demo_db, fmt: str) -> None:
    db, admin, folder = demo_db
    found: dict[str, Counter[str]] = {}
    names = []
    source_columns = _source_columns(db, admin)
    assert "customer_id" in source_columns
    for spec in reports.catalogue():
        out = folder / f"{spec.name}.{fmt}"
        reports.run_report(db, admin, spec.name, fmt, out, _params(spec))
        names.append(spec.name)
        if fmt == "pdf":
            lines = _pdf_lines(out)
            cells: list[str] = []
        else:
            book = load_workbook(out, read_only=True)
            values = [
                c
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for c in row
                if isinstance(c, str)
            ]
            lines = [line for v in values for line in v.splitlines()]
            cells = [v for v in values if v in _CODES]
        fragments = Counter(
            f
            for line in lines
            for f in labels.code_looking(line)
            if not (spec.name == "records" and f in source_columns)
        )
        fragments.update(f"cell {c!r}" for c in cells)
        if fragments:
            found[spec.name] = fragments
    assert len(names) >= 10 and "dsr-register" in names and "audit-trail" in names
    assert found == {}


def test_the_registers_name_laws_statuses_channels_and_decisions_by_their_labels(demo_db) -> None:
    db, admin, folder = demo_db
    out = folder / "register.xlsx"
    reports.run_report(db, admin, "dsr-register", "xlsx", out, reports.ReportParams())
    sheet = next(ws for ws in load_workbook(out).worksheets if ws.title != "About")
    shown = {c for row in sheet.iter_rows(min_row=2, values_only=True) for c in row}
    assert {"In progress", "Authorised agent", "Colorado PA", "CCPA/CPRA"} <= shown
    legal = folder / "legal.pdf"
    reports.run_report(db, admin, "legal-register", "pdf", legal, reports.ReportParams())
    text = "\n".join(_pdf_lines(legal))
    assert "Reject" in text and "Challenge" in text
