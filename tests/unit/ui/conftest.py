"""Shared by the window tests: a database filled with the demo data once per module, and the
main window signed in as its admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.services import accounts
from console.services.demo import seed as demo
from console.store.db import Database, open_database
from console.ui.main_window import MainWindow
from console.ui.pages.base import UiContext
from console.ui.runner import Runner


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    folder = tmp_path_factory.mktemp("demo")
    database = open_database(f"sqlite:///{folder / 'console.db'}")
    demo.load(database, None)
    yield database
    database.dispose()


@pytest.fixture
def demo_window(qtbot, demo_db: Database) -> Iterator[MainWindow]:
    admin = accounts.authenticate(demo_db, "admin", demo.DEMO_PASSWORD)
    runner = Runner()
    win = MainWindow(UiContext(demo_db, runner, admin))
    qtbot.addWidget(win)
    win.show()
    yield win
    runner.wait()


def settle(qtbot, win: MainWindow) -> None:
    # A job leaves the busy set only after its result reached its slot (queued in that order).
    qtbot.waitUntil(lambda: not win.ctx.runner.is_busy(), timeout=20_000)
