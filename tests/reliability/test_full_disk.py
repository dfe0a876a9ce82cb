"""Full disk: imports, exports and backups in a child whose files may not grow past a limit
(RLIMIT_FSIZE, SIGXFSZ ignored, so writes fail with EFBIG as on a full disk). Each must stop
with one clear line (exit 1, no traceback), leave no partial file, and change no data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from console.services import accounts, sources
from console.store.db import open_database
from tests.reliability import fill
from tests.reliability.conftest import (
    PASSWORD,
    Measure,
    child_env,
    cli_code,
    count_rows,
    integrity_ok,
    run_child,
    sqlite_digest,
)

LIMIT = 256 * 1024


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


def _run(tmp_path: Path, template: Path, *argv: str) -> tuple[Path, dict[str, str], object]:
    db_path = tmp_path / "db" / "console.db"
    db_path.parent.mkdir()
    shutil.copy(template, db_path)
    before = sqlite_digest(db_path)
    env = child_env(tmp_path, RELIABILITY_FSIZE=str(LIMIT))
    code = cli_code("--db", f"sqlite:///{db_path}", "--user", "admin", *argv)
    child = run_child(code, env, timeout=120)
    return db_path, before, child


def _assert_clean_failure(child: object, what: str) -> str:
    lines = child.stderr_lines  # type: ignore[attr-defined]
    assert child.returncode == 1, f"{what}: exit {child.returncode}: {child.stderr[-1500:]}"  # type: ignore[attr-defined]
    assert len(lines) == 1 and "Traceback" not in child.stderr, child.stderr[-1500:]  # type: ignore[attr-defined]
    assert "unexpected error" not in lines[0], lines[0]
    return lines[0]


# Signing in writes its own bookkeeping (the login event, users.last_login_at); nothing else
# may change.
_SIGN_IN = ("audit_events", "users")


def _unchanged_but_audit(db_path: Path, before: dict[str, str]) -> None:
    assert integrity_ok(db_path)
    after = sqlite_digest(db_path)
    assert {k: v for k, v in after.items() if k not in _SIGN_IN} == {
        k: v for k, v in before.items() if k not in _SIGN_IN
    }


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_export_on_a_full_disk_stops_cleanly_and_leaves_no_file(
    fmt: str, template: Path, tmp_path: Path, measure: Measure
) -> None:
    out = tmp_path / "out" / f"trail.{fmt}"
    out.parent.mkdir()
    exports_before = count_rows(template, "audit_events", "WHERE action = 'report.export'")
    db_path, before, child = _run(
        tmp_path, template, "report", "audit-trail", "--format", fmt, "--out", str(out)
    )
    line = _assert_clean_failure(child, "export")
    measure(
        scenario="full disk: report export",
        format=fmt,
        limit_bytes=LIMIT,
        message=line,
        exit=child.returncode,
    )  # type: ignore[attr-defined]
    assert list(out.parent.iterdir()) == [], "a partial report or temporary file was left"
    _unchanged_but_audit(db_path, before)
    # The failed export is not recorded as an export.
    exports = count_rows(db_path, "audit_events", "WHERE action = 'report.export'")
    assert exports == exports_before


@pytest.mark.slow
def test_backup_on_a_full_disk_stops_cleanly_and_leaves_no_file(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    out = tmp_path / "out" / "console.bak"
    out.parent.mkdir()
    db_path, before, child = _run(tmp_path, template, "backup", str(out))
    measure(
        scenario="full disk: backup",
        limit_bytes=LIMIT,
        stderr=child.stderr[-300:],  # type: ignore[attr-defined]
        exit=child.returncode,
        left=[p.name for p in out.parent.iterdir()],
    )  # type: ignore[attr-defined]
    assert list(out.parent.iterdir()) == [], "a partial backup was left"
    _assert_clean_failure(child, "backup")
    _unchanged_but_audit(db_path, before)


@pytest.mark.slow
def test_import_on_a_full_disk_stops_cleanly_and_keeps_no_rows(
    template: Path, tmp_path: Path, measure: Measure
) -> None:
    data = fill.people_csv(tmp_path / "customers.csv", 8000)
    db_path, _before, child = _run(tmp_path, template, "import", str(data), "--source", "CRM")
    measure(
        scenario="full disk: import",
        limit_bytes=LIMIT,
        stderr=child.stderr[-300:],  # type: ignore[attr-defined]
        exit=child.returncode,
    )  # type: ignore[attr-defined]
    assert integrity_ok(db_path)
    assert count_rows(db_path, "records") == 0
    _assert_clean_failure(child, "import")
