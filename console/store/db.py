"""Opening a database: engine set-up per dialect, migrations on open, sessions for one action each."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from console import outfiles
from console.errors import ConsoleError, DiskFull, PermissionDenied, is_disk_full
from console.filemodes import create_private_file, make_private_dir, private_file
from console.store import audit_log, backup, integrity, migrate, team
from console.store.migrate import OpenReport
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
        self._protected: Path | None = None

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
        except (DBAPIError, UnicodeDecodeError, ValueError) as exc:
            known = self.known_error(exc)
            if known is not None:
                raise known from None
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end; it writes nothing)."""
        session = self._sessions()
        try:
            yield session
        except (DBAPIError, UnicodeDecodeError, ValueError) as exc:
            known = self.known_error(exc)
            if known is not None:
                raise known from None
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

    def known_error(self, exc: Exception) -> ConsoleError | None:
        """What a driver error means to the user, when it is the environment's doing."""
        if not isinstance(exc, DBAPIError):
            # UnicodeDecodeError: SQLite quoted damaged bytes of the schema in its message,
            # which then failed to decode. ValueError: a stored date no longer reads as one.
            damaged = self.is_sqlite and (
                isinstance(exc, UnicodeDecodeError)
                or str(exc).startswith("Invalid isoformat string")
            )
            if not damaged:
                if isinstance(exc, ValueError) and _is_damaged_value(exc):
                    return DatabaseError(DAMAGED_VALUE_MESSAGE)
                return None
            exc_text = (
                "malformed database schema (a name in it is not valid text)"
                if isinstance(exc, UnicodeDecodeError)
                else "a stored date is not a date"
            )
            log.error("database damage found while in use: %s", exc_text)
            result = integrity.CheckResult(False, (exc_text,))
            return integrity.DamagedDatabase(
                integrity.damaged_message(self.sqlite_path or Path("(memory)"), result)
            )
        if isinstance(exc, ProgrammingError) and getattr(exc.orig, "sqlstate", None) == "42501":
            # Team mode: the server refused a statement to this desk's role.
            return PermissionDenied(REFUSED_BY_SERVER_MESSAGE)
        text = str(exc.orig)
        where = (
            str(self.sqlite_path)
            if self.sqlite_path
            else (f"the PostgreSQL server's data ({self.describe()}; ask its administrator)")
        )
        if is_disk_full(exc):
            return DiskFull(where)
        if self.dialect != "sqlite":
            return None
        path = self.sqlite_path or Path("(memory)")
        if "disk I/O error" in text and _no_space_left(path):
            # A full disk met while SQLite maps its -shm index: it says only "disk I/O error".
            return DiskFull(where)
        if "database is locked" in text:
            # SQLite has one writer at a time; past the busy timeout the driver says only
            # "database is locked", which reached users as an unexpected error.
            return DatabaseBusy(BUSY_MESSAGE)
        if "readonly database" in text or "read-only" in text:
            return integrity.ReadOnlyDatabase(
                integrity.read_only_message(path, "it cannot be written now")
            )
        if "malformed" in text or "file is not a database" in text:
            log.error("database damage found while in use: %s", text)
            result = integrity.CheckResult(False, (text,))
            return integrity.DamagedDatabase(integrity.damaged_message(path, result))
        return None

    def dispose(self) -> None:
        self.engine.dispose()
        if self._protected is not None:
            outfiles.release_database(self._protected)
            self._protected = None


REFUSED_BY_SERVER_MESSAGE = (
    "The database server refused this to your database role: nothing was changed. "
    "Ask an administrator if your role should allow it."
)
DAMAGED_VALUE_MESSAGE = (
    "A value stored in the database is damaged and cannot be read; nothing was "
    "changed. Restore your latest backup (see the admin guide, 'Integrity messages')."
)


