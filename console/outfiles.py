"""The one way out: every file the console hands out is written through here.

Reports (with their manifests), access and portability packages, letters, legal productions,
rejected-row lists and backups all follow the same three rules:

1. **Never over an existing file without being told.** An existing target is refused unless the
   caller passes ``force=True`` (the CLI's ``--force``; the window asks first).
2. **Never onto the console's own files, whoever asks.** The database of any database this
   process has open, its ``-wal``, ``-shm`` and ``-journal``, its ``backups/`` folder, and the
   log folder are refused even with ``force``, followed through symbolic links and hard links.
3. **No file without its audit event, nothing left on failure.** Each file is written to a
   private (0600) temporary file beside its target; the caller commits its audit event; only
   then does ``publish()`` rename the files into place. Leaving the block without publishing
   (an error, a cancel, a full disk) removes every temporary file.

How to use it (one file)::

    with outfiles.Outgoing(force=force) as out:
        part = out.stage(target)               # an empty private file beside target
        render_into(part)                      # write it (any library that takes a path)
        with db.transaction() as s:            # the event names the file and its SHA-256
            audit.record(s, actor, "dsr.letter", ..., {"sha256": outfiles.sha256_of(part)})
        out.publish()                          # renames into place; returns the final paths

or, for the common one-file case, ``write_file(target, write, commit, force=force)``. Several
files (a report and its manifest, a package's JSON, XLSX and PDF) are staged in one ``Outgoing``
and published together after one commit; a folder (a legal production) is staged with
``stage_folder``. A full disk anywhere inside the block comes out as ``DiskFull``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from console.errors import ConsoleError, DiskFull, is_disk_full
from console.filemodes import POSIX, PRIVATE_FILE

log = logging.getLogger("export")

T = TypeVar("T")

_SIDECARS = ("-wal", "-shm", "-journal")
_lock = threading.Lock()
_databases: Counter[Path] = Counter()


class OutputError(ConsoleError):
    """An outgoing file cannot be written where asked; nothing was written."""


class OutputExists(OutputError):
    """The target exists and the caller did not ask to replace it."""


class ProtectedTarget(OutputError):
    """The target is one of the console's own files (database, backups, log): never written."""


# -- what is protected ---------------------------------------------------------------------------


def protect_database(path: Path) -> None:
    """Register an open SQLite database: its files and backups folder become untouchable."""
    with _lock:
        _databases[_real(path)] += 1


def release_database(path: Path) -> None:
    with _lock:
        key = _real(path)
        _databases[key] -= 1
        if _databases[key] <= 0:
            del _databases[key]


def protected_places() -> tuple[list[Path], list[Path]]:
    """(files, folders) no outgoing file may be written onto or into, as real paths."""
    from console.logs import log_dir

    with _lock:
        databases = list(_databases)
    files = [Path(f"{db}{suffix}") for db in databases for suffix in ("", *_SIDECARS)]
    folders = [db.parent / "backups" for db in databases]
    folders.append(_real(log_dir()))
    return files, folders


def _real(path: Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(path)))


def _why_protected(target: Path) -> str | None:
    files, folders = protected_places()
    candidates = {_real(target), Path(os.path.abspath(target))}
    for candidate in candidates:
        if candidate in files:
            return "it is the console's database (or one of its own files)"
        for folder in folders:
            if candidate == folder or candidate.is_relative_to(folder):
                return f"it is inside the console's own folder {folder}"
    try:
        info = os.stat(target)
    except OSError:
        return None
    for protected in files:
        with contextlib.suppress(OSError):
            other = os.stat(protected)
            if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
                return "it is another name (a hard link) for the console's database"
    real = _real(target)
    if any(Path(f"{real}{s}").exists() for s in ("-wal", "-shm")):
        return "it is a database in use (it has a -wal or -shm file beside it)"
    return None


def check_target(target: Path | str, *, force: bool = False, folder: bool = False) -> Path:
    """The absolute path to write, or OutputError saying why not (nothing is written here)."""
    path = Path(os.path.abspath(Path(target).expanduser()))
    if path.name in ("", ".", ".."):
        raise OutputError(f"{target} is not a file name.")
    why = _why_protected(path)
    if why is not None:
        log.warning("refused to write onto a protected file")
        raise ProtectedTarget(f"{path} cannot be written: {why}. Choose another place.")
    if not path.parent.is_dir():
        raise OutputError(
            f"{path.name} cannot be written: the folder {path.parent} does not exist."
        )
    if os.path.lexists(path):
        if path.is_dir():
            raise OutputExists(f"{path} is an existing folder; nothing was written.")
        if folder:
            raise OutputExists(f"{path} already exists; nothing was written.")
        if not force:
            raise OutputExists(
                f"{path} already exists; nothing was written. Choose another name, or replace it "
                "with --force."
            )
    return path


# -- staging and publishing ----------------------------------------------------------------------


