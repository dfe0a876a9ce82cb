"""Opening a database: engine set-up per dialect, migrations on open, sessions for one action each."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from console.errors import ConsoleError
from console.store import backup, integrity, migrate

log = logging.getLogger("db")

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_WAL_LIMIT_BYTES = 64 * 1024 * 1024


class DatabaseError(ConsoleError):
    """The database cannot be opened or used (bad URL, unreachable, damaged, too new)."""


class DatabaseBusy(DatabaseError):
    """Another connection held the SQLite write lock for longer than the busy timeout."""


BUSY_MESSAGE = (
    "The database is busy: another change is being written (a big import holds it until it "
    "finishes). Nothing was changed; try again when it is done."
)


@dataclass(frozen=True)
class OpenReport:
    upgraded_from: tuple[str, ...] | None
    backup_path: Path | None
    warnings: tuple[str, ...] = ()  # shown to the user (e.g. a SQLite file on a network share)


class Database:
    """One database: an engine and a session factory. Sessions live for one user action or job."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        try:
            self.url = make_url(url)
        except ArgumentError:
            raise DatabaseError(f"Not a database URL: {url!r}.") from None
        self.dialect = self.url.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise DatabaseError(
                f"Unsupported database '{self.dialect}': use a SQLite file or PostgreSQL."
            )
        if self.dialect == "postgresql" and self.url.drivername == "postgresql":
            self.url = self.url.set(drivername="postgresql+psycopg")
        self.engine = _make_engine(
            self.url.render_as_string(hide_password=False), self.dialect, echo
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = (
            self.engine.execution_options(sqlite_immediate=True)
            if self.dialect == "sqlite"
            else self.engine
        )
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        self.open_report = OpenReport(None, None)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def describe(self) -> str:
        """Where the data lives, for the status bar and reports (never the password)."""
        if self.is_sqlite:
            return f"SQLite: {self.sqlite_path}"
        host = self.url.host or "localhost"
        port = f":{self.url.port}" if self.url.port else ""
        return f"PostgreSQL: {host}{port}/{self.url.database}"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A read-write unit of work: commits on success, rolls back on any error."""
        try:
            with self._write_sessions.begin() as session:
                yield session
        except OperationalError as exc:
            # SQLite has one writer at a time; past the busy timeout the driver says only
            # "database is locked", which reached users as an unexpected error.
            if self.dialect == "sqlite" and "database is locked" in str(exc.orig):
                raise DatabaseBusy(BUSY_MESSAGE) from None
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end; it writes nothing)."""
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str, dialect: str, echo: bool) -> Engine:
    if dialect == "sqlite":
        engine = create_engine(
            url,
            echo=echo,
            # SQL parameters are personal data (and password hashes): keep them out of error
            # messages, which reach the log file.
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
            dbapi_conn.isolation_level = None
            # A damaged byte inside a text value must not make every read of that row crash:
            # decode what is there, so verify can name the damaged event and pages still open.
            dbapi_conn.text_factory = _decode_text
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=NORMAL")
            # A big import passes through the write-ahead log (a million records: ~1.2 GB);
            # without a limit the -wal file keeps that size for as long as the app is open.
            cur.execute(f"PRAGMA journal_size_limit={SQLITE_WAL_LIMIT_BYTES}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Writers take the write lock up front, so two writers queue instead of deadlocking
            # on a lock upgrade half-way through (and the audit chain head cannot change under us).
            immediate = conn.get_execution_options().get("sqlite_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)


def _decode_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def open_database(
    url: str, *, upgrade: bool = True, backup_dir: Path | None = None, daily_backups: int = 0
) -> Database:
    """Open (creating if needed) and migrate a database; refuse one newer than this build.

    A SQLite file is quick-checked first and refused if damaged; daily_backups > 0 keeps that
    many daily backups beside it (console.store.backup.daily_backup).
    """
    db = Database(url)
    if db.sqlite_path is not None:
        db.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            integrity.check_on_open(db.sqlite_path)
        except Exception:
            db.dispose()
            raise
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        db.dispose()
        raise DatabaseError(
            f"Cannot open the database ({db.describe()}): {_first_line(exc)}"
        ) from None
    try:
        report = migrate.upgrade(db, allow_upgrade=upgrade, backup_dir=backup_dir)
    except Exception:
        db.dispose()
        raise
    if db.sqlite_path is not None:
        report = _after_sqlite_open(db.sqlite_path, report, daily_backups)
    db.open_report = report
    return db


def _after_sqlite_open(path: Path, report: OpenReport, daily_backups: int) -> OpenReport:
    warning = integrity.network_share_warning(path)
    if warning:
        log.warning("the SQLite database is on a network share")
    try:
        backup.daily_backup(path, daily_backups)
    except (OSError, sqlite3.Error) as exc:
        log.warning("daily backup failed: %s", exc)
    warnings = (*report.warnings, warning) if warning else report.warnings
    return OpenReport(report.upgraded_from, report.backup_path, warnings)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def utcnow() -> datetime:
    return datetime.now(UTC)
