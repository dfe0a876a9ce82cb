"""Damaged database: bytes flipped in a copy of a real database file, then opened.

Opening checks only what it can in constant time (the header, the schema, the newest events),
so structural damage (page types, cell counts, the header) must be refused on open, refused
with the DamagedDatabase message when the damaged page is met, or found by `privacy-console
check` (the quick_check the window also runs in the background): never used unnoticed. Damage
anywhere else must never surface as anything but a known error (a message), and damage to
audit events is named by audit verify.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from console.domain.permissions import Role
from console.errors import ConsoleError
from console.services import accounts, audit
from console.services.records import sources
from console.store.db import open_database
from console.store.health import check_database
from console.store.integrity import DamagedDatabase, RefusedDatabase
from tests.reliability import fill
from tests.reliability.conftest import PASSWORD, Measure

RANDOM_FLIPS = 40


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("damage") / "console.db"
    db = open_database(f"sqlite:///{path}")
    try:
        admin = accounts.bootstrap_admin(db, "admin", PASSWORD)
        for i in range(20):
            accounts.add_user(db, admin, f"user{i}", Role.AUDITOR, full_name=f"Name {i}")
        sources.add_source(db, admin, "CRM", "crm")
    finally:
        db.dispose()
    fill.add_audit_events(path, 3000)
    return path


def _page_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()


def _used_btree_pages(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return sorted(
            {
                r[0]
                for r in conn.execute(
                    "SELECT pageno FROM dbstat WHERE pagetype IN ('leaf', 'internal')"
                )
            }
            - {1}
        )
    except sqlite3.OperationalError:  # SQLite built without dbstat: every page but the first
        count = int(conn.execute("PRAGMA page_count").fetchone()[0])
        return list(range(2, count + 1))
    finally:
        conn.close()


def _flip(src: Path, dest: Path, offset: int) -> None:
    shutil.copy(src, dest)
    for side in ("-wal", "-shm"):
        Path(f"{dest}{side}").unlink(missing_ok=True)
    with dest.open("r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))


def _open_and_use(path: Path) -> str:
    """What a user sees: 'refused' on open, 'refused when used' when the damaged page is met,
    'verify' when audit verify names a broken event, 'error' for any other known error,
    'found by check' when only `privacy-console check` finds it, 'unnoticed' otherwise."""
    try:
        db = open_database(f"sqlite:///{path}")
    except RefusedDatabase:
        return "refused"
    try:
        admin = accounts.authenticate(db, "admin", PASSWORD)
        result = audit.verify(db, admin)
        accounts.list_users(db, admin)
        sources.list_sources(db, admin)
        audit.list_events(db, admin, limit=None)
        if not result.ok:
            return "verify"
    except DamagedDatabase:
        return "refused when used"
    except ConsoleError:
        return "error"
    finally:
        db.dispose()
    return "unnoticed" if check_database(f"sqlite:///{path}").ok else "found by check"


@pytest.mark.slow
def test_structural_damage_is_refused_when_met_or_found_by_the_check(
    real_db: Path, tmp_path: Path, measure: Measure
) -> None:
    size = _page_size(real_db)
    rng = random.Random(77)
    pages = rng.sample(_used_btree_pages(real_db), 8)
    # The header magic, the page size, and in used b-tree pages their type byte and first cell
    # pointer (offset 100 on page 1 is where its b-tree header starts).
    offsets = {"header magic": 0, "page size": 16, "page 1 type": 100}
    for p in pages:
        offsets[f"page {p} type"] = (p - 1) * size
        offsets[f"page {p} cell count"] = (p - 1) * size + 3
    outcomes = {}
    for what, offset in offsets.items():
        copy = tmp_path / "damaged.db"
        _flip(real_db, copy, offset)
        outcomes[what] = _open_and_use(copy)
    measure(
        scenario="damaged database (structural)",
        flips=len(offsets),
        outcomes=dict(Counter(outcomes.values())),
    )
    missed = {k: v for k, v in outcomes.items() if v == "unnoticed"}
    assert not missed, f"structural damage used unnoticed: {missed}"
    # The header is all an open reads of the file itself: damage to it is refused there.
    assert outcomes["header magic"] == outcomes["page size"] == "refused"


@pytest.mark.slow
def test_random_damage_never_crashes_and_is_reported(
    real_db: Path, tmp_path: Path, measure: Measure
) -> None:
    rng = random.Random(1312)
    file_size = real_db.stat().st_size
    outcomes: Counter[str] = Counter()
    crashes = []
    for _ in range(RANDOM_FLIPS):
        offset = rng.randrange(file_size)
        copy = tmp_path / "damaged.db"
        _flip(real_db, copy, offset)
        try:
            outcomes[_open_and_use(copy)] += 1
        except Exception as exc:  # anything but a known error reaches the user as a crash
            crashes.append(f"offset {offset}: {type(exc).__name__}: {str(exc)[:120]}")
            outcomes["crash"] += 1
    measure(
        scenario="damaged database (random bytes)",
        flips=RANDOM_FLIPS,
        outcomes=dict(outcomes),
        crashes=crashes[:5],
    )
    assert not crashes, "damage surfaced as an unexpected error:\n" + "\n".join(crashes)
