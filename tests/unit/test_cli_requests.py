"""`privacy-console dsr ...`: the JSON contract of DESIGN.md and the clock commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main

PASSWORD = "correct horse battery staple"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("CONSOLE_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("init", "--admin", "ada")[0] == 0
    return run


def test_dsr_new_prints_the_request_with_its_due_dates(cli) -> None:
    code, out, err = cli(
        "--user",
        "ada",
        "dsr",
        "new",
        "--type",
        "access",
        "--law",
        "ccpa",
        "--received",
        "2024-06-03",
        "--email",
        "jane@example.com",
        "--name",
        "Jane",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["id"] == 1 and data["status"] == "received"
    assert data["due_date"] == "2024-07-18" and data["acknowledge_by"] == "2024-06-17"


def test_a_gdpr_request_has_no_acknowledgement_date(cli) -> None:
    _, out, _ = cli(
        "--user",
        "ada",
        "dsr",
        "new",
        "--type",
        "deletion",
        "--law",
        "gdpr",
        "--received",
        "2024-01-31",
        "--email",
        "jane@example.com",
        "--country",
        "DE",
        "--json",
    )
    data = json.loads(out)
    assert data["due_date"] == "2024-02-29" and "acknowledge_by" not in data


def test_pause_resume_extend_and_close_from_the_command_line(cli) -> None:
    cli(
        "--user",
        "ada",
        "dsr",
        "new",
        "--type",
        "access",
        "--law",
        "gdpr",
        "--received",
        "2024-01-31",
        "--email",
        "jane@example.com",
        "--json",
    )
    code, out, err = cli(
        "--user",
        "ada",
        "dsr",
        "pause",
        "1",
        "--reason",
        "clarification",
        "--on",
        "2024-02-05",
        "--version",
        "1",
        "--json",
    )
    assert code == 0, err
    _, out, _ = cli("--user", "ada", "dsr", "resume", "1", "--on", "2024-02-12", "--json")
    assert json.loads(out)["due_date"] == "2024-03-07"
    _, out, _ = cli(
        "--user",
        "ada",
        "dsr",
        "extend",
        "1",
        "--reason",
        "complex",
        "--told",
        "2024-02-20",
        "--on",
        "2024-02-20",
        "--json",
    )
    assert json.loads(out)["due_date"] == "2024-05-07"
    code, _, err = cli(
        "--user",
        "ada",
        "dsr",
        "close",
        "1",
        "--outcome",
        "denied",
        "--reason",
        "identity_not_verified",
        "--json",
    )
    assert code == 0, err
    _, out, _ = cli("--user", "ada", "dsr", "show", "1", "--json")
    shown = json.loads(out)
    assert shown["status"] == "denied" and [c["kind"] for c in shown["clock"]] == [
        "start",
        "pause",
        "resume",
        "extend",
    ]
    _, out, _ = cli("--user", "ada", "dsr", "list", "--json")
    assert json.loads(out)["total"] == 1


def test_an_illegal_move_and_a_stale_version_are_one_line_errors(cli) -> None:
    cli(
        "--user",
        "ada",
        "dsr",
        "new",
        "--type",
        "access",
        "--law",
        "gdpr",
        "--received",
        "2024-01-31",
        "--email",
        "jane@example.com",
    )
    code, out, err = cli("--user", "ada", "dsr", "advance", "1", "--to", "completed")
    assert code == 1 and out == "" and "verify identity first" in err and err.count("\n") == 1
    cli("--user", "ada", "dsr", "advance", "1", "--to", "identity_verification")
    code, _, err = cli(
        "--user", "ada", "dsr", "advance", "1", "--to", "withdrawn", "--version", "1"
    )
    assert code == 1 and "changed by ada" in err
