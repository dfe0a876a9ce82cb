"""The source catalogue and records search exports, read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from console.domain.permissions import Role
from console.errors import PermissionDenied
from console.services import audit, policy
from console.services.context import Actor
from console.services.records import imports, sources
from console.services.reporting import catalogue as reports
from console.store.db import Database
from tests.fixtures import UserMaker


@pytest.fixture
def imported(db: Database, admin: Actor, tmp_path: Path) -> Database:
    policy.ensure_default_pack(db, admin)
    sources.add_source(db, admin, "CRM", "crm", owner="Sales", system="HubSpot")
    csv = tmp_path / "crm.csv"
    csv.write_text(
        "Customer ID,Email,Name,Notes\n"
        'C-1,jurgen@example.de,Jürgen Müller,=HYPERLINK("x")\n'
        "C-2,wang@example.cn,王小明,\n"
        "C-3,m@example.sa,محمد,\n",
        "utf-8",
    )
    result = imports.run_import(db, admin, csv, "CRM")
    assert result.rows_imported == 3
    return db


def test_the_source_catalogue_lists_sources_and_their_imports(
    imported: Database, admin: Actor, tmp_path: Path
) -> None:
    out = tmp_path / "sources.xlsx"
    result = reports.run_report(imported, admin, "sources", "xlsx", out)
    assert result.row_counts == {"Sources": 1, "Imports": 1}
    wb = load_workbook(out)
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert "HubSpot" in cells and "crm.csv" in cells and "Completed" in cells


def test_the_records_export_carries_every_script_and_no_formula(
    imported: Database, admin: Actor, tmp_path: Path
) -> None:
    pdf = tmp_path / "records.pdf"
    reports.run_report(
        imported, admin, "records", "pdf", pdf, reports.ReportParams(query="example")
    )
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Jürgen Müller" in text and "王小明" in text and "jurgen@example.de" in text
    xlsx = tmp_path / "records.xlsx"
    reports.run_report(imported, admin, "records", "xlsx", xlsx, reports.ReportParams(query="Jurg"))
    wb = load_workbook(xlsx)
    values = [
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert any("HYPERLINK" in v for v in values)
    assert not any(
        c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row
    )
    export = [e for e in audit.list_events(imported, admin) if e.action == "report.export"][-1]
    assert export.details["personal_data"] is True


def test_the_records_export_keeps_the_source_and_category_filters_of_the_search(
    imported: Database, admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(imported, admin, "Newsletter", "marketing")
    csv = tmp_path / "news.csv"
    csv.write_text("Email,Name\nnews@example.de,Jürgen Newsreader\n", "utf-8")
    imports.run_import(imported, admin, csv, "Newsletter")
    xlsx = tmp_path / "filtered.xlsx"
    result = reports.run_report(
        imported,
        admin,
        "records",
        "xlsx",
        xlsx,
        reports.ReportParams(query="example", source="Newsletter"),
    )
    assert result.row_counts["Records"] == 1
    cells = [
        c.value for ws in load_workbook(xlsx).worksheets for row in ws.iter_rows() for c in row
    ]
    assert "news@example.de" in " ".join(str(c) for c in cells)
    assert "jurgen@example.de" not in " ".join(str(c) for c in cells)
    assert "Newsletter" in cells  # the scope is printed on the report
    export = [e for e in audit.list_events(imported, admin) if e.action == "report.export"][-1]
    assert export.details["parameters"]["Source"] == "Newsletter"

    # The category filter applies too: every row of both sources holds an e-mail.
    both = reports.run_report(
        imported,
        admin,
        "records",
        "xlsx",
        tmp_path / "c.xlsx",
        reports.ReportParams(query="example", category="contact.email"),
    )
    assert both.row_counts["Records"] == 4


def test_an_auditor_cannot_take_personal_data_away(
    imported: Database, make_user: UserMaker, tmp_path: Path
) -> None:
    auditor = make_user(Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        reports.run_report(
            imported,
            auditor,
            "records",
            "xlsx",
            tmp_path / "r.xlsx",
            reports.ReportParams(query="example"),
        )
    reports.run_report(imported, auditor, "sources", "pdf", tmp_path / "s.pdf")
