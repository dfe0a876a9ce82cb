"""Start-up times of the real `privacy-console` entry, each in a fresh child process (offscreen):

- sign-in window: process start to an interactive sign-in window (target under 0.8 s);
- main window: sign-in accepted to the main window shown and processing events (under 0.5 s);
- first --demo: process start to the progress window, and to the sign-in window once the demo
  is loaded into a new database.

Usage: python bench/startup.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSWORD = "benchmark-password-1"


def _run(env: dict[str, str], *args: str, probe: str) -> tuple[float, dict[str, float]]:
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "console", *args],
        check=True,
        text=True,
        capture_output=True,
        env={**env, "CONSOLE_STARTUP_PROBE": probe},
    )
    marks = {}
    for line in done.stdout.splitlines():
        label, _, when = line.partition(" ")
        if label in ("login", "signed_in", "main", "progress"):
            marks[label] = float(when)
    return start, marks


def _say(name: str, times: list[float]) -> str:
    return (
        f"{name:38} median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f}, max {max(times):.3f} ({len(times)} runs)"
    )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "data").mkdir()
        (folder / "home").mkdir()
        env = {
            **os.environ,
            "CONSOLE_DB_URL": f"sqlite:///{folder / 'data' / 'bench.db'}",
            "CONSOLE_PASSWORD": PASSWORD,
            "QT_QPA_PLATFORM": "offscreen",
            "CONSOLE_LOG_DIR": str(folder / "home"),
            "CONSOLE_SETTINGS_DIR": str(folder / "home"),
        }
        subprocess.run(
            [sys.executable, "-m", "console", "init", "--admin", "bench"],
            env=env,
            check=True,
            capture_output=True,
        )
        login, main_after = [], []
        for i in range(runs + 1):
            start, marks = _run(env, probe="login")
            if i:  # the first run warms the OS file cache
                login.append(marks["login"] - start)
        for i in range(runs + 1):
            _start, marks = _run(env, "--user", "bench", probe="main")
            if i:
                main_after.append(marks["main"] - marks["signed_in"])
        progress, demo_ready = [], []
        for i in range(max(3, runs // 2)):
            demo_env = {**env, "CONSOLE_DB_URL": f"sqlite:///{folder / f'demo{i}' / 'demo.db'}"}
            (folder / f"demo{i}").mkdir()
            start, marks = _run(demo_env, "--demo", probe="login")
            progress.append(marks["progress"] - start)
            demo_ready.append(marks["login"] - start)
    print(_say("sign-in window shown", login))
    print(_say("main window shown after sign-in", main_after))
    print(_say("first --demo: progress window shown", progress))
    print(_say("first --demo: demo loaded, sign-in shown", demo_ready))


if __name__ == "__main__":
    main()
