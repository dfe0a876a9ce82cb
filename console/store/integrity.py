"""SQLite integrity: what every open checks in constant time (the file's header: a 0-byte, foreign
or read-only file is refused and never replaced), the quick and full page checks run in the
background, with backups and on demand, and a warning when the file sits on a network share
(SQLite locking is unreliable there).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from console.errors import ConsoleError

log = logging.getLogger("db")

# File systems where SQLite's locks are not to be trusted (https://sqlite.org/useovernet.html).
NETWORK_FS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smbfs",
        "smb3",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "fuse.sshfs",
        "fuse.glusterfs",
        "fuse.davfs2",
        "davfs",
        "fuse.rclone",
        "lustre",
        "gpfs",
    }
)


SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 100


class RefusedDatabase(ConsoleError):
    """A database file that is not opened at all: damaged, not a console database, read-only."""


class DamagedDatabase(RefusedDatabase):
    """A SQLite file failed its integrity check; it is not used."""


class NotADatabase(RefusedDatabase):
    """An empty file or another program's file where the database should be; left as it is."""


class ReadOnlyDatabase(RefusedDatabase):
    """The file (or its folder, or its disk) cannot be written, and every action writes the trail."""


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    problems: tuple[str, ...]

    @property
    def first_problem(self) -> str:
        return self.problems[0] if self.problems else ""


def check(
    path: Path, *, quick: bool = True, max_errors: int = 5, read_only: bool = False
) -> CheckResult:
    """PRAGMA quick_check (or the slower integrity_check) on a file; the check writes nothing.

    Its time grows with the file (2 s for a million records), so it never runs on open: the
    window runs it in the background, backups run it on the copy, `privacy-console check` on
    demand.
    """
    pragma = "quick_check" if quick else "integrity_check"
    try:
        if read_only:
            # Nobody can write it (a read-only disk): no locks and no -shm, which SQLite could
            # not create there.
            conn = sqlite3.connect(f"{path.absolute().as_uri()}?immutable=1", uri=True)
        else:
            # Not mode=ro: a read-only connection cannot recover a WAL left by a crash, and
            # would call a healthy file damaged.
            conn = sqlite3.connect(path, timeout=10)
    except sqlite3.Error as exc:
        return CheckResult(False, (str(exc),))
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}({int(max_errors)})")]
    except sqlite3.DatabaseError as exc:
        return CheckResult(False, (str(exc),))
    finally:
        conn.close()
    if rows == ["ok"]:
        return CheckResult(True, ())
    return CheckResult(False, tuple(str(r) for r in rows))


def damaged_message(path: Path, result: CheckResult) -> str:
    backups = latest_backups(path)
    hint = (
        f'The newest backup is {backups[0]}.\nRestore it with: privacy-console restore "{backups[0]}"'
        if backups
        else "Restore your latest backup with: privacy-console restore BACKUP-FILE"
    )
    return (
        f"The database file {path} is damaged ({result.first_problem}). "
        "Nothing more is read from it or written to it, so nothing more can be lost.\n"
        f"{hint}\n(See 'Integrity messages' in the administrator's guide.)"
    )


