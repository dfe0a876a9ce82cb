"""Backing up and restoring a SQLite database: admins only, audited, checked before anything changes.

PostgreSQL databases are backed up with pg_dump/pg_restore (docs/admin.md), not by the console.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from console import outfiles
from console.domain.auditchain import verify_chain
from console.domain.permissions import Permission
from console.services.audit import record
from console.services.context import Actor
from console.store import audit_log, integrity
from console.store import backup as store
from console.store.backup import BackupError
from console.store.db import Database, open_database

log = logging.getLogger("backup")

PG_HINT = "PostgreSQL databases are backed up with pg_dump and pg_restore (see docs/admin.md)."


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    events: int


@dataclass(frozen=True)
class RestoreInfo:
    restored_from: Path
    database: Path
    previous_kept_as: Path | None
    events_verified: int


def _sqlite_path(db: Database) -> Path:
    if db.sqlite_path is None:
        raise BackupError(PG_HINT if not db.is_sqlite else "An in-memory database has no backups.")
    return db.sqlite_path


def backup(db: Database, actor: Actor, dest: Path, *, force: bool = False) -> BackupInfo:
    """Write a consistent, checked copy of the live database to dest, through console.outfiles:
    a new file unless force, never onto the database or into backups/, recorded before it is
    published."""
    actor.require(Permission.BACKUP)
    source = _sqlite_path(db)
    with outfiles.Outgoing(force=force) as out:
        part = out.stage(dest)
        final = out.targets()[0]
        store.write_copy(source, part, name=final.name)
        check = integrity.check(part, quick=True)  # every backup is checked before it is kept
        if not check.ok:
            raise BackupError(
                f"The backup failed its check ({check.first_problem}); nothing was kept. The "
                "database may be damaged: run `privacy-console check --full`."
            )
        head = store.chain_head_of(part)  # of the copy: the live trail may have grown meanwhile
        size = part.stat().st_size
        with db.transaction() as s:
            record(
                s,
                actor,
                "backup.create",
                "database",
                "",
                {
                    "file": final.name,
                    "bytes": size,
                    "sha256": outfiles.sha256_of(part),
                    "chain_head": f"{head[0]}:{head[1]}" if head else None,
                },
            )
        out.publish()
    log.info("backup written (%d bytes)", size)
    return BackupInfo(final, size, head[0] if head else 0)


def restore(target_url: str, backup_file: Path, user: str, password: str) -> RestoreInfo:
    """Replace the SQLite database at target_url with backup_file, after checking the backup.

    The backup must pass PRAGMA integrity_check and its audit chain must verify; the user must be
    an admin in the backup (and in the current database, unless that one is damaged). The current
    database is kept in backups/ as a .before-restore file. Refused while anyone has it open.
    """
    from console.services import accounts

    target_db = open_database(target_url) if _healthy(target_url) else None
    if target_db is not None:
        try:
            target = _sqlite_path(target_db)
            current = (
                accounts.authenticate(target_db, user, password)
                if accounts.has_users(target_db)
                else None
            )
            if current is not None:
                current.require(Permission.BACKUP)
                with target_db.transaction() as s:
                    record(
                        s,
                        current,
                        "backup.restore_requested",
                        "database",
                        "",
                        {"file": backup_file.name},
                    )
        finally:
            target_db.dispose()
    else:
        target = _url_path(target_url)
    staging = store.stage_copy(backup_file.expanduser().absolute(), target)
    try:
        events = _verify_staging(staging, backup_file, user, password)
        previous = store.replace_database(staging, target)
    finally:
        store.remove_with_sidecars(staging)
    log.info("database restored from a backup (%d audit events verified)", events)
    return RestoreInfo(backup_file, target, previous, events)


def _url_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        raise BackupError(PG_HINT)
    return Path(parsed.database)


def _healthy(url: str) -> bool:
    path = _url_path(url)
    try:
        if integrity.check_on_open(path):
            return False  # no database yet
    except (integrity.NotADatabase, integrity.DamagedDatabase):
        return False  # empty, foreign or damaged: restoring is how it is mended
    return integrity.check(path, quick=True).ok


def _verify_staging(staging: Path, backup_file: Path, user: str, password: str) -> int:
    from console.services import accounts

    full = integrity.check(staging, quick=False)
    if not full.ok:
        raise BackupError(
            f"The backup {backup_file} is damaged ({full.first_problem}); nothing was replaced."
        )
    with tempfile.TemporaryDirectory(prefix="console-restore-") as tmp:
        db = open_database(f"sqlite:///{staging}", backup_dir=Path(tmp))
        try:
            with db.read() as s:
                result = verify_chain(audit_log.stream(s))
            if not result.ok:
                raise BackupError(
                    f"The audit trail in the backup {backup_file} is broken at event "
                    f"{result.broken_seq} ({result.reason}); nothing was replaced."
                )
            actor = accounts.authenticate(db, user, password)
            actor.require(Permission.BACKUP)
            with db.transaction() as s:
                record(
                    s,
                    actor,
                    "backup.restore",
                    "database",
                    "",
                    {"file": backup_file.name, "events_verified": result.events_checked},
                )
        finally:
            db.dispose()
    return result.events_checked
