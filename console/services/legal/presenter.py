"""What a legal request's detail says, decided once for the window and `legal show` (no Qt).

Times are written by a `moment` function the caller gives: the window shows the user's local
time, the CLI UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from console.domain import labels
from console.domain.identifiers import kind_label
from console.domain.legal import Decision
from console.services.legal.model import LegalDetail
from console.services.legal.scope import Scope, ScopedRecord, no_scope_message
from console.wording import plural

Moment = Callable[[datetime], str]


def utc_moment(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def decision_text(detail: LegalDetail) -> str:
    """The recorded decision by its label, with its reasons; "—" before a decision."""
    decision = detail.summary.decision
    if decision is None:
        return "—"
    try:
        label = Decision(decision).label
    except ValueError:
        label = labels.label("decision", decision)
    return f"{label}. {detail.decision_reasons}".strip() if detail.decision_reasons else label


def facts(detail: LegalDetail) -> str:
    """Who asked, under what, about whom and for what, and what was decided."""
    s = detail.summary
    ids = ", ".join(f"{kind_label(i.kind)}: {i.value}" for i in detail.identifiers) or "(none)"
    return (
        f"Agency: {s.agency} ({detail.officer or 'no officer named'})\n"
        f"Country / jurisdiction: {s.country} {detail.jurisdiction}\n"
        f"Case: {s.case_number or '—'}\nIdentifiers: {ids}\n"
        f"Categories sought: {labels.labels('category', detail.categories) or '—'}\n"
        f"Decision: {decision_text(detail)}"
    )


def decided_line(detail: LegalDetail, moment: Moment = utc_moment) -> str:
    """The decision as recorded (who and when), or what to do while there is none."""
    if detail.summary.decision is None:
        return "No decision yet. Choose one and give the reasons."
    when = f" on {moment(detail.decided_at)}" if detail.decided_at else ""
    who = f" by {detail.decided_by}" if detail.decided_by else ""
    return f"Decided{who}{when}: {decision_text(detail)}"


def scope_line(ref: str, scope: Scope) -> str:
    """What a production of this request may hold, or why it cannot be produced yet."""
    message = no_scope_message(ref, scope)
    if message:
        return message
    return (
        f"Scope: {labels.labels('category', list(scope.categories))}; collected "
        f"{scope.data_from or 'any time'} to {scope.data_to or 'any time'}."
    )


def hold_line(ref: str, record_count: int, until: str, active: bool, released_by: str) -> str:
    state = "active" if active else f"released by {released_by}"
    return f"{ref}: {plural(record_count, 'record')} until {until} ({state})"


def candidate_line(r: ScopedRecord) -> str:
    """A record that may go into a production: where it is, its scope state and why it came up."""
    brought = "; ".join(r.matched) or r.reason
    return f"{r.source}, row {r.row} — {r.status_label}" + (f" — {brought}" if brought else "")
