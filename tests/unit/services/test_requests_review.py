"""Record review on a request: possible matches wait for a person; only confirmed data leaves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from console.errors import ValidationError
from console.services import audit
from console.services.records import search as records
from console.services.requests import fulfil as work
from console.services.requests import lifecycle as dsr
from console.services.requests import review
from console.services.requests.model import RequestError
from console.store.db import Database, open_database
from tests.unit.services.review_data import ZOE_EMAIL, open_request, record_of, review_world


@pytest.fixture
def officer(any_db: Database, any_admin, any_make_user, tmp_path: Path):
    return review_world(any_db, any_admin, any_make_user, tmp_path)


def test_a_strong_link_is_confirmed_and_a_shared_ip_awaits_review(any_db, officer) -> None:
    view = open_request(any_db, officer)
    rows = {r.record_id: r for r in review.review_rows(any_db, officer, view.id)}
    strong = rows[record_of(view, "CRM", "strong")]
    possible = rows[record_of(view, "CRM", "possible")]
    assert (strong.review_label, strong.decided_by) == ("Confirmed", "strong link")
    assert possible.review_label == "Awaiting review" and possible.link_label == "Possible match"
    assert possible.via == ["ip:203.0.113.7"]


def test_fulfil_refuses_while_records_await_review_giving_the_count_and_how(
    any_db, officer, tmp_path
) -> None:
    view = open_request(any_db, officer)
    with pytest.raises(RequestError) as err:
        work.fulfil(any_db, officer, view.id, tmp_path / "out")
    message = str(err.value)
    assert "1 record awaits review" in message and f"dsr confirm {view.id}" in message
    assert "Records tab" in message and "nothing was changed" in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert dsr.get_request(any_db, officer, view.id).fulfilment == {}


def test_a_record_linked_only_by_ip_reaches_no_file_unless_confirmed(
    any_db, officer, tmp_path
) -> None:
    view = open_request(any_db, officer)
    zoe = record_of(view, "CRM", "possible")
    review.exclude(any_db, officer, view.id, [zoe], "Shares only an office IP address")
    result = work.fulfil(any_db, officer, view.id, tmp_path / "out")
    for path in result.files:
        assert ZOE_EMAIL.encode() not in path.read_bytes()
    portability = open_request(any_db, officer, rtype="portability")
    review.exclude_awaiting(any_db, officer, portability.id, "Not the requester")
    files = work.fulfil(any_db, officer, portability.id, tmp_path / "port").files
    assert all("zoe" not in p.read_text("utf-8").lower() for p in files)


def test_a_possible_match_is_confirmed_only_with_a_note_and_then_disclosed(
    any_db, officer, tmp_path
) -> None:
    view = open_request(any_db, officer, rtype="portability")
    zoe = record_of(view, "CRM", "possible")
    with pytest.raises(
        ValidationError, match=r"possible match \(via IP address: 203\.0\.113\.7\).*--note"
    ):
        review.confirm(any_db, officer, view.id, [zoe])
    assert {r.record_id: r.review for r in review.review_rows(any_db, officer, view.id)}[zoe] == (
        "awaiting"
    )
    done = review.confirm(any_db, officer, view.id, [zoe], "Requester named this account by phone")
    assert done.changed == [zoe] and done.awaiting == 0
    row = next(r for r in review.review_rows(any_db, officer, view.id) if r.record_id == zoe)
    assert (row.review, row.decided_by) == ("confirmed", "olivia")
    assert row.note == "Requester named this account by phone"
    files = work.fulfil(any_db, officer, view.id, tmp_path / "out").files
    assert any(ZOE_EMAIL in p.read_text("utf-8") for p in files)


def test_deletion_erases_only_confirmed_records_and_keeps_an_exclusion_reason(
    any_db, officer, tmp_path
) -> None:
    view = open_request(any_db, officer, rtype="deletion")
    ana, zoe = record_of(view, "CRM", "strong"), record_of(view, "CRM", "possible")
    review.exclude(any_db, officer, view.id, [zoe], "Another customer behind the same router")
    result = work.fulfil(any_db, officer, view.id, tmp_path / "out")
    assert ana in result.erased and zoe not in result.erased
    [kept] = records.records_by_id(any_db, officer, [zoe])
    assert not kept.erased
    row = next(r for r in review.review_rows(any_db, officer, view.id) if r.record_id == zoe)
    assert row.note == "Another customer behind the same router"
    with pytest.raises(ValidationError, match="already erased"):
        review.exclude(any_db, officer, view.id, [ana], "changed my mind")


def test_confirming_a_record_not_attached_changes_nothing(any_db, officer) -> None:
    view = open_request(any_db, officer)
    zoe = record_of(view, "CRM", "possible")
    before = review.review_rows(any_db, officer, view.id)
    with pytest.raises(ValidationError, match=r"Record 999999 is not attached to request"):
        review.confirm(any_db, officer, view.id, [zoe, 999999], "both")
    assert review.review_rows(any_db, officer, view.id) == before


def test_an_exclusion_needs_a_reason(any_db, officer) -> None:
    view = open_request(any_db, officer)
    with pytest.raises(ValidationError, match="needs a reason"):
        review.exclude(any_db, officer, view.id, [record_of(view, "CRM", "possible")], "  ")


def test_every_decision_is_audited_without_the_note_itself(any_db, any_admin, officer) -> None:
    view = open_request(any_db, officer)
    zoe = record_of(view, "CRM", "possible")
    review.confirm(any_db, officer, view.id, [zoe], "Zoë is the requester's trading name")
    review.exclude(any_db, officer, view.id, [zoe], "Second thoughts: not the same person")
    events = audit.list_events(
        any_db, any_admin, audit.EventFilter(object_type="dsr_request", object_id=str(view.id))
    )
    decisions = [e for e in events if e.action.startswith("dsr.record.")]
    assert [e.action for e in decisions] == ["dsr.record.confirm", "dsr.record.exclude"]
    assert decisions[0].details["records"] == [zoe] and decisions[0].details["from"] == ["awaiting"]
    assert decisions[0].details["note_sha256"] and "Zoë" not in json.dumps(decisions[0].details)
    assert audit.verify(any_db, any_admin).ok


def test_attached_records_are_reviewed_after_an_upgrade_by_their_link(
    sqlite_url, admin, make_user, db, tmp_path
) -> None:
    """0009: records attached before review existed: strong -> confirmed, possible -> awaiting."""
    from alembic import command

    from console.store import migrate

    officer = review_world(db, admin, make_user, tmp_path)
    view = open_request(db, officer)
    zoe = record_of(view, "CRM", "possible")
    review.confirm(db, officer, view.id, [zoe], "by phone")
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008_keyed_hashes")
    db.dispose()
    again = open_database(sqlite_url)  # the console upgrades a database of the previous build
    assert again.open_report.upgraded_from is not None
    rows = {r.record_id: r for r in review.review_rows(again, officer, view.id)}
    assert rows[record_of(view, "CRM", "strong")].review == "confirmed"
    assert rows[zoe].review == "awaiting" and rows[zoe].reviewed_by is None
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dsr_redactions")).scalar() == 0
    again.dispose()