class Outgoing:
    """Files staged beside their targets and published together, after the audit commit."""

    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self._staged: list[tuple[Path, Path, bool]] = []  # (temporary, target, is a folder)
        self._open = True

    def __enter__(self) -> Outgoing:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._open:
            self.discard()
        if exc is not None and not isinstance(exc, DiskFull) and is_disk_full(exc):
            folder = self._staged[0][1].parent if self._staged else ""
            raise DiskFull(str(folder)) from exc

    def stage(self, target: Path | str) -> Path:
        """A new, empty, private temporary file beside target, to be written by the caller."""
        final = self._checked(target, folder=False)
        fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
        os.close(fd)  # mkstemp makes it 0600 whatever the umask
        self._staged.append((Path(name), final, False))
        return Path(name)

    def stage_folder(self, target: Path | str) -> Path:
        """A new private (0700) temporary folder beside target; files written into it are 0600
        when published."""
        final = self._checked(target, folder=True)
        name = tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
        self._staged.append((Path(name), final, True))
        return Path(name)

    def staged(self, target: Path | str) -> Path:
        """The temporary path staged for target."""
        final = Path(os.path.abspath(Path(target).expanduser()))
        for temp, where, _ in self._staged:
            if where == final:
                return temp
        raise KeyError(str(target))

    def targets(self) -> list[Path]:
        return [where for _, where, _ in self._staged]

    def publish(self) -> list[Path]:
        """Rename every staged file into place; call it only after the audit event committed.

        If one cannot be placed, those already placed are taken back, so a set of files (a
        report and its manifest) is published whole or not at all.
        """
        if not self._open:
            raise RuntimeError("already published or discarded")
        placed: list[Path] = []
        current = Path()
        try:
            for temp, _final, is_folder in self._staged:
                _flush_to_disk(temp, is_folder)
            for temp, final, is_folder in self._staged:
                current = final
                self._place(temp, final, is_folder)
                placed.append(final)
            _sync_folders({final.parent for final in placed})
        except BaseException as exc:
            for final in placed:
                _remove(final)
            self.discard()
            if isinstance(exc, OutputError):
                raise
            if isinstance(exc, OSError):
                if is_disk_full(exc):
                    raise DiskFull(str(self._staged[0][1].parent)) from exc
                raise OutputError(
                    f"The audit event was recorded, but {current.name} could not be put in place "
                    f"({exc.strerror or exc}); no file was published."
                ) from exc
            raise
        self._open = False
        return placed

    def discard(self) -> None:
        """Remove every staged temporary file (nothing is published)."""
        for temp, _, _ in self._staged:
            _remove(temp)
        self._open = False

    def _checked(self, target: Path | str, *, folder: bool) -> Path:
        if not self._open:
            raise RuntimeError("already published or discarded")
        final = check_target(target, force=self.force, folder=folder)
        if final in self.targets():
            raise OutputError(f"{final.name} is named twice in one export.")
        return final

    def _place(self, temp: Path, final: Path, is_folder: bool) -> None:
        if is_folder:
            # os.rename would quietly replace an empty folder on POSIX: look first.
            if os.path.lexists(final):
                raise OutputExists(
                    f"{final} appeared while it was being written; nothing was published."
                )
            os.rename(temp, final)
            return
        if self.force:
            os.replace(temp, final)
            return
        try:
            # A hard link never replaces an existing name: no race with another writer.
            os.link(temp, final)
        except FileExistsError:
            raise OutputExists(
                f"{final} appeared while it was being written; nothing was published."
            ) from None
        except OSError:  # no hard links on this file system (FAT, some network shares)
            if os.path.lexists(final):
                raise OutputExists(
                    f"{final} appeared while it was being written; nothing was published."
                ) from None
            os.replace(temp, final)
            return
        os.unlink(temp)


def write_file(
    target: Path | str,
    write: Callable[[Path], object],
    commit: Callable[[Path], T],
    *,
    force: bool = False,
) -> T:
    """Stage target, ``write(temp)``, ``commit(temp)`` (record the audit event), publish.

    Returns what commit returned. commit gets the finished temporary file, e.g. to hash it.
    """
    with Outgoing(force=force) as out:
        temp = out.stage(target)
        write(temp)
        result = commit(temp)
        out.publish()
        return result


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def files_in(folder: Path) -> Iterator[Path]:
    return (p for p in sorted(folder.rglob("*")) if p.is_file())


# -- helpers -------------------------------------------------------------------------------------


def _flush_to_disk(path: Path, is_folder: bool) -> None:
    for file in files_in(path) if is_folder else [path]:
        if is_folder and POSIX:
            file.chmod(PRIVATE_FILE)
        with open(file, "rb+") as handle:
            os.fsync(handle.fileno())


def _sync_folders(folders: set[Path]) -> None:
    if not POSIX:
        return
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
