"""Private files: the data folder is 0700; the database, its WAL, backups, the log and every
export are 0600, whatever umask the user's session has."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from console.filemodes import private_umask
from console.services import accounts, backups
from console.services.reporting import catalogue as reports
from console.store.backup import daily_backup
from console.store.db import open_database
from tests.fixtures import PASSWORD

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(home: Path, *argv: str) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CONSOLE_DB_URL", "CONSOLE_LOG_DIR", "XDG_DATA_HOME", "XDG_STATE_HOME")
    }
    env.update(
        HOME=str(home),
        CONSOLE_PASSWORD=PASSWORD,
        CONSOLE_CONFIG="",
        CONSOLE_SETTINGS_DIR=str(home / "settings"),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-m", "console", *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert done.returncode == 0, done.stderr


def test_everything_a_real_session_leaves_on_disk_is_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    _run(home, "init", "--admin", "ada")
    _run(
        home,
        "--user",
        "ada",
        "report",
        "audit-trail",
        "--format",
        "pdf",
        "--out",
        str(out / "trail.pdf"),
    )
    _run(home, "--user", "ada", "backup", str(out / "console.bak"))
    data = home / ".local" / "share" / "PrivacyOpsConsole"
    logs = home / ".local" / "state" / "PrivacyOpsConsole" / "log"
    assert _mode(data) == 0o700
    assert _mode(logs) == 0o700
    assert _mode(data / "backups") == 0o700
    files = [
        data / "console.db",
        logs / "console.log",
        out / "trail.pdf",
        out / "trail.pdf.manifest.json",
        out / "console.bak",
        *(data / "backups").iterdir(),
    ]
    files += [
        p for p in (Path(f"{data / 'console.db'}{s}") for s in ("-wal", "-shm")) if p.exists()
    ]
    assert len(files) >= 6
    loose = {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in files if _mode(p) != 0o600}
    assert not loose, f"readable by others: {loose}"


def test_a_database_an_older_version_left_readable_is_made_private_on_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "console.db"
    db = open_database(f"sqlite:///{path}")
    accounts.bootstrap_admin(db, "admin", PASSWORD)
    db.dispose()
    path.chmod(0o644)
    db = open_database(f"sqlite:///{path}")
    try:
        assert _mode(path) == 0o600
        assert _mode(Path(f"{path}-wal")) == 0o600
    finally:
        db.dispose()


def test_backups_and_their_folder_are_private_even_with_a_permissive_umask(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "data" / "console.db"
        db = open_database(f"sqlite:///{path}")
        admin = accounts.bootstrap_admin(db, "admin", PASSWORD)
        made = daily_backup(path, 3)
        backups.backup(db, admin, tmp_path / "mine.bak")
        result = reports.run_report(db, admin, "audit-trail", "xlsx", tmp_path / "t.xlsx")
        db.dispose()
    finally:
        os.umask(old)
    assert made is not None
    assert _mode(path.parent) == 0o700  # the console made this folder
    assert _mode(path) == 0o600 and _mode(made) == 0o600 and _mode(made.parent) == 0o700
    assert _mode(tmp_path / "mine.bak") == 0o600
    assert _mode(result.path) == 0o600 and _mode(result.manifest_path) == 0o600


def test_the_umask_is_private_while_a_command_runs_and_restored_after() -> None:
    old = os.umask(0o022)
    try:
        with private_umask():
            inside = os.umask(0o077)
        after = os.umask(0o022)
    finally:
        os.umask(old)
    assert inside == 0o077 and after == 0o022
