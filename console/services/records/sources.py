"""The source catalogue: the systems and channels whose exports are imported, and their mappings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.permissions import Permission
from console.errors import NotFound, ValidationError
from console.importers.mapping import Mapping
from console.services import policy
from console.services.audit import record
from console.services.context import Actor
from console.services.records.model import aware
from console.store.db import Database
from console.store.records_models import ImportBatch, Record, Source

KINDS: tuple[str, ...] = (
    "web_form",
    "email",
    "phone",
    "in_person",
    "event",
    "cookie",
    "analytics",
    "survey",
    "social",
    "advertising",
    "inference",
    "crm",
    "transaction",
    "support",
    "marketing",
    "other",
)


@dataclass(frozen=True)
class SourceInfo:
    id: int
    name: str
    kind: str
    owner: str
    system: str
    categories: tuple[str, ...]
    retention: str
    default_region: str
    mapping: dict[str, Any] | None
    record_count: int
    last_import_at: datetime | None


def _info(
    s: Session, src: Source, counts: dict[int, tuple[int, datetime | None]] | None = None
) -> SourceInfo:
    if counts is None:
        counts = _counts(s, [src.id])
    count, last = counts.get(src.id, (0, None))
    return SourceInfo(
        src.id,
        src.name,
        src.kind,
        src.owner,
        src.system,
        tuple(json.loads(src.categories)),
        src.retention,
        src.default_region,
        json.loads(src.mapping) if src.mapping else None,
        count,
        aware(last),
    )


def _counts(s: Session, ids: list[int] | None = None) -> dict[int, tuple[int, datetime | None]]:
    rec = select(Record.source_id, func.count()).where(Record.erased_at.is_(None))
    last = select(ImportBatch.source_id, func.max(ImportBatch.finished_at)).where(
        ImportBatch.status == "completed"
    )
    if ids is not None:
        rec = rec.where(Record.source_id.in_(ids))
        last = last.where(ImportBatch.source_id.in_(ids))
    counts = dict(s.execute(rec.group_by(Record.source_id)).all())
    lasts = dict(s.execute(last.group_by(ImportBatch.source_id)).all())
    return {k: (int(counts.get(k, 0)), lasts.get(k)) for k in set(counts) | set(lasts)}


def check_region(region: str) -> str:
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(f'Region "{region}" is not a two-letter country code (like US, DE).')
    return code


def add_source(
    db: Database,
    actor: Actor,
    name: str,
    kind: str,
    *,
    owner: str = "",
    system: str = "",
    categories: tuple[str, ...] | list[str] = (),
    retention: str = "",
    default_region: str = "US",
) -> SourceInfo:
    actor.require(Permission.MANAGE_SOURCES)
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise ValidationError("A source needs a name of 1–200 characters.")
    if kind not in KINDS:
        raise ValidationError(f'Unknown source kind "{kind}"; expected one of {", ".join(KINDS)}.')
    region = check_region(default_region)
    with db.transaction() as s:
        if s.execute(select(Source.id).where(Source.name == name)).first():
            raise ValidationError(f'A source named "{name}" already exists.')
        unknown = policy.unknown_categories(s, categories)
        if unknown:
            raise ValidationError(
                f"Not a data category of the policy pack in force: {', '.join(unknown)}."
            )
        src = Source(
            name=name,
            kind=kind,
            owner=owner.strip(),
            system=system.strip(),
            categories=json.dumps(list(categories)),
            retention=retention.strip(),
            default_region=region,
            mapping=None,
            created_at=actor.clock.now(),
            created_by=actor.name,
        )
        s.add(src)
        s.flush()
        record(s, actor, "source.create", "source", src.id, {"name": name, "kind": kind})
        return _info(s, src, {})


def list_sources(db: Database, actor: Actor) -> list[SourceInfo]:
    actor.require(Permission.VIEW_SOURCES)
    with db.read() as s:
        counts = _counts(s)
        rows = s.execute(select(Source).order_by(Source.name)).scalars().all()
        return [_info(s, src, counts) for src in rows]


def source_row(s: Session, name: str) -> Source:
    src = s.execute(select(Source).where(Source.name == name)).scalar_one_or_none()
    if src is None:
        raise NotFound(f'No source named "{name}": add it first (source add).')
    return src


def get_source(db: Database, actor: Actor, name: str) -> SourceInfo:
    actor.require(Permission.VIEW_SOURCES)
    with db.read() as s:
        return _info(s, source_row(s, name))


def save_mapping(db: Database, actor: Actor, source_id: int, mapping: Mapping) -> None:
    """Keep a mapping with its source, so the next export of that system imports unasked."""
    actor.require(Permission.IMPORT_RECORDS)
    with db.transaction() as s:
        store_mapping(s, actor, source_id, mapping)


def store_mapping(s: Session, actor: Actor, source_id: int, mapping: Mapping) -> None:
    src = s.get(Source, source_id)
    if src is None:
        raise NotFound(f"No source with id {source_id}.")
    text = json.dumps(mapping.to_json(), ensure_ascii=False, sort_keys=True)
    if src.mapping == text:
        return
    src.mapping = text
    record(
        s,
        actor,
        "source.mapping_save",
        "source",
        src.id,
        {"name": src.name, "columns": len(mapping.columns)},
    )
