"""Peak memory of importing files with very long lines (target: a 1 GB single-line file refused
under 200 MB). Before, memory grew about 9x the line: a 120 MB single-line CSV took 1.1 GB.

    .venv/bin/python bench/long_lines.py

Each file is imported by the import service in a fresh child process; its peak resident memory
(VmHWM) and CPU time are printed with what the user is told. Files go to /tmp/bench-lines.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

WORK = Path("/tmp/bench-lines")
MB = 1 << 20
CHILD = """
import json, os, sys
from console.errors import ConsoleError
from console.services import accounts
from console.services.records import imports, sources
from console.store.db import open_database
db = open_database(f"sqlite:///{sys.argv[1]}")
admin = accounts.bootstrap_admin(db, "bench", "benchmark-password-1")
sources.add_source(db, admin, "CRM", "crm")
try:
    r = imports.run_import(db, admin, sys.argv[2], "CRM")
    said = r.message + " " + "; ".join(p.reason for p in r.rejected[:1])
except ConsoleError as exc:
    said = str(exc)
db.dispose()
with open("/proc/self/status") as status:
    hwm = next(line for line in status if line.startswith("VmHWM")).split()[1]
print(json.dumps({"said": said, "peak_kb": int(hwm)}))
"""


def one_line(path: Path, mb: int, start: bytes = b"", end: bytes = b"") -> Path:
    if not path.exists():
        piece = b"x" * MB
        with path.open("wb") as f:
            f.write(start)
            for _ in range(mb):
                f.write(piece)
            f.write(end)
    return path


def main() -> None:
    WORK.mkdir(exist_ok=True)
    files = [
        (
            "CSV, one 120 MB data row between two good rows",
            one_line(
                WORK / "row-120mb.csv", 120, b"email,name\na@x.org,A\nb@x.org,", b"\nc@x.org,C\n"
            ),
        ),
        ("CSV, 1 GB on a single line", one_line(WORK / "line-1gb.csv", 1024)),
        (
            "JSON lines, 1 GB on a single line",
            one_line(WORK / "line-1gb.jsonl", 1024, b'{"name": "'),
        ),
    ]
    for what, path in files:
        db = WORK / "bench.db"
        for side in ("", "-wal", "-shm"):
            Path(f"{db}{side}").unlink(missing_ok=True)
        env = {**os.environ, "CONSOLE_LOG_DIR": str(WORK / "logs"), "CONSOLE_CONFIG": ""}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(db), str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        out = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{what} ({path.stat().st_size / MB:,.0f} MB): peak {out['peak_kb'] / 1024:.0f} MB, "
            f"CPU {cpu:.1f} s, wall {wall:.1f} s\n    “{out['said'].strip()}”"
        )


if __name__ == "__main__":
    main()
