"""SQLite backups through the online backup API (a consistent copy even while others write).

Never a file copy: a copied file can catch a write half-way, or miss what is still in the WAL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from console.errors import ConsoleError, DiskFull, is_disk_full
from console.filemodes import create_private_file, make_private_dir, private_file

log = logging.getLogger("backup")

_DAILY = re.compile(r"\.daily-(\d{8})\.bak$")


class BackupError(ConsoleError):
    """A backup or restore could not be made; nothing was replaced."""


class DatabaseInUse(BackupError):
    """Another window or process has the database open, so it cannot be replaced now."""


def write_copy(source: Path, dest: Path, *, name: str | None = None) -> None:
    """Write a consistent copy of the live database source into dest (new or empty), standalone.

    name is the file name the user knows (dest may be a temporary file beside it).
    """
    shown = name or dest.name
    create_private_file(dest)
    private_file(dest)
    src_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst_conn = sqlite3.connect(dest)
        try:
            # One step (pages=-1): the copy is one consistent snapshot, whatever others write.
            src_conn.backup(dst_conn)
            # The copy is a standalone file: no WAL beside it that a later file move could lose.
            dst_conn.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst_conn.close()
    except sqlite3.Error as exc:
        remove_with_sidecars(dest)
        reason = str(exc)
        if "malformed" in reason or "not a database" in reason:
            raise BackupError(f"{source.name} is damaged and cannot be read: {reason}") from None
        if is_disk_full(exc):
            raise DiskFull(str(dest.parent)) from None
        raise BackupError(f"Could not write the backup {shown}: {reason}") from None
    except BaseException:
        remove_with_sidecars(dest)
        raise
    finally:
        src_conn.close()


def sqlite_backup(source: Path, dest: Path) -> Path:
    """Copy a live SQLite database page by page into dest (overwritten) and return dest.

    For the console's own copies (daily, before an upgrade or a restore); a backup a user asks
    for goes through console.outfiles (console.services.backups).
    """
    make_private_dir(dest.parent)
    tmp = dest.with_name(dest.name + ".partial")
    remove_with_sidecars(tmp)
    write_copy(source, tmp, name=dest.name)
    tmp.replace(dest)
    return dest


def timestamped_name(stem: str, reason: str) -> str:
    return f"{stem}.{reason}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.bak"


def backup_dir_for(path: Path) -> Path:
    return path.parent / "backups"


def daily_backup(
    path: Path, keep: int, *, folder: Path | None = None, today: date | None = None
) -> Path | None:
    """Once a day, back the file up into backups/ and keep only the newest `keep` daily copies."""
    if keep <= 0 or not path.exists() or path.stat().st_size == 0:
        return None
    folder = folder or backup_dir_for(path)
    stamp = (today or datetime.now(UTC).date()).strftime("%Y%m%d")
    dest = folder / f"{path.stem}.daily-{stamp}.bak"
    made = None
    if not dest.exists():
        made = sqlite_backup(path, dest)
        from console.store.integrity import check

        result = check(made, quick=True)  # every backup is checked, the daily one too
        if not result.ok:
            made.unlink(missing_ok=True)
            raise BackupError(
                f"the copy failed its check ({result.first_problem}): the database may be "
                "damaged; run `privacy-console check --full`"
            )
        log.info("daily backup written: %s", dest.name)
    dailies = sorted(
        (p for p in folder.glob(f"{path.stem}.daily-*.bak") if _DAILY.search(p.name)),
        key=lambda p: p.name,
        reverse=True,
    )
    for old in dailies[keep:]:
        old.unlink(missing_ok=True)
        log.info("old daily backup removed: %s", old.name)
    return made


def stage_copy(backup_file: Path, target: Path) -> Path:
    """Copy a backup beside the target (same disk, so the final swap never crosses devices)."""
    if not backup_file.is_file():
        raise BackupError(f"There is no backup file {backup_file}.")
    with open(backup_file, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{backup_file} is not a console backup (not a SQLite file).")
    staging = target.with_name(target.name + ".restore-staging")
    remove_with_sidecars(staging)
    try:
        return sqlite_backup(backup_file, staging)
    except sqlite3.Error as exc:
        remove_with_sidecars(staging)
        raise BackupError(f"The backup {backup_file} cannot be read: {exc}.") from None


def remove_with_sidecars(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold the database so no other connection can use it; refuse if anyone has it open."""
    conn = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")  # the lock stays: locking_mode=EXCLUSIVE keeps it until close
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseInUse(
                    f"The database {path} is open in another window or process. Close every "
                    "console using it (and any other program) and try again."
                ) from None
            raise
        yield conn
    finally:
        conn.close()


def replace_database(staging: Path, target: Path) -> Path | None:
    """Write the verified staging copy into target; the replaced data is kept as a backup first.

    Returns the .before-restore backup (None when there was no database to replace).
    """
    if not target.exists() or target.stat().st_size == 0:
        target.parent.mkdir(parents=True, exist_ok=True)
        sqlite_backup(staging, target)
        return None
    before = backup_dir_for(target) / timestamped_name(target.stem, "before-restore")
    make_private_dir(before.parent)
    try:
        with exclusive(target) as held:
            create_private_file(before)
            keep = sqlite3.connect(before)
            try:
                held.backup(keep)
            finally:
                keep.close()
            source = sqlite3.connect(f"file:{staging}?mode=ro", uri=True)
            try:
                source.backup(held)
            finally:
                source.close()
        return before
    except DatabaseInUse:
        before.unlink(missing_ok=True)
        raise
    except sqlite3.DatabaseError as exc:
        # The old file is too damaged to be read page by page: keep it as it is, by moving it.
        log.warning("damaged database moved aside before restore: %s", exc)
        before.unlink(missing_ok=True)
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{target}{suffix}")
            if old.exists():
                os.replace(old, Path(f"{before}{suffix}"))
        sqlite_backup(staging, target)
        return before


def chain_head_of(path: Path) -> tuple[int, str] | None:
    """The last audit event (seq, hash) in a backup file, read without migrating it."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return (int(row[0]), str(row[1])) if row else None
