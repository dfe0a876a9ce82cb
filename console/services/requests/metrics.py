"""Lists of data-subject requests: the Requests page's ids and rows, the dashboard's figures, and
the CCPA §7101 register, and the facts the per-law metrics (console.domain.metrics) count.

Built for 100,000 requests: lists hold ids only, rows come a page at a time, and the dashboard
counts in SQL on the stored due-date copy.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from console.domain.metrics import (
    Ccpa7102Table,
    RequestFacts,
    TimelinessTable,
    ccpa_7102,
    laws_with_requests,
    timeliness,
)
from console.domain.permissions import Permission
from console.domain.workflow import DsrStatus
from console.services.context import Actor
from console.services.requests.model import OPEN_STATUSES, days_left
from console.store.db import Database
from console.store.models import AuditEvent, User
from console.store.requests_models import DsrRecord, DsrRequest

SortKey = Literal["due", "received", "id", "status", "type", "law"]


@dataclass(frozen=True)
class RequestFilter:
    statuses: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    laws: tuple[str, ...] = ()
    open_only: bool = False
    overdue_on: dt.date | None = None  # only requests overdue on this day
    received_from: dt.date | None = None
    received_to: dt.date | None = None


@dataclass(frozen=True)
class RequestRow:
    """One line of the Requests page (no requester details: the list shows no personal data)."""

    id: int
    request_type: str
    law: str
    channel: str
    status: str
    received_on: dt.date
    due_on: dt.date
    paused_since: dt.date | None
    assignee: str | None
    closed_on: dt.date | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_label(self) -> str:
        return DsrStatus(self.status).label

    def days_left(self, today: dt.date) -> int | None:
        return days_left(self.due_on, self.paused_since, today) if self.is_open else None

    def overdue(self, today: dt.date) -> bool:
        left = self.days_left(today)
        return left is not None and left < 0


def _overdue_clause(today: dt.date) -> ColumnElement[bool]:
    # Days left are frozen while paused: a paused request is overdue only if it was when paused.
    return and_(
        DsrRequest.status.in_(OPEN_STATUSES),
        or_(
            and_(DsrRequest.paused_since.is_(None), DsrRequest.due_on < today),
            and_(DsrRequest.paused_since.is_not(None), DsrRequest.due_on < DsrRequest.paused_since),
        ),
    )


def _where(f: RequestFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.statuses:
        clauses.append(DsrRequest.status.in_(f.statuses))
    if f.open_only:
        clauses.append(DsrRequest.status.in_(OPEN_STATUSES))
    if f.types:
        clauses.append(DsrRequest.request_type.in_(f.types))
    if f.laws:
        clauses.append(DsrRequest.law.in_(f.laws))
    if f.overdue_on is not None:
        clauses.append(_overdue_clause(f.overdue_on))
    if f.received_from is not None:
        clauses.append(DsrRequest.received_on >= f.received_from)
    if f.received_to is not None:
        clauses.append(DsrRequest.received_on <= f.received_to)
    return clauses


_SORT = {
    "due": DsrRequest.due_on,
    "received": DsrRequest.received_on,
    "id": DsrRequest.id,
    "status": DsrRequest.status,
    "type": DsrRequest.request_type,
    "law": DsrRequest.law,
}


def request_ids(
    db: Database,
    actor: Actor,
    f: RequestFilter = RequestFilter(),
    *,
    sort: SortKey = "due",
    descending: bool = False,
) -> list[int]:
    """Ids of every matching request in order (the CLI; the window pages through them)."""
    actor.require(Permission.VIEW_DSR)
    with db.read() as s:
        # Core on the session's connection: a third faster than the ORM path for 100k ids.
        return list(s.connection().execute(_ordered(f, sort, descending)).scalars().all())


def _ordered(f: RequestFilter, sort: SortKey, descending: bool) -> Any:
    column = _SORT[sort]
    order: list[Any] = [column.desc() if descending else column.asc()]
    if sort != "id":
        order.append(DsrRequest.id.desc() if descending else DsrRequest.id.asc())
    return select(DsrRequest.id).where(*_where(f)).order_by(*order)


def request_count(db: Database, actor: Actor, f: RequestFilter = RequestFilter()) -> int:
    actor.require(Permission.VIEW_DSR)
    with db.read() as s:
        stmt = select(func.count()).select_from(DsrRequest).where(*_where(f))
        return int(s.connection().execute(stmt).scalar_one())


def request_id_page(
    db: Database,
    actor: Actor,
    f: RequestFilter,
    *,
    sort: SortKey = "due",
    descending: bool = False,
    offset: int = 0,
    limit: int = 500,
) -> list[int]:
    """One page of the ordered ids (the lazy table asks for the pages that come on screen)."""
    actor.require(Permission.VIEW_DSR)
    with db.read() as s:
        stmt = _ordered(f, sort, descending).offset(offset).limit(limit)
        return list(s.connection().execute(stmt).scalars().all())


_ROW_COLUMNS = (
    DsrRequest.id,
    DsrRequest.request_type,
    DsrRequest.law,
    DsrRequest.channel,
    DsrRequest.status,
    DsrRequest.received_on,
    DsrRequest.due_on,
    DsrRequest.paused_since,
    User.name,
    DsrRequest.closed_on,
)


def _rows(s: Session, stmt: Any) -> list[RequestRow]:
    return [RequestRow(*r) for r in s.execute(stmt)]


def _row_select() -> Any:
    return select(*_ROW_COLUMNS).outerjoin(User, User.id == DsrRequest.assignee_id)


def request_rows(db: Database, actor: Actor, ids: Sequence[int]) -> list[RequestRow]:
    """The rows for these ids, in the same order (missing ids are left out)."""
    actor.require(Permission.VIEW_DSR)
    if not ids:
        return []
    with db.read() as s:
        found = {r.id: r for r in _rows(s, _row_select().where(DsrRequest.id.in_(list(ids))))}
    return [found[i] for i in ids if i in found]


def _first_rows(s: Session, clause: ColumnElement[bool], limit: int) -> list[RequestRow]:
    """The first rows by due date: ids from the covering index first, then only those rows."""
    stmt = select(DsrRequest.id).where(clause).order_by(DsrRequest.due_on, DsrRequest.id)
    ids = list(s.connection().execute(stmt.limit(limit)).scalars())
    found = {r.id: r for r in _rows(s, _row_select().where(DsrRequest.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


# --- dashboard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    open_total: int
    overdue_total: int
    due_soon_total: int
    open_by_status: dict[str, int]
    open_by_type: dict[str, int]
    overdue: list[RequestRow]
    due_soon: list[RequestRow]
    weeks: list[tuple[dt.date, int]] = field(default_factory=list)  # (Monday, requests received)


def dashboard(
    db: Database, actor: Actor, today: dt.date | None = None, *, weeks: int = 26, listed: int = 15
) -> Dashboard:
    """What the Dashboard shows, counted in the database."""
    actor.require(Permission.VIEW_DSR)
    day = today or actor.clock.today()
    soon_until = day + dt.timedelta(days=6)
    is_open = DsrRequest.status.in_(OPEN_STATUSES)
    due_soon = and_(
        is_open,
        DsrRequest.paused_since.is_(None),
        DsrRequest.due_on >= day,
        DsrRequest.due_on <= soon_until,
    )
    first_monday = day - dt.timedelta(days=day.weekday()) - dt.timedelta(weeks=weeks - 1)
    with db.read() as s:
        by_status_type = s.execute(
            select(DsrRequest.status, DsrRequest.request_type, func.count())
            .where(is_open)
            .group_by(DsrRequest.status, DsrRequest.request_type)
        ).all()
        overdue_total = s.execute(
            select(func.count()).select_from(DsrRequest).where(_overdue_clause(day))
        ).scalar_one()
        soon_total = s.execute(
            select(func.count()).select_from(DsrRequest).where(due_soon)
        ).scalar_one()
        overdue = _first_rows(s, _overdue_clause(day), listed)
        soon = _first_rows(s, due_soon, listed)
        per_day = s.execute(
            select(DsrRequest.received_on, func.count())
            .where(DsrRequest.received_on >= first_monday, DsrRequest.received_on <= day)
            .group_by(DsrRequest.received_on)
        ).all()
    by_status: dict[str, int] = {}
    by_type: dict[str, int] = {}
    for status, rtype, n in by_status_type:
        by_status[status] = by_status.get(status, 0) + n
        by_type[rtype] = by_type.get(rtype, 0) + n
    buckets = {first_monday + dt.timedelta(weeks=w): 0 for w in range(weeks)}
    for received, n in per_day:
        buckets[received - dt.timedelta(days=received.weekday())] += n
    return Dashboard(
        today=day,
        open_total=sum(by_status.values()),
        overdue_total=int(overdue_total),
        due_soon_total=int(soon_total),
        open_by_status={s: by_status.get(s, 0) for s in OPEN_STATUSES},
        open_by_type=dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
        overdue=overdue,
        due_soon=soon,
        weeks=sorted(buckets.items()),
    )


# --- CCPA §7101 register and §7102 metrics --------------------------------------------------------

RESPONSES = {
    "complied": "Complied in whole",
    "complied_in_part": "Complied in part",
    "denied": "Denied",
    "withdrawn": "Withdrawn by the requester",
}


@dataclass(frozen=True)
class RegisterRow:
    """One line of the §7101 record: date, nature, manner, response date and nature, denial basis."""

    id: int
    received_on: dt.date
    request_type: str
    law: str
    channel: str
    status: str
    due_on: dt.date
    responded_on: dt.date | None
    response: str
    denial_reason: str | None


def register_rows(
    db: Database,
    actor: Actor,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    law: str | None = None,
) -> Iterator[RegisterRow]:
    """Every request received in the period (oldest first), streamed for reports of any size."""
    actor.require(Permission.VIEW_DSR)
    f = RequestFilter(laws=(law,) if law else (), received_from=since, received_to=until)
    stmt = (
        select(
            DsrRequest.id,
            DsrRequest.received_on,
            DsrRequest.request_type,
            DsrRequest.law,
            DsrRequest.channel,
            DsrRequest.status,
            DsrRequest.due_on,
            DsrRequest.closed_on,
            DsrRequest.outcome,
            DsrRequest.denial_reason,
        )
        .where(*_where(f))
        .order_by(DsrRequest.received_on, DsrRequest.id)
        .execution_options(yield_per=2000)
    )
    with db.read() as s:
        for r in s.execute(stmt):
            response = RESPONSES.get(r.outcome or "", "Pending")
            yield RegisterRow(
                r.id,
                r.received_on,
                r.request_type,
                r.law,
                r.channel,
                r.status,
                r.due_on,
                r.closed_on,
                response,
                r.denial_reason,
            )


# --- metrics per law (console.domain.metrics over the stored facts) ----------------------------------


def request_facts(
    db: Database, actor: Actor, first_year: int, last_year: int
) -> list[RequestFacts]:
    """What the per-law metrics need about every request received in the years given: outcome,
    clock, acknowledgement (a recorded acknowledgement or an acknowledgement letter) and, for
    deletions, how many records were erased or kept under a hold."""
    actor.require(Permission.VIEW_DSR)
    since, until = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    in_period = and_(DsrRequest.received_on >= since, DsrRequest.received_on <= until)
    with db.read() as s:
        rows = s.execute(
            select(
                DsrRequest.id,
                DsrRequest.law,
                DsrRequest.request_type,
                DsrRequest.received_on,
                DsrRequest.outcome,
                DsrRequest.closed_on,
                DsrRequest.denial_reason,
                DsrRequest.due_on,
                DsrRequest.extended,
                DsrRequest.paused_since,
                DsrRequest.country,
                DsrRequest.acknowledge_by,
            )
            .where(in_period)
            .order_by(DsrRequest.id)
        ).all()
        kept: dict[int, dict[str, int]] = {}
        for rid, outcome, n in s.execute(
            select(DsrRecord.request_id, DsrRecord.outcome, func.count())
            .join(DsrRequest, DsrRequest.id == DsrRecord.request_id)
            .where(
                in_period,
                DsrRequest.request_type == "deletion",
                DsrRecord.outcome.in_(("erased", "held")),
            )
            .group_by(DsrRecord.request_id, DsrRecord.outcome)
        ):
            kept.setdefault(rid, {})[str(outcome)] = int(n)
        acknowledged: dict[int, dt.date] = {}
        for object_id, action, at, details in s.execute(
            select(AuditEvent.object_id, AuditEvent.action, AuditEvent.at, AuditEvent.details)
            .where(
                AuditEvent.object_type == "dsr_request",
                AuditEvent.action.in_(("dsr.acknowledge", "dsr.letter")),
            )
            .order_by(AuditEvent.seq)
        ):
            data = json.loads(details or "{}")
            if action == "dsr.letter" and data.get("kind") != "ack":
                continue
            day = dt.date.fromisoformat(data["on"] if "on" in data else str(at)[:10])
            rid = int(object_id)
            acknowledged[rid] = min(day, acknowledged.get(rid, day))
    facts = []
    for r in rows:
        counts = kept.get(r.id, {})
        found = counts.get("erased", 0) + counts.get("held", 0)
        facts.append(
            RequestFacts(
                id=r.id,
                law=r.law,
                request_type=r.request_type,
                received_on=r.received_on,
                outcome=r.outcome,
                closed_on=r.closed_on,
                denial_reason=r.denial_reason,
                due_on=r.due_on,
                extended=bool(r.extended),
                waiting=r.paused_since is not None,
                country=r.country,
                acknowledge_by=r.acknowledge_by,
                acknowledged_on=acknowledged.get(r.id),
                records_found=found if r.request_type == "deletion" else None,
                records_held=counts.get("held", 0) if r.request_type == "deletion" else None,
            )
        )
    return facts


@dataclass(frozen=True)
class LawMetrics:
    """A year's CCPA §7102 table and each other law's timeliness table."""

    year: int
    ccpa: Ccpa7102Table
    timeliness: tuple[TimelinessTable, ...]


def metrics_by_law(
    db: Database, actor: Actor, first_year: int, last_year: int, today: dt.date
) -> list[LawMetrics]:
    """Per calendar year: the §7102 table (CCPA requests only) and a timeliness table per law."""
    facts = request_facts(db, actor, first_year, last_year)
    out = []
    for year in range(first_year, last_year + 1):
        laws = laws_with_requests(facts, year)
        out.append(
            LawMetrics(
                year,
                ccpa_7102(facts, year),
                tuple(timeliness(facts, law, year, today) for law in laws if law != "ccpa"),
            )
        )
    return out
