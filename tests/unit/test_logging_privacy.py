"""No personal data in the log files: planted through real flows, never found; crashes name the log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from console import logs
from console.cli import main
from console.services import accounts
from console.store.db import Database
from tests.fixtures import PASSWORD

EMAIL = "zelda.quartermaine@example.org"
PHONE = "+44 20 7946 0958"
PHONE_DIGITS = "442079460958"
NAME = "Zelda Quartermaine"
SECRET = "Plum-Orchard-Kestrel-41"
PLANTED = (EMAIL, PHONE, PHONE_DIGITS, NAME, SECRET, "Quartermaine")


def _log_text() -> str:
    logs.setup_logging()
    for handler in logging.getLogger().handlers:
        handler.flush()
    folder = logs.log_file_path().parent
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("console.log*")))


def _assert_clean() -> str:
    found = _log_text()
    for value in PLANTED:
        assert value not in found, f"planted {value!r} reached the log"
    return found


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("CONSOLE_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CONSOLE_CONFIG", "")
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)

    def run(*argv: str, password: str = PASSWORD) -> tuple[int, str]:
        monkeypatch.setenv("CONSOLE_PASSWORD", password)
        code = main(list(argv))
        return code, capsys.readouterr().err

    run("init", "--admin", "ada")
    return run


def test_failed_sign_ins_and_cli_errors_leave_no_personal_data(cli) -> None:
    assert cli("--user", EMAIL, "audit", "verify", password=SECRET)[0] == 1
    assert cli("--user", "ada", "audit", "verify", password=SECRET)[0] == 1
    assert cli("--user", "ada", "user", "add", NAME, "--role", "auditor")[0] == 1
    assert cli("--user", "ada", "user", "add", EMAIL, "--role", "auditor")[0] in (0, 1)
    _assert_clean()


def test_an_unexpected_error_carrying_personal_data_is_redacted(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.services import audit

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError(f"boom for {EMAIL} at {PHONE} with {SECRET}")

    monkeypatch.setattr(audit, "verify", broken)
    code, err = cli("--user", "ada", "audit", "verify", password=PASSWORD)
    assert code == 1 and "unexpected error" in err
    logs.remember_secret(SECRET)  # a password the console was given is remembered like this
    try:
        found = _assert_clean()
    finally:
        logs.forget_secrets()
    assert f"boom for {logs.REDACTED_EMAIL} at {logs.REDACTED_PHONE}" in found


def test_a_database_error_with_its_parameters_is_redacted(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def clash(db: Database, _actor: object) -> None:
        with db.transaction() as s:  # a duplicate key: the error text carries the parameters
            s.execute(
                text(
                    "INSERT INTO users (id, name, full_name, role, password_hash, "
                    "must_change_password, active, failed_logins, created_at, version) "
                    "VALUES (1, :n, :f, 'admin', 'x', 0, 1, 0, '2025-01-01', 1)"
                ),
                {"n": EMAIL, "f": f"{PHONE}"},
            )

    monkeypatch.setattr(accounts, "list_users", clash)
    assert cli("--user", "ada", "user", "list")[0] == 1
    found = _assert_clean()
    assert "IntegrityError" in found and logs.REDACTED_EMAIL in found


def test_an_import_of_personal_data_logs_counts_not_people(
    db: Database, admin, tmp_path: Path
) -> None:
    from console.services.records import imports, sources

    sources.add_source(db, admin, "Web shop", "web_form")
    data = tmp_path / "customers.csv"
    data.write_text(
        f"id,name,email,phone\n1,{NAME},{EMAIL},{PHONE}\n2,{NAME},not-an-email@,{PHONE}x\n",
        encoding="utf-8",
    )
    result = imports.run_import(db, admin, data, "Web shop")
    assert result.rows_read == 2
    _assert_clean()


def test_redaction_keeps_dates_counts_and_ids_readable() -> None:
    line = "import 12 of 2025-03-01 10:15:02 took 0.25 s: 1500 rows, batch 42, seq 123456"
    assert logs.redact(line) == line
    assert logs.redact("call (415) 555-0100 or 415.555.0100") == "call [phone] or [phone]"
    assert logs.redact("mail a.b+c@sub.example.co.uk now") == "mail [email] now"


@pytest.mark.gui
def test_an_unexpected_error_shows_a_dialog_naming_the_log_file(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console import app

    shown: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app.Ask, "fatal", lambda _p, _t, msg: shown.append(msg))
    logs.setup_logging()
    app._install_crash_handler()
    try:
        raise ValueError(f"bad row for {EMAIL}")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1 and str(logs.log_file_path()) in shown[0]
    assert "ValueError" in shown[0] and EMAIL not in shown[0]
    found = _assert_clean()
    assert f"bad row for {logs.REDACTED_EMAIL}" in found
