"""One background runner for database jobs: one at a time, off the GUI thread, results as signals."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from console.errors import AccountChanged, ConsoleError

_QUEUED = Qt.ConnectionType.QueuedConnection

log = logging.getLogger("ui")


class _Bridge(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(object)  # whatever the job reports: the import sends (rows, fraction)


class Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], bridge: _Bridge, with_progress: bool) -> None:
        super().__init__()
        self.fn = fn
        self.bridge = bridge
        self.with_progress = with_progress
        self.cancelled = False
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            if self.with_progress:
                result = self.fn(self.bridge.progress.emit, lambda: self.cancelled)
            else:
                result = self.fn()
        except ConsoleError as exc:
            self.bridge.failed.emit(exc)
        except Exception as exc:  # a bug: keep the traceback for the log, report it to the window
            log.error("background job failed: %s", traceback.format_exc())
            self.bridge.failed.emit(exc)
        else:
            self.bridge.done.emit(result)


class JobHandle:
    """What the caller keeps: cancel it, or connect to its signals."""

    def __init__(self, job: Job, bridge: _Bridge) -> None:
        self._job = job
        self.bridge = bridge
        self.done = bridge.done
        self.failed = bridge.failed
        self.progress = bridge.progress

    def cancel(self) -> None:
        self._job.cancelled = True


class Runner(QObject):
    """Runs jobs one after another on a single worker thread; widgets are touched only in slots."""

    busy_changed = Signal(bool)
    error = Signal(object)
    # A job was refused because the signed-in account changed (disabled, new role): the window
    # locks, and whoever signs in next gets a window for their role.
    account_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._live: set[_Bridge] = set()

    def submit(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        with_progress: bool = False,
    ) -> JobHandle:
        bridge = _Bridge()
        self._live.add(bridge)  # keep the bridge alive until its job reports
        # Queued on purpose: the job emits from the worker thread, the slots touch widgets.
        if on_done is not None:
            bridge.done.connect(on_done, _QUEUED)
        if on_error is not None:
            bridge.failed.connect(on_error, _QUEUED)
        else:
            bridge.failed.connect(self.error.emit, _QUEUED)
        bridge.failed.connect(self._check_account, _QUEUED)
        bridge.done.connect(lambda _r: self._finished(bridge), _QUEUED)
        bridge.failed.connect(lambda _e: self._finished(bridge), _QUEUED)
        job = Job(fn, bridge, with_progress)
        self.busy_changed.emit(True)
        self._pool.start(job)
        return JobHandle(job, bridge)

    def _check_account(self, exc: BaseException) -> None:
        if isinstance(exc, AccountChanged):
            self.account_changed.emit(exc)

    def _finished(self, bridge: _Bridge) -> None:
        self._live.discard(bridge)
        if not self._live:
            self.busy_changed.emit(False)

    def is_busy(self) -> bool:
        """Whether a job has not reported yet (its result may still be queued for a slot)."""
        return bool(self._live)

    def wait(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)
