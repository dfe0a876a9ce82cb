"""`privacy-console check [--full]`: the database's integrity on demand, item by item.

What every open checks in constant time (the file's header, the schema revision, the newest
audit events), then what takes time: SQLite's quick_check (integrity_check with --full) and,
with --full, the whole audit chain. Reads only; nothing is written, not even an audit event,
so a damaged or read-only file can be checked too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from console.domain.auditchain import verify_chain
from console.errors import ConsoleError
from console.store import audit_log, integrity
from console.store.db import Database, open_database


@dataclass(frozen=True)
class Item:
    name: str
    ok: bool
    detail: str


@dataclass
class HealthReport:
    database: str
    full: bool
    items: list[Item] = field(default_factory=list)
    advice: str = ""

    @property
    def ok(self) -> bool:
        return all(i.ok for i in self.items)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.items.append(Item(name, ok, detail))
        return ok


def check_database(url: str, *, full: bool = False) -> HealthReport:
    """Every check that applies to the database at url, stopping at the first that fails."""
    probe = Database(url)
    report = HealthReport(probe.describe(), full)
    path = probe.sqlite_path
    probe.dispose()
    if path is not None:
        state = _header(report, path)
        if state == "refused":
            return report
        if state == "read-only":  # the console cannot open it; its pages can still be read
            _pages(report, path, full, read_only=True)
            return report
    try:
        db = open_database(url, upgrade=False)
    except ConsoleError as exc:
        report.add("open", False, str(exc))
        return report
    try:
        _schema_and_trail(report, db, path, full)
    except ConsoleError as exc:  # damage met while reading (Database maps it to a known error)
        report.add("read", False, str(exc))
    finally:
        db.dispose()
    return report


def _header(report: HealthReport, path: Path) -> str:
    try:
        if integrity.check_on_open(path):
            report.add("file", False, f"{path} does not exist.")
            return "refused"
    except integrity.ReadOnlyDatabase as exc:
        # Read-only is no damage: the page check still runs (it only reads).
        report.add("file", True, f"sound header; {exc}")
        return "read-only"
    except integrity.RefusedDatabase as exc:
        report.add("file", False, str(exc))
        return "refused"
    report.add("file", True, "a SQLite 3 database file with a sound header")
    return "ok"


def _pages(report: HealthReport, path: Path, full: bool, *, read_only: bool = False) -> bool:
    result = integrity.check(path, quick=not full, read_only=read_only)
    pragma = "integrity_check" if full else "quick_check"
    detail = "every page is sound" if result.ok else result.first_problem
    if not report.add(f"pages ({pragma})", result.ok, detail):
        report.advice = integrity.damaged_message(path, result)
        return False
    return True


def _schema_and_trail(report: HealthReport, db: Database, path: Path | None, full: bool) -> None:
    from console.store.schema_version import HEADS

    report.add("schema", True, f"revision {', '.join(sorted(HEADS))}, as this version expects")
    with db.read() as s:
        problem = audit_log.tail_problem(s)
    if not report.add(
        "audit trail (newest events)",
        problem is None,
        problem or f"the newest {audit_log.TAIL_EVENTS} events are intact and linked",
    ):
        report.advice = "Run `privacy-console audit verify` and keep the database as evidence."
        return
    if path is not None and not _pages(report, path, full):
        return
    if full:
        try:
            with db.read() as s:
                chain = verify_chain(audit_log.stream(s))
        except DBAPIError as exc:
            report.add("audit trail (whole chain)", False, str(exc.orig))
            return
        report.add("audit trail (whole chain)", chain.ok, chain.summary())
