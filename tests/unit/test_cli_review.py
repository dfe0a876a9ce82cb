"""`dsr records|confirm|exclude`: record review from the command line, and fulfil's refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures import CliRun


@pytest.fixture
def cli(run_cli: CliRun) -> CliRun:
    assert run_cli("init", "--admin", "ada")[0] == 0
    return run_cli


def _request(cli: CliRun, tmp_path: Path) -> tuple[str, int, int]:
    """Jane's access request: her CRM row (strong) and Zoë's row sharing only an IP (possible)."""
    assert cli("--user", "ada", "source", "add", "CRM", "--kind", "crm")[0] == 0
    data = tmp_path / "crm.csv"
    data.write_text(
        "Customer ID,Email,Name,IP\n"
        "C-100,jane@example.com,Jane Doe,203.0.113.7\n"
        "C-200,zoe@example.com,Zoë Martin,203.0.113.7\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
                    "Email": {"identifier": "email", "category": "contact.email"},
                    "Name": {"identifier": "name", "category": "contact.name"},
                    "IP": {"identifier": "ip", "category": "technical.ip_address"},
                },
                "record_key": ["Customer ID"],
            }
        ),
        encoding="utf-8",
    )
    assert (
        cli("--user", "ada", "import", str(data), "--source", "CRM", "--mapping", str(mapping))[0]
        == 0
    )
    new = ("dsr", "new", "--type", "access", "--law", "ccpa", "--received", "2024-06-03")
    _, out, _ = cli("--user", "ada", *new, "--email", "jane@example.com", "--json")
    rid = str(json.loads(out)["id"])
    assert cli("--user", "ada", "dsr", "verify", rid, "--method", "login")[0] == 0
    assert cli("--user", "ada", "dsr", "find", rid)[0] == 0
    _, out, _ = cli("--user", "ada", "dsr", "records", rid, "--json")
    rows = json.loads(out)["records"]
    strong = next(r["record"] for r in rows if r["link"] == "strong")
    possible = next(r["record"] for r in rows if r["link"] == "possible")
    return rid, strong, possible


def test_dsr_records_shows_link_via_and_review_state(cli, tmp_path: Path) -> None:
    rid, strong, possible = _request(cli, tmp_path)
    code, out, err = cli("--user", "ada", "dsr", "records", rid, "--json")
    assert code == 0, err
    rows = {r["record"]: r for r in json.loads(out)["records"]}
    assert rows[strong]["review"] == "confirmed" and rows[strong]["decided_by"] == "strong link"
    assert rows[possible]["review"] == "awaiting" and rows[possible]["via"] == ["ip:203.0.113.7"]
    code, out, _ = cli("--user", "ada", "dsr", "records", rid)
    assert "Possible match" in out and "Awaiting review" in out and "1 awaiting review" in out


def test_fulfil_refuses_then_exclude_then_fulfil(cli, tmp_path: Path) -> None:
    rid, _strong, possible = _request(cli, tmp_path)
    cli("--user", "ada", "dsr", "advance", rid, "--to", "review")
    out_dir = tmp_path / "out"
    code, out, err = cli("--user", "ada", "dsr", "fulfil", rid, "--out", str(out_dir))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "1 record awaits review" in err and f"dsr confirm {rid}" in err
    with pytest.raises(SystemExit) as usage:  # --reason is required
        cli("--user", "ada", "dsr", "exclude", rid, str(possible))
    assert usage.value.code == 2
    code, out, err = cli(
        "--user",
        "ada",
        "dsr",
        "exclude",
        rid,
        str(possible),
        "--reason",
        "Another customer behind the same router",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["excluded"] == [possible] and json.loads(out)["awaiting"] == 0
    code, out, err = cli("--user", "ada", "dsr", "fulfil", rid, "--out", str(out_dir), "--json")
    assert code == 0, err
    for path in json.loads(out)["paths"]:
        assert b"zoe@example.com" not in Path(path).read_bytes()


def test_confirm_needs_a_note_for_a_possible_match_and_an_attached_record(
    cli, tmp_path: Path
) -> None:
    rid, strong, possible = _request(cli, tmp_path)
    for argv in (
        ("confirm", rid, str(possible)),  # a possible match needs a note
        ("confirm", rid, "424242", "--note", "x"),  # not attached to the request
        ("exclude", rid, str(strong), "--reason", "  "),  # a reason that says nothing
    ):
        code, out, err = cli("--user", "ada", "dsr", *argv)
        assert code == 1 and out == "" and err.count("\n") == 1, (argv, err)
    assert (
        "424242 is not attached"
        in cli("--user", "ada", "dsr", "confirm", rid, "424242", "--note", "x")[2]
    )
    code, out, err = cli(
        "--user",
        "ada",
        "dsr",
        "confirm",
        rid,
        str(possible),
        "--note",
        "Jane named this account by phone",
    )
    assert code == 0, err
    assert "1 record confirmed; 0 awaiting review" in out
    _, out, _ = cli("--user", "ada", "dsr", "records", rid, "--json")
    row = next(r for r in json.loads(out)["records"] if r["record"] == possible)
    assert (row["review"], row["decided_by"]) == ("confirmed", "ada")
    assert row["note"] == "Jane named this account by phone"


def test_dsr_letter_writes_a_verifiable_pdf_and_refuses_a_kind_the_law_lacks(
    cli, tmp_path: Path
) -> None:
    rid, _strong, _possible = _request(cli, tmp_path)
    out = tmp_path / "ack.pdf"
    code, stdout, err = cli(
        "--user", "ada", "dsr", "letter", rid, "--kind", "ack", "--out", str(out), "--json"
    )
    assert code == 0, err
    assert json.loads(stdout)["path"] == str(out) and out.read_bytes().startswith(b"%PDF")
    code, stdout, err = cli("--user", "ada", "report", "verify", str(out))
    assert code == 0, err
    code, stdout, err = cli(
        "--user", "ada", "dsr", "letter", rid, "--kind", "ack", "--out", str(out)
    )
    assert code == 1 and "already exists" in err and err.count("\n") == 1
    code, stdout, err = cli(
        "--user",
        "ada",
        "dsr",
        "letter",
        rid,
        "--kind",
        "extension",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert code == 1 and "has not been extended" in err and not (tmp_path / "x.pdf").exists()
    with pytest.raises(SystemExit) as usage:
        cli("--user", "ada", "dsr", "letter", rid, "--kind", "apology", "--out", str(out))
    assert usage.value.code == 2


def test_dsr_redact_leaves_a_field_out_of_the_package(cli, tmp_path: Path) -> None:
    rid, strong, possible = _request(cli, tmp_path)
    code, _, err = cli(
        "--user",
        "ada",
        "dsr",
        "redact",
        rid,
        str(strong),
        "Name",
        "--reason",
        "Shared family account",
    )
    assert code == 0, err
    code, _, err = cli(
        "--user", "ada", "dsr", "redact", rid, str(possible), "Name", "--reason", "x"
    )
    assert code == 1 and "awaiting review" in err
    cli("--user", "ada", "dsr", "exclude", rid, "--awaiting", "--reason", "not Jane")
    cli("--user", "ada", "dsr", "advance", rid, "--to", "review")
    code, out, err = cli(
        "--user", "ada", "dsr", "fulfil", rid, "--out", str(tmp_path / "o"), "--json"
    )
    assert code == 0, err
    archive = next(Path(p) for p in json.loads(out)["paths"] if p.endswith(".zip"))
    import zipfile

    with zipfile.ZipFile(archive) as z:
        crm = z.read("sources/CRM.csv").decode("utf-8-sig")
    assert "Jane Doe" not in crm and "[redacted]" in crm and "jane@example.com" in crm
