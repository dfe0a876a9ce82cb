"""Records figures: import of an N-row 8-column CSV (SQLite and PostgreSQL), lookup, subject find
and free-text search latency at N records, and what a command costs (a fresh `python -m console`
process: `dsr list` on the N-record database and on an empty one, `subject find` at N).

    .venv/bin/python bench/records.py [N] [--no-pg]     (N defaults to 1,000,000)

Generates its own data in /tmp/bench-records. PostgreSQL: CONSOLE_BENCH_PG_URL, else the test
server's URL (a throw-away schema is created and dropped).
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.importers.mapping import ColumnSpec, Mapping
from console.services import accounts
from console.services.records import imports, sources
from console.services.records import search as records
from console.store.db import open_database

N = int(next((a for a in sys.argv[1:] if a.isdigit()), 1_000_000))
WITH_PG = "--no-pg" not in sys.argv
WORK = Path("/tmp/bench-records")
PG_URL = os.environ.get("CONSOLE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIRST = [
    "Anna",
    "Jürgen",
    "Zoë",
    "Li",
    "Maria",
    "John",
    "Ana",
    "Ølaf",
    "Łukasz",
    "Αλέξανδρος",
    "محمد",
    "王小明",
    "Jurgis",
    "Sean",
    "Priya",
    "Kenji",
]
LAST = ["Smith", "Müller", "O'Brien", "Wang", "García", "Nowak", "Papadopoulos", "Haddad"]
HEADER = "Customer ID,Customer Email,Phone,Full Name,IP Address,Cookie ID,Created (UTC),Amount\n"
MAPPING = Mapping(
    {
        "Customer ID": ColumnSpec("customer_id", "account.customer_id"),
        "Customer Email": ColumnSpec("email", "contact.email"),
        "Phone": ColumnSpec("phone", "contact.phone"),
        "Full Name": ColumnSpec("name", "contact.name"),
        "IP Address": ColumnSpec("ip", "technical.ip_address"),
        "Cookie ID": ColumnSpec("cookie_id", "technical.cookie_id"),
        "Created (UTC)": ColumnSpec(None, None, "collected_at"),
        "Amount": ColumnSpec(None, "transaction.amount"),
    },
    ["Customer ID"],
)


def make_csv(n: int) -> Path:
    path = WORK / f"customers-{n}.csv"
    if path.exists():
        return path
    rnd = random.Random(1)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        for i in range(n):
            # About 1 in 5 customers reappears under a second id with the same email: links.
            person = i if i % 5 else max(0, i - 7)
            phone = (
                f"({rnd.randint(201, 989)}) {rnd.randint(200, 999)}-{rnd.randint(0, 9999):04d}"
                if i % 10
                else f"+44 20 7946 {rnd.randint(0, 9999):04d}"
            )
            f.write(
                f"C{i:07d},user{person}@example{person % 50}.com,{phone},"
                f"{rnd.choice(FIRST)} {rnd.choice(LAST)},10.{i % 256}.{(i >> 8) % 256}."
                f"{rnd.randint(1, 254)},{rnd.getrandbits(64):016x},"
                f"2024-0{1 + i % 9}-1{i % 10}T12:{i % 60:02d}:00Z,{rnd.randint(1, 99999) / 100}\n"
            )
    return path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_mb() -> float:
    """The largest child process (the import's parse worker) so far."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def import_into(url: str, path: Path) -> tuple[float, object, object]:
    db = open_database(url)
    admin = accounts.bootstrap_admin(db, "bench", PASSWORD)
    sources.add_source(db, admin, "Bench CRM", "crm")
    t = time.perf_counter()
    result = imports.run_import(db, admin, path, "Bench CRM", MAPPING)
    elapsed = time.perf_counter() - t
    assert result.status == "completed", result.message
    print(
        f"  {result.rows_imported:,} rows imported in {elapsed:.1f} s "
        f"({result.rows_imported / elapsed:,.0f} rows/s)"
    )
    return elapsed, db, admin


def sqlite_shell_reference(path: Path) -> float | None:
    shell = shutil.which("sqlite3")
    if shell is None:
        print("  sqlite3 shell not installed: no reference figure")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "ref.db"
        script = (
            f"CREATE VIRTUAL TABLE t USING fts5(a,b,c,d,e,f,g,h, "
            f"tokenize='unicode61 remove_diacritics 2');\n"
            f".mode csv\n.import --skip 1 {path} t\n"
        )
        t = time.perf_counter()
        subprocess.run([shell, str(ref)], input=script, text=True, check=True)
        return time.perf_counter() - t


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000 if len(samples) > 1 else samples[0] * 1000


def latencies(db: object, admin: object, n: int) -> None:
    rnd = random.Random(7)
    picks = [rnd.randrange(n) for _ in range(200)]
    lk, sf, ft = [], [], []
    for i in picks:
        t = time.perf_counter()
        records.lookup(db, admin, "customer_id", f" C{i:07d} ")  # type: ignore[arg-type]
        lk.append(time.perf_counter() - t)
    for i in picks[:100]:
        person = i if i % 5 else max(0, i - 7)
        t = time.perf_counter()
        records.find_subject(db, admin, [("email", f"User{person}@Example{person % 50}.com")])  # type: ignore[arg-type]
        sf.append(time.perf_counter() - t)
    words = [
        "Jurg",
        "muller",
        "zoe",
        "lukasz",
        "wang",
        "αλεξ",
        "محمد",
        "王",
        "smith ana",
        "example7",
        "o'brien",
        "garc",
    ]
    for k in range(120):
        t = time.perf_counter()
        found = records.search_ids(db, admin, words[k % len(words)], limit=100)  # type: ignore[arg-type]
        records.records_by_id(db, admin, found[:100])  # type: ignore[arg-type]
        ft.append(time.perf_counter() - t)
    print(
        f"  identifier lookup p95 {p95(lk):.1f} ms; subject find p95 {p95(sf):.1f} ms; "
        f"free-text first page (100 rows, fetched) p95 {p95(ft):.1f} ms"
    )
    window_latency(db, admin)


_KEEP: list[object] = []
WINDOW_WORDS = ["Jurg", "muller", "zoe", "lukasz", "wang", "αλεξ", "王", "smith ana", "garc"]


def window_latency(db: object, admin: object, rounds: int = 5) -> None:
    """The Records page itself: Enter in the search box until the first rows are in the table.

    Offscreen Qt, the page as the window builds it (its search runs on the runner thread with
    the page's own limit, then the table's lazy model fetches the rows it shows).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, Qt, QTimer, qInstallMessageHandler
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from console.ui.pages.base import UiContext
    from console.ui.pages.records_page import RecordsPage
    from console.ui.runner import Runner

    def quiet(_mode: object, _context: object, message: str) -> None:
        # The offscreen platform says "does not support propagateSizeHints()" on every search.
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([])
    runner = Runner()
    page = RecordsPage(UiContext(db, runner, admin))  # type: ignore[arg-type]
    page.resize(1200, 800)
    page.show()
    page.refresh()
    samples: list[float] = []
    counts: list[int] = []
    for k in range(rounds * len(WINDOW_WORDS)):
        page.search_edit.setText(WINDOW_WORDS[k % len(WINDOW_WORDS)])
        loop = QEventLoop()
        shown: list[float] = []
        done: list[int] = []

        def first_rows(
            page_no: int,
            loop: QEventLoop = loop,
            shown: list[float] = shown,
            done: list[int] = done,
        ) -> None:
            if page_no == 0 and not shown:
                shown.append(time.perf_counter())
                if done:
                    loop.quit()

        def searched(
            n: int, loop: QEventLoop = loop, shown: list[float] = shown, done: list[int] = done
        ) -> None:
            # The whole list is in too; the next search starts only then (one runner thread).
            # A short list (under one page) is complete before its rows are fetched: wait for both.
            counts.append(n)
            done.append(n)
            if n <= 0:  # nothing to show: the search itself is the answer
                shown.append(time.perf_counter())
            if shown:
                loop.quit()

        page.model.page_loaded.connect(first_rows)
        page.searched.connect(searched)
        QTimer.singleShot(30_000, loop.quit)
        t = time.perf_counter()
        QTest.keyClick(page.search_edit, Qt.Key.Key_Return)
        loop.exec()
        page.model.page_loaded.disconnect(first_rows)
        page.searched.disconnect(searched)
        assert shown, "the Records page showed nothing within 30 s"
        assert page.model.rowCount() == 0 or page.model.loaded_row(0) is not None
        samples.append(shown[0] - t)
    page.close()
    runner.wait()
    page.deleteLater()
    runner.deleteLater()
    app.processEvents()
    _KEEP.append(app)  # Qt's application object goes last, at exit
    print(
        f"  Records page, Enter to first rows shown: p95 {p95(samples):.1f} ms, "
        f"median {statistics.median(samples) * 1000:.1f} ms "
        f"({len(samples)} searches, {min(counts):,}–{max(counts):,} records found each)"
    )


PASSWORD = "correct horse battery staple"


def cli_seconds(url: str, *command: str) -> float:
    env = {**os.environ, "CONSOLE_PASSWORD": PASSWORD}
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "console", "--db", url, "--user", "bench", *command],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t


def command_costs(url: str, n: int, runs: int = 9) -> None:
    """Fresh processes, alternating between the big database and an empty one (the first run of
    each is not counted: it warms the file cache and writes the day's backup)."""
    empty_path = WORK / "empty.db"
    for p in WORK.glob("empty.db*"):
        p.unlink()
    empty = open_database(f"sqlite:///{empty_path}")
    accounts.bootstrap_admin(empty, "bench", PASSWORD)
    empty.dispose()
    empty_url = f"sqlite:///{empty_path}"
    big, small, find = [], [], []
    rnd = random.Random(11)
    for k in range(runs + 1):
        b = cli_seconds(url, "dsr", "list")
        e = cli_seconds(empty_url, "dsr", "list")
        i = rnd.randrange(n)
        person = i if i % 5 else max(0, i - 7)
        f = cli_seconds(url, "subject", "find", "--email", f"user{person}@example{person % 50}.com")
        if k:
            big.append(b)
            small.append(e)
            find.append(f)
    print(
        f"  CLI `dsr list`: {statistics.median(big):.3f} s at {n:,} records, "
        f"{statistics.median(small):.3f} s empty ({statistics.median(big) / statistics.median(small):.2f}x); "
        f"`subject find` {statistics.median(find):.3f} s (median of {runs}, worst {max(find):.3f} s)"
    )


def main() -> None:
    WORK.mkdir(exist_ok=True)
    path = make_csv(N)
    print(f"{N:,}-row, 8-column CSV ({path.stat().st_size / 1e6:.0f} MB)")
    db_path = WORK / "bench.db"
    for p in WORK.glob("bench.db*"):
        p.unlink()
    print("SQLite:")
    _, db, admin = import_into(f"sqlite:///{db_path}", path)
    print(
        f"  peak memory (max RSS) {peak_mb():.0f} MB; parse worker process {worker_peak_mb():.0f} MB"
        f"; load average {os.getloadavg()[0]:.1f}"
    )
    ref = sqlite_shell_reference(path)
    if ref is not None:
        print(f"  reference: sqlite3 shell .import into an FTS5 table: {ref:.1f} s")
    latencies(db, admin, N)
    db.dispose()  # type: ignore[attr-defined]
    command_costs(f"sqlite:///{db_path}", N)
    if WITH_PG:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema},public"})
        try:
            print("PostgreSQL (COPY):")
            _, pdb, padmin = import_into(url.render_as_string(hide_password=False), path)
            latencies(pdb, padmin, N)
            pdb.dispose()  # type: ignore[attr-defined]
        finally:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


if __name__ == "__main__":
    main()
