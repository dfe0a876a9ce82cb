"""The suppression list: identifiers of erased or opted-out people, kept only as SHA-256 digests.

Imports skip rows carrying a suppressed identifier, so an erased person is not brought back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain import identifiers as ids
from console.domain.permissions import Permission
from console.errors import ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.store.db import Database
from console.store.records_models import Suppression


@dataclass(frozen=True)
class SuppressionRow:
    digest: str
    kind: str
    reason: str
    request_ref: str
    added_at: datetime
    added_by: str


def digest_of(kind: str, normalised: str) -> str:
    """SHA-256 of "kind:normalised value": what the list keeps instead of the value."""
    return hashlib.sha256(f"{kind}:{normalised}".encode()).hexdigest()


def _normalised(s: Session, kind: str, value: str) -> list[str]:
    from console.services.records.model import regions

    kind = ids.parse_kind(kind)
    if kind == ids.PHONE:
        found = {ids.normalise_phone(value, default_region=r) for r in regions(s)}
    else:
        found = {ids.normalise(kind, value)}
    out = sorted(v for v in found if v is not None)
    if not out:
        raise ValidationError(
            f"The {kind} given is not a usable identifier (empty or placeholder)."
        )
    return out


def add_digest(
    s: Session, actor: Actor, kind: str, digest: str, *, reason: str, request_ref: str
) -> bool:
    """Add one digest unless present; True if added."""
    if s.execute(select(Suppression.id).where(Suppression.digest == digest)).first():
        return False
    s.add(
        Suppression(
            digest=digest,
            kind=kind,
            reason=reason[:400],
            request_ref=request_ref[:100],
            added_at=actor.clock.now(),
            added_by=actor.name,
        )
    )
    s.flush()
    return True


def add_suppression(
    session: Session, actor: Actor, kind: str, value: str, *, reason: str, request_ref: str
) -> None:
    """Suppress an identifier (in the caller's transaction); only its digest is stored."""
    actor.require(Permission.FULFIL_DSR)
    added = 0
    for normalised in _normalised(session, kind, value):
        added += add_digest(
            session,
            actor,
            ids.parse_kind(kind),
            digest_of(ids.parse_kind(kind), normalised),
            reason=reason,
            request_ref=request_ref,
        )
    record(
        session,
        actor,
        "suppression.add",
        "suppression",
        "",
        {"kind": ids.parse_kind(kind), "added": added, "request_ref": request_ref},
    )


def is_suppressed(session: Session, kind: str, value: str) -> bool:
    try:
        values = _normalised(session, kind, value)
    except ValidationError:
        return False
    kind = ids.parse_kind(kind)
    digests = [digest_of(kind, v) for v in values]
    return (
        session.execute(
            select(Suppression.id).where(Suppression.digest.in_(digests)).limit(1)
        ).first()
        is not None
    )


def suppressed_digests(s: Session) -> list[tuple[str, str]]:
    """(kind, digest) of every suppression, for an import to check rows against."""
    return [(k, d) for k, d in s.execute(select(Suppression.kind, Suppression.digest))]


def suppression_export(db: Database, actor: Actor) -> list[SuppressionRow]:
    """The list as it is kept (digests, never values), for other systems to honour."""
    actor.require(Permission.VIEW_DSR)
    with db.transaction() as s:
        rows = s.execute(select(Suppression).order_by(Suppression.id)).scalars().all()
        out = [
            SuppressionRow(
                r.digest,
                r.kind,
                r.reason,
                r.request_ref,
                r.added_at if r.added_at.tzinfo else r.added_at.replace(tzinfo=UTC),
                r.added_by,
            )
            for r in rows
        ]
        record(s, actor, "suppression.export", "suppression", "", {"rows": len(out)})
    return out
