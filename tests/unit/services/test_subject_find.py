"""Subject find: strong identifiers link across sources, weak ones only suggest, crowds stop it."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.errors import ValidationError
from console.importers.mapping import Mapping
from console.services.context import Actor
from console.services.records import imports, sources
from console.services.records import search as records
from console.store.db import Database
from tests.unit.services.records_data import chain, crm, write_csv


def _found(result: records.SubjectResult) -> list[tuple[str, int, str]]:
    return sorted((r.source, r.row, r.link) for r in result.records)


def test_a_cookie_reaches_the_email_through_a_customer_id_and_back(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    chain(any_db, any_admin, tmp_path)
    result = records.find_subject(any_db, any_admin, [("email", "Mei@Example.jp")])
    # ck-2 shares only the IP address: shown as possible, never followed.
    assert _found(result) == [
        ("Cookies", 1, "strong"),
        ("Cookies", 2, "strong"),
        ("Cookies", 3, "possible"),
        ("Newsletter", 1, "strong"),
        ("Payments", 1, "strong"),
    ]
    login = next(r for r in result.records if r.source == "Cookies" and r.row == 2)
    assert login.via == ["customer_id:K-42", "cookie_id:ck-1"]
    assert "cookie_id:ck-1" in result.identifiers_followed


def test_the_same_people_are_found_from_the_other_end_of_the_chain(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    chain(any_db, any_admin, tmp_path)
    from_cookie = records.find_subject(any_db, any_admin, [("cookie_id", "ck-1")])
    from_email = records.find_subject(any_db, any_admin, [("email", "mei@example.jp")])
    assert _found(from_cookie) == _found(from_email)


def test_a_shared_ip_is_only_a_possible_match_and_links_nobody(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    chain(any_db, any_admin, tmp_path)
    result = records.find_subject(any_db, any_admin, [("cookie_id", "ck-2")])
    assert _found(result) == [
        ("Cookies", 1, "possible"),
        ("Cookies", 2, "possible"),
        ("Cookies", 3, "strong"),
    ]
    assert {tuple(r.via) for r in result.records if r.link == "possible"} == {("ip:198.51.100.7",)}
    assert not any(r.source == "Payments" for r in result.records)


def test_placeholder_values_link_nobody(any_db: Database, any_admin: Actor, tmp_path: Path) -> None:
    crm(any_db, any_admin, tmp_path)
    sources.add_source(any_db, any_admin, "Form", "web_form")
    path = write_csv(
        tmp_path / "form.csv", ["Email", "Phone"], [["test@test.com", "0000000000"], ["n/a", "n/a"]]
    )
    imports.run_import(
        any_db,
        any_admin,
        path,
        "Form",
        Mapping.from_json(
            {"columns": {"Email": {"identifier": "email"}, "Phone": {"identifier": "phone"}}},
            source_name="t",
        ),
    )
    result = records.find_subject(any_db, any_admin, [("customer_id", "C3")])
    assert _found(result) == [("CRM", 3, "strong")]


def test_an_identifier_shared_by_too_many_records_is_not_followed(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Calls", "phone")
    rows = [[f"caller{i}@example.com", "+1 415 555 0100"] for i in range(6)]
    path = write_csv(tmp_path / "calls.csv", ["Email", "Switchboard"], rows)
    imports.run_import(
        any_db,
        any_admin,
        path,
        "Calls",
        Mapping.from_json(
            {"columns": {"Email": {"identifier": "email"}, "Switchboard": {"identifier": "phone"}}},
            source_name="t",
        ),
    )
    result = records.find_subject(
        any_db, any_admin, [("email", "caller0@example.com")], follow_limit=3
    )
    assert _found(result) == [("Calls", 1, "strong")]
    assert [(n.identifier, n.record_count) for n in result.not_followed] == [
        ("phone:+14155550100", 6)
    ]


def test_an_identifier_given_by_the_user_is_always_followed(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    sources.add_source(any_db, any_admin, "Calls", "phone")
    rows = [[f"caller{i}@example.com", "+1 415 555 0100"] for i in range(6)]
    path = write_csv(tmp_path / "calls.csv", ["Email", "Switchboard"], rows)
    imports.run_import(
        any_db,
        any_admin,
        path,
        "Calls",
        Mapping.from_json(
            {"columns": {"Email": {"identifier": "email"}, "Switchboard": {"identifier": "phone"}}},
            source_name="t",
        ),
    )
    result = records.find_subject(any_db, any_admin, [("phone", "(415) 555-0100")], follow_limit=3)
    assert len(result.records) == 6 and result.not_followed == []


def test_subject_find_needs_an_identifier(any_db: Database, any_admin: Actor) -> None:
    with pytest.raises(ValidationError):
        records.find_subject(any_db, any_admin, [])


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "not an email"), ("email", "test@test.com"), ("phone", "12345")],
)
def test_an_identifier_that_no_record_can_hold_is_refused_not_answered_with_nothing(
    any_db: Database, any_admin: Actor, tmp_path: Path, kind: str, value: str
) -> None:
    crm(any_db, any_admin, tmp_path)
    given = [("email", "ana@example.com"), (kind, value)]
    with pytest.raises(ValidationError, match=rf"identifier 2 given \({kind}\) is not usable"):
        records.find_subject(any_db, any_admin, given, typed=True)
    # Identifiers kept with a request are looked for as they are: the usable one still finds.
    assert records.find_subject(any_db, any_admin, given).records
