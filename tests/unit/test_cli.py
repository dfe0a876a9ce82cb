"""The command-line contract of DESIGN.md: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import CliRun

PASSWORD = "correct horse battery staple"


@pytest.fixture
def cli(run_cli: CliRun) -> CliRun:
    return run_cli


def test_init_creates_the_first_admin_and_the_policy_pack(cli) -> None:
    code, out, err = cli("init", "--admin", "ada", "--json")
    assert code == 0, err
    assert json.loads(out)["created_admin"] is True
    code, out, _ = cli("--user", "ada", "audit", "verify", "--json")
    result = json.loads(out)
    # The admin's creation, the policy pack, and this command's own sign-in.
    assert code == 0 and result["ok"] and result["events_checked"] == 3


def test_user_add_prints_a_one_time_password(cli) -> None:
    cli("init", "--admin", "ada")
    code, out, _ = cli(
        "--user", "ada", "user", "add", "olivia", "--role", "privacy_officer", "--json"
    )
    assert code == 0
    assert len(json.loads(out)["one_time_password"]) >= 16


def test_a_wrong_password_is_one_line_on_stderr_and_exit_1(cli, monkeypatch) -> None:
    cli("init", "--admin", "ada")
    monkeypatch.setenv("CONSOLE_PASSWORD", "definitely wrong")
    code, out, err = cli("--user", "ada", "audit", "verify")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Wrong user name or password" in err


def test_a_usage_error_exits_2(cli) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("user", "add", "bob", "--role", "emperor")
    assert exc.value.code == 2


def test_audit_verify_exits_1_naming_the_first_broken_event(cli, tmp_path: Path) -> None:
    import sqlite3

    cli("init", "--admin", "ada")
    cli("--user", "ada", "user", "add", "leo", "--role", "legal")
    conn = sqlite3.connect(tmp_path / "cli.db")
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
    conn.commit()
    conn.close()
    code, out, _ = cli("--user", "ada", "audit", "verify")
    assert code == 1
    assert "broken at event 2" in out


def test_audit_verify_with_a_stale_anchor_fails(cli) -> None:
    cli("init", "--admin", "ada")
    code, out, _ = cli("--user", "ada", "audit", "verify", "--anchor", "1:" + "0" * 64)
    assert code == 1 and "rewritten" in out


def test_the_installed_command_runs_as_a_separate_process(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONSOLE_DB_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "CONSOLE_PASSWORD": PASSWORD,
    }
    done = subprocess.run(
        [sys.executable, "-m", "console", "init", "--admin", "ada"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "admin 'ada' created" in done.stdout
    again = subprocess.run(
        [sys.executable, "-m", "console", "--user", "nobody", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert again.returncode == 1 and "Traceback" not in again.stderr


def test_demo_creates_accounts_that_can_sign_in(cli) -> None:
    code, out, err = cli("demo", "--json")
    assert code == 0, err
    assert set(json.loads(out)["accounts_created"]) == {"admin", "officer", "legal", "auditor"}


def test_report_writes_a_file_that_report_verify_accepts_until_it_changes(cli, tmp_path) -> None:
    cli("init", "--admin", "ada")
    out = tmp_path / "ropa.xlsx"
    code, stdout, err = cli(
        "--user", "ada", "report", "ropa", "--format", "xlsx", "--out", str(out), "--json"
    )
    assert code == 0, err
    assert json.loads(stdout)["sha256"]
    code, stdout, _ = cli("--user", "ada", "report", "verify", str(out))
    assert code == 0 and "Unchanged" in stdout
    out.write_bytes(out.read_bytes() + b"x")
    code, stdout, _ = cli("--user", "ada", "report", "verify", str(out))
    assert code == 1


def test_report_without_format_is_a_usage_error(cli, tmp_path) -> None:
    cli("init", "--admin", "ada")
    code, _, err = cli("--user", "ada", "report", "ropa", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and "--format" in err


def test_report_with_a_bad_date_is_one_clear_line(cli, tmp_path) -> None:
    cli("init", "--admin", "ada")
    code, _, err = cli(
        "--user",
        "ada",
        "report",
        "audit-trail",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "x.pdf"),
        "--from",
        "31/01/2026",
    )
    assert code == 1 and "--from must be a date" in err and err.count("\n") == 1


def test_policy_load_reports_a_bad_field_on_one_line(cli, tmp_path) -> None:
    cli("init", "--admin", "ada")
    bad = tmp_path / "pack.json"
    bad.write_text('{"format_version": 1}', "utf-8")
    code, _, err = cli("--user", "ada", "policy", "load", str(bad))
    assert code == 1 and "pack.json" in err and err.count("\n") == 1
    code, out, _ = cli("--user", "ada", "policy", "list", "--json")
    assert code == 0 and [v["version"] for v in json.loads(out)] == ["2019-07-02.3"]
