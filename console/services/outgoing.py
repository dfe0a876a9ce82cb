"""Every file that leaves the console for a person outside it (a letter, an access package and its
machine-readable copy) is written here: staged through console.outfiles (never over an existing file without
--force, never onto the console's own files) with a manifest beside it, then its audit event
committed with its SHA-256, then published, so `report verify` checks it. Several files of one
delivery (a package's PDF and ZIP) are staged in one Outgoing and published together.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from console import __version__, outfiles
from console.services.audit import record
from console.services.context import Actor
from console.store import audit_log
from console.store.db import Database

log = logging.getLogger("export")

MANIFEST_SUFFIX = ".manifest.json"  # the report engine's: verify_file reads both the same way
MANIFEST_VERSION = 1
# Audit actions of delivered files; `report verify` accepts a file recorded by any of them.
VERIFIABLE_ACTIONS = frozenset({"dsr.letter", "dsr.package_file"})


@dataclass(frozen=True)
class Staged:
    """A file written under a temporary name beside its target, with its manifest beside it."""

    path: Path  # where it will appear once published
    sha256: str
    size: int
    manifest_path: Path


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


def stage(
    out: outfiles.Outgoing,
    actor: Actor,
    target: Path,
    write: Callable[[BinaryIO], Any],
    manifest: Mapping[str, Any],
) -> Staged:
    """Write target through `write(stream)` and its manifest, both staged in `out` (nothing is
    visible under the final names until `out.publish()`, after the audit event commits)."""
    part = out.stage(target)
    final = out.targets()[-1]
    with open(part, "wb") as stream:
        write(stream)
        stream.flush()
        os.fsync(stream.fileno())
    digest, size = outfiles.sha256_of(part), part.stat().st_size
    content = {
        "manifest_version": MANIFEST_VERSION,
        **manifest,
        "file": final.name,
        "sha256": digest,
        "size": size,
        "generated_by": actor.name,
        "generated_at": actor.clock.now().isoformat(),
        "app_version": __version__,
    }
    manifest_target = manifest_path_for(final)
    out.stage(manifest_target).write_text(
        json.dumps(content, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    return Staged(final, digest, size, manifest_target)


def record_delivery(
    s: Session,
    actor: Actor,
    staged: Staged,
    *,
    action: str,
    object_type: str,
    object_id: str | int,
    details: Mapping[str, Any],
) -> int:
    """The audit event that vouches for a staged file (`report verify` looks for it)."""
    if action not in VERIFIABLE_ACTIONS:
        raise ValueError(f"unregistered delivery action {action!r}")  # a bug, not a user error
    return record(
        s,
        actor,
        action,
        object_type,
        object_id,
        {**details, "file": staged.path.name, "sha256": staged.sha256, "size": staged.size},
    )


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
    """One file: stage it with its manifest, commit its audit event, then publish both.

    `details` go into the audit event (with the file name and SHA-256); `manifest` into the
    manifest beside the file (with the file name, SHA-256, size, who and when).
    """
    with outfiles.Outgoing(force=force) as out:
        staged = stage(out, actor, Path(target), write, manifest)
        with db.transaction() as s:
            seq = record_delivery(
                s,
                actor,
                staged,
                action=action,
                object_type=object_type,
                object_id=object_id,
                details=details,
            )
        out.publish()
    log.info("delivered %s (%d bytes)", action, staged.size)
    return Delivered(staged.path, staged.sha256, staged.size, staged.manifest_path, seq)
