"""Opening a database: engine set-up per dialect, migrations on open, sessions for one action each."""

from __future__ import annotations

import logging
import re
import sqlite3
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from console.errors import ConsoleError, PermissionDenied
from console.store import backup, integrity, migrate, team
from console.store.team import TeamInfo

log = logging.getLogger("db")

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_WAL_LIMIT_BYTES = 64 * 1024 * 1024


class DatabaseError(ConsoleError):
    """The database cannot be opened or used (bad URL, unreachable, damaged, too new)."""


class SignInRefused(DatabaseError):
    """The PostgreSQL server refused the role or its password (team mode: the sign-in failed)."""


# What libpq says when the server refuses who is connecting (it gives no SQLSTATE for these).
_REFUSED_SIGN_IN = re.compile(
    r"password authentication failed|no password supplied|role \".*\" does not exist|"
    r"is not permitted to log in|SCRAM authentication|password is expired",
    re.IGNORECASE,
)


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
        # Every session carries whether the database runs in team mode (console.store.team):
        # the audit trail is then appended to by the server, not by the desk.
        self._session_info: dict[str, Any] = {"team": False}
        self.team: TeamInfo | None = None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info=self._session_info)
        self._write_engine = (
            self.engine.execution_options(sqlite_immediate=True)
            if self.dialect == "sqlite"
            else self.engine
        )
        self._write_sessions = sessionmaker(
            self._write_engine, expire_on_commit=False, info=self._session_info
        )
        self.open_report = OpenReport(None, None)

    def set_team(self, info: TeamInfo | None) -> None:
        self.team = info
        self._session_info["team"] = info is not None

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
        except ProgrammingError as exc:
            _refused_by_server(exc)
            raise
        except ValueError as exc:
            _damaged_value(exc)
            raise
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
        except ProgrammingError as exc:
            _refused_by_server(exc)
            raise
        except ValueError as exc:
            _damaged_value(exc)
            raise
        finally:
            session.rollback()
            session.close()

    def password_works(self, user: str, password: str) -> bool:
        """PostgreSQL: whether the server accepts this role's password (a connection of its own).

        Team mode asks the server, which alone knows the passwords; a server that trusts the
        connection without a password (trust, peer) accepts any.
        """
        from sqlalchemy.pool import NullPool

        url = self.url.set(username=user, password=password)
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect():
                return True
        except OperationalError:
            return False
        finally:
            engine.dispose()

    def dispose(self) -> None:
        self.engine.dispose()


def _refused_by_server(exc: ProgrammingError) -> None:
    """Team mode: the server refused a statement to this desk's role (SQLSTATE 42501)."""
    if getattr(exc.orig, "sqlstate", None) == "42501":
        raise PermissionDenied(
            "The database server refused this to your database role: nothing was changed. "
            "Ask an administrator if your role should allow it."
        ) from None


def _damaged_value(exc: ValueError) -> None:
    """A stored value the driver cannot parse (a damaged byte in a SQLite date) is damage to
    report, not a crash: SQLAlchemy's result processors raise ValueError for it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and "sqlalchemy" in frames[-1].filename and "processors" in frames[-1].filename:
        raise DatabaseError(
            "A value stored in the database is damaged and cannot be read; nothing was "
            "changed. Restore your latest backup (see the admin guide, 'Integrity messages')."
        ) from None


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
        if _REFUSED_SIGN_IN.search(str(exc.orig)):
            raise SignInRefused(
                f"The database server refused the sign-in ({db.describe()})."
            ) from None
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
    else:
        with db.engine.connect() as conn:
            db.set_team(team.read_setup(conn))
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
