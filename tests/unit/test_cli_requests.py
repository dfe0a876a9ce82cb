"""`privacy-console dsr ...`: the JSON contract of DESIGN.md and the clock commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures import CliRun


@pytest.fixture
def cli(run_cli: CliRun) -> CliRun:
    assert run_cli("init", "--admin", "ada")[0] == 0
    return run_cli


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
    assert code == 1 and out == "" and "start work on it first" in err and err.count("\n") == 1
    cli("--user", "ada", "dsr", "advance", "1", "--to", "identity_verification")
    code, _, err = cli(
        "--user", "ada", "dsr", "advance", "1", "--to", "withdrawn", "--version", "1"
    )
    assert code == 1 and "changed by ada" in err


def _jane(cli, tmp_path: Path, rtype: str) -> int:
    """CRM holding Jane, and a request of `rtype` for her, in progress with her record found."""
    assert cli("--user", "ada", "source", "add", "CRM", "--kind", "crm")[0] == 0
    data = tmp_path / "crm.csv"
    data.write_text("Customer ID,Email,Name\nC-100,jane@example.com,Jane Doe\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
                    "Email": {"identifier": "email", "category": "contact.email"},
                    "Name": {"identifier": "name", "category": "contact.name"},
                },
                "record_key": ["Customer ID"],
            }
        ),
        encoding="utf-8",
    )
    args = ("import", str(data), "--source", "CRM", "--mapping", str(mapping))
    assert cli("--user", "ada", *args)[0] == 0
    new = ("dsr", "new", "--type", rtype, "--law", "ccpa", "--received", "2024-06-03")
    code, out, err = cli("--user", "ada", *new, "--email", "jane@example.com", "--json")
    assert code == 0, err
    rid = json.loads(out)["id"]
    assert cli("--user", "ada", "dsr", "verify", str(rid), "--method", "login")[0] == 0
    code, _, err = cli("--user", "ada", "dsr", "find", str(rid))
    assert code == 0, err
    return int(rid)


def test_dsr_task_add_and_set(cli, tmp_path: Path) -> None:
    rid = str(_jane(cli, tmp_path, "deletion"))
    code, out, err = cli(
        "--user",
        "ada",
        "dsr",
        "task",
        "add",
        rid,
        "--source",
        "CRM",
        "--action",
        "delete",
        "--assignee",
        "ada",
        "--due",
        "2024-06-20",
        "--json",
    )
    assert code == 0, err
    task = json.loads(out)
    assert (task["source"], task["action"], task["assignee"], task["status"]) == (
        "CRM",
        "delete",
        "ada",
        "open",
    )
    assert task["due_date"] == "2024-06-20"
    tid = str(task["id"])
    code, out, err = cli("--user", "ada", "dsr", "task", "set", rid, tid, "--status", "done")
    assert code == 0, err
    assert "done" in out
    _, out, _ = cli("--user", "ada", "dsr", "show", rid, "--json")
    [shown] = json.loads(out)["tasks"]
    assert shown["status"] == "done" and shown["done_by"] == "ada"

    # User errors: one line on stderr, exit 1.
    for argv in (
        ("task", "add", rid, "--source", "CRM", "--action", "shred"),
        ("task", "add", rid, "--source", "CRM", "--action", "delete", "--assignee", "nobody"),
        ("task", "add", "99", "--source", "CRM", "--action", "delete"),
        ("task", "set", rid, tid, "--status", "finished"),
        ("task", "set", rid, "99", "--status", "done"),
        ("fulfil", rid, "--correct", "1:Name=x", "--out", str(tmp_path)),  # not a correction
    ):
        code, out, err = cli("--user", "ada", "dsr", *argv)
        assert code == 1 and out == "" and err.count("\n") == 1, (argv, err)


def test_dsr_fulfil_with_corrections(cli, tmp_path: Path) -> None:
    rid = str(_jane(cli, tmp_path, "correction"))
    _, out, _ = cli("--user", "ada", "dsr", "show", rid, "--json")
    record_id = json.loads(out)["records"][0]["record_id"]
    code, _, err = cli("--user", "ada", "dsr", "fulfil", rid, "--out", str(tmp_path))
    assert code == 1 and "corrected value" in err and err.count("\n") == 1
    code, _, err = cli(
        "--user",
        "ada",
        "dsr",
        "fulfil",
        rid,
        "--correct",
        f"{record_id}:Nope=x",
        "--out",
        str(tmp_path),
    )
    assert code == 1 and "no column" in err and err.count("\n") == 1
    code, out, err = cli(
        "--user",
        "ada",
        "dsr",
        "fulfil",
        rid,
        "--out",
        str(tmp_path),
        "--correct",
        f"{record_id}:Name=Jane Smith",
        "--correct",
        f"{record_id}:Email=js@example.com",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["corrected"] == [record_id]
    _, out, _ = cli("--user", "ada", "dsr", "show", rid, "--json")
    assert json.loads(out)["records"][0]["outcome"] == "corrected"
    _, out, _ = cli("--user", "ada", "search", "Jane Smith", "--json")
    assert "Jane Smith" in out
    with pytest.raises(SystemExit) as exc:
        cli("--user", "ada", "dsr", "fulfil", rid, "--correct", "oops")
    assert exc.value.code == 2


def test_dsr_assign_and_my_work_from_the_command_line(cli) -> None:
    new = ("--user", "ada", "dsr", "new", "--type", "deletion", "--law", "gdpr")
    assert cli(*new, "--received", "2026-01-05", "--email", "a@example.com")[0] == 0
    assert cli(*new, "--received", "2026-01-02", "--email", "b@example.com")[0] == 0
    assert cli("--user", "ada", "user", "add", "audrey", "--role", "auditor")[0] == 0

    code, out, err = cli("--user", "ada", "dsr", "assign", "1", "ada", "--json")
    assert code == 0, err and json.loads(out)["assignee"] == "ada"
    code, out, err = cli("--user", "ada", "dsr", "assign", "2", "ada")
    assert code == 0 and "assigned to ada" in out
    code, _, err = cli("--user", "ada", "dsr", "assign", "2", "audrey")
    assert code == 1 and "cannot work on data-subject requests" in err

    code, out, err = cli("--user", "ada", "my-work", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert [i["ref"] for i in items] == ["Request 2", "Request 1"]  # soonest due first
    assert items[0]["next"] == "Verify the requester's identity"
    code, out, _ = cli("--user", "ada", "my-work")
    assert "Request 2" in out and "next: Verify the requester's identity" in out

    assert cli("--user", "ada", "dsr", "assign", "1", "--nobody")[0] == 0
    assert [i["ref"] for i in json.loads(cli("--user", "ada", "my-work", "--json")[1])] == [
        "Request 2"
    ]


def test_new_offers_the_registry_types_and_refuses_a_pair_it_does_not_hold(run_cli, capsys) -> None:
    """The request-type registry is the one source: limit-spi (11 CCR §7027) and appeals
    (VCDPA §59.1-577(C), CPA 6-1-1306(3), CTDPA §42-518(d)) are offered; GDPR gives no opt-out
    of sale, and the refusal names the pairs it does hold."""
    run_cli("init", "--admin", "ada")
    with pytest.raises(SystemExit):
        run_cli("dsr", "new", "--help")
    help_text = capsys.readouterr().out
    assert "limit-spi" in help_text and "appeal" in help_text
    assert "vcdpa: access, correction" in " ".join(help_text.split())
    code, _, err = run_cli(
        "--user",
        "ada",
        "dsr",
        "new",
        "--type",
        "opt-out-sale",
        "--law",
        "gdpr",
        "--received",
        "2026-03-02",
        "--email",
        "a@example.com",
    )
    assert code == 1 and err.count("\n") == 1
    assert "gdpr/opt-out-sale" in err and "holds: access, deletion" in err
    code, out, err = run_cli(
        "--user",
        "ada",
        "dsr",
        "new",
        "--type",
        "appeal",
        "--law",
        "vcdpa",
        "--received",
        "2026-03-02",
        "--email",
        "a@example.com",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["due_date"] == "2026-05-01"
    code, out, _ = run_cli("--user", "ada", "dsr", "types", "--law", "ccpa", "--json")
    types = {d["type"]: d for d in json.loads(out)}
    assert types["limit-spi"]["clock"] == "15 business days"
    assert types["opt-out-sale"]["verification"] == "forbidden"


def test_close_takes_only_a_ground_the_requests_law_allows(run_cli) -> None:
    """A GDPR request cannot be denied as 'not a consumer' (a CCPA notion, §1798.140(i))."""
    run_cli("init", "--admin", "ada")
    new = ("--user", "ada", "dsr", "new", "--law", "gdpr", "--received", "2026-03-02")
    assert run_cli(*new, "--type", "access", "--email", "a@example.com")[0] == 0
    code, _, err = run_cli(
        "--user", "ada", "dsr", "close", "1", "--outcome", "denied", "--reason", "not_a_consumer"
    )
    assert code == 1 and "not a ground" in err and "identity_not_verified" in err
    with pytest.raises(SystemExit) as usage:  # a legacy code is kept for stored requests only
        run_cli("--user", "ada", "dsr", "close", "1", "--outcome", "denied", "--reason", "other")
    assert usage.value.code == 2
    code, out, _ = run_cli("--user", "ada", "dsr", "show", "1", "--json")
    assert "not_a_consumer" not in json.loads(out)["denial_reasons_allowed"]
    code, out, err = run_cli(
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
    assert code == 0, err and json.loads(out)["status"] == "denied"


def test_uk_clock_events_excessive_decisions_and_acknowledgements_on_the_command_line(
    run_cli,
) -> None:
    """UK GDPR Art. 12A(2)(b): identity received restarts the period; GDPR Art. 12(5): a refusal
    as manifestly unfounded with reasons; DPA 2018 s.164A(3): a complaint acknowledged."""
    run_cli("init", "--admin", "ada")
    new = ("--user", "ada", "dsr", "new", "--law", "uk-gdpr", "--received", "2026-07-01")
    assert run_cli(*new, "--type", "access", "--email", "u@example.co.uk")[0] == 0
    ada = ("--user", "ada", "dsr")
    code, _, err = run_cli(*ada, "clock", "1", "identity-requested", "--on", "2026-07-02")
    assert code == 0, err
    code, out, err = run_cli(
        *ada, "clock", "1", "identity-received", "--on", "2026-07-06", "--json"
    )
    assert code == 0, err and json.loads(out)["due_date"] == "2026-08-06"
    code, out, err = run_cli(
        *ada,
        "excessive",
        "1",
        "--decision",
        "refuse",
        "--reasons",
        "Fifth identical request this month.",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "denied"
    assert run_cli(*new, "--type", "complaint", "--email", "c@example.co.uk")[0] == 0
    code, out, err = run_cli(*ada, "acknowledge", "2", "--on", "2026-07-03", "--json")
    assert code == 0, err
    code, out, _ = run_cli(*ada, "show", "2", "--json")
    assert "dsr.acknowledge" in [e["action"] for e in json.loads(out)["history"]]
