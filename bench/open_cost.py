"""What opening a big database costs a command: `dsr list` (and `audit head`) on a database of
N imported records against the same command on an empty one (target: at most 1.2x).

    .venv/bin/python bench/open_cost.py [N] [RUNS]     (N 1,000,000; RUNS 9)

Each command is a fresh `python -m console` process, as a script or an admin runs it; the first
run of each database is discarded (it warms the file cache and writes the day's backup). Also
prints what PRAGMA quick_check alone takes on the big file: what every open cost before.
Generates its data in /tmp/bench-open (kept between runs: the import takes a while).
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from console.importers.mapping import ColumnSpec, Mapping
from console.services import accounts
from console.services.records import imports, sources
from console.store.db import open_database

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 9
WORK = Path("/tmp/bench-open")
PASSWORD = "benchmark-password-1"
MAPPING = Mapping(
    {
        "Customer ID": ColumnSpec("customer_id", "account.customer_id"),
        "Email": ColumnSpec("email", "contact.email"),
        "Full Name": ColumnSpec("name", "contact.name"),
        "Amount": ColumnSpec(None, "transaction.amount"),
    },
    ["Customer ID"],
)


def make_csv(n: int) -> Path:
    path = WORK / f"customers-{n}.csv"
    if not path.exists():
        rnd = random.Random(3)
        names = ["Anna Smith", "Jürgen Müller", "Zoë Martin", "Li Wang", "Ana García"]
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write("Customer ID,Email,Full Name,Amount\n")
            for i in range(n):
                f.write(
                    f"C{i:07d},user{i}@example{i % 50}.com,{rnd.choice(names)},"
                    f"{rnd.randint(1, 99999) / 100}\n"
                )
    return path


def make_db(path: Path, rows: int) -> None:
    if path.exists():
        return
    db = open_database(f"sqlite:///{path}")
    try:
        admin = accounts.bootstrap_admin(db, "bench", PASSWORD)
        sources.add_source(db, admin, "CRM", "crm")
        if rows:
            t = time.perf_counter()
            result = imports.run_import(db, admin, make_csv(rows), "CRM", MAPPING)
            assert result.status == "completed", result.message
            print(f"  imported {result.rows_imported:,} records in {time.perf_counter() - t:.0f} s")
    finally:
        db.dispose()


def run_once(path: Path, *argv: str) -> float:
    env = {
        **os.environ,
        "CONSOLE_DB_URL": f"sqlite:///{path}",
        "CONSOLE_PASSWORD": PASSWORD,
        "CONSOLE_LOG_DIR": str(WORK / "logs"),
        "CONSOLE_SETTINGS_DIR": str(WORK),
        "CONSOLE_CONFIG": "",
    }
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "console", "--user", "bench", *argv],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def timed(empty: Path, big: Path, *argv: str) -> tuple[list[float], list[float]]:
    """Runs alternate between the two databases, so other load on the machine hits both."""
    run_once(empty, *argv)
    run_once(big, *argv)
    small, large = [], []
    for _ in range(RUNS):
        small.append(run_once(empty, *argv))
        large.append(run_once(big, *argv))
    return small, large


def main() -> None:
    WORK.mkdir(exist_ok=True)
    empty, big = WORK / "empty.db", WORK / f"records-{N}.db"
    make_db(empty, 0)
    make_db(big, N)
    print(
        f"database sizes: empty {empty.stat().st_size / 2**20:.1f} MB, "
        f"{N:,} records {big.stat().st_size / 2**20:,.0f} MB"
    )
    for argv in (("dsr", "list"), ("audit", "head")):
        small_runs, large_runs = timed(empty, big, *argv)
        small, large = statistics.median(small_runs), statistics.median(large_runs)
        print(
            f"`{' '.join(argv)}` median of {RUNS}: empty {small:.3f} s, {N:,} records "
            f"{large:.3f} s: {large / small:.2f}x"
        )
    conn = sqlite3.connect(big)
    t = time.perf_counter()
    conn.execute("PRAGMA quick_check").fetchall()
    print(
        f"PRAGMA quick_check alone on the {N:,}-record file: {time.perf_counter() - t:.2f} s "
        "(what every open cost before; now the window runs it in the background)"
    )
    conn.close()


if __name__ == "__main__":
    main()
