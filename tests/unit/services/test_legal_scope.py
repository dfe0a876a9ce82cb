"""Productions scoped to the legal request: by identifier, by category and by collection date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from console.domain.legal import CHECKLIST
from console.domain.permissions import Role
from console.errors import ValidationError
from console.services import policy
from console.services.demo.legal import PEOPLE, import_sample_records
from console.services.legal import intake as legal
from console.services.legal import production as legal_production
from console.services.legal import review as legal_review
from console.services.legal import scope as legal_scope
from console.services.legal.model import IdentifierSpec, LegalIntake

ANA_EMAIL, ANA_PHONE = PEOPLE[0][1], PEOPLE[0][3]


@pytest.fixture
def lawyer(any_db, any_admin, any_make_user, tmp_path: Path):
    policy.ensure_default_pack(any_db, any_admin)
    import_sample_records(any_db, any_make_user(Role.PRIVACY_OFFICER, "olivia"), tmp_path / "in")
    return any_make_user(Role.LEGAL, "leo")


def _request(db, lawyer, *, decide: bool = True, country: str = "US", **changes: object) -> int:
    values: dict[str, object] = {
        "process_type": "subpoena",
        "agency": "County Sheriff",
        "officer": "Det. Cole",
        "country": country,
        "received_at": datetime(2025, 6, 1, tzinfo=UTC),
        "case_number": "24-CR-118",
        "identifiers": [
            IdentifierSpec("email", ANA_EMAIL),
            IdentifierSpec("customer_id", "C-1001"),
        ],
        "categories": ["transaction.amount"],
    }
    values.update(changes)
    request_id = legal.create_request(db, lawyer, LegalIntake(**values)).id  # type: ignore[arg-type]
    legal_review.assign(db, lawyer, request_id, lawyer.name)
    for key, _ in CHECKLIST:
        legal_review.set_checklist(db, lawyer, request_id, key, True)
    if decide:
        legal_review.decide(db, lawyer, request_id, "produce", "Valid subpoena.")
    return request_id


def _texts(result: legal_production.ProductionResult) -> dict[str, str]:
    out = {}
    for name in result.files:
        path = result.folder / name
        if name.endswith(".pdf"):
            out[name] = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
        else:
            book = load_workbook(path, read_only=True)
            out[name] = " ".join(
                str(c)
                for ws in book.worksheets
                for row in ws.iter_rows(values_only=True)
                for c in row
                if c is not None
            )
    return out


def test_deciding_to_produce_without_a_scope_is_refused_and_changes_nothing(any_db, lawyer) -> None:
    request_id = _request(any_db, lawyer, decide=False, categories=[])
    with pytest.raises(ValidationError, match=r"LR-\d+ has no production scope: record the data"):
        legal_review.decide(any_db, lawyer, request_id, "produce", "Valid subpoena.")
    detail = legal.get(any_db, lawyer, request_id)
    assert detail.summary.decision is None and detail.summary.status.value == "under_review"
    legal_scope.set_scope(any_db, lawyer, request_id, categories=["transaction.amount"])
    assert legal_review.decide(any_db, lawyer, request_id, "produce", "Valid.").summary.decision
    with pytest.raises(ValidationError, match=r"Unknown data category 'contact\.fax'"):
        legal_scope.set_scope(any_db, lawyer, request_id, categories=["contact.fax"])


def test_scope_is_enforced_by_category(any_db, lawyer, tmp_path) -> None:
    request_id = _request(any_db, lawyer, categories=["contact.email"])
    ids = legal_production.candidate_record_ids(any_db, lawyer, request_id, include_undated=True)
    result = legal_production.produce(
        any_db, lawyer, request_id, ids, tmp_path, include_undated=True, certifier="Cass Custodian"
    )
    assert result.record_count == 1  # Ana's CRM row: her payments hold no e-mail address
    for name, text in _texts(result).items():
        for other in (ANA_PHONE, "Ana Lima", "ANA LIMA", "19.99"):
            assert other not in text, (name, other)
    assert ANA_EMAIL in _texts(result)[next(n for n in result.files if n.endswith("records.pdf"))]


def test_scope_is_enforced_by_identifier(any_db, lawyer, tmp_path) -> None:
    # Only the e-mail is named: Ana's payments are reached through her customer id, a link the
    # console made, not the process: they go out only by legal's override, with its reason.
    request_id = _request(
        any_db,
        lawyer,
        identifiers=[IdentifierSpec("email", ANA_EMAIL)],
        categories=["contact.email", "transaction.amount"],
    )
    scoped = legal_scope.evaluate(any_db, lawyer, request_id)
    linked = scoped.having(legal_scope.LINKED_ONLY)
    assert len(linked) == 2 and "Customer ID: C-1001" in linked[0].reason
    assert legal_production.candidate_record_ids(any_db, lawyer, request_id) == []
    out = tmp_path / "out"
    with pytest.raises(ValidationError, match=r"beyond the scope.*--override REASON"):
        legal_production.produce(any_db, lawyer, request_id, [linked[0].record_id], out)
    assert not out.exists()
    result = legal_production.produce(
        any_db,
        lawyer,
        request_id,
        [linked[0].record_id],
        out,
        certifier="Cass Custodian",
        override_reason="The court order of 2 June extends the subpoena to the account's payments.",
    )
    manifest = json.loads(result.manifest_path.read_text("utf-8"))
    assert manifest["override"]["reason"].startswith("The court order of 2 June")
    assert manifest["items"][0]["scope"] == "linked_only"
    cert = next(t for n, t in _texts(result).items() if "certification" in n)
    assert "included by counsel's decision: The court order of 2 June" in cert


def test_scope_is_enforced_by_collection_date(any_db, lawyer, tmp_path) -> None:
    # P-1 was paid on 2025-02-03, P-2 on 2025-03-01: the range keeps March only.
    request_id = _request(any_db, lawyer, data_from=date(2025, 3, 1), data_to=date(2025, 3, 31))
    scoped = legal_scope.evaluate(any_db, lawyer, request_id)
    assert [r.status for r in scoped.records if r.source.endswith("Payments")] == [
        "out_of_range",
        "in_scope",
    ]
    [crm] = [r for r in scoped.records if r.source.endswith("CRM")]
    assert crm.status == "no_category"  # the CRM row holds no amount
    ids = legal_production.candidate_record_ids(any_db, lawyer, request_id)
    result = legal_production.produce(
        any_db, lawyer, request_id, ids, tmp_path, certifier="Cass Custodian"
    )
    texts = " ".join(_texts(result).values())
    assert "5.00" in texts and "19.99" not in texts
    early = next(r.record_id for r in scoped.records if r.status == "out_of_range")
    again = _request(any_db, lawyer, data_from=date(2025, 3, 1), data_to=date(2025, 3, 31))
    with pytest.raises(
        ValidationError, match=r"beyond the scope.*collected outside the date range"
    ):
        legal_production.produce(any_db, lawyer, again, [early], tmp_path / "x")


def test_records_without_a_collection_time_are_for_legal_to_decide(
    any_db, lawyer, tmp_path
) -> None:
    request_id = _request(any_db, lawyer, categories=["contact.email", "transaction.amount"])
    scoped = legal_scope.evaluate(any_db, lawyer, request_id)
    [undated] = scoped.having(legal_scope.UNDATED)
    assert undated.source.endswith("CRM")
    with pytest.raises(ValidationError, match=r"no collection time.*--include-undated"):
        legal_production.produce(any_db, lawyer, request_id, [undated.record_id], tmp_path)
    result = legal_production.produce(
        any_db,
        lawyer,
        request_id,
        legal_production.candidate_record_ids(any_db, lawyer, request_id),
        tmp_path,
        certifier="Cass Custodian",
    )
    assert result.record_count == 2 and result.undated_left_out == [undated.record_id]


def test_the_index_shows_which_identifier_and_category_brought_each_record_in(
    any_db, lawyer, tmp_path
) -> None:
    request_id = _request(any_db, lawyer, categories=["contact.email", "transaction.amount"])
    ids = legal_production.candidate_record_ids(any_db, lawyer, request_id, include_undated=True)
    result = legal_production.produce(
        any_db, lawyer, request_id, ids, tmp_path, include_undated=True, certifier="Cass Custodian"
    )
    book = load_workbook(result.folder / next(n for n in result.files if n.endswith(".xlsx")))
    rows = list(book["Index"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:7] == (
        "Production number",
        "Source",
        "Row",
        "Collected (UTC)",
        "Brought in by",
        "Categories produced",
        "Scope",
    )
    by_source = {r[1]: r for r in body}
    crm = next(r for s, r in by_source.items() if s.endswith("CRM"))
    pay = next(r for s, r in by_source.items() if s.endswith("Payments"))
    # Her CRM row holds both named identifiers; only its e-mail field is of a category sought.
    assert crm[4] == f"E-mail: {ANA_EMAIL}; Customer ID: C-1001" and crm[5] == "E-mail address"
    assert "legal's decision" in crm[6]
    assert pay[4] == "Customer ID: C-1001" and pay[5] == "Amount" and pay[6] == "In scope"


def test_a_us_certification_is_a_1746_declaration_naming_the_custodian_once(
    any_db, lawyer, tmp_path
) -> None:
    request_id = _request(any_db, lawyer)
    with pytest.raises(ValidationError, match="give the custodian's own name"):
        legal_production.produce(
            any_db, lawyer, request_id, [1], tmp_path, certifier="Custodian of Records"
        )
    ids = legal_production.candidate_record_ids(any_db, lawyer, request_id)
    result = legal_production.produce(
        any_db, lawyer, request_id, ids, tmp_path, certifier="Cass Custodian"
    )
    cert = next(t for n, t in _texts(result).items() if "certification" in n)
    assert "28 U.S.C. §1746" in cert and "Fed. R. Evid. 902(11)" in cert
    assert "I declare under penalty of perjury that the foregoing is true and correct." in cert
    assert "at or near the time" in cert and "regularly conducted business activity" in cert
    assert "regular practice of that activity" in cert
    assert cert.count("Cass Custodian") == 1 and cert.count("Custodian of Records") == 1


def test_a_non_us_agency_gets_a_neutral_certificate(any_db, lawyer, tmp_path) -> None:
    request_id = _request(any_db, lawyer, country="DE", agency="Amtsgericht München")
    ids = legal_production.candidate_record_ids(any_db, lawyer, request_id)
    result = legal_production.produce(
        any_db, lawyer, request_id, ids, tmp_path, certifier="Cass Custodian"
    )
    cert = next(t for n, t in _texts(result).items() if "certification" in n)
    assert "Certificate of authenticity of business records" in cert
    assert "perjury" not in cert and "§1746" not in cert and "I certify that" in cert


def test_an_ip_address_brings_a_record_in_only_within_the_time_it_was_named_for() -> None:
    from types import SimpleNamespace

    seen = IdentifierSpec(
        "ip", "203.0.113.7", datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
    )
    scope = legal_scope.Scope([seen], ["technical.ip_address"], None, None)

    def row(collected: datetime | None) -> SimpleNamespace:
        return SimpleNamespace(
            id=1,
            source="Web log",
            row_number=1,
            collected_at=collected,
            identifiers=[("ip", "203.0.113.7")],
            categories={"IP": "technical.ip_address"},
            values={"IP": "203.0.113.7"},
        )

    inside = legal_scope.classify(scope, row(datetime(2025, 3, 1, 12, tzinfo=UTC)))
    outside = legal_scope.classify(scope, row(datetime(2025, 3, 9, tzinfo=UTC)))
    undated = legal_scope.classify(scope, row(None))
    assert inside.status == "in_scope" and inside.matched == [
        "IP address: 203.0.113.7 (seen 2025-03-01T00:00:00+00:00 to 2025-03-02T00:00:00+00:00)"
    ]
    assert (
        outside.status == "out_of_range" and "time the IP address was named for" in outside.reason
    )
    assert undated.status == "undated"
