"""Exports read back: PDF text, XLSX cells, manifests, the audit event, and `report verify`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from console.domain.permissions import Role
from console.errors import PermissionDenied, ValidationError
from console.services import accounts, audit, policy, reports
from console.services.context import Actor
from console.store.db import Database
from tests.fixtures import UserMaker


@pytest.fixture
def seeded(db: Database, admin: Actor) -> Database:
    policy.ensure_default_pack(db, admin)
    accounts.add_user(db, admin, "jürgen", Role.PRIVACY_OFFICER, full_name="Jürgen Müller")
    accounts.add_user(db, admin, "wang", Role.LEGAL, full_name="王小明")
    return db


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_audit_trail_pdf_carries_every_event_and_the_chain_head(
    seeded: Database, admin: Actor, tmp_path: Path
) -> None:
    head = audit.head(seeded, admin)
    out = tmp_path / "trail.pdf"
    result = reports.run_report(seeded, admin, "audit-trail", "pdf", out)
    text = _pdf_text(out)
    assert f"{head.seq}:{head.hash}" in text.replace("\n", "")
    assert "user.create" in text and "policy.install" in text and "jürgen" in text
    assert "Page 1 of" in text and result.pages and result.pages >= 1
    assert result.row_counts == {"Audit trail": head.seq}


def test_the_audit_trail_xlsx_has_typed_cells_and_respects_filters(
    seeded: Database, admin: Actor, tmp_path: Path
) -> None:
    out = tmp_path / "trail.xlsx"
    params = reports.ReportParams(action="user.", since=date(2000, 1, 1))
    reports.run_report(seeded, admin, "audit-trail", "xlsx", out, params)
    wb = load_workbook(out)
    sheet = next(ws for ws in wb.worksheets if ws.title != "About" and ws.max_row > 1)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {r[3] for r in rows} == {"user.create"} and len(rows) == 3
    assert isinstance(rows[0][0], int)
    about = "\n".join(str(c.value) for row in wb["About"].iter_rows() for c in row if c.value)
    assert "user." in about and admin.name in about


def test_the_record_of_processing_names_the_statements_purposes_and_recipients(
    seeded: Database, admin: Actor, tmp_path: Path
) -> None:
    out = tmp_path / "ropa.pdf"
    reports.run_report(seeded, admin, "ropa", "pdf", out)
    text = " ".join(_pdf_text(out).split())
    pack = policy.pack_in_force(seeded, admin)
    for purpose in pack.purposes:
        assert " ".join(purpose.label.split()) in text
    assert "Law enforcement" in text or "law enforcement" in text
    assert "Article 30" in text


def test_the_cookie_register_names_google_analytics(
    seeded: Database, admin: Actor, tmp_path: Path
) -> None:
    out = tmp_path / "cookies.xlsx"
    reports.run_report(seeded, admin, "cookie-register", "xlsx", out)
    wb = load_workbook(out)
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                     if c.value is not None)
    assert "Google Analytics" in cells


def test_an_export_is_audited_and_verifies_until_a_byte_changes(
    seeded: Database, admin: Actor, tmp_path: Path
) -> None:
    out = tmp_path / "ropa.xlsx"
    result = reports.run_report(seeded, admin, "ropa", "xlsx", out)
    event = audit.list_events(seeded, admin)[-1]
    assert event.action == "report.export" and event.details["sha256"] == result.sha256
    assert reports.verify_report(seeded, admin, out).ok
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    check = reports.verify_report(seeded, admin, out)
    assert not check.ok and "changed" in check.reason


def test_a_file_with_a_forged_manifest_is_not_ours(
    seeded: Database, admin: Actor, tmp_path: Path
) -> None:
    import hashlib
    import json

    out = tmp_path / "ropa.pdf"
    reports.run_report(seeded, admin, "ropa", "pdf", out)
    out.write_bytes(out.read_bytes() + b"%forged\n")
    manifest = tmp_path / "ropa.pdf.manifest.json"
    m = json.loads(manifest.read_text())
    m["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    m["size"] = out.stat().st_size
    manifest.write_text(json.dumps(m))
    check = reports.verify_report(seeded, admin, out)
    assert not check.ok and "not made by this console" in check.reason


def test_an_auditor_may_export_registers_but_not_unknown_reports(
    seeded: Database, make_user: UserMaker, tmp_path: Path
) -> None:
    auditor = make_user(Role.AUDITOR)
    reports.run_report(seeded, auditor, "cookie-register", "pdf", tmp_path / "c.pdf")
    with pytest.raises(Exception, match="No report named"):
        reports.run_report(seeded, auditor, "nonsense", "pdf", tmp_path / "x.pdf")


def test_personal_data_reports_need_the_personal_data_permission(
    seeded: Database, make_user: UserMaker, tmp_path: Path
) -> None:
    reports.register(reports.ReportSpec("test-personal", "Test", "", lambda ctx: [],
                                        personal_data=True))
    auditor = make_user(Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        reports.run_report(seeded, auditor, "test-personal", "pdf", tmp_path / "p.pdf")
    assert not (tmp_path / "p.pdf").exists()


def test_a_report_that_needs_an_id_says_so(seeded: Database, admin: Actor, tmp_path: Path) -> None:
    reports.register(reports.ReportSpec("test-needs-id", "Test", "", lambda ctx: [],
                                        requires=("object_id",)))
    with pytest.raises(ValidationError, match="--object-id"):
        reports.run_report(seeded, admin, "test-needs-id", "pdf", tmp_path / "p.pdf")


def test_the_site_configuration_sets_organisation_and_classification(
    seeded: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('organisation = "ClientPay Europe Ltd"\nclassification = "STRENG VERTRAULICH"\n'
                    'classification_internal = "NUR INTERN"\n', "utf-8")
    monkeypatch.setenv("CONSOLE_CONFIG", str(site))
    out = tmp_path / "cookies.pdf"
    reports.run_report(seeded, admin, "cookie-register", "pdf", out)  # an internal register
    text = _pdf_text(out)
    assert "ClientPay Europe Ltd" in text and "NUR INTERN" in text
    assert "STRENG VERTRAULICH" not in text
    reports.register(reports.ReportSpec("test-confidential", "Test", "", lambda ctx: [],
                                        personal_data=True))
    out = tmp_path / "personal.pdf"
    reports.run_report(seeded, admin, "test-confidential", "pdf", out)
    assert "STRENG VERTRAULICH" in _pdf_text(out)
