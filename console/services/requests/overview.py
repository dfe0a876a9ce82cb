"""The window's at-a-glance figures: the sidebar's live counts and the dashboard tiles that
the request metrics do not hold (legal deadlines, median days to close)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func, select

from console.domain.permissions import Permission
from console.domain.workflow import LegalStatus
from console.services.context import Actor
from console.services.requests.metrics import RequestFilter, request_ids
from console.store.db import Database
from console.store.legal_models import LegalRequest
from console.store.requests_models import DsrRequest

LEGAL_SOON_DAYS = 7
CLOSE_WINDOW_DAYS = 365  # median days to close over requests closed in the last year


@dataclass(frozen=True)
class Overview:
    """None where the signed-in user may not see that area."""

    overdue_requests: int | None
    legal_deadlines: int | None  # open legal requests due within 7 days or already overdue
    median_days_to_close: float | None
    closed_counted: int


def _open_legal() -> list[str]:
    return [s.value for s in LegalStatus if not s.is_finished]


def overview(db: Database, actor: Actor, now: dt.datetime | None = None) -> Overview:
    moment = now or dt.datetime.now(dt.UTC)
    today = moment.date()
    overdue: int | None = None
    legal: int | None = None
    median: float | None = None
    counted = 0
    with db.read() as s:
        if actor.can(Permission.VIEW_DSR):
            rows = s.execute(
                select(DsrRequest.received_on, DsrRequest.closed_on).where(
                    DsrRequest.closed_on.is_not(None),
                    DsrRequest.closed_on >= today - dt.timedelta(days=CLOSE_WINDOW_DAYS),
                )
            ).all()
            days = [(closed - received).days for received, closed in rows if closed is not None]
            counted = len(days)
            median = float(statistics.median(days)) if days else None
        if actor.can(Permission.VIEW_LEGAL):
            legal = int(
                s.execute(
                    select(func.count())
                    .select_from(LegalRequest)
                    .where(
                        LegalRequest.status.in_(_open_legal()),
                        LegalRequest.due_at <= moment + dt.timedelta(days=LEGAL_SOON_DAYS),
                    )
                ).scalar_one()
            )
    if actor.can(Permission.VIEW_DSR):
        overdue = len(request_ids(db, actor, RequestFilter(overdue_on=today), sort="id"))
    return Overview(overdue, legal, median, counted)
