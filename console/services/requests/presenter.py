"""What a request's detail says and which actions it offers, decided once for the window and the CLI.

The window's request detail only binds these texts and states to its widgets; `dsr show` prints the
same summary. Testable without Qt: a view and the acting user in, words and booleans out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from console.domain import labels
from console.domain.audit_text import describe
from console.domain.permissions import Permission
from console.domain.workflow import DsrStatus
from console.services.context import Actor
from console.services.requests.model import RequestView
from console.wording import plural

# The detail's actions, in the order of its buttons.
ACTIONS = (
    "advance",
    "verify",
    "pause",
    "resume",
    "extend",
    "find",
    "fulfil",
    "deny",
    "excessive",
    "clock_event",
    "acknowledge",
    "letters",
    "assign",
)


def days_text(left: int) -> str:
    """A deadline in words: "3 days left", "due today", "OVERDUE by 1 day"."""
    if left < 0:
        return f"OVERDUE by {plural(-left, 'day')}"
    return "due today" if left == 0 else f"{plural(left, 'day')} left"


@dataclass(frozen=True)
class RequestPresentation:
    title: str
    clock_line: str
    warnings: tuple[str, ...]
    timeline: tuple[tuple[str, ...], ...]
    clock: tuple[tuple[str, ...], ...]
    tasks: tuple[tuple[str, ...], ...]
    awaiting_review: int
    actions: dict[str, bool]

    def summary(self) -> str:
        """The summary as `dsr show` prints it: the same words as the window's header."""
        return "\n".join([self.title, "  " + self.clock_line, *("  " + w for w in self.warnings)])


def title(v: RequestView) -> str:
    who = v.requester_name or "(no name given)"
    what = labels.label("request_type", v.request_type)
    return f"Request {v.id} — {what} under {labels.label('law', v.law)} — {v.status_label} — {who}"


def clock_line(v: RequestView, today: dt.date) -> str:
    left = v.days_left(today)
    parts = [f"Received {v.received_on}", f"due {v.due_on}"]
    if left is not None:
        parts.append(days_text(left))
    if v.acknowledge_by:
        parts.append(f"acknowledge by {v.acknowledge_by}")
    if v.paused_since:
        parts.append(f"clock paused since {v.paused_since}")
    if v.extended:
        parts.append("extended")
    if v.policy_version:
        parts.append(f"policy cited: {v.policy_version}")
    parts.append(f"assigned to {v.assignee}" if v.assignee else "not assigned")
    return ", ".join(parts)


def warnings(v: RequestView) -> tuple[str, ...]:
    out = [*v.ndo_flags]
    if v.duplicates:
        out.append("Possible duplicate of request " + ", ".join(map(str, v.duplicates)))
    held = [r for r in v.records if r.outcome == "held"]
    if held:
        out.append(
            f"{plural(len(held), 'record')} not erased: "
            + "; ".join(f"{r.source} row {r.row}: {r.outcome_detail}" for r in held)
        )
    return tuple(out)


def actions(v: RequestView, actor: Actor) -> dict[str, bool]:
    """Which of the detail's actions the user may take on the request as it stands."""
    if not actor.can(Permission.MANAGE_DSR):
        return dict.fromkeys(ACTIONS, False)
    working = v.status in (DsrStatus.IN_PROGRESS.value, DsrStatus.REVIEW.value)
    return {
        "advance": bool(v.allowed_next),
        # An opt-out of sale needs no verification (11 CCR §7026(d)): no step to take.
        "verify": v.status in (DsrStatus.RECEIVED.value, DsrStatus.IDENTITY_VERIFICATION.value)
        and v.verification != "forbidden",
        "pause": v.is_open and not v.paused_since and bool(v.pause_reasons),
        "resume": v.is_open and v.paused_since is not None,
        "extend": v.is_open and v.extensions_left > 0,
        "find": working,
        "fulfil": working and actor.can(Permission.FULFIL_DSR),
        "deny": DsrStatus.DENIED.value in v.allowed_next and bool(v.denial_reasons),
        "excessive": v.is_open and bool(v.excessive_options),
        "clock_event": v.is_open and bool(v.clock_events),
        "acknowledge": v.is_open and v.acknowledge_by is not None,
        "letters": actor.can(Permission.EXPORT_PERSONAL_DATA),
        "assign": v.is_open,
    }


def _cells(*values: object) -> tuple[str, ...]:
    """A table row as text: nothing shown for an empty value, dates in ISO form."""
    return tuple("" if value is None else str(value) for value in values)


def present(v: RequestView, actor: Actor, today: dt.date | None = None) -> RequestPresentation:
    today = today or dt.date.today()
    timeline = tuple(
        (e.at[:16].replace("T", " "), told.sentence, told.details_text())
        for e, told in (
            (e, describe(e.actor, e.action, "dsr_request", v.id, e.details)) for e in v.timeline
        )
    )
    clock = tuple(
        _cells(
            c.position,
            labels.label("clock", c.kind),
            c.at,
            labels.label("denial_reason", c.reason),
            c.requester_told_on,
            c.recorded_by,
        )
        for c in v.clock
    )
    tasks = tuple(
        _cells(
            t.id,
            t.source,
            labels.label("task_action", t.action),
            t.assignee,
            t.due_on,
            labels.label("task_status", t.status),
        )
        for t in v.tasks
    )
    awaiting = sum(1 for r in v.records if r.review == "awaiting")
    return RequestPresentation(
        title(v),
        clock_line(v, today),
        warnings(v),
        timeline,
        clock,
        tasks,
        awaiting,
        actions(v, actor),
    )
