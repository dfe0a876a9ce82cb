"""Benchmark: the Requests page and the Dashboard at 100,000 requests (target: under 300 ms each).

Measures the service calls plus model/page population offscreen, as the window does on open:
  .venv/bin/python bench/requests.py [--count 100000] [--db URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from console.domain import deadlines
from console.services import accounts
from console.services.requests import metrics as m
from console.services.requests.model import CHANNELS, LAWS, OPEN_STATUSES, REQUEST_TYPES
from console.store.db import open_database
from console.store.requests_models import DsrRequest

STATUSES = [*OPEN_STATUSES, "completed", "completed", "completed", "denied", "withdrawn"]


def fill(db, count: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    laws, types, channels = list(LAWS), list(REQUEST_TYPES), list(CHANNELS)
    due_cache: dict[tuple[str, str, dt.date], dt.date] = {}
    batch = []
    with db.transaction() as s:
        for i in range(count):
            law, rtype = laws[i % len(laws)], types[rng.randrange(len(types))]
            received = today - dt.timedelta(days=rng.randint(0, 730))
            key = (law, rtype, received)
            if key not in due_cache:
                state = deadlines.compute(law, rtype, deadlines.Ledger().start(received))
                due_cache[key] = state.due_date
            status = rng.choice(STATUSES)
            batch.append(
                {
                    "request_type": rtype,
                    "law": law,
                    "country": None,
                    "channel": rng.choice(channels),
                    "status": status,
                    "requester_name": "",
                    "requester_address": "",
                    "notes": "",
                    "received_on": received,
                    "due_on": due_cache[key],
                    "original_due_on": due_cache[key],
                    "acknowledge_by": None,
                    "paused_since": None,
                    "extended": False,
                    "closed_on": None if status in OPEN_STATUSES else received,
                    "outcome": None,
                    "denial_reason": None,
                    "denial_text": "",
                    "fulfilment": "{}",
                    "created_at": now,
                    "created_by": "bench",
                    "updated_at": now,
                    "updated_by": "bench",
                    "version": 1,
                }
            )
            if len(batch) == 5000:
                s.execute(insert(DsrRequest), batch)
                batch.clear()
        if batch:
            s.execute(insert(DsrRequest), batch)


def timed(fn, repeat: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs), max(runs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    db = open_database(url)
    admin = accounts.bootstrap_admin(db, "bench", "bench-password-123456")
    t0 = time.perf_counter()
    fill(db, args.count)
    print(f"filled {args.count:,} requests in {time.perf_counter() - t0:.1f} s ({db.describe()})")

    from PySide6.QtWidgets import QApplication

    from console.ui.pages.base import UiContext
    from console.ui.pages.dashboard_page import DashboardPage
    from console.ui.pages.requests_model import RequestsModel
    from console.ui.runner import Runner

    app = QApplication.instance() or QApplication([])
    ctx = UiContext(db, Runner(), admin)
    model = RequestsModel(ctx)
    page = DashboardPage(ctx)

    def open_requests_page() -> None:
        model.set_loaded(model.load())
        for row in range(min(40, model.rowCount())):  # one screenful
            for col in range(model.columnCount()):
                model.data(model.index(row, col))

    def open_filtered() -> None:
        model.filter = m.RequestFilter(open_only=True, laws=("gdpr",))
        open_requests_page()
        model.filter = m.RequestFilter()

    def open_dashboard() -> None:
        page.show_data(m.dashboard(db, admin))
        app.processEvents()

    results = {
        "Requests page (all, by due date)": timed(open_requests_page),
        "Requests page (open GDPR only)": timed(open_filtered),
        "Requests page re-sort (received, desc)": timed(
            lambda: model.sort(4, __import__("PySide6.QtCore").QtCore.Qt.SortOrder.DescendingOrder)
        ),
        "Dashboard": timed(open_dashboard),
    }
    for name, (median, worst) in results.items():
        flag = "ok" if median < 300 else "SLOW"
        print(f"{name:42} median {median:7.1f} ms   worst {worst:7.1f} ms   {flag}")
    db.dispose()
    tmp.cleanup()
    return 0 if all(med < 300 for med, _ in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
