"""SQLite backups through the online backup API (a consistent copy even while others write)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def sqlite_backup(source: Path, dest: Path) -> Path:
    """Copy a live SQLite database page by page into dest (overwritten) and return dest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    src_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst_conn = sqlite3.connect(tmp)
        try:
            src_conn.backup(dst_conn)
        finally:
            dst_conn.close()
    finally:
        src_conn.close()
    tmp.replace(dest)
    return dest


def timestamped_name(stem: str, reason: str) -> str:
    return f"{stem}.{reason}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.bak"
