"""Integrity on open, in constant time: an empty, foreign, damaged or read-only file is refused
(never silently used, never replaced); damage deeper in the file is refused when met and found
by `privacy-console check`; a file on a network share is flagged."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.services import accounts, audit
from console.services.context import Actor
from console.services.records import search as records
from console.store import integrity
from console.store.backup import sqlite_backup
from console.store.db import Database, open_database
from console.store.integrity import DamagedDatabase, NotADatabase
from tests.fixtures import PASSWORD

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export/privacy /mnt/team nfs4 rw,relatime 0 0
//fs01/Legal\\040Share /mnt/legal cifs rw 0 0
tmpfs /mnt/team/local tmpfs rw 0 0
"""


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, len(data) - 4096, 4096 * 2):
        data[offset + 8 : offset + 400] = b"\x5a" * 392
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged(db: Database, admin: Actor) -> Path:
    path = db.sqlite_path
    assert path is not None
    from console.services.demo import seed as demo

    demo.load(db, admin)  # enough pages that damage lands in tables, not only in free space
    sqlite_backup(path, path.parent / "backups" / "console.manual.bak")
    db.dispose()
    _damage(path)
    return path


def _open_and_use(path: Path) -> None:
    db = open_database(f"sqlite:///{path}")
    try:
        admin = accounts.authenticate(db, "admin", PASSWORD)
        audit.list_events(db, admin)
        records.search_ids(db, admin, "smith", limit=1000)
    finally:
        db.dispose()


def test_a_damaged_database_is_refused_when_met_with_a_message_offering_restore(
    damaged: Path,
) -> None:
    before = damaged.read_bytes()
    with pytest.raises(DamagedDatabase) as exc:
        _open_and_use(damaged)
    message = str(exc.value)
    assert "is damaged" in message and "privacy-console restore" in message
    assert "console.manual.bak" in message  # names the newest backup to restore
    assert damaged.read_bytes() == before  # not "repaired", not migrated, not written


