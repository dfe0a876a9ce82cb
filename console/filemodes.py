"""Private files: what the console keeps or writes can be read by its own user only.

Files are 0600 and the folders the console makes are 0700 (the database, its -wal and -shm, the
backups, the log and every exported file). The entry points also set the umask to 077, so a file
some library creates on its own is private too. Windows has no modes: there the per-user folders
(%LOCALAPPDATA%) already admit only the user, SYSTEM and Administrators (see docs/admin.md).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PRIVATE_UMASK = 0o077

POSIX = sys.platform != "win32"


def _set_mode(path: Path, mode: int) -> None:
    if not POSIX:
        return
    try:
        info = path.stat()
    except OSError:
        return
    if stat.S_IMODE(info.st_mode) == mode or info.st_uid != os.getuid():
        # Someone else's file (a shared folder the admin set up): theirs to decide, not ours.
        return
    with contextlib.suppress(OSError):  # a read-only mount: nothing to tighten, nothing to fail
        path.chmod(mode)


def private_file(path: Path) -> Path:
    """Make an existing file readable and writable by its owner only (0600)."""
    _set_mode(path, PRIVATE_FILE)
    return path


def private_dir(path: Path) -> Path:
    """Make an existing folder usable by its owner only (0700)."""
    _set_mode(path, PRIVATE_DIR)
    return path


def make_private_dir(path: Path) -> Path:
    """Create the folder (and missing parents) as 0700; an existing folder the console owns
    is tightened to 0700 as well."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    return private_dir(path)


def create_private_file(path: Path) -> bool:
    """Create path empty as 0600 if it does not exist yet; True if this call created it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def private_opener(path: str, flags: int) -> int:
    """An `open(..., opener=private_opener)` that creates files as 0600 whatever the umask."""
    return os.open(path, flags, PRIVATE_FILE)


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Everything this process creates inside the block is private (umask 077), then the old
    umask is back (tests run many commands in one process)."""
    if not POSIX:
        yield
        return
    old = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)
