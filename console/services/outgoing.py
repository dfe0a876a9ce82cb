"""Every file that leaves the console for a person outside it (a letter, an access package and its
machine-readable copy) is written by `deliver`, the one place that decides how such a file
appears: under a temporary name beside the target, then its audit event committed with its
SHA-256, then renamed into place with a manifest beside it, so `report verify` checks it.

A file that exists already is never overwritten unless the caller says so (--force).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from console import __version__
from console.errors import ConsoleError
from console.services.audit import record
from console.services.context import Actor
from console.store import audit_log
from console.store.db import Database

log = logging.getLogger("export")

MANIFEST_SUFFIX = ".manifest.json"  # the report engine's: verify_file reads both the same way
MANIFEST_VERSION = 1
# Audit actions of delivered files; `report verify` accepts a file recorded by any of them.
VERIFIABLE_ACTIONS = frozenset({"dsr.letter", "dsr.package_file"})


class DeliveryError(ConsoleError):
    """An outgoing file cannot be written (it exists, the folder is missing, the disk is full)."""


@dataclass(frozen=True)
class Delivered:
    path: Path
    sha256: str
    size: int
    manifest_path: Path
    audit_seq: int


def manifest_path_for(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def chain_head(db: Database) -> tuple[int, str] | None:
    with db.read() as s:
        head = audit_log.head(s)
    return (head.seq, head.hash) if head else None


def deliver(
    db: Database,
    actor: Actor,
    target: Path,
    write: Callable[[BinaryIO], Any],
    *,
    action: str,
    object_type: str,
    object_id: str | int,
    details: Mapping[str, Any],
    manifest: Mapping[str, Any],
    force: bool = False,
) -> Delivered:
    """Write `target` through `write(stream)`, audit it, then put it in place with its manifest.

    `details` go into the audit event (with the file name and SHA-256); `manifest` into the
    manifest beside the file (with the file name, SHA-256, size, who and when).
    """
    if action not in VERIFIABLE_ACTIONS:
        raise ValueError(f"unregistered delivery action {action!r}")  # a bug, not a user error
    target = Path(target)
    manifest_target = manifest_path_for(target)
    if not force:
        for existing in (target, manifest_target):
            if existing.exists():
                raise DeliveryError(
                    f"{existing.name} already exists in {existing.parent}: choose another name or "
                    "folder (nothing was written)."
                )
    if not target.parent.is_dir():
        raise DeliveryError(f"The folder {target.parent} does not exist (nothing was written).")
    body = manifest_tmp = None
    try:
        body = _temp_beside(target)
        with open(body, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        digest, size = _hash(body)
        content = {
            "manifest_version": MANIFEST_VERSION,
            **manifest,
            "file": target.name,
            "sha256": digest,
            "size": size,
            "generated_by": actor.name,
            "generated_at": datetime.now(UTC).isoformat(),
            "app_version": __version__,
        }
        manifest_tmp = _temp_beside(manifest_target)
        manifest_tmp.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", "utf-8")
        with db.transaction() as s:
            seq = record(
                s, actor, action, object_type, object_id,
                {**details, "file": target.name, "sha256": digest, "size": size},
            )  # fmt: skip
        os.replace(body, target)
        body = None
        os.replace(manifest_tmp, manifest_target)
        manifest_tmp = None
    except OSError as exc:
        raise DeliveryError(f"Could not write {target.name}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (body, manifest_tmp):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink()
    log.info("delivered %s (%d bytes)", action, size)
    return Delivered(target, digest, size, manifest_target, seq)


def _temp_beside(target: Path) -> Path:
    # Same folder: the final rename never crosses file systems, and never shows a half file.
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    return Path(name)


def _hash(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def sha256_of(path: Path) -> str:
    return _hash(path)[0]
