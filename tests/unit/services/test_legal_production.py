"""Productions read back from disk, the disclosure log, and the transparency report's figures."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from console.domain.legal import CHECKLIST, HalfYear
from console.domain.permissions import Role
from console.errors import DiskFull, PermissionDenied, ValidationError
from console.reports import verify_file
from console.services.context import Actor
from console.services.demo.legal import PEOPLE, import_sample_records
from console.services.legal import disclosures as legal_disclosures
from console.services.legal import intake as legal
from console.services.legal import production as legal_production
from console.services.legal import publication
from console.services.legal import review as legal_review
from console.services.legal import scope as legal_scope
from console.services.legal import transparency as legal_transparency
from console.services.legal.model import IdentifierSpec, LegalIntake
from console.store.db import Database


@pytest.fixture
def lawyer(make_user) -> Actor:
    return make_user(Role.LEGAL, "leo")


@pytest.fixture
def people(db: Database, make_user, tmp_path: Path) -> None:
    import_sample_records(db, make_user(Role.PRIVACY_OFFICER, "olivia"), tmp_path / "in")


def _decided(db: Database, lawyer: Actor, decision: str = "produce", **changes: object) -> int:
    values: dict[str, object] = {
        "process_type": "subpoena",
        "agency": "County Sheriff",
        "officer": "Det. Cole",
        "country": "US",
        "received_at": datetime(2025, 3, 1, tzinfo=UTC),
        "case_number": "24-CR-118",
        # Ana's e-mail (her CRM row) and customer id (her two payments), and what is sought.
        "identifiers": [
            IdentifierSpec("email", PEOPLE[0][1]),
            IdentifierSpec("customer_id", "C-1001"),
        ],
        "categories": [
            "contact.email",
            "contact.name",
            "transaction.amount",
            "transaction.payment",
        ],
    }
    values.update(changes)
    request_id = legal.create_request(db, lawyer, LegalIntake(**values)).id  # type: ignore[arg-type]
    legal_review.assign(db, lawyer, request_id, lawyer.name)
    for key, _ in CHECKLIST:
        legal_review.set_checklist(db, lawyer, request_id, key, True)
    legal_review.decide(db, lawyer, request_id, decision, "Valid process.")
    return request_id


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_production_is_numbered_certified_and_hashed(db, lawyer, people, tmp_path) -> None:
    request_id = _decided(db, lawyer)
    ids = legal_production.candidate_record_ids(db, lawyer, request_id, include_undated=True)
    assert len(ids) == 3
    result = legal_production.produce(
        db,
        lawyer,
        request_id,
        ids,
        tmp_path / "out",
        method="Portal upload",
        certifier="Cass Custodian",
        include_undated=True,  # the CRM row has no collection time
    )
    assert (result.first, result.last) == ("CP-000001", "CP-000003")
    numbers = ["CP-000001", "CP-000002", "CP-000003"]

    manifest = json.loads(result.manifest_path.read_text("utf-8"))
    assert _sha(result.manifest_path) == result.manifest_sha256
    assert {f["name"] for f in manifest["files"]} == set(result.files)
    for entry in manifest["files"]:
        assert _sha(result.folder / entry["name"]) == entry["sha256"]
    assert [i["number"] for i in manifest["items"]] == numbers

    pdf = PdfReader(result.folder / next(n for n in result.files if n.endswith("records.pdf")))
    assert len(pdf.pages) == 3
    for page, number in zip(pdf.pages, numbers, strict=True):
        assert number in page.extract_text()
    assert (
        "Ana Lima"
        in pdf.pages[0].extract_text() + pdf.pages[1].extract_text() + pdf.pages[2].extract_text()
    )

    cert = PdfReader(result.folder / next(n for n in result.files if "certification" in n))
    cert_text = " ".join(p.extract_text() for p in cert.pages)
    assert "CP-000001–CP-000003" in cert_text and "Cass Custodian" in cert_text
    cover = PdfReader(result.folder / next(n for n in result.files if "cover" in n))
    assert "County Sheriff" in " ".join(p.extract_text() for p in cover.pages)

    wb = load_workbook(result.folder / next(n for n in result.files if n.endswith(".xlsx")))
    produced = []
    for ws in wb.worksheets:
        if ws.cell(1, 1).value == "Production number" and ws.title != "Index":
            produced += [row[0] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]]
    assert sorted(produced) == numbers
    assert legal_production.verify_production(result.folder) == []

    log = legal_disclosures.disclosure_log(db, lawyer)
    assert len(log) == 1 and log[0].production == "CP-000001–CP-000003"
    assert log[0].recipient == "County Sheriff (Det. Cole)" and log[0].method == "Portal upload"
    assert (
        "case 24-CR-118" in log[0].legal_basis
        and "Subpoena, court order or legal process" in log[0].legal_basis
    )
    assert legal.get(db, lawyer, request_id).summary.status.value == "produced"


def test_the_next_production_continues_the_numbers(db, lawyer, people, tmp_path) -> None:
    first = _decided(db, lawyer)
    legal_production.produce(
        db, lawyer, first, legal_production.candidate_record_ids(db, lawyer, first)[:1], tmp_path
    )
    second = _decided(db, lawyer, "produce_in_part", case_number="25-GJ-004")
    result = legal_production.produce(
        db, lawyer, second, legal_production.candidate_record_ids(db, lawyer, second)[:2], tmp_path
    )  # the two payments: dated, in scope
    assert (result.first, result.last) == ("CP-000002", "CP-000003")


def test_a_changed_file_is_caught_by_the_manifest(db, lawyer, people, tmp_path) -> None:
    request_id = _decided(db, lawyer)
    result = legal_production.produce(
        db,
        lawyer,
        request_id,
        legal_production.candidate_record_ids(db, lawyer, request_id),
        tmp_path,
    )
    victim = next(result.folder / n for n in result.files if n.endswith(".xlsx"))
    victim.write_bytes(victim.read_bytes() + b"x")
    assert legal_production.verify_production(result.folder) == [
        f"{victim.name} was changed after production."
    ]


def test_nothing_is_produced_without_a_decision_to_disclose(db, lawyer, people, tmp_path) -> None:
    request_id = _decided(db, lawyer, "reject")
    with pytest.raises(ValidationError, match="not decided 'produce'"):
        legal_production.produce(db, lawyer, request_id, [1], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_only_legal_produces(db, lawyer, admin, people, tmp_path) -> None:
    request_id = _decided(db, lawyer)
    with pytest.raises(PermissionDenied):
        legal_production.produce(db, admin, request_id, [1], tmp_path)


def _known_requests(db: Database, lawyer: Actor, tmp_path: Path) -> None:
    def new(kind: str, country: str, month: int, n_ids: int = 1) -> int:
        ids = [IdentifierSpec("customer_id", f"X-{month}-{i}") for i in range(n_ids)]
        return legal.create_request(
            db,
            lawyer,
            LegalIntake(
                kind,
                "Agency",
                country,
                datetime(2025, month, 10, tzinfo=UTC),
                identifiers=ids,
                description="sought",
            ),
        ).id

    new("subpoena", "US", 1, 2)
    new("subpoena", "US", 2)
    new("preservation", "US", 3, 3)
    new("emergency", "DE", 4)
    new("court_order", "DE", 5)
    new("subpoena", "US", 8)  # second half: not counted
    for month in (1, 2):
        new("national_security", "US", month, 5)
    # Two requests with data produced: one by production, one by a logged disclosure.
    produced = _decided(db, lawyer, received_at=datetime(2025, 6, 1, tzinfo=UTC))
    legal_production.produce(
        db, lawyer, produced, legal_production.candidate_record_ids(db, lawyer, produced), tmp_path
    )
    emergency = new("emergency", "DE", 6)
    legal_scope.set_scope(db, lawyer, emergency, categories=["contact.phone"])
    legal_review.emergency_decide(db, lawyer, emergency, "produce", "Threat to life reported.")
    legal_disclosures.record_disclosure(
        db, lawyer, emergency, recipient="Police", method="Telephone", what="Phone number"
    )


def test_transparency_figures_from_a_known_set_of_requests(db, lawyer, people, tmp_path) -> None:
    _known_requests(db, lawyer, tmp_path)
    f = legal_transparency.figures(db, lawyer, HalfYear.parse("2025-H1"))
    t = f.total
    # The produced subpoena names two identifiers (an e-mail and a customer id).
    assert (t.received, t.identifiers, t.produced, t.preservation, t.emergency) == (7, 11, 2, 1, 2)
    assert t.produced_pct == 28.6
    by_country = {r.country: r for r in f.by_country}
    assert by_country["US"].received == 4 and by_country["US"].identifiers == 8
    assert by_country["DE"].received == 3 and by_country["DE"].produced_pct == pytest.approx(33.3)
    pairs = {(r.country, r.process_type): r.received for r in f.by_country_and_type}
    assert pairs[("US", "Subpoena")] == 3 and pairs[("DE", "Emergency disclosure")] == 2
    assert f.national_security_requests == "0–249"
    assert f.national_security_identifiers == "0–249"
    assert all(r.process_type != "National-security request" for r in f.by_country_and_type)


def test_the_transparency_report_exports_through_the_report_engine(
    db, lawyer, people, tmp_path
) -> None:
    _known_requests(db, lawyer, tmp_path / "prod")
    half = HalfYear(2025, 1)
    pdf = publication.export_transparency(db, lawyer, half, tmp_path / "t.pdf", "pdf")
    text = " ".join(p.extract_text() for p in PdfReader(pdf.path).pages)
    assert "Transparency report" in text and "0–249" in text and "28.6" in text
    xlsx = publication.export_transparency(db, lawyer, half, tmp_path / "t.xlsx", "xlsx")
    assert xlsx.row_counts["By country"] == 2 and verify_file(xlsx.path).ok
    cells = [
        c
        for ws in load_workbook(xlsx.path).worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
    ]
    assert "DE" in cells and "US" in cells


def test_a_production_folder_appears_only_once_its_record_is_committed(
    db, lawyer, people, tmp_path, monkeypatch
) -> None:
    request_id = _decided(db, lawyer)
    ids = legal_production.candidate_record_ids(db, lawyer, request_id)
    out = tmp_path / "out"
    out.mkdir()

    def full(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    # The production's audit event cannot be written: no folder, no temporary folder, no number.
    monkeypatch.setattr(legal_production, "record", full)
    with pytest.raises(DiskFull):
        legal_production.produce(db, lawyer, request_id, ids, out)
    assert list(out.iterdir()) == []
    monkeypatch.undo()
    result = legal_production.produce(db, lawyer, request_id, ids, out)
    assert result.first == "CP-000001"  # the failed attempt took no number
    assert [p.name for p in out.iterdir()] == [result.folder.name]
    modes = {oct(p.stat().st_mode & 0o777) for p in result.folder.iterdir()}
    assert modes == {"0o600"}
