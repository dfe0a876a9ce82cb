"""The `legal` commands: new, list, show, assign, check, decide, hold, release, produce (--json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.domain.permissions import Role
from console.services.context import Actor
from console.services.demo.legal import PEOPLE, import_sample_records
from console.store.db import open_database
from tests.fixtures import CliRun

PASSWORD = "correct horse battery staple"


@pytest.fixture
def cli(run_cli: CliRun, cli_db_url: str, tmp_path: Path) -> CliRun:
    url = cli_db_url
    run_cli("init", "--admin", "ada")
    from console.services import accounts

    db = open_database(url)
    admin = accounts.authenticate(db, "ada", PASSWORD)
    for name, role in (("leo", Role.LEGAL), ("olivia", Role.PRIVACY_OFFICER)):
        accounts.add_user(db, admin, name, role)
        accounts.set_password_for_demo(db, name, PASSWORD)
    import_sample_records(db, Actor(None, "olivia", Role.PRIVACY_OFFICER), tmp_path / "in")
    db.dispose()
    return run_cli


def test_a_request_goes_from_intake_to_production_on_the_command_line(cli, tmp_path) -> None:
    code, out, err = cli(
        "--user",
        "leo",
        "legal",
        "new",
        "--type",
        "subpoena",
        "--agency",
        "County Sheriff",
        "--country",
        "US",
        "--case",
        "24-CR-118",
        "--email",
        PEOPLE[0][1],
        "--customer-id",
        "C-1001",
        "--category",
        "contact.email",
        "--category",
        "transaction.amount",
        "--received",
        "2025-03-01",
        "--json",
    )
    assert code == 0, err
    made = json.loads(out)
    assert made["ref"] == "LR-1" and made["due_at"].startswith("2025-03-31")
    assert cli("--user", "leo", "legal", "assign", "LR-1", "--counsel", "leo")[0] == 0
    assert cli("--user", "leo", "legal", "check", "LR-1", "--all")[0] == 0
    code, _, err = cli(
        "--user", "ada", "legal", "decide", "1", "--decision", "produce", "--reason", "Valid."
    )
    assert code == 1 and "permission to decide legal requests" in err and err.count("\n") == 1
    code, out, _ = cli(
        "--user",
        "leo",
        "legal",
        "decide",
        "1",
        "--decision",
        "produce",
        "--reason",
        "Valid.",
        "--json",
    )
    assert code == 0 and json.loads(out)["status"] == "decided"
    code, out, _ = cli("--user", "leo", "legal", "hold", "LR-1", "--json")
    hold = json.loads(out)
    assert code == 0 and hold["record_count"] == 3
    code, out, _ = cli(
        "--user",
        "leo",
        "legal",
        "produce",
        "LR-1",
        "--all",
        "--include-undated",
        "--certifier",
        "Cass Custodian",
        "--out",
        str(tmp_path / "prod"),
        "--json",
    )
    produced = json.loads(out)
    assert code == 0 and (produced["first"], produced["last"]) == ("CP-000001", "CP-000003")
    code, out, _ = cli(
        "--user", "leo", "legal", "release", f"LH-{hold['id']}", "--reason", "Produced.", "--json"
    )
    assert code == 0 and json.loads(out)["released_by"] == "leo"
    code, out, _ = cli("--user", "leo", "legal", "show", "LR-1", "--json")
    shown = json.loads(out)
    assert shown["status"] == "produced" and shown["disclosures"][0]["production"]
    assert [e["action"] for e in shown["timeline"]][-1] == "legal.hold_release"
    code, out, _ = cli("--user", "leo", "legal", "list", "--json")
    assert [r["ref"] for r in json.loads(out)] == ["LR-1"]


def test_an_unknown_reference_is_a_usage_error(cli) -> None:
    code, _, err = cli("--user", "leo", "legal", "show", "XY-3")
    assert code == 2 and "LR-N" in err


def test_legal_scope_sets_and_shows_what_a_request_seeks(cli, tmp_path) -> None:
    new = (
        "legal",
        "new",
        "--type",
        "subpoena",
        "--agency",
        "County Sheriff",
        "--country",
        "US",
        "--customer-id",
        "C-1001",
        "--received",
        "2025-03-01",
    )
    assert cli("--user", "leo", *new)[0] == 0
    assert cli("--user", "leo", "legal", "assign", "LR-1", "--counsel", "leo")[0] == 0
    assert cli("--user", "leo", "legal", "check", "LR-1", "--all")[0] == 0
    code, out, err = cli(
        "--user", "leo", "legal", "decide", "LR-1", "--decision", "produce", "--reason", "Valid."
    )
    assert code == 1 and "has no production scope" in err and err.count("\n") == 1
    code, out, err = cli(
        "--user",
        "leo",
        "legal",
        "scope",
        "LR-1",
        "--category",
        "transaction.amount",
        "--from",
        "2025-03-01",
        "--json",
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["categories"] == ["transaction.amount"] and shown["data_from"] == "2025-03-01"
    # Ana's CRM row holds no amount; her payments: 2025-02-03 (before the range), 2025-03-01.
    assert sorted(r["scope"] for r in shown["records"]) == [
        "in_scope",
        "no_category",
        "out_of_range",
    ]
    code, _, err = cli(
        "--user", "leo", "legal", "decide", "LR-1", "--decision", "produce", "--reason", "Valid."
    )
    assert code == 0, err
    code, out, err = cli(
        "--user",
        "leo",
        "legal",
        "produce",
        "LR-1",
        "--all",
        "--certifier",
        "Cass Custodian",
        "--out",
        str(tmp_path / "p"),
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["record_count"] == 1  # the March payment: in scope by all three


def test_the_notify_decision_has_a_command_and_is_audited(cli, capsys) -> None:
    """The decision to tell the user (notify, delay until a date, or prohibited by an NDO)."""
    made = cli(
        "--user",
        "leo",
        "legal",
        "new",
        "--type",
        "subpoena",
        "--agency",
        "Sheriff",
        "--country",
        "US",
        "--email",
        PEOPLE[0][1],
        "--received",
        "2025-03-01",
        "--json",
    )
    assert made[0] == 0, made[2]
    code, _, err = cli("--user", "leo", "legal", "notice", "LR-1", "--decision", "delay")
    assert code == 2 and "--until" in err
    code, out, err = cli(
        "--user",
        "leo",
        "legal",
        "notice",
        "LR-1",
        "--decision",
        "delay",
        "--until",
        "2025-06-01",
    )
    assert code == 0, err
    assert out.strip() == "LR-1: Delay notice until 2025-06-01."
    code, _, err = cli("--user", "leo", "legal", "notice", "LR-1", "--decision", "notify", "--ndo")
    assert code == 1 and "cannot be notified while a non-disclosure order" in err
    code, out, err = cli(
        "--user",
        "leo",
        "legal",
        "notice",
        "LR-1",
        "--decision",
        "prohibited",
        "--ndo",
        "--json",
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["notice_decision"] == "prohibited" and shown["ndo"] is True
    code, out, _ = cli("--user", "leo", "legal", "show", "LR-1", "--json")
    actions = [e["action"] for e in json.loads(out)["timeline"]]
    assert actions.count("legal.notice") == 2
    with pytest.raises(SystemExit):
        cli("legal", "--help")
    assert "notice" in capsys.readouterr().out
