"""My work: the open requests and legal matters assigned to the signed-in user, soonest due first,
each with the next thing to do. The officer's and the lawyer's landing page, and `privacy-console
my-work`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from console.domain import labels
from console.domain.permissions import Permission
from console.domain.workflow import DsrStatus, LegalStatus
from console.services.context import Actor
from console.services.legal.read import requests_by_id
from console.services.requests.metrics import request_rows
from console.services.requests.model import OPEN_STATUSES
from console.store.db import Database
from console.store.legal_models import LegalRequest
from console.store.requests_models import DsrRecord, DsrRequest

# What to do next with a data-subject request, by where it stands.
_DSR_NEXT = {
    DsrStatus.RECEIVED: "Verify the requester's identity",
    DsrStatus.IDENTITY_VERIFICATION: "Finish verifying the requester's identity",
    DsrStatus.IN_PROGRESS: "Find the person's records and work the tasks",
    DsrStatus.REVIEW: "Review the outcome and fulfil the request",
}
# ... and with a legal matter.
_LEGAL_NEXT = {
    LegalStatus.RECEIVED: "Start the legal review",
    LegalStatus.UNDER_REVIEW: "Complete the checklist and decide",
    LegalStatus.PRESERVING: "Keep the records preserved until process arrives",
    LegalStatus.DECIDED: "Produce, or close the matter",
    LegalStatus.PRODUCING: "Finish the production",
}


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "dsr" or "legal": which page opens it
    id: int
    ref: str  # "Request 23", "LR-7"
    title: str  # "Access request under GDPR", "Subpoena from County Sheriff"
    status: str  # the status's label
    due_on: dt.date
    days_left: int | None  # None while the clock is paused
    next_action: str

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    def when(self) -> str:
        """The deadline in words: "3 days left", "due today", "2 days overdue", "paused"."""
        if self.days_left is None:
            return "paused"
        n = self.days_left
        if n == 0:
            return "due today"
        if n < 0:
            return f"{-n} day{'s' if n != -1 else ''} overdue"
        return f"{n} day{'s' if n != 1 else ''} left"


def my_work(db: Database, actor: Actor, today: dt.date | None = None) -> list[WorkItem]:
    """Everything open assigned to `actor`, soonest due first (what they may see of it)."""
    today = today or dt.date.today()
    items: list[WorkItem] = []
    if actor.can(Permission.VIEW_DSR):
        items += _requests(db, actor, today)
    if actor.can(Permission.VIEW_LEGAL):
        items += _legal(db, actor, today)
    return sorted(items, key=lambda i: (i.due_on, i.kind, i.id))


def _requests(db: Database, actor: Actor, today: dt.date) -> list[WorkItem]:
    with db.read() as s:
        ids = list(
            s.execute(
                select(DsrRequest.id).where(
                    DsrRequest.assignee_id == actor.id,
                    DsrRequest.status.in_(OPEN_STATUSES),
                )
            ).scalars()
        )
        awaiting = Counter(
            dict(
                s.execute(
                    select(DsrRecord.request_id, func.count())
                    .where(DsrRecord.request_id.in_(ids), DsrRecord.review == "awaiting")
                    .group_by(DsrRecord.request_id)
                ).all()
            )
        )
    out = []
    for r in request_rows(db, actor, ids):
        status = DsrStatus(r.status)
        step = _DSR_NEXT.get(status, "Close the request")
        waiting = awaiting.get(r.id, 0)
        if waiting:
            step = f"Review {waiting} record{'s' if waiting != 1 else ''} awaiting review"
        elif r.paused_since is not None:
            step = "Waiting on the requester: resume the clock when they reply"
        kind = labels.label("request_type", r.request_type)
        out.append(
            WorkItem(
                "dsr",
                r.id,
                f"Request {r.id}",
                f"{kind} request under {labels.label('law', r.law)}",
                status.label,
                r.due_on,
                r.days_left(today),
                step,
            )
        )
    return out


def _legal(db: Database, actor: Actor, today: dt.date) -> list[WorkItem]:
    finished = [LegalStatus.PRODUCED.value, LegalStatus.CLOSED.value]
    with db.read() as s:
        ids = list(
            s.execute(
                select(LegalRequest.id).where(
                    LegalRequest.assigned_to == actor.id,
                    LegalRequest.status.not_in(finished),
                )
            ).scalars()
        )
    out = []
    for m in requests_by_id(db, actor, ids):
        due = m.due_at.date()
        out.append(
            WorkItem(
                "legal",
                m.id,
                m.ref,
                f"{m.process_type.label} from {m.agency}" if m.agency else m.process_type.label,
                m.status.label,
                due,
                (due - today).days,
                _LEGAL_NEXT.get(m.status, "Close the matter"),
            )
        )
    return out
