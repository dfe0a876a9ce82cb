"""The attacks of issue 15, tried again as an attacker would, each through the real command line
in a child process: what it did before is in the docstring of each test; what it does now is
measured and shown in docs/reliability.md (one row per attack).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from console.domain.permissions import Role
from console.services import accounts
from console.services.records import sources
from console.store.db import open_database
from tests.reliability.conftest import (
    PASSWORD,
    ChildResult,
    Measure,
    child_env,
    cli_code,
    count_rows,
    integrity_ok,
    run_child,
    tiny_disk,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attacks") / "console.db"
    db = open_database(f"sqlite:///{path}")
    try:
        admin = accounts.bootstrap_admin(db, "admin", PASSWORD)
        accounts.add_user(db, admin, "audrey", Role.AUDITOR)
        accounts.set_password_for_demo(db, "audrey", PASSWORD)
        sources.add_source(db, admin, "CRM", "crm")
    finally:
        db.dispose()
    return path


def _copy(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "console.db"
    shutil.copy(template, db_path)
    return db_path


def _cli(tmp_path: Path, db_path: Path, user: str | None, *argv: str) -> ChildResult:
    env = child_env(tmp_path, CONSOLE_BACKUP_KEEP="0")
    login = ("--user", user) if user else ()
    return run_child(cli_code("--db", f"sqlite:///{db_path}", *login, *argv), env, timeout=120)


def _line(child: ChildResult) -> str:
    lines = child.stderr_lines
    assert len(lines) == 1 and "Traceback" not in child.stderr, child.stderr[-2000:]
    assert "unexpected error" not in lines[0]
    return lines[0].removeprefix("privacy-console: ")


def test_an_auditor_cannot_overwrite_the_database_with_a_report(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    """Before: `--user auditor report dsr-register --out <dir>/console.db` exited 0 and replaced
    the database with a PDF."""
    db_path = _copy(template, tmp_path / "data")
    events = count_rows(db_path, "audit_events")
    child = _cli(
        tmp_path,
        db_path,
        "audrey",
        "report",
        "dsr-register",
        "--format",
        "pdf",
        "--out",
        str(db_path),
        "--force",
    )
    line = _line(child)
    measure(attack="database overwritten by an export", exit=child.returncode, result=line)
    assert child.returncode == 1 and "console's database" in line
    assert integrity_ok(db_path) and count_rows(db_path, "audit_events") == events + 1  # sign-in


def test_an_existing_file_is_not_overwritten_without_force(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    """Before: an existing notes.txt was overwritten by a report without a word."""
    db_path = _copy(template, tmp_path / "data")
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the meeting", "utf-8")
    child = _cli(
        tmp_path,
        db_path,
        "audrey",
        "report",
        "dsr-register",
        "--format",
        "pdf",
        "--out",
        str(notes),
    )
    line = _line(child)
    measure(attack="notes.txt overwritten by an export", exit=child.returncode, result=line)
    assert child.returncode == 1 and "already exists" in line
    assert notes.read_text("utf-8") == "minutes of the meeting"


def test_with_the_write_lock_held_an_export_leaves_no_file_without_its_event(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    """Before: with the write lock held, an export failed with "nothing was changed", yet a
    5.7 MB XLSX and its manifest existed with no event."""
    db_path = _copy(template, tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    # Signed in first (signing in writes), then another connection takes the write lock
    # while the report is rendered; the busy timeout is shortened to keep the test quick.
    code = f"""
import sqlite3, sys
from console.store import db as store_db
store_db.SQLITE_BUSY_TIMEOUT_MS = 500
from console.services import accounts
signed_in = accounts.authenticate