def latest_backups(path: Path) -> list[Path]:
    """Backups the console made of this file, newest first."""
    folder = path.parent / "backups"
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{path.stem}.*.bak") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def check_on_open(path: Path) -> bool:
    """Refuse, in constant time, a file that must not be opened; True if there is no file yet.

    Reads the first 100 bytes only: an empty (0-byte) or foreign file is refused and never
    turned into a new database, a damaged header is refused as damaged, and a file the console
    cannot write is refused as read-only. The pages are checked by quick_check (check()) in the
    background, with every backup and by `privacy-console check`.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        _writable_folder(path)
        return True
    if path.is_dir():
        raise NotADatabase(f"{path} is a folder, not a database file.")
    if size == 0:
        raise NotADatabase(
            f"The database file {path} is empty (0 bytes): it holds no console data, so it was "
            "not opened, and it was left as it is (never replaced by a new database). If it "
            "should hold your data, restore your latest backup with: privacy-console restore "
            "BACKUP-FILE. To start a new database, delete the empty file first."
        )
    try:
        with path.open("rb") as handle:
            header = handle.read(_HEADER_BYTES)
    except PermissionError:
        raise ReadOnlyDatabase(
            f"The database file {path} cannot be read by you (its permissions do not allow it). "
            "Nothing was changed."
        ) from None
    if not header.startswith(SQLITE_MAGIC):
        raise NotADatabase(
            f"{path} is not a console database (it is not a SQLite file), so it was not opened, "
            "and it was left as it is. If it should be your database, it is damaged: restore "
            "your latest backup with: privacy-console restore BACKUP-FILE."
        )
    if len(header) < _HEADER_BYTES or not _valid_page_size(header):
        result = CheckResult(False, ("the file header is damaged",))
        log.error("database header damaged")
        raise DamagedDatabase(damaged_message(path, result))
    _writable(path)
    _refuse_foreign(path)
    return False


def _refuse_foreign(path: Path) -> None:
    """Another program's SQLite file is never taken over (nor switched to WAL) by us."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # cannot look without writing: the open's own schema check still stands
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")  # a damaged name stays a name
    try:
        names = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    except (sqlite3.Error, UnicodeDecodeError):  # a damaged schema's message may not decode
        return  # damaged or unreadable here: the open and its checks will say which
    finally:
        conn.close()
    if names and "alembic_version" not in names:
        raise NotADatabase(
            f"{path} is a SQLite database of another program (it has tables, but no console "
            "schema), so it was not opened and nothing was changed."
        )


def _valid_page_size(header: bytes) -> bool:
    size = int.from_bytes(header[16:18], "big")
    size = 65536 if size == 1 else size
    return 512 <= size <= 65536 and size & (size - 1) == 0


def read_only_message(path: Path, why: str) -> str:
    return (
        f"The database file {path} is read-only ({why}). The console records every action in "
        "the audit trail, so it must be able to write to the file: make it writable, or copy "
        "it to a folder you can write to, and open it again. The file is not damaged, and "
        "nothing was changed."
    )


def _writable(path: Path) -> None:
    if not os.access(path, os.W_OK):
        why = (
            "the disk is mounted read-only"
            if _read_only_mount(path)
            else ("its permissions do not let you write to it")
        )
        raise ReadOnlyDatabase(read_only_message(path, why))
    wal = Path(f"{path}-wal")
    if not wal.exists() and not os.access(path.parent, os.W_OK):
        raise ReadOnlyDatabase(
            read_only_message(path, f"its folder {path.parent} does not let you create files")
        )


def _writable_folder(path: Path) -> None:
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        raise ReadOnlyDatabase(
            f"The database {path} does not exist yet, and its folder {folder} is read-only: "
            "choose a folder you can write to. Nothing was created."
        )


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):  # Windows has no statvfs
        return False


# -- network shares --------------------------------------------------------------------------


def _linux_fs_type(path: Path, mounts_text: str) -> str | None:
    best, best_type = "", None
    target = str(path)
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix) or mount_point == "/") and len(
            mount_point
        ) > len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def _windows_is_remote(path: Path) -> bool:
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    drive = os.path.splitdrive(text)[0]
    if not drive or sys.platform != "win32":
        return False
    import ctypes

    drive_remote = 4
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    return bool(kernel32.GetDriveTypeW(drive + "\\") == drive_remote)


def network_share_kind(path: Path, *, mounts_text: str | None = None) -> str | None:
    """The network file system holding path ("nfs4", "UNC path" ...), or None for a local disk."""
    if sys.platform == "win32" or str(path).startswith("\\\\"):
        return "network drive" if _windows_is_remote(path) else None
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None  # not Linux (macOS has no /proc): no detection, no false alarm
    fs = _linux_fs_type(path.resolve() if path.exists() else path.absolute(), mounts_text)
    return fs if fs in NETWORK_FS or (fs or "").startswith(("nfs", "smb", "cifs")) else None


def network_share_warning(path: Path) -> str | None:
    kind = network_share_kind(path)
    if kind is None:
        return None
    return (
        f"The database file {path} is on a network share ({kind}). SQLite cannot lock files "
        "reliably there, so two desks using it can damage it. Use team mode (a PostgreSQL "
        "server) to share a database; see the administrator's guide."
    )
