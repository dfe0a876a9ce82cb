"""No personal data in the trail: what users type is kept as keyed hashes (HMAC-SHA256 under the
installation's key), and an auditor can still ask "did anyone search for X?"."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from console.cli import main
from console.domain.auditchain import verify_chain
from console.domain.permissions import Role
from console.services import audit, audit_queries
from console.services.context import Actor
from console.services.records import erasure
from console.services.records import search as records
from console.services.reporting import catalogue as reports
from console.store import audit_log
from console.store.db import Database, open_database
from console.store.keyed_hash import keyed_hashes
from tests.fixtures import PASSWORD, UserMaker
from tests.unit.services.records_data import crm

TYPED = ["ana@example.com", "Jürgen", "(555) 010-1234", "C1"]


def _raw_trail(db: Database) -> str:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, action, object_id, details FROM audit_events"))
        return "\n".join(" ".join(str(v) for v in r) for r in rows)


def _everything_typed(db: Database, actor: Actor, tmp_path: Path) -> None:
    records.search_ids(db, actor, "ANA@example.com ")
    records.search_ids(db, actor, "Jürgen")
    records.lookup(db, actor, "phone", "(555) 010-1234")
    records.find_subject(db, actor, [("customer_id", "C1")], typed=True)
    reports.run_report(
        db, actor, "records", "xlsx", tmp_path / "r.xlsx", reports.ReportParams(query="Jürgen")
    )


def test_searches_lookups_subject_finds_and_report_queries_leave_no_text_in_the_trail(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    _everything_typed(any_db, any_admin, tmp_path)
    trail = _raw_trail(any_db)
    # ("C1" is left out: hex digests are full of it.)
    for typed in (*TYPED[:3], "5550101234", "+15550101234", "ana@example"):
        assert typed.casefold() not in trail.casefold(), f"{typed!r} is in the audit trail"
    search = next(e for e in audit.list_events(any_db, any_admin) if e.action == "records.search")
    assert len(search.details["query_hmac"]) == 64 and search.details["hmac_key"]
    export = next(e for e in audit.list_events(any_db, any_admin) if e.action == "report.export")
    assert "Query" not in export.details["parameters"] and "query_hmac" in export.details
    with any_db.read() as s:
        assert verify_chain(audit_log.stream(s)).ok


def test_an_auditor_finds_who_searched_for_a_text_however_it_was_written(
    any_db: Database, any_admin: Actor, any_make_user: UserMaker, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    officer = any_make_user(Role.PRIVACY_OFFICER, "olivia")
    _everything_typed(any_db, officer, tmp_path)
    auditor = any_make_user(Role.AUDITOR, "audrey")

    def found(what: str, **kw: str) -> list[tuple[str, str]]:
        return [
            (m.event.actor, m.event.action)
            for m in audit_queries.searched_for(any_db, auditor, what, **kw)
        ]

    # Case and spacing differ from what was typed; the e-mail address is found as typed text
    # and as the identifier the search read it as.
    assert found("ana@EXAMPLE.com") == [("olivia", "records.search")]
    # The records report runs the search it prints, so that search is recorded too.
    assert found("  jürgen ") == [
        ("olivia", "records.search"),
        ("olivia", "records.search"),
        ("olivia", "report.export"),
    ]
    # A phone number written another way is the same identifier.
    assert found("555-010-1234", kind="phone") == [("olivia", "records.lookup")]
    assert found("C1", kind="customer_id") == [("olivia", "records.subject_find")]
    assert found("nobody@example.com") == []
    asked = [e for e in audit.list_events(any_db, auditor) if e.action == "audit.searched_for"]
    assert len(asked) == 5 and all("query_hmac" in e.details for e in asked)
    assert "nobody@example.com" not in _raw_trail(any_db)


def test_events_from_before_keyed_hashes_are_found_by_the_same_text(
    db: Database, admin: Actor
) -> None:
    with db.transaction() as s:  # as the previous version wrote a search
        audit.record(
            s,
            admin,
            "records.search",
            "records",
            "",
            {
                "query_sha256": hashlib.sha256(b"ana@example.com").hexdigest(),
                "results": 1,
            },
        )
    [match] = audit_queries.searched_for(db, admin, "ana@example.com")
    assert match.event.action == "records.search" and "before keyed hashes" in match.matched


def test_the_key_is_one_per_database_the_same_for_every_desk(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    desk_a, desk_b = open_database(url), open_database(url)
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with desk_a.read() as a, desk_b.read() as b, other.read() as o:
            assert keyed_hashes(a, ["query:x"]) == keyed_hashes(b, ["query:x"])
            assert keyed_hashes(a, ["query:x"]) != keyed_hashes(o, ["query:x"])
    finally:
        for db in (desk_a, desk_b, other):
            db.dispose()


@pytest.mark.pg
def test_postgresql_computes_the_same_hmac_on_the_server(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        with db.read() as s:
            server = keyed_hashes(s, ["query:ana@example.com", "identifier:phone:+15550101234"])
        engine = create_engine(pg_url)
        with engine.connect() as conn:
            key = conn.execute(
                text("SELECT key FROM installation_keys WHERE name = 'audit-hmac'")
            ).scalar_one()
        engine.dispose()
        expected = [
            hmac.new(bytes(key), m.encode(), hashlib.sha256).hexdigest()
            for m in ("query:ana@example.com", "identifier:phone:+15550101234")
        ]
        assert server == expected
    finally:
        db.dispose()


def test_a_correction_keeps_keyed_hashes_of_the_values_not_the_values(
    any_db: Database, any_admin: Actor, tmp_path: Path
) -> None:
    crm(any_db, any_admin, tmp_path)
    [record_id] = records.lookup(any_db, any_admin, "email", "zoe@example.com")
    with any_db.transaction() as s:
        erasure.correct_record(
            s, any_admin, record_id, "Email", "zoe.martin@example.com", request_ref="DSR-1"
        )
    trail = _raw_trail(any_db)
    assert "zoe.martin@example.com" not in trail
    [match] = audit_queries.searched_for(any_db, any_admin, "zoe.martin@example.com")
    assert match.event.action == "records.correct" and match.matched == "as a stored value"


def test_the_cli_answers_the_auditors_question(
    db: Database,
    admin: Actor,
    make_user: UserMaker,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records.search_ids(db, admin, "ana@example.com")
    make_user(Role.AUDITOR, "audrey")
    url = db.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)
    code = main(
        ["--db", url, "--user", "audrey", "audit", "searched-for", "ANA@example.com", "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(m["actor"], m["action"]) for m in out] == [("admin", "records.search")]
