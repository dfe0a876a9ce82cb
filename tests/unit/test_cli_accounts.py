"""Accounts on the command line: disable, enable, reset, passwd; one sign-in message; refusals
recorded."""

from __future__ import annotations

import json

import pytest

from console.services import accounts, audit
from console.store.db import open_database
from tests.fixtures import PASSWORD, CliRun

NEW = "a brand new long passphrase"


@pytest.fixture
def cli(run_cli: CliRun) -> CliRun:
    code, _, err = run_cli("init", "--admin", "ada")
    assert code == 0, err
    return run_cli


def _otp(cli: CliRun, *argv: str) -> str:
    code, out, err = cli("--user", "ada", *argv, "--json")
    assert code == 0, err
    return str(json.loads(out)["one_time_password"])


def _trail(cli_db_url: str) -> list[audit.EventRow]:
    db = open_database(cli_db_url)
    try:
        return audit.list_events(db, accounts.authenticate(db, "ada", PASSWORD))
    finally:
        db.dispose()


def test_a_one_time_password_allows_only_passwd_which_then_signs_in_with_the_new_one(
    cli: CliRun, monkeypatch: pytest.MonkeyPatch, cli_db_url: str
) -> None:
    otp = _otp(cli, "user", "add", "olivia", "--role", "privacy_officer")
    monkeypatch.setenv("CONSOLE_PASSWORD", otp)
    code, _, err = cli("--user", "olivia", "source", "add", "CRM", "--kind", "crm")
    assert code == 1 and "user passwd" in err and err.count("\n") == 1
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", NEW)
    code, out, err = cli("--user", "olivia", "user", "passwd")
    assert code == 0, err
    assert "changed" in out
    monkeypatch.setenv("CONSOLE_PASSWORD", NEW)
    code, _, err = cli("--user", "olivia", "source", "add", "CRM", "--kind", "crm")
    assert code == 0, err
    refused = [e for e in _trail(cli_db_url) if e.action == "access.denied"]
    assert [(e.actor, e.details["reason"]) for e in refused] == [
        ("olivia", "one-time password not changed")
    ]


def test_disable_and_enable_by_name(cli: CliRun, monkeypatch: pytest.MonkeyPatch) -> None:
    otp = _otp(cli, "user", "add", "leo", "--role", "legal")
    code, out, _ = cli("--user", "ada", "user", "disable", "leo")
    assert code == 0 and "disabled" in out
    monkeypatch.setenv("CONSOLE_PASSWORD", otp)
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", NEW)
    code, _, err = cli("--user", "leo", "user", "passwd")
    assert code == 1 and err.strip() == f"privacy-console: {accounts.SIGN_IN_REFUSED}"
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)
    code, out, _ = cli("--user", "ada", "user", "enable", "leo", "--json")
    assert code == 0 and json.loads(out) == {"name": "leo", "active": True}
    monkeypatch.setenv("CONSOLE_PASSWORD", otp)
    assert cli("--user", "leo", "user", "passwd")[0] == 0


def test_reset_gives_a_new_one_time_password_and_the_old_one_stops(
    cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _otp(cli, "user", "add", "aud", "--role", "auditor")
    second = _otp(cli, "user", "reset", "aud")
    assert second != first
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", NEW)
    monkeypatch.setenv("CONSOLE_PASSWORD", first)
    assert cli("--user", "aud", "user", "passwd")[0] == 1
    monkeypatch.setenv("CONSOLE_PASSWORD", second)
    assert cli("--user", "aud", "user", "passwd")[0] == 0


def test_an_expired_one_time_password_gets_the_one_sign_in_message(
    cli: CliRun, monkeypatch: pytest.MonkeyPatch, cli_db_url: str
) -> None:
    monkeypatch.setenv("CONSOLE_ONE_TIME_PASSWORD_HOURS", "0")
    otp = _otp(cli, "user", "add", "aud", "--role", "auditor")
    monkeypatch.setenv("CONSOLE_PASSWORD", otp)
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", NEW)
    code, _, err = cli("--user", "aud", "user", "passwd")
    assert code == 1 and accounts.SIGN_IN_REFUSED in err
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)
    assert _trail(cli_db_url)[-2].details == {"reason": "one-time password expired"}


def test_a_command_refused_to_a_role_exits_1_and_is_recorded(
    cli: CliRun, monkeypatch: pytest.MonkeyPatch, cli_db_url: str
) -> None:
    otp = _otp(cli, "user", "add", "aud", "--role", "auditor")
    monkeypatch.setenv("CONSOLE_PASSWORD", otp)
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", PASSWORD + "!")
    cli("--user", "aud", "user", "passwd")
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD + "!")
    code, _, err = cli("--user", "aud", "user", "disable", "ada")
    assert code == 1 and "permission to manage user accounts" in err
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)
    denied = [e for e in _trail(cli_db_url) if e.action == "access.denied"][-1]
    assert (denied.actor, denied.object_id, denied.details["reason"]) == (
        "aud",
        "users.manage",
        "permission not held",
    )


def test_report_verify_takes_an_anchor_to_check_the_chain_from(cli: CliRun, tmp_path) -> None:
    code, out, _ = cli("--user", "ada", "audit", "head", "--json")
    head = json.loads(out)["head"]
    out_file = tmp_path / "ropa.pdf"
    assert cli("--user", "ada", "report", "ropa", "--format", "pdf", "--out", str(out_file))[0] == 0
    code, out, err = cli(
        "--user", "ada", "report", "verify", str(out_file), "--anchor", head, "--json"
    )
    assert code == 0, err
    assert "the anchor" in json.loads(out)["reason"]
    code, _, err = cli("--user", "ada", "report", "verify", str(out_file), "--anchor", "x")
    assert code == 2 and "SEQ:HASH" in err