def authenticate(*args, **kwargs):
    actor = signed_in(*args, **kwargs)
    holder = sqlite3.connect({str(db_path)!r}, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    globals()["holder"] = holder
    return actor

accounts.authenticate = authenticate
""" + cli_code(
        "--db",
        f"sqlite:///{db_path}",
        "--user",
        "admin",
        "report",
        "audit-trail",
        "--format",
        "xlsx",
        "--out",
        str(out / "trail.xlsx"),
    )
    child = run_child(code, child_env(tmp_path, CONSOLE_BACKUP_KEEP="0"), timeout=120)
    line = _line(child)
    left = sorted(p.name for p in out.iterdir())
    measure(
        attack="file without its audit event (write lock held)",
        exit=child.returncode,
        result=f"{line} Files left: {left or 'none'}.",
    )
    assert child.returncode == 1 and "busy" in line and left == []
    assert count_rows(db_path, "audit_events", "WHERE action = 'report.export'") == 0


def test_a_session_leaves_only_private_files(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    """Before: the database, WAL, backups and log were 0644 in 0755 folders."""
    data = tmp_path / "data"
    db_path = _copy(template, data)
    db_path.chmod(0o644)  # as an older version left it
    out = tmp_path / "out"
    out.mkdir()
    env = child_env(tmp_path, CONSOLE_BACKUP_KEEP="3")
    argv = (
        "--db",
        f"sqlite:///{db_path}",
        "--user",
        "admin",
        "report",
        "audit-trail",
        "--format",
        "pdf",
        "--out",
        str(out / "trail.pdf"),
    )
    code = "import os\nos.umask(0o022)\n" + cli_code(*argv)
    child = run_child(code, env, timeout=120)
    assert child.returncode == 0, child.stderr
    files = [
        db_path,
        *(data / "backups").iterdir(),
        out / "trail.pdf",
        out / "trail.pdf.manifest.json",
        *(tmp_path / "logs").iterdir(),
    ]
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files}
    folders = {
        p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in (data / "backups", tmp_path / "logs")
    }
    measure(
        attack="files readable by every local user (0644)",
        result=(
            f"{len(files)} files written under umask 022: "
            + ", ".join(sorted(set(modes.values())))
            + "; folders "
            + ", ".join(sorted(set(folders.values())))
        ),
    )
    assert set(modes.values()) == {"0o600"}, modes
    assert set(folders.values()) == {"0o700"}, folders


def test_an_empty_database_file_is_refused_not_recreated(tmp_path: Path, measure: Measure) -> None:
    """Before: a 0-byte console.db was silently recreated empty, and the window then offered
    "create the first administrator" to whoever sat at the desk."""
    db_path = tmp_path / "data" / "console.db"
    db_path.parent.mkdir()
    db_path.touch()
    child = _cli(tmp_path, db_path, None, "init", "--admin", "mallory")
    line = _line(child)
    measure(attack="0-byte database recreated", exit=child.returncode, result=line)
    assert child.returncode == 1 and "empty (0 bytes)" in line
    assert db_path.stat().st_size == 0
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["console.db"]


def test_dev_zero_as_a_served_document_stops_at_once(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    """Before: `legal new --document /dev/zero` read without limit."""
    db_path = _copy(template, tmp_path / "data")
    child = _cli(
        tmp_path,
        db_path,
        "admin",
        "legal",
        "new",
        "--type",
        "subpoena",
        "--agency",
        "Sheriff",
        "--country",
        "US",
        "--document",
        "/dev/zero",
    )
    line = _line(child)
    big = tmp_path / "huge.pdf"
    with big.open("wb") as f:
        f.truncate(1 << 30)  # 1 GB, sparse
    sized = _cli(
        tmp_path,
        db_path,
        "admin",
        "legal",
        "new",
        "--type",
        "subpoena",
        "--agency",
        "Sheriff",
        "--country",
        "US",
        "--document",
        str(big),
    )
    measure(
        attack="/dev/zero as a legal document",
        exit=child.returncode,
        result=f"{line} A 1 GB file: “{_line(sized)}” (peak {sized.peak_rss_mb:.0f} MB, "
        f"CPU {sized.cpu_seconds:.1f} s)",
    )
    assert child.returncode == 1 and "not a file" in line
    assert sized.returncode == 1 and sized.peak_rss_mb < 400
    assert count_rows(db_path, "legal_requests") == 0


def test_a_read_only_database_says_read_only_not_damaged(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    """Before: a read-only mount said "damaged… restore your latest backup" about a healthy
    file."""
    with tiny_disk(tmp_path / "ro", 4096) as disk:
        db_path = _copy(template, disk)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        child = _cli(tmp_path, db_path, "admin", "dsr", "list")
        line = _line(child)
        check = _cli(tmp_path, db_path, None, "check")
        os.sync()
    measure(
        attack="read-only database",
        exit=child.returncode,
        result=f"{line} `check`: exit {check.returncode}.",
    )
    assert child.returncode == 1
    assert "read-only" in line and "the disk is mounted read-only" in line
    assert "damaged" not in line.replace("not damaged", "")
    assert check.returncode == 0, check.stdout + check.stderr
