"""The source catalogue: adding, listing, permissions, saved mappings."""

from __future__ import annotations

import pytest

from console.domain.permissions import Role
from console.errors import NotFound, PermissionDenied, ValidationError
from console.importers.mapping import ColumnSpec, Mapping
from console.services import audit
from console.services.context import Actor
from console.services.records import sources
from console.store.db import Database
from tests.fixtures import UserMaker


def test_a_source_is_added_and_listed_with_no_records_yet(
    any_db: Database, any_admin: Actor
) -> None:
    info = sources.add_source(
        any_db,
        any_admin,
        "CRM",
        "crm",
        owner="Sales",
        categories=("contact.email",),
        default_region="de",
    )
    assert info.default_region == "DE" and info.record_count == 0 and info.mapping is None
    listed = sources.list_sources(any_db, any_admin)
    assert [s.name for s in listed] == ["CRM"]
    assert listed[0].categories == ("contact.email",) and listed[0].last_import_at is None


def test_an_unknown_kind_or_region_or_a_duplicate_name_is_refused(
    any_db: Database, any_admin: Actor
) -> None:
    with pytest.raises(ValidationError, match="kind"):
        sources.add_source(any_db, any_admin, "X", "fax")
    with pytest.raises(ValidationError, match="Region"):
        sources.add_source(any_db, any_admin, "X", "crm", default_region="ZZZ")
    sources.add_source(any_db, any_admin, "CRM", "crm")
    with pytest.raises(ValidationError, match="already exists"):
        sources.add_source(any_db, any_admin, "CRM", "email")


def test_an_auditor_may_list_sources_but_not_add_one(
    any_db: Database, any_make_user: UserMaker
) -> None:
    auditor = any_make_user(Role.AUDITOR)
    assert sources.list_sources(any_db, auditor) == []
    with pytest.raises(PermissionDenied):
        sources.add_source(any_db, auditor, "CRM", "crm")


def test_a_saved_mapping_comes_back_with_the_source_and_is_audited(
    any_db: Database, any_admin: Actor
) -> None:
    info = sources.add_source(any_db, any_admin, "CRM", "crm")
    mapping = Mapping({"Email": ColumnSpec("email", "contact.email")}, ["id"])
    sources.save_mapping(any_db, any_admin, info.id, mapping)
    again = sources.get_source(any_db, any_admin, "CRM")
    assert Mapping.from_json(again.mapping, source_name="x") == mapping
    actions = [e.action for e in audit.list_events(any_db, any_admin)]
    assert "source.create" in actions and "source.mapping_save" in actions


def test_asking_for_a_missing_source_names_it(any_db: Database, any_admin: Actor) -> None:
    with pytest.raises(NotFound, match="Nowhere"):
        sources.get_source(any_db, any_admin, "Nowhere")
