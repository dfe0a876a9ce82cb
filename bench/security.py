"""What the security checks of issue 15 cost: the account re-read before every permission check,
and `report verify` walking the audit chain up to the vouching event.

Run from the repository root:  .venv/bin/python bench/security.py [--events N]
Writes its database under bench/out/ (ignored by git). Sized for a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CONSOLE_LOG_DIR", tempfile.mkdtemp(prefix="bench-logs-"))
os.environ.setdefault("CONSOLE_SETTINGS_DIR", tempfile.mkdtemp(prefix="bench-settings-"))

from console.domain.auditchain import Anchor  # noqa: E402
from console.domain.permissions import Permission, Role  # noqa: E402
from console.services import accounts, audit, policy  # noqa: E402
from console.services.context import Actor  # noqa: E402
from console.services.records import sources  # noqa: E402
from console.services.reporting import catalogue as reports  # noqa: E402
from console.store.db import open_database  # noqa: E402
from tests.reliability import fill  # noqa: E402

OUT = ROOT / "bench" / "out" / "security"
PASSWORD = "correct horse battery staple"


def _per_call(fn: object, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="audit events in the trail")
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    path = OUT / "console.db"
    db = open_database(f"sqlite:///{path}")
    signed_in = accounts.bootstrap_admin(db, "admin", PASSWORD)
    policy.ensure_default_pack(db, signed_in)
    sources.add_source(db, signed_in, "CRM", "crm")
    bare = Actor(signed_in.id, signed_in.name, Role.ADMIN)  # no re-read: the old behaviour

    calls = 2000
    check_bare = _per_call(lambda: bare.require(Permission.VIEW_SOURCES), calls)
    check_guarded = _per_call(lambda: signed_in.require(Permission.VIEW_SOURCES), calls)
    list_bare = _per_call(lambda: sources.list_sources(db, bare), 500)
    list_guarded = _per_call(lambda: sources.list_sources(db, signed_in), 500)
    print(
        f"permission check: {check_bare:.1f} µs without the account re-read, "
        f"{check_guarded:.1f} µs with it"
    )
    print(f"sources.list_sources: {list_bare:.0f} µs -> {list_guarded:.0f} µs per call")

    out = OUT / "ropa.pdf"
    reports.run_report(db, signed_in, "ropa", "pdf", out)
    db.dispose()
    start = time.perf_counter()
    fill.add_audit_events(path, args.events)
    print(f"filled {args.events:,} audit events in {time.perf_counter() - start:.1f} s")
    db = open_database(f"sqlite:///{path}")
    actor = accounts.authenticate(db, "admin", PASSWORD)
    # The export event is near the start: verifying walks only up to it.
    start = time.perf_counter()
    early = reports.verify_report(db, actor, out)
    early_s = time.perf_counter() - start
    reports.run_report(db, actor, "ropa", "pdf", out)  # now the export is the newest event
    head = audit.head(db, actor)
    start = time.perf_counter()
    late = reports.verify_report(db, actor, out)
    late_s = time.perf_counter() - start
    assert early.ok and late.ok and head is not None
    [before] = audit.events_by_seq(db, actor, [head.seq - 10])
    anchor = Anchor(before.seq, before.hash)  # written down earlier, e.g. printed on a report
    start = time.perf_counter()
    anchored = reports.verify_report(db, actor, out, anchor=anchor)
    anchored_s = time.perf_counter() - start
    assert anchored.ok
    print(f"report verify, export event at the start of the trail: {early_s:.2f} s")
    print(
        f"report verify, export event after {args.events:,} events: {late_s:.2f} s "
        f"(from an anchor 10 events before it: {anchored_s:.3f} s)"
    )
    db.dispose()


if __name__ == "__main__":
    main()
