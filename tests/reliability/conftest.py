"""Shared machinery of the reliability suite: measured subprocesses, database digests, results.

Every scenario that measures something (wall time, peak memory, counts) calls ``measure``; when
RELIABILITY_RESULTS names a file (tools/reliability_report.py sets it), the figures are appended
to it as JSON lines, keyed by the test id, and docs/reliability.md is built from them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
# Safety net for the machine running the suite, far above the 1 GB the scenarios must stay under.
CHILD_ADDRESS_SPACE = 4 * 1024**3

# Run before any scenario code in a child: limits from the environment, then the scenario.
_PRELUDE = """
import os, resource, signal, sys
_fsize = os.environ.get("RELIABILITY_FSIZE")
if _fsize:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(_fsize), int(_fsize)))
_as = int(os.environ.get("RELIABILITY_AS", "0"))
if _as:
    resource.setrlimit(resource.RLIMIT_AS, (_as, _as))
_hwm_file = os.environ.get("RELIABILITY_HWM")
if _hwm_file:
    import atexit

    def _write_hwm():
        with open("/proc/self/status") as status, open(_hwm_file, "w") as out:
            out.write(next(line for line in status if line.startswith("VmHWM")).split()[1])

    atexit.register(_write_hwm)
"""


@dataclass(frozen=True)
class ChildResult:
    returncode: int
    stdout: str
    stderr: str
    seconds: float  # wall time (other jobs on the machine stretch it)
    cpu_seconds: float  # user + system time of the child: what the child itself cost
    peak_rss_mb: float
    killed: bool  # by us: a timeout or a planned SIGKILL

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def child_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("RELIABILITY_FSIZE", None)
    env.update(
        {
            "CONSOLE_LOG_DIR": str(tmp / "logs"),
            "CONSOLE_SETTINGS_DIR": str(tmp / "settings"),
            "CONSOLE_TESTING": "1",
            "CONSOLE_PASSWORD": PASSWORD,
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
            "RELIABILITY_AS": str(CHILD_ADDRESS_SPACE),
        }
    )
    env.update(extra)
    return env


def run_child(
    code: str,
    env: dict[str, str],
    *,
    timeout: float = 60.0,
    kill_after: float | None = None,
    kill_when: Callable[[], bool] | None = None,
) -> ChildResult:
    """Run Python ``code`` in a child; returns its exit, output, wall time and peak RSS.

    kill_after: SIGKILL the child that many seconds after it started (a crash at a random point).
    kill_when: SIGKILL it as soon as this returns True (polled every 2 ms).
    """
    out_path = Path(env["CONSOLE_LOG_DIR"]).parent / f".child-{os.getpid()}-{time.monotonic_ns()}"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**env, "RELIABILITY_HWM": f"{out_path}.hwm"}
    with open(f"{out_path}.out", "wb") as out, open(f"{out_path}.err", "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", _PRELUDE + code], stdout=out, stderr=err, env=env, cwd=ROOT
        )
        killed = threading.Event()
        finished = threading.Event()

        def killer() -> None:
            deadline = start + (kill_after if kill_after is not None else timeout)
            while not finished.is_set():
                now = time.monotonic()
                if now >= deadline or (kill_when is not None and kill_when()):
                    killed.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(proc.pid, signal.SIGKILL)
                    return
                finished.wait(0.002 if kill_when is not None else min(0.05, deadline - now))

        watcher = threading.Thread(target=killer, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - start
        finished.set()
        watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = Path(f"{out_path}.out").read_text("utf-8", errors="replace")
    stderr = Path(f"{out_path}.err").read_text("utf-8", errors="replace")
    # The child's own high-water mark: ru_maxrss can also count the parent's pages between
    # fork and exec. A child killed with SIGKILL writes none, and ru_maxrss is all there is.
    hwm = Path(f"{out_path}.hwm")
    peak_kb = int(hwm.read_text() or 0) if hwm.exists() else usage.ru_maxrss
    for suffix in (".out", ".err", ".hwm"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    cpu = usage.ru_utime + usage.ru_stime
    return ChildResult(
        proc.returncode, stdout, stderr, seconds, cpu, peak_kb / 1024, killed.is_set()
    )


def cli_code(*argv: str) -> str:
    """Child code that runs `privacy-console ARGV...` and exits with its status."""
    return f"import sys\nfrom console.cli import main\nsys.exit(main({list(argv)!r}))\n"


def sqlite_digest(path: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """A SHA-256 of every table's rows (in rowid/primary-key order), by table name."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        digests = {}
        for name in names:
            if name in skip or name.startswith("records_fts_"):
                continue
            sha = hashlib.sha256()
            for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
                sha.update(repr(row).encode())
            digests[name] = sha.hexdigest()
        return digests
    finally:
        conn.close()


def count_rows(path: Path, table: str, where: str = "") -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        sql = f'SELECT count(*) FROM "{table}" {where}'
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def integrity_ok(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
    finally:
        conn.close()


def _write_result(entry: dict[str, Any]) -> None:
    target = os.environ.get("RELIABILITY_RESULTS")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


Measure = Callable[..., None]


@pytest.fixture
def measure(request: pytest.FixtureRequest) -> Measure:
    """measure(key=value, ...): record this test's figures for docs/reliability.md."""

    def record(**figures: Any) -> None:
        _write_result({"test": request.node.nodeid, **figures})

    return record


@contextlib.contextmanager
def tiny_disk(where: Path, size_kb: int) -> Iterator[Path]:
    """A real file system of size_kb (tmpfs) mounted at where, for a true "disk full" (ENOSPC,
    SQLITE_FULL) rather than a simulated one. Needs root; skipped, saying so, without it."""
    where.mkdir(parents=True)
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(where)]
    try:
        subprocess.run(mount, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {exc}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill_up(folder: Path, *, leave_kb: int = 0) -> None:
    """Take every free byte of folder's file system (but leave_kb) with a filler file."""
    filler = folder / ".filler"
    block = b"\0" * 4096
    with open(filler, "ab", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError:
            pass
    if leave_kb:
        with open(filler, "r+b") as out:
            out.truncate(max(0, filler.stat().st_size - leave_kb * 1024))
