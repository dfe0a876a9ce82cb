"""Reading the legal register: filtered ids for the lazy list, rows by id, full requests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select

from console.domain.permissions import Permission
from console.domain.workflow import LegalStatus
from console.services.context import Actor
from console.services.legal.model import (
    LegalDetail,
    LegalFilter,
    LegalSummary,
    active_holds,
    detail,
    summary,
    user_names,
)
from console.store.db import Database
from console.store.legal_models import LegalRequest


def _filtered(f: LegalFilter) -> Any:
    stmt = select(LegalRequest.id)
    if f.process_type:
        stmt = stmt.where(LegalRequest.process_type == f.process_type)
    if f.status:
        stmt = stmt.where(LegalRequest.status == f.status)
    if f.country:
        stmt = stmt.where(LegalRequest.country == f.country.upper())
    if f.open_only:
        stmt = stmt.where(
            LegalRequest.status.not_in([LegalStatus.PRODUCED.value, LegalStatus.CLOSED.value])
        )
    return stmt


def request_ids(db: Database, actor: Actor, f: LegalFilter | None = None) -> list[int]:
    """Matching ids, soonest deadline first: the lazy list holds these and fetches rows on view."""
    actor.require(Permission.VIEW_LEGAL)
    with db.read() as s:
        stmt = _filtered(f or LegalFilter()).order_by(LegalRequest.due_at, LegalRequest.id)
        return list(s.execute(stmt).scalars())


def requests_by_id(db: Database, actor: Actor, ids: Sequence[int]) -> list[LegalSummary]:
    actor.require(Permission.VIEW_LEGAL)
    if not ids:
        return []
    with db.read() as s:
        rows = s.execute(select(LegalRequest).where(LegalRequest.id.in_(list(ids)))).scalars()
        by_id = {r.id: r for r in rows}
        holds = active_holds(s, list(by_id))
        names = user_names(s)
        return [summary(by_id[i], holds.get(i, 0), names) for i in ids if i in by_id]


def list_requests(db: Database, actor: Actor, f: LegalFilter | None = None) -> list[LegalSummary]:
    return requests_by_id(db, actor, request_ids(db, actor, f))


def iter_requests(
    db: Database, actor: Actor, f: LegalFilter | None = None
) -> Iterator[LegalDetail]:
    """Every matching request in full, oldest first (registers and reports; not audited as views)."""
    actor.require(Permission.VIEW_LEGAL)
    with db.read() as s:
        stmt = _filtered(f or LegalFilter()).order_by(LegalRequest.received_at, LegalRequest.id)
        for request_id in list(s.execute(stmt).scalars()):
            row = s.get(LegalRequest, request_id)
            assert row is not None
            yield detail(s, row, with_documents=False)


def countries(db: Database, actor: Actor) -> list[str]:
    actor.require(Permission.VIEW_LEGAL)
    with db.read() as s:
        stmt = select(LegalRequest.country).distinct().order_by(LegalRequest.country)
        return list(s.execute(stmt).scalars())
