"""The page-by-page check of a SQLite database, run once the window is open, off every thread the
window uses: opening stays instant whatever the size of the data, and damage is still found.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMainWindow

from console.store import integrity
from console.ui.dialogs import Ask

log = logging.getLogger("ui")


class _Bridge(QObject):
    finished = Signal(object)  # integrity.CheckResult


class _CheckJob(QRunnable):
    def __init__(self, path: Path, bridge: _Bridge) -> None:
        super().__init__()
        self.path = path
        self.bridge = bridge

    def run(self) -> None:
        # Its own connection, reading only: under WAL it never waits for, nor blocks, a writer.
        self.bridge.finished.emit(integrity.check(self.path, quick=True))


class BackgroundCheck(QObject):
    """Runs quick_check on its own thread; says so in the status bar, or warns if damaged."""

    finished = Signal(object)

    def __init__(self, window: QMainWindow, path: Path) -> None:
        super().__init__(window)
        self.window = window
        self.path = path
        self._bridge = _Bridge(self)
        self._bridge.finished.connect(self._done)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)

    def start(self) -> None:
        self._pool.start(_CheckJob(self.path, self._bridge))

    def wait(self) -> None:
        self._pool.waitForDone()

    def _done(self, result: integrity.CheckResult) -> None:
        if result.ok:
            self.window.statusBar().showMessage("Database check passed (quick_check).", 8000)
        else:
            log.error("background quick_check failed: %s", result.first_problem)
            Ask.error(self.window, "Database check", integrity.damaged_message(self.path, result))
        self.finished.emit(result)


def start_background_check(window: QMainWindow, path: Path | None) -> BackgroundCheck | None:
    """Check a SQLite database in the background (PostgreSQL checks its own pages)."""
    if path is None:
        return None
    check = BackgroundCheck(window, path)
    check.start()
    return check
