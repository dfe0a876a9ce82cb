"""Parse only (no database): the row-by-row parser against the columnar one (Polars), and the same
columnar work written with PyArrow, on the bench/parse.py file (N rows x 8 columns).

    .venv/bin/python bench/columnar.py [N]            # N defaults to 1,000,000
    .venv/bin/python bench/columnar.py [N] --only old|polars|pyarrow

Each parser runs in its own process: CPU time (user + system, all threads), wall time and peak
RSS are that process's. "old" is console.services.records.import_rows.produce (the import's parse worker:
normalise, JSON, search text, keys, dedupe); "polars" is parse_columnar + RecordBatches (the
same outputs); "pyarrow" is bench/columnar_pyarrow.py. A checksum of every record's search text,
values JSON, dedupe key and identifier keys shows the three computed the same thing.
"""

from __future__ import annotations

import hashlib
import resource
import subprocess
import sys
import time
from pathlib import Path

from console.importers.mapping import ColumnSpec, Mapping

ROOT = Path(__file__).resolve().parent
N = int(next((a for a in sys.argv[1:] if a.isdigit()), 1_000_000))
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
MASK = (1 << 64) - 1


class Sum:
    def __init__(self) -> None:
        self.rows = self.ids = self.keys = self.id_keys = 0
        self.text = hashlib.blake2b()

    def add(
        self, search: list[str], values: list[str], keys: list[int], id_keys: list[int]
    ) -> None:
        self.rows += len(search)
        self.ids += len(id_keys)
        self.keys = (self.keys + sum(keys)) & MASK
        self.id_keys = (self.id_keys + sum(id_keys)) & MASK
        for s, v in zip(search, values, strict=True):
            self.text.update(s.encode())
            self.text.update(v.encode())

    def __str__(self) -> str:
        return f"{self.rows} {self.ids} {self.keys:x} {self.id_keys:x} {self.text.hexdigest()[:16]}"


def run_old(path: Path, total: Sum) -> None:
    from console.services.records.import_rows import Job, produce

    for item in produce(Job(path, MAPPING, "US", 1, 1, [], chunk_rows=5000, first_id=1)):
        if item[0] == "chunk":
            total.add(
                [r[8] for r in item[1]],
                [r[6] for r in item[1]],
                [r[5] for r in item[1]],
                [i[4] for i in item[2]],
            )


def run_polars(path: Path, total: Sum) -> None:
    from console.importers.columnar import parse_columnar
    from console.importers.columnar_records import RecordBatches

    with RecordBatches(parse_columnar(path, MAPPING)) as stream:
        for batch in stream:
            r = batch.records
            total.add(
                r["search_text"].to_list(),
                r["values_json"].to_list(),
                r["dedupe_key"].to_list(),
                batch.identifiers["key"].to_list(),
            )


def run_pyarrow(path: Path, total: Sum) -> None:
    sys.path.insert(0, str(ROOT))
    from columnar_pyarrow import parse

    for (rows, found), _ in parse(path, MAPPING):
        total.add(
            rows["search_text"].to_pylist(),
            rows["values_json"].to_pylist(),
            rows["dedupe_key"].to_pylist(),
            found["key"].to_pylist(),
        )


def child(which: str, path: Path) -> None:
    total = Sum()
    started, cpu = time.perf_counter(), time.process_time()
    {"old": run_old, "polars": run_polars, "pyarrow": run_pyarrow}[which](path, total)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{which:8s} cpu {cpu:6.1f} s  wall {wall:6.1f} s  peak RSS {peak:5.0f} MB  sum {total}")


def main() -> None:
    path = Path("/tmp/bench/customers.csv")
    if not path.exists() or sum(1 for _ in path.open("rb")) != N + 1:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        subprocess.run([sys.executable, str(ROOT / "parse.py"), str(N)], check=True)
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1], path)
        return
    only = sys.argv.index("--only") + 1 if "--only" in sys.argv else len(sys.argv)
    which = sys.argv[only : only + 1] or ["old", "polars", "pyarrow"]
    for name in which:
        subprocess.run([sys.executable, __file__, str(N), "--child", name], check=True)


if __name__ == "__main__":
    main()
