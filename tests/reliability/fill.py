"""Big databases for the fault scenarios, filled fast (Core/sqlite3, not one service call a row)."""

from __future__ import annotations

import csv
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.domain.auditchain import canonical_details, event_hash


def add_audit_events(db_path: Path, count: int, *, seed: int = 1) -> int:
    """Append `count` well-formed, correctly chained events to the trail; returns the new head."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    try:
        seq, prev = conn.execute(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        start = datetime(2025, 1, 1, tzinfo=UTC)
        rows = []
        for i in range(count):
            seq += 1
            at = (start + timedelta(seconds=i * 7)).isoformat(timespec="microseconds")
            action = rng.choice(["login", "records.view", "dsr.update", "report.export"])
            details = canonical_details({"n": i, "note": f"event {i} · Łódź 王 عربي"})
            digest = event_hash(
                seq=seq,
                at=at,
                actor="admin",
                action=action,
                object_type="x",
                object_id=str(i),
                details=details,
                prev_hash=prev,
            )
            rows.append((seq, at, "admin", action, "x", str(i), details, prev, digest))
            prev = digest
        conn.executemany(
            "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, details, "
            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return seq
    finally:
        conn.close()


def people_csv(path: Path, rows: int, *, seed: int = 2) -> Path:
    rng = random.Random(seed)
    first = ["Ana", "Bo", "Łucja", "王芳", "Zoë", "Ömer", "Ifeoma", "Sean"]
    last = ["Lima", "Berg", "Żółć", "Li", "Dahl", "Öz", "Okafor", "O'Neill"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "email", "phone", "name", "ip", "amount", "created"])
        for i in range(rows):
            w.writerow(
                [
                    f"C{i:08d}",
                    f"user{i}@example.org",
                    f"+1 202 555 {i % 10000:04d}",
                    f"{rng.choice(first)} {rng.choice(last)}",
                    f"10.{i % 250}.{i % 199}.{i % 97 + 1}",
                    f"{rng.random() * 500:.2f}",
                    f"2025-03-{i % 28 + 1:02d}T10:00:00Z",
                ]
            )
    return path
