"""Column mappings: the DESIGN.md file format, validation against a file, and proposals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.importers.errors import ImportFileError, MappingError
from console.importers.mapping import ColumnSpec, Mapping, propose, validate

DESIGN_EXAMPLE = {
    "columns": {
        "Customer Email": {"identifier": "email", "category": "contact.email"},
        "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
        "Card Name": {"identifier": "name", "category": "contact.name"},
        "Amount": {"category": "transaction.amount"},
        "Created (UTC)": {"role": "collected_at"},
    },
    "record_key": ["id"],
}


def test_the_design_example_round_trips_exactly(tmp_path: Path) -> None:
    mapping = Mapping.from_json(DESIGN_EXAMPLE, source_name="example")
    assert mapping.columns["Amount"] == ColumnSpec(None, "transaction.amount", None)
    assert mapping.collected_at_column == "Created (UTC)"
    assert mapping.to_json() == DESIGN_EXAMPLE
    path = tmp_path / "mapping.json"
    mapping.save(path)
    assert json.loads(path.read_text(encoding="utf-8")) == DESIGN_EXAMPLE
    assert Mapping.load(path) == mapping


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "JSON object"),
        ({"columns": []}, '"columns" must be'),
        ({"columns": {"E": {"identifier": "emial"}}}, 'column "E": Unknown identifier kind'),
        ({"columns": {"E": {"category": "Contact Email"}}}, "not a category id"),
        ({"columns": {"E": {"role": "created"}}}, 'unknown role "created"'),
        ({"columns": {"E": {"colour": "red"}}}, "unknown key"),
        ({"columns": {}, "record_key": "id"}, "record_key"),
        (
            {"columns": {"A": {"role": "collected_at"}, "B": {"role": "collected_at"}}},
            "only one column",
        ),
    ],
)
def test_bad_mappings_are_refused_naming_the_source(obj: object, message: str) -> None:
    with pytest.raises(MappingError, match=message) as caught:
        Mapping.from_json(obj, source_name="shop.json")
    assert caught.value.message.startswith("shop.json: ")


def test_a_mapping_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(MappingError, match=r"broken\.json: not valid JSON \(line 1"):
        Mapping.load(path)


def test_validate_names_the_missing_column() -> None:
    mapping = Mapping.from_json(DESIGN_EXAMPLE, source_name="example")
    headers = ["id", "Customer Email", "Customer ID", "Card Name", "Amount"]
    with pytest.raises(ImportFileError) as caught:
        validate(mapping, headers, file_name="payments.csv")
    assert caught.value.column == "Created (UTC)"
    assert caught.value.message.startswith('payments.csv, column "Created (UTC)": ')


def test_validate_accepts_a_matching_file() -> None:
    mapping = Mapping.from_json(DESIGN_EXAMPLE, source_name="example")
    validate(mapping, ["id", *DESIGN_EXAMPLE["columns"]], file_name="payments.csv")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("header", "identifier", "category", "role"),
    [
        ("E-mail", "email", "contact.email", None),
        ("Customer Email", "email", "contact.email", None),
        ("customerEmail", "email", "contact.email", None),
        ("Phone", "phone", "contact.phone", None),
        ("Mobile", "phone", "contact.phone", None),
        ("IP Address", "ip", "technical.ip_address", None),
        ("Cookie ID", "cookie_id", "technical.cookie_id", None),
        ("_ga", "cookie_id", "technical.cookie_id", None),
        ("Customer ID", "customer_id", "account.customer_id", None),
        ("Account Number", "account_id", "account.account_id", None),
        ("Order No.", "order_id", "transaction.order", None),
        ("Full Name", "name", "contact.name", None),
        ("Card Name", "name", "contact.name", None),
        ("Shipping Address", "postal_address", "contact.postal_address", None),
        ("Company", None, "professional.employer", None),
        ("Job Title", None, "professional.job_role", None),
        ("Email Opt-In", None, "preferences.marketing", None),
        ("Amount", None, "transaction.amount", None),
        ("User Agent", None, "technical.browser", None),
        ("Landing Page URL", None, "technical.pages_visited", None),
        ("Created (UTC)", None, None, "collected_at"),
    ],
)
def test_proposal_recognises_header_spellings(
    header: str, identifier: str | None, category: str | None, role: str | None
) -> None:
    mapping = propose([header], [], default_region="US")
    assert mapping.columns[header] == ColumnSpec(identifier, category, role)


def test_proposal_picks_identifiers_and_collection_time_by_value() -> None:
    headers = ["id", "c1", "c2", "c3", "c4", "c5"]
    rows = [
        [
            str(i),
            f"user{i}@example.org",
            f"(555) 010-{1000 + i}",
            f"203.0.113.{i}",
            f"2024-03-0{1 + i % 9}T10:00:00Z",
            str(1000 + i),
        ]
        for i in range(20)
    ]
    mapping = propose(headers, rows, default_region="US")
    assert mapping.record_key == ["id"]
    assert mapping.columns["c1"].identifier == "email"
    assert mapping.columns["c2"].identifier == "phone"
    assert mapping.columns["c3"].identifier == "ip"
    assert mapping.columns["c4"].role == "collected_at"
    assert "c5" not in mapping.columns  # bare numbers could be anything: left unmapped


def test_a_cookie_header_with_consent_flags_is_not_an_identifier() -> None:
    mapping = propose(["Cookie"], [["yes"], ["no"], ["yes"]], default_region="US")
    assert mapping.columns["Cookie"] == ColumnSpec(None, "preferences.marketing", None)


def test_a_cookie_header_with_uuids_is_a_cookie_id() -> None:
    rows = [["3f2504e0-4f89-11d3-9a0c-0305e82c3301"], ["6fa459ea-ee8a-3ca4-894e-db77e160355e"]]
    mapping = propose(["Tracking cookie"], rows, default_region="US")
    assert mapping.columns["Tracking cookie"].identifier == "cookie_id"


def test_only_one_column_is_proposed_as_collection_time() -> None:
    mapping = propose(["Created (UTC)", "Updated At", "Signup Date"], [], default_region="US")
    roles = [c for c, s in mapping.columns.items() if s.role == "collected_at"]
    assert roles == ["Created (UTC)"]


def test_a_proposal_is_a_valid_mapping_file(tmp_path: Path) -> None:
    mapping = propose(["E-mail", "Phone", "Created"], [], default_region="US")
    mapping.save(tmp_path / "auto.json")
    assert Mapping.load(tmp_path / "auto.json") == mapping


def test_a_birth_date_or_an_expiry_is_never_proposed_as_collection_time() -> None:
    headers = ["Employee No", "Date of birth", "DOB", "Card expiry", "Joined", "Email"]
    rows = [
        [
            f"E{i}",
            f"1988-04-{10 + i}",
            f"1990-01-{10 + i}",
            f"2027-0{1 + i}-01",
            f"2024-05-0{1 + i}",
            f"e{i}@example.org",
        ]
        for i in range(5)
    ]
    mapping = propose(headers, rows, default_region="US")
    assert mapping.collected_at_column == "Joined"
    for header in ("Date of birth", "DOB", "Card expiry"):
        assert mapping.columns.get(header, ColumnSpec()).role is None, header