def test_the_check_command_finds_the_damage_and_names_the_backup(
    damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", f"sqlite:///{damaged}", "check"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "FAILED" in out and "is damaged" in out and "console.manual.bak" in out
    assert err.startswith("privacy-console: the database check failed (") and err.count("\n") == 1


def test_the_check_command_passes_a_sound_database_and_verifies_the_whole_chain_with_full(
    db: Database, admin: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(db.url.render_as_string(hide_password=False))
    db.dispose()
    assert main(["--db", url, "check", "--full", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == [
        "file",
        "schema",
        "audit trail (newest events)",
        "pages (integrity_check)",
        "audit trail (whole chain)",
    ]


def test_a_healthy_or_new_database_passes_the_quick_check(db: Database, tmp_path: Path) -> None:
    assert db.sqlite_path is not None and integrity.check(db.sqlite_path).ok
    assert integrity.check_on_open(tmp_path / "not-yet-created.db") is True


def test_an_empty_file_is_refused_and_never_turned_into_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    path.touch()
    with pytest.raises(NotADatabase, match="empty \\(0 bytes\\)") as exc:
        open_database(f"sqlite:///{path}")
    assert "restore" in str(exc.value)
    assert path.stat().st_size == 0  # left as it is
    assert sorted(p.name for p in tmp_path.iterdir()) == ["console.db"]  # no -wal, no backups


def test_a_file_of_another_kind_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    path.write_bytes(b"%PDF-1.7\n" + b"x" * 5000)
    before = path.read_bytes()
    with pytest.raises(NotADatabase, match="not a console database \\(it is not a SQLite file\\)"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_another_programs_sqlite_database_is_refused_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotADatabase, match="another program"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    assert tables == ["bookmarks"]


def test_a_damaged_header_is_refused_on_open(db: Database) -> None:
    path = db.sqlite_path
    assert path is not None
    db.dispose()
    with path.open("r+b") as f:
        f.seek(16)
        f.write(b"\x03\x00")  # page size 768: not a power of two
    with pytest.raises(DamagedDatabase, match="file header is damaged"):
        open_database(f"sqlite:///{path}")


def test_edited_recent_audit_events_are_reported_when_the_database_opens(
    db: Database, admin: Actor
) -> None:
    path = db.sqlite_path
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    triggers = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_events'"
        )
    ]
    for name in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute(
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = (SELECT max(seq) FROM audit_events)"
    )
    conn.commit()
    conn.close()
    reopened = open_database(f"sqlite:///{path}")
    try:
        [warning] = reopened.open_report.warnings
        assert "audit trail's newest events do not verify" in warning
        assert "does not match its hash" in warning and "audit verify" in warning
    finally:
        reopened.dispose()


def test_opening_runs_no_page_check(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    url = str(db.url.render_as_string(hide_password=False))
    db.dispose()
    calls: list[object] = []
    monkeypatch.setattr(integrity, "check", lambda *a, **k: calls.append(a))
    open_database(url).dispose()
    assert calls == []  # quick_check grows with the data; it runs in the background instead


def test_network_file_systems_are_recognised() -> None:
    kind = integrity.network_share_kind
    assert kind(Path("/mnt/team/console.db"), mounts_text=MOUNTS) == "nfs4"
    assert kind(Path("/mnt/legal Share/console.db"), mounts_text=MOUNTS) is None  # not that mount
    assert kind(Path("/mnt/legal/console.db"), mounts_text=MOUNTS) == "cifs"
    assert kind(Path("/mnt/team/local/console.db"), mounts_text=MOUNTS) is None
    assert kind(Path("/home/ada/console.db"), mounts_text=MOUNTS) is None
    assert kind(Path("\\\\fs01\\privacy\\console.db")) == "network drive"


def test_a_database_on_a_share_opens_with_a_warning(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(integrity, "network_share_kind", lambda path, **_: "nfs4")
    db = open_database(sqlite_url)
    try:
        assert any(
            "network share (nfs4)" in w and "team mode" in w for w in db.open_report.warnings
        )
    finally:
        db.dispose()


@pytest.mark.gui
def test_the_window_shows_the_damage_message_instead_of_opening(
    qtbot, damaged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console import app

    shown: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app.Ask, "fatal", lambda _p, _t, text: shown.append(text))
    monkeypatch.setenv("CONSOLE_CONFIG", "")
    code = app.run_gui(argparse.Namespace(db=f"sqlite:///{damaged}", demo=False, user=None))
    assert code == 1
    assert len(shown) == 1 and "damaged" in shown[0] and "restore" in shown[0]


@pytest.mark.gui
def test_the_window_refuses_an_empty_file_and_never_offers_to_create_the_first_admin(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console import app
    from console.ui import login

    empty = tmp_path / "console.db"
    empty.touch()
    shown: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app.Ask, "fatal", lambda _p, _t, text: shown.append(text))

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("offered to create the first administrator on an empty file")

    monkeypatch.setattr(login, "FirstAdminDialog", never)
    monkeypatch.setenv("CONSOLE_CONFIG", "")
    code = app.run_gui(argparse.Namespace(db=f"sqlite:///{empty}", demo=False, user=None))
    assert code == 1
    assert len(shown) == 1 and "empty (0 bytes)" in shown[0]
    assert empty.stat().st_size == 0


@pytest.mark.pg
def test_on_postgresql_opening_and_the_check_command_read_the_newest_events(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import create_engine, text

    db = open_database(pg_url)
    accounts.bootstrap_admin(db, "admin", PASSWORD)
    db.dispose()
    assert main(["--db", pg_url, "check", "--full", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in report["checks"]] == [
        "schema",
        "audit trail (newest events)",
        "audit trail (whole chain)",
    ]
    engine = create_engine(pg_url)
    with engine.begin() as conn:  # as someone holding the owner's password could
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER ALL"))
        conn.execute(
            text(
                "UPDATE audit_events SET actor = 'mallory' "
                "WHERE seq = (SELECT max(seq) FROM audit_events)"
            )
        )
    engine.dispose()
    reopened = open_database(pg_url)
    try:
        assert any("newest events do not verify" in w for w in reopened.open_report.warnings)
    finally:
        reopened.dispose()
    assert main(["--db", pg_url, "check"]) == 1
    assert "FAILED audit trail (newest events)" in capsys.readouterr().out
