"""Search and lookup, the same results on SQLite (FTS5) and PostgreSQL (trigram), plus holds,
erasure, correction and the suppression list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.domain.permissions import Role
from console.errors import PermissionDenied, ValidationError
from console.importers.mapping import Mapping
from console.services import audit
from console.services.context import Actor
from console.services.records import erasure, sources, suppression
from console.services.records import search as records
from console.store.db import Database
from tests.fixtures import UserMaker
from tests.unit.services.records_data import CRM_MAPPING, crm


def _names(db: Database, actor: Actor, text: str) -> list[str]:
    rows = records.records_by_id(db, actor, records.search_ids(db, actor, text))
    return sorted(str(r.values["Full Name"]) for r in rows)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Jurg", ["Jürgen Müller"]),
        ("jürgen MÜLLER", ["Jürgen Müller"]),
        ("muell", []),
        ("zoe", ["Zoë Martin"]),
        ("lukasz", ["Łukasz Nowak"]),
        ("王", ["王小明"]),
        ("αλεξ", ["Αλέξανδρος Παπαδόπουλος"]),
        ("ΑΛΈΞΑΝΔΡΟΣ", ["Αλέξανδρος Παπαδόπουλος"]),
        ("محمد", ["محمد حداد"]),
        (
            "example",
            ["Jürgen Müller", "Zoë Martin", "Αλέξανδρος Παπαδόπουλος", "محمد حداد", "王小明"],
        ),
    ],
)
def test_free_text_finds_prefixes_whatever_the_case_and_accents(
    any_db: Database, any_admin: Actor, tmp_path: Path, query: str, expected: list[str]
) -> None:
    crm(any_db, any_admin, tmp_path)
    assert _names(any_db, any_admin, query) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"Jurg',
        "Jurg*",
        "-Jurg",
        "NEAR(Jurg Müller)",
        "(Jurg",
        "name:Jurg",
        "^Jurg",
        "AND",
        "OR NOT",
        "*",
        "'; DROP TABLE records; --",
        "\\",
        "%",
        "_",
        "Jurg AND",
        "",
    ],
)
def test_search_syntax_characters_never_cause_an_error(
    any_db: Database, any_admin: Actor, tmp_path: Path, query: str
) -> None:
    crm(any_db, any_admin, tmp_path)
    found = _names(any_db, any_admin, query)
    assert found in ([], ["Jürgen Müller"])


def test_a_phone_number_in_any_format_finds_its_record(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    for typed in ["(555) 010-1234", "+1 555 010 1234", "5550101234", "555.010.1234"]:
        assert _names(any_db, any_admin, typed) == ["Jürgen Müller"], typed
        assert len(records.lookup(any_db, any_admin, "phone", typed)) == 1


def test_a_search_is_audited_with_a_digest_never_the_text(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    records.search_ids(any_db, any_admin, "Jürgen")
    event = [e for e in audit.list_events(any_db, any_admin) if e.action == "records.search"][-1]
    assert event.details["results"] == 1 and "Jürgen" not in json.dumps(event.details)
    assert event.details["complete"] is True

    # A first screenful stopped at its limit says so, and the filters used are kept.
    crm_id = next(s.id for s in sources.list_sources(any_db, any_admin) if s.name == "CRM")
    found = records.search_ids(any_db, any_admin, "example", limit=2, source_ids=[crm_id])
    event = [e for e in audit.list_events(any_db, any_admin) if e.action == "records.search"][-1]
    assert len(found) == 2 and event.details["results"] == 2
    assert event.details["limit"] == 2 and event.details["complete"] is False
    assert event.details["source_ids"] == [crm_id]
    # Exactly as many as the limit is still the whole list.
    found = records.search_ids(any_db, any_admin, "example", limit=5)
    event = [e for e in audit.list_events(any_db, any_admin) if e.action == "records.search"][-1]
    assert len(found) == 5 and event.details["complete"] is True


def test_search_filters_by_source_and_category(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    other = sources.add_source(any_db, any_admin, "Empty", "other")
    assert records.search_ids(any_db, any_admin, "zoe", source_ids=[other.id]) == []
    assert len(records.search_ids(any_db, any_admin, "zoe", category="contact.email")) == 1
    assert records.search_ids(any_db, any_admin, "zoe", category="transaction.amount") == []


def test_a_record_lists_the_categories_of_the_columns_it_has_values_in(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    every = {column: spec["category"] for column, spec in CRM_MAPPING["columns"].items()}
    rows = records.records_by_id(
        any_db, any_admin, records.search_ids(any_db, any_admin, "example")
    )
    by_name = {r.values["Full Name"]: r.categories for r in rows}
    assert by_name["Jürgen Müller"] == every  # every column filled
    assert by_name["王小明"] == {k: v for k, v in every.items() if k not in ("Phone", "IP")}
    with_phone = records.records_by_id(
        any_db,
        any_admin,
        records.search_ids(any_db, any_admin, "example", category="contact.phone"),
    )
    assert sorted(r.values["Full Name"] for r in with_phone) == ["Jürgen Müller", "Zoë Martin"]


def test_an_auditor_may_not_search_records(any_db: Database, any_make_user: UserMaker) -> None:
    with pytest.raises(PermissionDenied):
        records.search_ids(any_db, any_make_user(Role.AUDITOR), "anything")


def test_a_held_record_is_not_erased_and_says_why(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    ana = records.lookup(any_db, any_admin, "email", "ana@example.com")
    zoe = records.lookup(any_db, any_admin, "email", "zoe@example.com")
    with any_db.transaction() as s:
        assert erasure.place_hold(s, ana, hold_ref="LH-3", reason="case 24-CR-118", until=None) == 1
        result = erasure.erase_records(s, any_admin, ana + zoe, reason="DSR", request_ref="R-1")
    assert result.erased == zoe
    assert result.held == {ana[0]: ["Legal hold LH-3 (case 24-CR-118)"]}
    row = records.records_by_id(any_db, any_admin, zoe)[0]
    assert row.erased and row.values == {} and row.identifiers == []
    assert _names(any_db, any_admin, "zoe") == []
    with any_db.transaction() as s:
        assert suppression.is_suppressed(s, "email", "ZOE@example.com")
        assert not suppression.is_suppressed(s, "email", "ana@example.com")
        assert erasure.release_hold(s, "LH-3") == 1
        assert erasure.held_record_ids(s, ana) == {}


def test_erased_people_do_not_come_back_with_a_reimport(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    zoe = records.lookup(any_db, any_admin, "email", "zoe@example.com")
    with any_db.transaction() as s:
        erasure.erase_records(s, any_admin, zoe, reason="DSR", request_ref="R-1")
    from console.importers.mapping import Mapping
    from console.services.records import imports
    from tests.unit.services.records_data import CRM_HEADER, CRM_MAPPING, CRM_ROWS, write_csv

    changed = write_csv(
        tmp_path / "crm-new.csv", CRM_HEADER, [[*r[:4], "192.0.2.1"] for r in CRM_ROWS]
    )
    result = imports.run_import(
        any_db, any_admin, changed, "CRM", Mapping.from_json(CRM_MAPPING, source_name="t")
    )
    assert result.rows_suppressed == 1
    assert records.lookup(any_db, any_admin, "email", "zoe@example.com") == []
    exported = suppression.suppression_export(any_db, any_admin)
    assert exported and all("zoe" not in row.digest for row in exported)


def test_a_correction_renormalises_reindexes_and_audits_digests(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    rid = records.lookup(any_db, any_admin, "email", "zoe@example.com")[0]
    with any_db.transaction() as s:
        before, after = erasure.correct_record(
            s, any_admin, rid, "Email", "Zoe.New@Example.com", request_ref="R-2"
        )
    assert (before, after) == ("zoe@example.com", "Zoe.New@Example.com")
    assert records.lookup(any_db, any_admin, "email", "zoe@example.com") == []
    assert records.lookup(any_db, any_admin, "email", "zoe.new@example.com") == [rid]
    assert records.search_ids(any_db, any_admin, "zoe.new") == [rid]
    event = [e for e in audit.list_events(any_db, any_admin) if e.action == "records.correct"][-1]
    assert "Zoe" not in json.dumps(event.details)
    with any_db.transaction() as s, pytest.raises(ValidationError, match="no column"):
        erasure.correct_record(s, any_admin, rid, "Nope", "x", request_ref="R-2")


def test_a_corrected_value_that_becomes_empty_leaves_its_category_and_one_filled_adds_it(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    every = Mapping.from_json(CRM_MAPPING, source_name="test").categories()
    zoe = records.lookup(any_db, any_admin, "email", "zoe@example.com")[0]  # every column filled
    wang = records.lookup(any_db, any_admin, "email", "wang@example.cn")[0]  # no phone, no IP

    def categories(rid: int) -> dict[str, str]:
        return records.records_by_id(any_db, any_admin, [rid])[0].categories

    assert categories(zoe) == every
    with any_db.transaction() as s:
        erasure.correct_record(s, any_admin, zoe, "Phone", "", request_ref="R-3")
    assert categories(zoe) == {c: k for c, k in every.items() if c != "Phone"}
    assert zoe not in records.search_ids(any_db, any_admin, "zoe", category="contact.phone")
    assert zoe in records.search_ids(any_db, any_admin, "zoe", category="contact.email")

    with any_db.transaction() as s:
        erasure.correct_record(s, any_admin, wang, "Phone", "+86 10 1234 5678", request_ref="R-4")
        erasure.correct_record(s, any_admin, wang, "IP", "192.0.2.10", request_ref="R-4")
    assert categories(wang) == every
    assert wang in records.search_ids(any_db, any_admin, "wang", category="contact.phone")