def _is_damaged_value(exc: ValueError) -> bool:
    """A stored value the driver cannot parse (a damaged byte in a SQLite date) is damage to
    report, not a crash: SQLAlchemy's result processors raise ValueError for it."""
    frames = traceback.extract_tb(exc.__traceback__)
    return (
        bool(frames)
        and "sqlalchemy" in frames[-1].filename
        and ("processors" in frames[-1].filename)
    )


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

    Every open costs the same whatever the size of the data: a SQLite file's header is checked
    (an empty, foreign, damaged-header or read-only file is refused and never replaced), then
    the schema revision, then the newest audit events' hashes and links. The page-by-page
    quick_check is not run here (see console.store.integrity.check). daily_backups > 0 keeps
    that many daily backups beside the file (console.store.backup.daily_backup).
    """
    db = Database(url)
    try:
        return _open(db, upgrade=upgrade, backup_dir=backup_dir, daily_backups=daily_backups)
    except BaseException:
        db.dispose()
        raise


def _open(db: Database, *, upgrade: bool, backup_dir: Path | None, daily_backups: int) -> Database:
    path = db.sqlite_path
    if path is not None:
        if not path.parent.exists():
            make_private_dir(path.parent)
        if integrity.check_on_open(path):
            create_private_file(path)  # 0600 from the start; SQLite gives -wal and -shm its mode
        for own in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            private_file(own)  # files an older version left readable by everyone
        outfiles.protect_database(path)
        db._protected = path
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except (DBAPIError, UnicodeDecodeError) as exc:
        if isinstance(exc, OperationalError) and _REFUSED_SIGN_IN.search(str(exc.orig)):
            raise SignInRefused(
                f"The database server refused the sign-in ({db.describe()})."
            ) from None
        known = db.known_error(exc)
        if known is not None:
            raise known from None
        raise DatabaseError(
            f"Cannot open the database ({db.describe()}): {_first_line(exc)}"
        ) from None
    try:
        if path is not None:
            _refuse_foreign(db, path)
        report = migrate.upgrade(db, allow_upgrade=upgrade, backup_dir=backup_dir)
    except (DBAPIError, UnicodeDecodeError) as exc:
        known = db.known_error(exc)
        if known is not None:
            raise known from None
        raise
    if path is None:
        with db.engine.connect() as conn:
            db.set_team(team.read_setup(conn))
    report = _check_chain_tail(db, report)
    if path is not None:
        report = _after_sqlite_open(path, report, daily_backups)
    db.open_report = report
    return db


def _refuse_foreign(db: Database, path: Path) -> None:
    """A SQLite file of another program is never taken over by creating our tables in it."""
    if migrate.stored_revisions(db) is not None:
        return
    with db.engine.connect() as conn:
        tables = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).scalar()
    if tables:
        raise integrity.NotADatabase(
            f"{path} is a SQLite database of another program (it has tables, but no console "
            "schema), so it was not opened and nothing was changed."
        )


def _check_chain_tail(db: Database, report: OpenReport) -> OpenReport:
    try:
        with db.read() as s:
            problem = audit_log.tail_problem(s)
    except PermissionDenied:
        # Team mode: a desk still on its one-time password belongs to no group yet and may
        # not read the trail; it can only change its password, after which opens check it.
        return report
    if problem is None:
        return report
    log.error("the newest audit events do not verify: %s", problem)
    warning = (
        f"The audit trail's newest events do not verify: {problem}. Someone may have changed "
        "the trail outside the console. Keep the database as evidence and run "
        "`privacy-console audit verify` (see 'Integrity messages' in the administrator's guide)."
    )
    return OpenReport(report.upgraded_from, report.backup_path, (*report.warnings, warning))


def _after_sqlite_open(path: Path, report: OpenReport, daily_backups: int) -> OpenReport:
    warnings = list(report.warnings)
    warning = integrity.network_share_warning(path)
    if warning:
        log.warning("the SQLite database is on a network share")
        warnings.append(warning)
    try:
        backup.daily_backup(path, daily_backups)
    except (OSError, sqlite3.Error, ConsoleError) as exc:
        log.warning("daily backup failed: %s", exc)
        why = "the disk is full" if is_disk_full(exc) else str(exc)
        warnings.append(f"Today's automatic backup could not be written ({why}).")
    return OpenReport(report.upgraded_from, report.backup_path, tuple(warnings))


def _no_space_left(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent)
    except (AttributeError, OSError):  # Windows has no statvfs
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def utcnow() -> datetime:
    return datetime.now(UTC)
