"""Policy packs in the database: load a pack as a new version, and find the version in force."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.permissions import Permission
from console.domain.policy import PolicyPack, load_default_pack, load_pack, parse_pack
from console.errors import NotFound
from console.services.audit import record
from console.services.context import Actor
from console.store.db import Database
from console.store.models import PolicyPackVersion


def install_pack(db: Database, actor: Actor, pack: PolicyPack) -> int:
    """Store a pack version (idempotent for the same content); returns its row id."""
    actor.require(Permission.MANAGE_POLICY)
    with db.transaction() as s:
        return _install(s, actor, pack)


def _install(s: Session, actor: Actor, pack: PolicyPack) -> int:
    existing = s.execute(
        select(PolicyPackVersion).where(
            PolicyPackVersion.pack_id == pack.pack_id, PolicyPackVersion.version == pack.version
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing.id
    row = PolicyPackVersion(
        pack_id=pack.pack_id,
        version=pack.version,
        effective_date=pack.effective_date.isoformat(),
        digest=pack.digest(),
        content=pack.to_json(indent=None),
        loaded_at=actor.clock.now(),
        loaded_by=actor.id,
    )
    s.add(row)
    s.flush()
    record(
        s,
        actor,
        "policy.install",
        "policy_pack",
        row.id,
        {
            "pack_id": pack.pack_id,
            "version": pack.version,
            "effective_date": pack.effective_date.isoformat(),
            "digest": row.digest,
        },
    )
    return row.id


def load_pack_file(db: Database, actor: Actor, path: Path) -> PolicyPack:
    """Validate a pack file (errors name the exact field) and store it as a new version."""
    pack = load_pack(path)
    install_pack(db, actor, pack)
    return pack


@dataclass(frozen=True)
class PackVersion:
    id: int
    pack_id: str
    version: str
    effective_date: str
    digest: str
    loaded_at: datetime


def list_versions(db: Database, actor: Actor) -> list[PackVersion]:
    actor.require(Permission.VIEW_POLICY)
    with db.read() as s:
        rows = s.execute(
            select(PolicyPackVersion).order_by(
                PolicyPackVersion.effective_date, PolicyPackVersion.id
            )
        ).scalars()
        return [
            PackVersion(r.id, r.pack_id, r.version, r.effective_date, r.digest, r.loaded_at)
            for r in rows
        ]


def ensure_default_pack(db: Database, actor: Actor) -> int:
    """Install the bundled ClientPay pack if this version of it is not in the database yet."""
    actor.require(Permission.MANAGE_POLICY)
    with db.transaction() as s:
        return _install(s, actor, load_default_pack())


def pack_in_force(db: Database, actor: Actor, on: date | None = None) -> PolicyPack:
    """The pack whose effective date is the latest on or before `on` (today by default)."""
    actor.require(Permission.VIEW_POLICY)
    day = (on or actor.clock.now().date()).isoformat()
    with db.read() as s:
        pack = _in_force(s, day)
    if pack is None:
        raise NotFound(f"No policy pack is in force on {day}: load one first.")
    return pack


def _in_force(s: Session, day: str) -> PolicyPack | None:
    row = s.execute(
        select(PolicyPackVersion)
        .where(PolicyPackVersion.effective_date <= day)
        .order_by(PolicyPackVersion.effective_date.desc(), PolicyPackVersion.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return parse_pack(json.loads(row.content), origin=f"database pack {row.pack_id} {row.version}")


def unknown_categories(s: Session, categories: Iterable[str]) -> list[str]:
    """Those of categories that the pack in force does not define (none without a pack)."""
    pack = _in_force(s, datetime.now(UTC).date().isoformat())
    if pack is None:
        return []
    known = {c.id for c in pack.categories}
    return sorted({c for c in categories if c not in known})
