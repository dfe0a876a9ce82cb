"""Time from process start to an interactive login window (target: under 1.5 s on 2 cores).

Runs the real `privacy-console` entry in a child process on a fresh SQLite database with one
account; the child reports when the login dialog is shown and has processed its first events.
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


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = {
            **os.environ,
            "CONSOLE_DB_URL": url,
            "CONSOLE_PASSWORD": PASSWORD,
            "QT_QPA_PLATFORM": "offscreen",
            "CONSOLE_LOG_DIR": tmp,
            "CONSOLE_SETTINGS_DIR": tmp,
        }
        subprocess.run(
            [sys.executable, "-m", "console", "init", "--admin", "bench"],
            env=env,
            check=True,
            capture_output=True,
        )
        times = []
        for _ in range(runs + 1):
            start = time.time()
            done = subprocess.run(
                [sys.executable, "-m", "console"],
                check=True,
                text=True,
                capture_output=True,
                env={**env, "CONSOLE_STARTUP_PROBE": "1"},
            )
            ready_at = float(done.stdout.strip().splitlines()[-1])
            times.append(ready_at - start)
        times = times[1:]  # the first run warms the OS file cache
    print(
        f"startup to interactive login window over {runs} runs (s): "
        f"median {statistics.median(times):.3f}, min {min(times):.3f}, max {max(times):.3f}"
    )


if __name__ == "__main__":
    main()
