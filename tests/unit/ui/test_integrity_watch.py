"""The page check runs in the background once the window is open: a sound database says so in
the status bar, a damaged one gets the damage message, and the window never waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.services.context import Actor
from console.store.db import Database
from console.ui.dialogs import Ask
from console.ui.integrity_watch import start_background_check
from console.ui.main_window import MainWindow
from console.ui.pages.base import UiContext
from console.ui.runner import Runner


@pytest.fixture
def window(qtbot, db: Database, admin: Actor) -> Iterator[MainWindow]:
    runner = Runner()
    win = MainWindow(UiContext(db, runner, admin), idle_minutes=0)
    qtbot.addWidget(win)
    win.show()
    yield win
    runner.wait()


def test_a_sound_database_is_checked_in_the_background_and_says_so(
    qtbot, window: MainWindow, db: Database
) -> None:
    check = start_background_check(window, db.sqlite_path)
    assert check is not None
    with qtbot.waitSignal(check.finished, timeout=20_000) as done:
        pass
    assert done.args[0].ok
    assert window.statusBar().currentMessage() == "Database check passed (quick_check)."


def test_damage_found_in_the_background_is_reported_with_the_restore_hint(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    damaged = tmp_path / "copy.db"
    source = sqlite3.connect(str(window.ctx.db.sqlite_path))
    target = sqlite3.connect(damaged)
    source.backup(target)
    source.close()
    target.execute("PRAGMA journal_mode=DELETE")
    target.close()
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(page * 2, len(data) - page, page):
        data[offset : offset + 8] = b"\xff" * 8  # every b-tree page header past the schema
    damaged.write_bytes(bytes(data))
    shown: list[str] = []
    monkeypatch.setattr(Ask, "error", staticmethod(lambda _p, _t, text: shown.append(text)))
    check = start_background_check(window, damaged)
    assert check is not None
    with qtbot.waitSignal(check.finished, timeout=20_000) as done:
        pass
    assert not done.args[0].ok
    assert len(shown) == 1 and "is damaged" in shown[0] and "privacy-console restore" in shown[0]


def test_postgresql_needs_no_background_check(window: MainWindow) -> None:
    assert start_background_check(window, None) is None
