"""Full disk, for real: a tmpfs of a few hundred KB, filled up, under the very path that writes.

Export and backup write their file onto the full disk; import and audit verify write into a
database that lives on it. Each must stop with the one line "The disk is full: nothing was
changed." (exit 1, no traceback), leave no file (not even a temporary one), and change no data.
Today's automatic backup is turned off in these children (CONSOLE_BACKUP_KEEP=0), so what is
measured is the command's own path; the last test shows the automatic backup on a full disk.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from console.errors import DiskFull
from console.services import accounts, audit
from console.services.records import sources
from console.store.db import open_database
from tests.reliability import fill
from tests.reliability.conftest import (
    PASSWORD,
    ChildResult,
    Measure,
    child_env,
    cli_code,
    count_rows,
    fill_up,
    integrity_ok,
    run_child,
    sqlite_digest,
    tiny_disk,
)

FULL = "The disk is full: nothing was changed."
DISK_KB = 8 * 1024


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fulldisk") / "console.db"
    db = open_database(f"sqlite:///{path}")
    try:
        admin = accounts.bootstrap_admin(db, "admin", PASSWORD)
        sources.add_source(db, admin, "CRM", "crm")
    finally:
        db.dispose()
    fill.add_audit_events(path, 4000)
    return path


def _place(template: Path, folder: Path) -> Path:
    db_path = folder / "console.db"
    shutil.copy(template, db_path)
    return db_path


def _cli(tmp_path: Path, db_path: Path, *argv: str, backups: bool = False) -> ChildResult:
    env = child_env(tmp_path, CONSOLE_BACKUP_KEEP="7" if backups else "0")
    code = cli_code("--db", f"sqlite:///{db_path}", "--user", "admin", *argv)
    return run_child(code, env, timeout=120)


def _one_clean_line(child: ChildResult, what: str) -> str:
    lines = child.stderr_lines
    assert child.returncode == 1, f"{what}: exit {child.returncode}: {child.stderr[-1500:]}"
    assert len(lines) == 1 and "Traceback" not in child.stderr, child.stderr[-1500:]
    assert FULL in lines[0], lines[0]
    return lines[0].removeprefix("privacy-console: ")


# Signing in writes its own bookkeeping (the login event, users.last_login_at); nothing else
# may change.
_SIGN_IN = ("audit_events", "users")


def _unchanged_but_sign_in(db_path: Path, before: dict[str, str]) -> None:
    assert integrity_ok(db_path)
    after = sqlite_digest(db_path)
    assert {k: v for k, v in after.items() if k not in _SIGN_IN} == {
        k: v for k, v in before.items() if k not in _SIGN_IN
    }


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != ".filler")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_an_export_onto_a_full_disk_says_so_and_leaves_no_file(
    fmt: str, template: Path, tmp_path: Path, measure: Measure
) -> None:
    db_path = _place(template, tmp_path)
    before = sqlite_digest(db_path)
    exports = count_rows(db_path, "audit_events", "WHERE action = 'report.export'")
    with tiny_disk(tmp_path / "usb", 256) as out:
        fill_up(out)
        child = _cli(
            tmp_path,
            db_path,
            "report",
            "audit-trail",
            "--format",
            fmt,
            "--out",
            str(out / f"trail.{fmt}"),
        )
        line = _one_clean_line(child, "export")
        left = _left(out)
    measure(
        scenario="full disk: report export",
        format=fmt,
        where="the output folder",
        message=line,
        exit=child.returncode,
        left=left,
        attack="full disk",
        result=f"export {fmt} onto a full disk: “{line}” files left: {len(left)}",
    )
    assert left == [], "a partial report, manifest or temporary file was left"
    _unchanged_but_sign_in(db_path, before)
    assert count_rows(db_path, "audit_events", "WHERE action = 'report.export'") == exports


@pytest.mark.slow
def test_a_backup_onto_a_full_disk_says_so_and_leaves_no_file(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    db_path = _place(template, tmp_path)
    before = sqlite_digest(db_path)
    with tiny_disk(tmp_path / "usb", 512) as out:
        fill_up(out, leave_kb=64)  # room to start the copy, not to finish it
        child = _cli(tmp_path, db_path, "backup", str(out / "console.bak"))
        line = _one_clean_line(child, "backup")
        left = _left(out)
    measure(
        scenario="full disk: backup",
        where="the backup's folder",
        message=line,
        exit=child.returncode,
        left=left,
        attack="full disk",
        result=f"backup onto a full disk: “{line}” files left: {len(left)}",
    )
    assert left == [], "a partial backup was left"
    _unchanged_but_sign_in(db_path, before)


@pytest.mark.slow
def test_an_import_into_a_database_on_a_full_disk_says_so_and_keeps_no_rows(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    data = fill.people_csv(tmp_path / "customers.csv", 8000)
    with tiny_disk(tmp_path / "disk", DISK_KB) as disk:
        db_path = _place(template, disk)
        fill_up(disk, leave_kb=384)  # room to sign in and start, not for 8,000 rows
        child = _cli(tmp_path, db_path, "import", str(data), "--source", "CRM")
        line = _one_clean_line(child, "import")
        (disk / ".filler").unlink()
        rows = count_rows(db_path, "records")
        ok = integrity_ok(db_path)
    measure(
        scenario="full disk: import",
        where="the database's disk",
        message=line,
        exit=child.returncode,
        rows_kept=rows,
        attack="full disk",
        result=f"import into a database on a full disk: “{line}” rows kept: {rows}",
    )
    assert rows == 0 and ok


@pytest.mark.slow
def test_audit_verify_on_a_full_disk_says_so(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    with tiny_disk(tmp_path / "disk", DISK_KB) as disk:
        db_path = _place(template, disk)
        db = open_database(f"sqlite:///{db_path}")
        try:
            admin = accounts.authenticate(db, "admin", PASSWORD)
            events = audit.count(db, admin)
            fill_up(disk)
            with pytest.raises(DiskFull) as exc:
                audit.verify(db, admin)
            (disk / ".filler").unlink()
            assert audit.count(db, admin) == events  # the verify event was not half-written
        finally:
            db.dispose()
        fill_up(disk)
        child = _cli(tmp_path, db_path, "audit", "verify")
        line = _one_clean_line(child, "audit verify")
    measure(
        scenario="full disk: audit verify",
        where="the database's disk",
        message=line,
        service_message=str(exc.value),
        exit=child.returncode,
        attack="full disk",
        result=f"audit verify on a full disk: “{line}”",
    )
    assert str(exc.value).startswith(FULL)


@pytest.mark.slow
def test_the_automatic_backup_on_a_full_disk_is_a_warning_not_a_failure(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    with tiny_disk(tmp_path / "disk", DISK_KB) as disk:
        db_path = _place(template, disk)
        fill_up(disk, leave_kb=256)  # room for the command, not for a copy of the database
        child = _cli(tmp_path, db_path, "audit", "head", backups=True)
        left = (
            sorted(p.name for p in (disk / "backups").iterdir())
            if (disk / "backups").exists()
            else []
        )
    measure(
        scenario="full disk: daily backup",
        where="the database's disk",
        message=child.stderr_lines[0] if child.stderr_lines else "",
        exit=child.returncode,
    )
    assert child.returncode == 0, child.stderr
    assert child.stderr_lines == [
        "privacy-console: warning: Today's automatic backup could not be written "
        "(the disk is full)."
    ]
    assert left == []
