"""The records commands: source, import, search and subject find, with their JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures import CliRun
from tests.unit.services.records_data import CRM_HEADER, CRM_MAPPING, CRM_ROWS, write_csv


@pytest.fixture
def cli(run_cli: CliRun) -> CliRun:
    assert run_cli("init", "--admin", "ada")[0] == 0
    return run_cli


def test_a_source_is_added_and_listed(cli) -> None:
    assert cli("--user", "ada", "source", "add", "CRM", "--kind", "crm", "--region", "DE")[0] == 0
    code, out, _ = cli("--user", "ada", "source", "list", "--json")
    assert code == 0 and json.loads(out)[0]["default_region"] == "DE"


def test_import_then_subject_find_prints_the_documented_json(cli, tmp_path: Path) -> None:
    cli("--user", "ada", "source", "add", "CRM", "--kind", "crm")
    data = write_csv(tmp_path / "crm.csv", CRM_HEADER, CRM_ROWS)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(CRM_MAPPING), encoding="utf-8")
    code, out, err = cli(
        "--user", "ada", "import", str(data), "--source", "CRM", "--mapping", str(mapping), "--json"
    )
    assert code == 0, err
    assert json.loads(out)["rows_imported"] == 6
    code, out, err = cli("--user", "ada", "subject", "find", "--email", "ANA@example.com", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"records", "not_followed"}
    strong = [r for r in result["records"] if r["link"] == "strong"]
    assert strong == [
        {
            "source": "CRM",
            "row": 1,
            "link": "strong",
            "via": ["email:ana@example.com", "customer_id:C1", "phone:+15550101234"],
            "values": dict(zip(CRM_HEADER, CRM_ROWS[0], strict=True)),
            "held_by": [],  # beyond the documented keys: why a record must be kept, if it must
        }
    ]
    possible = [(r["row"], r["via"]) for r in result["records"] if r["link"] == "possible"]
    assert possible == [(2, ["ip:203.0.113.7"])]


def test_search_with_json_and_a_limit(cli, tmp_path: Path) -> None:
    cli("--user", "ada", "source", "add", "CRM", "--kind", "crm")
    data = write_csv(tmp_path / "crm.csv", CRM_HEADER, CRM_ROWS)
    assert cli("--user", "ada", "import", str(data), "--source", "CRM", "--mapping", "auto")[0] == 0
    code, out, _ = cli("--user", "ada", "search", "example", "--limit", "2", "--json")
    assert code == 0 and len(json.loads(out)["records"]) == 2
    code, out, _ = cli("--user", "ada", "search", '"NEAR(*:^-', "--json")
    assert code == 0 and json.loads(out)["records"] == []


def test_a_bad_file_fails_with_one_line_naming_the_file(cli, tmp_path: Path) -> None:
    cli("--user", "ada", "source", "add", "CRM", "--kind", "crm")
    bad = tmp_path / "export.csv"
    bad.write_bytes(b"%PDF-1.7 not a table")
    code, _, err = cli("--user", "ada", "import", str(bad), "--source", "CRM")
    assert code == 1 and "export.csv" in err and err.count("\n") == 1
    # With --json the script still gets the result document, shaped as a finished import's.
    code, out, err = cli("--user", "ada", "import", str(bad), "--source", "CRM", "--json")
    assert code == 1 and err.count("\n") == 1
    failed = json.loads(out)
    assert (failed["status"], failed["batch_id"], failed["file_name"]) == (
        "failed",
        None,
        "export.csv",
    )
    assert "export.csv" in failed["message"]


def test_a_rejected_row_is_reported_on_stderr_with_file_row_and_reason(cli, tmp_path: Path) -> None:
    cli("--user", "ada", "source", "add", "CRM", "--kind", "crm")
    bad = tmp_path / "rows.csv"
    bad.write_text("Email,Name\na@example.com,A\nb@example.com,B,extra\n", encoding="utf-8")
    code, out, err = cli("--user", "ada", "import", str(bad), "--source", "CRM")
    assert code == 0 and "1 row imported" in out and "rows.csv, row 2" in err


def test_subject_find_without_an_identifier_is_a_usage_error(cli) -> None:
    code, _, err = cli("--user", "ada", "subject", "find")
    assert code == 2 and "--email" in err


def test_an_unknown_source_is_one_clear_line(cli, tmp_path: Path) -> None:
    data = write_csv(tmp_path / "crm.csv", CRM_HEADER, CRM_ROWS)
    code, _, err = cli("--user", "ada", "import", str(data), "--source", "Nowhere")
    assert code == 1 and "Nowhere" in err and err.count("\n") == 1


def test_batches_are_listed_and_one_is_undone_from_the_command_line(cli, tmp_path: Path) -> None:
    code, out, err = cli(
        "--user",
        "ada",
        "source",
        "add",
        "CRM",
        "--kind",
        "crm",
        "--category",
        "contact.email",
        "--category",
        "contact.name",
        "--retention",
        "3 years",
        "--json",
    )
    assert code == 0, err
    added = json.loads(out)
    assert added["categories"] == ["contact.email", "contact.name"]
    assert added["retention"] == "3 years"
    data = write_csv(tmp_path / "crm.csv", CRM_HEADER, CRM_ROWS)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(CRM_MAPPING), encoding="utf-8")
    cli("--user", "ada", "import", str(data), "--source", "CRM", "--mapping", str(mapping))
    code, out, err = cli("--user", "ada", "batch", "list", "--source", "CRM", "--json")
    assert code == 0, err
    [batch] = json.loads(out)
    assert (batch["status"], batch["rows_imported"], batch["file_name"]) == (
        "completed",
        6,
        "crm.csv",
    )
    code, out, err = cli("--user", "ada", "batch", "undo", str(batch["id"]))
    assert code == 0 and "6 records removed" in out, err
    code, out, _ = cli("--user", "ada", "search", "example", "--json")
    assert json.loads(out)["records"] == []
    code, out, _ = cli("--user", "ada", "batch", "list")
    assert "undone" in out and "Undone: 6 rows removed." in out
    code, _, err = cli("--user", "ada", "batch", "undo", str(batch["id"]))
    assert code == 1 and "only a completed import can be undone" in err


def test_subject_find_refuses_an_identifier_typed_wrong(cli) -> None:
    code, out, err = cli("--user", "ada", "subject", "find", "--email", "not an email")
    assert code == 1 and out == ""
    assert "(email) is not usable" in err and "not an email" not in err
