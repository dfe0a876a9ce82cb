"""A damaged SQLite file is refused (never silently used) and a file on a network share is flagged."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from console.services.context import Actor
from console.store import integrity
from console.store.db import Database, open_database
from console.store.integrity import DamagedDatabase

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
    from console.services import backups

    backups.backup(db, admin, path.parent / "backups" / "console.manual.bak")
    db.dispose()
    _damage(path)
    return path


def test_a_damaged_database_is_refused_with_a_message_offering_restore(damaged: Path) -> None:
    before = damaged.read_bytes()
    with pytest.raises(DamagedDatabase) as exc:
        open_database(f"sqlite:///{damaged}")
    message = str(exc.value)
    assert "is damaged" in message and "privacy-console restore" in message
    assert "console.manual.bak" in message  # names the newest backup to restore
    assert damaged.read_bytes() == before  # not used, not "repaired", not migrated


def test_a_healthy_or_new_database_passes_the_quick_check(db: Database, tmp_path: Path) -> None:
    assert db.sqlite_path is not None and integrity.check(db.sqlite_path).ok
    integrity.check_on_open(tmp_path / "not-yet-created.db")


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
    monkeypatch.setattr(app.QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    monkeypatch.setenv("CONSOLE_CONFIG", "")
    code = app.run_gui(argparse.Namespace(db=f"sqlite:///{damaged}", demo=False, user=None))
    assert code == 1
    assert len(shown) == 1 and "damaged" in shown[0] and "restore" in shown[0]
