"""Backups and restores of a SQLite database: consistent under writes, checked before replacing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from console.cli import main
from console.domain.auditchain import verify_chain
from console.domain.permissions import Role
from console.errors import PermissionDenied
from console.outfiles import OutputExists
from console.services import backups
from console.services.audit import record
from console.services.context import Actor
from console.store import audit_log
from console.store.backup import BackupError, DatabaseInUse, daily_backup
from console.store.db import Database, open_database
from tests.fixtures import PASSWORD


def _events(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])
    finally:
        conn.close()


def _chain_ok(path: Path) -> bool:
    db = open_database(f"sqlite:///{path}")
    try:
        with db.read() as s:
            return verify_chain(audit_log.stream(s)).ok
    finally:
        db.dispose()


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, len(data) - 4096, 4096 * 3):
        data[offset + 8 : offset + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))


def test_a_backup_under_concurrent_writes_is_consistent_and_restores(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    stop = threading.Event()
    written = []

    def writer() -> None:
        while not stop.is_set():
            with db.transaction() as s:
                written.append(record(s, admin, "test.write", "thing", len(written), {"n": 1}))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        dest = tmp_path / "during-writes.bak"
        info = backups.backup(db, admin, dest)
        while len(written) < info.events + 20:
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()
    assert _chain_ok(dest) and _events(dest) == info.events
    live = db.sqlite_path
    assert live is not None
    total_before_restore = _events(live)
    assert total_before_restore > info.events
    db.dispose()

    restored = backups.restore(f"sqlite:///{live}", dest, "admin", PASSWORD)

    assert restored.previous_kept_as is not None
    # + the sign-in and "restore requested"
    assert _events(restored.previous_kept_as) == total_before_restore + 2
    assert _events(live) == info.events + 2  # the restorer's sign-in and the restore itself
    assert _chain_ok(live)


def test_a_damaged_backup_is_refused_and_nothing_is_replaced(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    dest = backups.backup(db, admin, tmp_path / "b.bak").path
    _corrupt(dest)
    live = db.sqlite_path
    assert live is not None
    db.dispose()
    before = _events(live)
    with pytest.raises(BackupError, match=r"damaged|cannot be read"):
        backups.restore(f"sqlite:///{live}", dest, "admin", PASSWORD)
    assert _events(live) == before + 2  # only the sign-in and the request were recorded
    assert not list(live.parent.glob("*.restore-staging*"))


def test_a_backup_whose_audit_trail_was_edited_is_refused(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    dest = backups.backup(db, admin, tmp_path / "b.bak").path
    conn = sqlite3.connect(dest)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute("UPDATE audit_events SET details='{\"edited\":true}' WHERE seq=1")
    conn.commit()
    conn.close()
    live = db.sqlite_path
    assert live is not None
    db.dispose()
    with pytest.raises(BackupError, match=r"audit trail in the backup .* is broken at event 1"):
        backups.restore(f"sqlite:///{live}", dest, "admin", PASSWORD)


def test_restore_is_refused_while_the_database_is_open_elsewhere(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    dest = backups.backup(db, admin, tmp_path / "b.bak").path
    live = db.sqlite_path
    assert live is not None
    other_desk = open_database(f"sqlite:///{live}")
    try:
        with other_desk.read() as s:
            audit_log.head(s)  # the other window has used the database: its connection is pooled
        db.dispose()
        with pytest.raises(DatabaseInUse, match="open in another window"):
            backups.restore(f"sqlite:///{live}", dest, "admin", PASSWORD)
    finally:
        other_desk.dispose()
    assert not list((live.parent / "backups").glob("*before-restore*"))


def test_only_admins_back_up_and_restore(
    db: Database, admin: Actor, make_user, tmp_path: Path
) -> None:
    officer = make_user(Role.PRIVACY_OFFICER)
    with pytest.raises(PermissionDenied):
        backups.backup(db, officer, tmp_path / "no.bak")
    assert not (tmp_path / "no.bak").exists()
    dest = backups.backup(db, admin, tmp_path / "b.bak").path
    live = db.sqlite_path
    assert live is not None
    db.dispose()
    with pytest.raises(PermissionDenied):
        backups.restore(f"sqlite:///{live}", dest, officer.name, PASSWORD)


def test_a_damaged_database_can_be_restored_and_is_kept_aside(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    dest = backups.backup(db, admin, tmp_path / "b.bak").path
    live = db.sqlite_path
    assert live is not None
    db.dispose()
    _corrupt(live)
    info = backups.restore(f"sqlite:///{live}", dest, "admin", PASSWORD)
    assert info.previous_kept_as is not None and info.previous_kept_as.exists()
    assert _chain_ok(live)


def test_backups_are_audited_and_never_overwrite(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    backups.backup(db, admin, tmp_path / "b.bak")
    first = (tmp_path / "b.bak").read_bytes()
    with pytest.raises(OutputExists, match="already exists"):
        backups.backup(db, admin, tmp_path / "b.bak")
    assert (tmp_path / "b.bak").read_bytes() == first
    with db.read() as s:
        actions = [e.action for e in audit_log.stream(s)]
    assert actions.count("backup.create") == 1
    backups.backup(db, admin, tmp_path / "b.bak", force=True)  # --force replaces it
    with db.read() as s:
        assert [e.action for e in audit_log.stream(s)].count("backup.create") == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("b.", ".b."))) == [
        "b.bak"
    ]


def test_daily_backups_rotate(db: Database, admin: Actor) -> None:
    live = db.sqlite_path
    assert live is not None
    day = date(2025, 3, 1)
    for n in range(5):
        assert daily_backup(live, 3, today=day + timedelta(days=n)) is not None
    assert daily_backup(live, 3, today=day + timedelta(days=4)) is None  # once a day
    kept = sorted(p.name for p in (live.parent / "backups").glob("*.daily-*.bak"))
    assert kept == [
        "console.daily-20250303.bak",
        "console.daily-20250304.bak",
        "console.daily-20250305.bak",
    ]


def test_the_cli_backs_up_and_restores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSOLE_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)
    monkeypatch.setenv("CONSOLE_CONFIG", "")
    assert main(["init", "--admin", "ada"]) == 0
    assert main(["--user", "ada", "backup", str(tmp_path / "x.bak")]) == 0
    assert main(["--user", "ada", "restore", str(tmp_path / "x.bak"), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"previous_kept_as"' in out and "before-restore" in out
    assert main(["--user", "ada", "restore", str(tmp_path / "missing.bak")]) == 1
    assert "There is no backup file" in capsys.readouterr().err
    monkeypatch.setenv("CONSOLE_DB_URL", "postgresql+psycopg://u@127.0.0.1:1/none")
    assert main(["--user", "ada", "restore", str(tmp_path / "x.bak")]) == 1
    assert "pg_dump" in capsys.readouterr().err
