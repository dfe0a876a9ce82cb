"""Secrets and personal data: a planted email, phone number, name and password never reach the
log files, crash reports or the messages users see, through failed sign-ins, bad imports and
bad command lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from console.services import accounts
from console.services.records import sources
from console.store.db import open_database
from tests.reliability.conftest import (
    PASSWORD,
    Measure,
    child_env,
    cli_code,
    run_child,
)

EMAIL = "zelda.plantagenet@example.org"
PHONE = "+1 202 555 0147"
NAME = "Zbigniewa Plantagenet"
SECRET = "Pl@nted-Secret-Passw0rd!"
# What would give each away, however it is written (the phone's digits without separators).
PLANTED = {
    "email": re.compile(re.escape(EMAIL), re.I),
    "phone": re.compile(
        r"2\D{0,3}0\D{0,3}2\D{0,3}5\D{0,3}5\D{0,3}5\D{0,3}0\D{0,3}1\D{0,3}4\D{0,3}7"
    ),
    "name": re.compile("Plantagenet", re.I),
    "password": re.compile(re.escape(SECRET)),
}


def _leaks(text: str) -> list[str]:
    return [what for what, pattern in PLANTED.items() if pattern.search(text)]


@pytest.fixture
def console_db(tmp_path: Path) -> str:
    path = tmp_path / "console.db"
    db = open_database(f"sqlite:///{path}")
    try:
        admin = accounts.bootstrap_admin(db, "admin", PASSWORD)
        sources.add_source(db, admin, "CRM", "crm")
    finally:
        db.dispose()
    return f"sqlite:///{path}"


def _bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"email,phone,name\n"
        + f"{EMAIL},{PHONE},{NAME},extra,fields\n".encode()
        + f"{EMAIL},{PHONE},{NAME}\x00\n".encode()
        + f"{EMAIL},{PHONE}\n".encode()
        + f"{EMAIL},{PHONE},".encode()
        + b"\xff\xfe"
        + NAME.encode()
        + b"\n"
    )
    return path


def _scenarios(url: str, tmp_path: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    bad_csv = _bad_csv(tmp_path)
    wrong = {"CONSOLE_PASSWORD": SECRET}
    return {
        "failed sign-in (wrong password)": (
            ["--db", url, "--user", "admin", "user", "list"],
            wrong,
        ),
        "failed sign-in (email as user name)": (
            ["--db", url, "--user", EMAIL, "user", "list"],
            wrong,
        ),
        "failed sign-in (name as user name)": (
            ["--db", url, "--user", NAME, "audit", "verify"],
            wrong,
        ),
        "bad import rows": (
            ["--db", url, "--user", "admin", "import", str(bad_csv), "--source", "CRM"],
            {},
        ),
        "bad dsr date": (
            [
                "--db",
                url,
                "--user",
                "admin",
                "dsr",
                "new",
                "--type",
                "access",
                "--law",
                "gdpr",
                "--received",
                "2026-13-45",
                "--email",
                EMAIL,
                "--phone",
                PHONE,
                "--name",
                NAME,
            ],
            {},
        ),
        "bad dsr email": (
            [
                "--db",
                url,
                "--user",
                "admin",
                "dsr",
                "new",
                "--type",
                "access",
                "--law",
                "gdpr",
                "--received",
                "2026-01-05",
                "--email",
                f"{NAME} <{EMAIL}",
                "--name",
                NAME,
            ],
            {},
        ),
        "bad subject phone": (
            ["--db", url, "--user", "admin", "subject", "find", "--phone", f"{PHONE} x {NAME}"],
            {},
        ),
        "bad user name": (
            ["--db", url, "--user", "admin", "user", "add", f"{NAME} {EMAIL}", "--role", "auditor"],
            {},
        ),
        "bad database url with password": (
            [
                "--db",
                f"postgresql://admin:{SECRET}@127.0.0.1:1/none",
                "--user",
                "admin",
                "user",
                "list",
            ],
            {},
        ),
    }


@pytest.mark.slow
def test_planted_personal_data_and_passwords_never_leak(
    console_db: str, tmp_path: Path, measure: Measure
) -> None:
    leaks = []
    ran = 0
    for what, (argv, extra) in _scenarios(console_db, tmp_path).items():
        run_dir = tmp_path / f"run{ran}"
        run_dir.mkdir()
        child = run_child(cli_code(*argv), child_env(run_dir, **extra), timeout=60)
        ran += 1
        logs = "".join(p.read_text("utf-8", "replace") for p in (run_dir / "logs").glob("*"))
        # stdout may show what the user typed back to them (a created request); stderr (the
        # messages), the log and any crash report may not.
        for where, text in (("stderr", child.stderr), ("log", logs)):
            for leak in _leaks(text):
                leaks.append(f"{what}: the {leak} reached the {where}")
        assert "Traceback" not in child.stderr, f"{what}: {child.stderr}"
    measure(scenario="planted secrets", runs=ran, leaks=leaks)
    assert not leaks, "\n".join(leaks)


@pytest.mark.pg
def test_a_database_error_logs_no_personal_data(pg_url: str, tmp_path: Path) -> None:
    """A crash inside the database layer (here: a full name over PostgreSQL's column limit)
    logs the error; the SQL parameters in it are personal data and must not reach the log."""
    db = open_database(pg_url)
    try:
        accounts.bootstrap_admin(db, "admin", PASSWORD)
    finally:
        db.dispose()
    child = run_child(
        cli_code(
            "--db",
            pg_url,
            "--user",
            "admin",
            "user",
            "add",
            "zed",
            "--role",
            "auditor",
            "--full-name",
            f"{NAME} " * 20,
        ),
        child_env(tmp_path),
        timeout=60,
    )
    logs = "".join(p.read_text("utf-8", "replace") for p in (tmp_path / "logs").glob("*"))
    assert child.returncode == 1, child.stderr
    assert "name" not in _leaks(child.stderr)
    assert "name" not in _leaks(logs), "the SQL parameters (a full name) were logged"
