"""Crashes: a child importing a big file, or exporting a big report, is SIGKILLed at seeded
random points. After each kill the database is intact and holds nothing half-done, and no
half-written report ever sits under its final name.
"""

from __future__ import annotations

import json
import random
import shutil
import zipfile
from pathlib import Path

import pytest

from console.services import accounts
from console.services.records import sources
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
)

KILLS = 6
IMPORT_ROWS = 15_000
AUDIT_EVENTS = 8_000

IMPORT_CHILD = """
import json, os
from console.services import accounts
from console.services.records import imports
from console.store.db import open_database
db = open_database(os.environ["R_URL"])
actor = accounts.authenticate(db, "admin", os.environ["CONSOLE_PASSWORD"])
r = imports.run_import(db, actor, os.environ["R_FILE"], "CRM")
print(json.dumps({"status": r.status, "imported": r.rows_imported, "message": r.message}))
db.dispose()
"""

BATCHES_CHILD = """
import json, os
from console.services import accounts
from console.services.records import batches
from console.store.db import open_database
db = open_database(os.environ["R_URL"])
actor = accounts.authenticate(db, "admin", os.environ["CONSOLE_PASSWORD"])
print(json.dumps([b.status for b in batches.list_batches(db, actor)]))
db.dispose()
"""


def _new_db(path: Path) -> Path:
    db = open_database(f"sqlite:///{path}")
    try:
        admin = accounts.bootstrap_admin(db, "admin", PASSWORD)
        sources.add_source(db, admin, "CRM", "crm")
    finally:
        db.dispose()
    return path


@pytest.mark.slow
def test_killed_import_leaves_no_rows_and_a_rerun_completes(
    tmp_path: Path, measure: Measure
) -> None:
    data = fill.people_csv(tmp_path / "customers.csv", IMPORT_ROWS)
    template = _new_db(tmp_path / "template.db")
    # Calibrate: how long a whole import takes here, so the kills spread over all of it.
    calib = tmp_path / "calib.db"
    shutil.copy(template, calib)
    env = child_env(tmp_path, R_URL=f"sqlite:///{calib}", R_FILE=str(data))
    full = run_child(IMPORT_CHILD, env, timeout=180)
    assert full.returncode == 0, full.stderr[-2000:]
    assert json.loads(full.stdout)["imported"] == IMPORT_ROWS

    db_path = tmp_path / "console.db"
    shutil.copy(template, db_path)
    env = child_env(tmp_path, R_URL=f"sqlite:///{db_path}", R_FILE=str(data))
    rng = random.Random(20260101)
    points = sorted(round(rng.uniform(0.15, 0.98) * full.seconds, 2) for _ in range(KILLS))
    outcomes = []
    for at in points:
        child = run_child(IMPORT_CHILD, env, kill_after=at, timeout=180)
        assert integrity_ok(db_path), f"integrity_check failed after a kill at {at} s"
        kept = count_rows(db_path, "records")
        # All or nothing: a kill after the commit (or no kill at all) leaves the whole file.
        assert kept in (0, IMPORT_ROWS), f"{kept} rows of a killed import kept (kill at {at} s)"
        whole = kept == IMPORT_ROWS
        outcomes.append({"kill_at_s": at, "finished_first": whole})
        if whole:
            break
    # And one kill the moment the batch row is visible, so at least one lands mid-import
    # however slow the machine is today.
    before_batches = count_rows(db_path, "import_batches")
    if count_rows(db_path, "records") == 0:
        child = run_child(
            IMPORT_CHILD,
            env,
            timeout=180,
            kill_when=lambda: count_rows(db_path, "import_batches") > before_batches,
        )
        assert child.killed and integrity_ok(db_path)
        assert count_rows(db_path, "records") == 0
        outcomes.append({"kill_at_s": "batch row written", "finished_first": False})
    statuses = json.loads(run_child(BATCHES_CHILD, env).stdout)
    killed = sum(1 for o in outcomes if not o["finished_first"])
    # A kill before the batch row was written leaves no batch at all; every other one shows.
    assert statuses.count("interrupted") <= killed and set(statuses) <= {"interrupted", "completed"}
    assert statuses.count("interrupted") >= 1
    rerun = run_child(IMPORT_CHILD, env, timeout=180)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    result = json.loads(rerun.stdout)
    assert result["status"] == "completed"
    assert count_rows(db_path, "records") == IMPORT_ROWS
    assert integrity_ok(db_path)
    measure(
        scenario="crash during import",
        rows=IMPORT_ROWS,
        kills=killed,
        kill_points_s=points,
        full_import_s=round(full.seconds, 2),
        interrupted_batches_shown=statuses.count("interrupted"),
        rows_left_by_killed_imports=0,
        rerun_imported=result["imported"],
    )


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_killed_report_export_never_leaves_a_partial_file_under_its_name(
    fmt: str, tmp_path: Path, measure: Measure
) -> None:
    db_path = _new_db(tmp_path / "console.db")
    events = AUDIT_EVENTS if fmt == "xlsx" else AUDIT_EVENTS // 4
    fill.add_audit_events(db_path, events)
    out = tmp_path / "out" / f"trail.{fmt}"
    out.parent.mkdir()
    env = child_env(tmp_path)
    code = cli_code(
        "--db",
        f"sqlite:///{db_path}",
        "--user",
        "admin",
        "report",
        "audit-trail",
        "--format",
        fmt,
        "--out",
        str(out),
    )
    full = run_child(code, env, timeout=240)
    assert full.returncode == 0, full.stderr[-2000:]
    _assert_complete(out, fmt)
    for p in out.parent.iterdir():
        p.unlink()

    rng = random.Random(4242)
    points = sorted(round(rng.uniform(0.1, 1.0) * full.seconds, 2) for _ in range(KILLS))
    seen = {"absent": 0, "complete": 0}
    for at in points:
        child = run_child(code, env, kill_after=at, timeout=240)
        if out.exists():
            _assert_complete(out, fmt)  # a file under the final name is always the whole file
            seen["complete"] += 1
        else:
            seen["absent"] += 1
        assert integrity_ok(db_path)
        leftovers = [p.name for p in out.parent.iterdir() if p.name.endswith(".part")]
        for p in out.parent.iterdir():
            p.unlink()
        seen.setdefault("temp_files_left", 0)
        seen["temp_files_left"] += len(leftovers)
        del child
    measure(
        scenario=f"crash during {fmt} export",
        audit_events=events,
        kills=KILLS,
        kill_points_s=points,
        full_export_s=round(full.seconds, 2),
        **seen,
    )
    assert seen["absent"] + seen["complete"] == KILLS


def _assert_complete(path: Path, fmt: str) -> None:
    data = path.read_bytes()
    if fmt == "pdf":
        assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], "a truncated PDF"
    else:
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None, "a damaged XLSX"
    manifest = path.with_name(path.name + ".manifest.json")
    if manifest.exists():
        from console.reports import verify_file

        assert verify_file(path).ok
