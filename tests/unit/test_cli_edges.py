"""The command line at its edges: an import that kept nothing fails, a closed pipe ends quietly,
bytes that are not UTF-8 and numbers too long to read get one clear line, never "unexpected
error"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import PASSWORD, CliRun

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(run_cli: CliRun) -> CliRun:
    assert run_cli("init", "--admin", "admin")[0] == 0
    assert run_cli("--user", "admin", "source", "add", "CRM", "--kind", "crm")[0] == 0
    return run_cli


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "unexpected error" not in lines[0] and "Traceback" not in err
    return lines[0]


def test_an_import_whose_every_row_is_rejected_exits_1(cli: CliRun, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("email,name\na@x.org,A,extra\nb@x.org,B,extra\n", "utf-8")
    code, _, err = cli("--user", "admin", "import", str(path), "--source", "CRM")
    assert code == 1
    line = _one_line(err)
    assert "No row of bad.csv was imported: all 2 were rejected" in line
    assert "bad.csv, row 1" in line
    code, out, _ = cli("--user", "admin", "import", str(path), "--source", "CRM", "--json")
    assert code == 1 and json.loads(out)["rows_rejected"] == 2


def test_an_import_with_one_good_row_still_succeeds(cli: CliRun, tmp_path: Path) -> None:
    path = tmp_path / "some.csv"
    path.write_text("email,name\na@x.org,A\nb@x.org,B,extra\n", "utf-8")
    code, _, _ = cli("--user", "admin", "import", str(path), "--source", "CRM")
    assert code == 0


def test_a_json_lines_file_of_one_100000_digit_number_gets_one_clear_line(
    cli: CliRun, tmp_path: Path
) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"email": "a@x.org", "n": ' + b"9" * 100_000 + b"}\n")
    code, _, err = cli("--user", "admin", "import", str(path), "--source", "CRM")
    assert code == 1
    assert "a number with more than 4,300 digits" in _one_line(err)


def test_a_mapping_file_with_a_100000_digit_number_gets_one_clear_line(
    cli: CliRun, tmp_path: Path
) -> None:
    data = tmp_path / "a.csv"
    data.write_text("email\na@x.org\n", "utf-8")
    mapping = tmp_path / "m.json"
    mapping.write_bytes(b'{"columns": {"email": {"category": ' + b"9" * 100_000 + b"}}}")
    code, _, err = cli(
        "--user", "admin", "import", str(data), "--source", "CRM", "--mapping", str(mapping)
    )
    assert code == 1
    assert _one_line(err) == "privacy-console: m.json: a number in it has more than 4,300 digits."


def _env(db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "CONSOLE_DB_URL": db_url,
        "CONSOLE_PASSWORD": PASSWORD,
        "PYTHONPATH": str(ROOT),
    }


def test_a_reader_that_stops_early_ends_the_command_quietly(
    cli: CliRun, cli_db_url: str, tmp_path: Path
) -> None:
    rows = "".join(f"user{i}@example.org,Person {i}\n" for i in range(3000))
    path = tmp_path / "many.csv"
    path.write_text("email,name\n" + rows, "utf-8")
    assert cli("--user", "admin", "import", str(path), "--source", "CRM")[0] == 0
    # As `search --json | head -c 0`: the reading end is closed before anything is written.
    read, write = os.pipe()
    os.close(read)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "--user",
            "admin",
            "search",
            "example",
            "--limit",
            "3000",
            "--json",
        ],
        stdout=write,
        stderr=subprocess.PIPE,
        env=_env(cli_db_url),
        cwd=ROOT,
        check=False,
    )
    os.close(write)
    assert proc.stderr.decode() == ""
    assert proc.returncode == 0


def test_an_argument_that_is_not_utf8_gets_one_line_and_exit_2(
    cli: CliRun, cli_db_url: str
) -> None:
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"console", b"--user", b"admin", b"search", b"caf\xe9"],
        capture_output=True,
        env=_env(cli_db_url),
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2
    line = _one_line(proc.stderr.decode("utf-8", "replace"))
    assert line == (
        "privacy-console: error: argument 4 (b'caf\\xe9') is not valid UTF-8 text; the console "
        "reads and keeps text as UTF-8 (rename the file, or type the text again)."
    )
