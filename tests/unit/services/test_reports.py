"""Exports read back: PDF text, XLSX cells, manifests, the audit event, and `report verify`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from console.domain.permissions import Role
from console.errors import PermissionDenied, ValidationError
from console.services import accounts, audit, policy
from console.services.context import Actor
from console.services.reporting import catalogue as reports
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
    assert "Created a user" in text and "Installed a policy pack" in text and "jürgen" in text
    assert "user.create" not in text and "policy.install" not in text
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
    assert len(rows) == 3 and all(r[3].startswith("admin: Created a user (") for r in rows)
    assert isinstance(rows[0][0], int)
    about = "\n".join(str(c.value) for row in wb["About"].iter_rows() for c in row if c.value)
    assert "User accounts (every action)" in about and admin.name in about


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
    cells = " ".join(
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )
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
    reports.register(
        reports.ReportSpec("test-personal", "Test", "", lambda ctx: [], personal_data=True)
    )
    auditor = make_user(Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        reports.run_report(seeded, auditor, "test-personal", "pdf", tmp_path / "p.pdf")
    assert not (tmp_path / "p.pdf").exists()


def test_a_report_that_needs_an_id_says_so(seeded: Database, admin: Actor, tmp_path: Path) -> None:
    reports.register(
        reports.ReportSpec("test-needs-id", "Test", "", lambda ctx: [], requires=("object_id",))
    )
    with pytest.raises(ValidationError, match="--object-id"):
        reports.run_report(seeded, admin, "test-needs-id", "pdf", tmp_path / "p.pdf")


def test_the_site_configuration_sets_organisation_and_classification(
    seeded: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        'organisation = "ClientPay Europe Ltd"\nclassification = "STRENG VERTRAULICH"\n'
        'classification_internal = "NUR INTERN"\n',
        "utf-8",
    )
    monkeypatch.setenv("CONSOLE_CONFIG", str(site))
    out = tmp_path / "cookies.pdf"
    reports.run_report(seeded, admin, "cookie-register", "pdf", out)  # an internal register
    text = _pdf_text(out)
    assert "ClientPay Europe Ltd" in text and "NUR INTERN" in text
    assert "STRENG VERTRAULICH" not in text
    reports.register(
        reports.ReportSpec("test-confidential", "Test", "", lambda ctx: [], personal_data=True)
    )
    out = tmp_path / "personal.pdf"
    reports.run_report(seeded, admin, "test-confidential", "pdf", out)
    assert "STRENG VERTRAULICH" in _pdf_text(out)


def _append_forged_export(db: Database, sha256: str) -> int:
    """What someone with write access to the trail would do: an export event with a made-up
    hash, naming a file the console never made."""
    import json

    from sqlalchemy import text

    with db.engine.begin() as conn:
        seq = conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one() + 1
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, "
                "details, prev_hash, hash) VALUES (:seq, '2026-01-01T00:00:00+00:00', 'ada', "
                "'report.export', 'report', 'ropa', :details, :prev, :hash)"
            ),
            {
                "seq": seq,
                "details": json.dumps({"sha256": sha256}),
                "prev": "0" * 64,
                "hash": "f" * 64,
            },
        )
    return int(seq)


def _forge(path: Path) -> str:
    import hashlib
    import json

    path.write_bytes(path.read_bytes() + b"%forged\n")
    manifest = path.with_name(path.name + ".manifest.json")
    m = json.loads(manifest.read_text())
    m["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    m["size"] = path.stat().st_size
    manifest.write_text(json.dumps(m))
    return str(m["sha256"])


def test_a_forged_export_event_with_a_made_up_hash_vouches_for_nothing(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    policy.ensure_default_pack(any_db, any_admin)
    out = tmp_path / "ropa.pdf"
    reports.run_report(any_db, any_admin, "ropa", "pdf", out)
    forged_seq = _append_forged_export(any_db, _forge(out))
    check = reports.verify_report(any_db, any_admin, out)
    assert not check.ok and check.audit_seq is None
    assert f"event {forged_seq}" in check.reason and "cannot vouch" in check.reason


def test_a_genuine_file_is_vouched_for_by_an_intact_chain_from_the_start_or_an_anchor(
    seeded: Database, admin: Actor, tmp_path: Path
) -> None:
    from console.domain.auditchain import Anchor

    head = audit.head(seeded, admin)
    assert head is not None
    out = tmp_path / "ropa.xlsx"
    reports.run_report(seeded, admin, "ropa", "xlsx", out)
    check = reports.verify_report(seeded, admin, out)
    assert check.ok and "from the first event" in check.reason and "admin exported" in check.reason
    from_anchor = reports.verify_report(seeded, admin, out, anchor=head)
    assert from_anchor.ok and f"from event {head.seq} (the anchor)" in from_anchor.reason
    wrong = Anchor(head.seq, "0" * 64)
    assert not reports.verify_report(seeded, admin, out, anchor=wrong).ok


def test_damage_after_the_vouching_event_leaves_the_file_vouched_but_not_before(
    seeded: Database, admin: Actor, tmp_path: Path
) -> None:
    from sqlalchemy import text

    out = tmp_path / "ropa.xlsx"
    reports.run_report(seeded, admin, "ropa", "xlsx", out)
    export_seq = audit.list_events(seeded, admin)[-1].seq
    reports.verify_report(seeded, admin, out)  # appends a report.verify event after it
    with seeded.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(
            text("UPDATE audit_events SET actor = 'mallory' WHERE seq = :s"), {"s": export_seq + 1}
        )
    assert reports.verify_report(seeded, admin, out).ok
    with seeded.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))
    check = reports.verify_report(seeded, admin, out)
    assert not check.ok and "broken at event 1" in check.reason
