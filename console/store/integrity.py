"""SQLite integrity: a quick check when a database file is opened, a full check before a restore,
and a warning when the file sits on a network share (SQLite locking is unreliable there).
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


class DamagedDatabase(ConsoleError):
    """A SQLite file failed its integrity check; it is not used."""


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    problems: tuple[str, ...]

    @property
    def first_problem(self) -> str:
        return self.problems[0] if self.problems else ""


def check(path: Path, *, quick: bool = True, max_errors: int = 5) -> CheckResult:
    """PRAGMA quick_check (or the slower integrity_check) on a file; the check writes nothing."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        # Not mode=ro: a read-only connection cannot recover a WAL left by a crash, and would
        # call a healthy file damaged.
        conn = sqlite3.connect(path)
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
        "It has not been opened, so nothing more can be lost.\n"
        f"{hint}\n(See 'Integrity messages' in the administrator's guide.)"
    )


def latest_backups(path: Path) -> list[Path]:
    """Backups the console made of this file, newest first."""
    folder = path.parent / "backups"
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{path.stem}.*.bak") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def check_on_open(path: Path) -> None:
    """Refuse a damaged file before anything reads or writes it (a new, empty file is fine)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    result = check(path, quick=True)
    if not result.ok:
        log.error("database failed its quick check: %s", result.first_problem)
        raise DamagedDatabase(damaged_message(path, result))


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
