"""Status workflows for data-subject and legal requests: which moves are allowed, and why not.

Each table below is the whole truth about its workflow; services call `transition` before saving.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from console.errors import ConsoleError


class WorkflowError(ConsoleError):
    """A status change that the workflow does not allow; the message says what to do instead."""


class _Status(enum.StrEnum):
    """A status with a label fit for the screen."""

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_finished(self) -> bool:
        """The request has an outcome (a finished request may still be reopened)."""
        machine = _MACHINES[type(self)]
        return not machine.table[self] or self in machine.reopenable


class DsrStatus(_Status):
    RECEIVED = "received"
    IDENTITY_VERIFICATION = "identity_verification"
    IN_PROGRESS = "in_progress"
    REVIEW = "review"
    COMPLETED = "completed"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


class LegalStatus(_Status):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    PRESERVING = "preserving"
    DECIDED = "decided"
    PRODUCING = "producing"
    PRODUCED = "produced"
    CLOSED = "closed"


_LABELS: Mapping[_Status, str] = {
    DsrStatus.RECEIVED: "Received",
    DsrStatus.IDENTITY_VERIFICATION: "Verifying identity",
    DsrStatus.IN_PROGRESS: "In progress",
    DsrStatus.REVIEW: "In review",
    DsrStatus.COMPLETED: "Completed",
    DsrStatus.DENIED: "Denied",
    DsrStatus.WITHDRAWN: "Withdrawn",
    LegalStatus.RECEIVED: "Received",
    LegalStatus.UNDER_REVIEW: "Under legal review",
    LegalStatus.PRESERVING: "Preserving",
    LegalStatus.DECIDED: "Decided",
    LegalStatus.PRODUCING: "Producing",
    LegalStatus.PRODUCED: "Produced",
    LegalStatus.CLOSED: "Closed",
}

_D = DsrStatus
_L = LegalStatus

# Denial happens early (out of scope, identity not verified) or after review, never straight
# from work in progress: a reviewer sees every refusal that follows work on the records.
DSR_TRANSITIONS: Mapping[DsrStatus, frozenset[DsrStatus]] = {
    _D.RECEIVED: frozenset({_D.IDENTITY_VERIFICATION, _D.DENIED, _D.WITHDRAWN}),
    _D.IDENTITY_VERIFICATION: frozenset({_D.IN_PROGRESS, _D.DENIED, _D.WITHDRAWN}),
    _D.IN_PROGRESS: frozenset({_D.REVIEW, _D.WITHDRAWN}),
    _D.REVIEW: frozenset({_D.COMPLETED, _D.DENIED, _D.IN_PROGRESS, _D.WITHDRAWN}),
    # Reopening: a closed request goes back to work, never straight to a new outcome.
    _D.COMPLETED: frozenset({_D.IN_PROGRESS}),
    _D.DENIED: frozenset({_D.IN_PROGRESS}),
    _D.WITHDRAWN: frozenset({_D.IN_PROGRESS}),
}

# A preservation request only freezes data: it waits in 'preserving' until legal process follows
# (back to review) or the hold ends (closed). Holds themselves can sit on a request in any state.
LEGAL_TRANSITIONS: Mapping[LegalStatus, frozenset[LegalStatus]] = {
    _L.RECEIVED: frozenset({_L.UNDER_REVIEW, _L.PRESERVING}),
    _L.UNDER_REVIEW: frozenset({_L.DECIDED, _L.PRESERVING}),
    _L.PRESERVING: frozenset({_L.UNDER_REVIEW, _L.CLOSED}),
    _L.DECIDED: frozenset({_L.PRODUCING, _L.CLOSED}),
    _L.PRODUCING: frozenset({_L.PRODUCED}),
    _L.PRODUCED: frozenset(),
    _L.CLOSED: frozenset(),
}

# What to do instead, for the wrong moves people are likely to try.
_DSR_HINTS: Mapping[tuple[DsrStatus, DsrStatus], str] = {
    (_D.RECEIVED, _D.IN_PROGRESS): "verify identity first",
    (_D.RECEIVED, _D.REVIEW): "verify identity first",
    (_D.RECEIVED, _D.COMPLETED): "verify identity first",
    (_D.IDENTITY_VERIFICATION, _D.REVIEW): "start work on it first",
    (_D.IDENTITY_VERIFICATION, _D.COMPLETED): "start work on it and send it to review first",
    (_D.IN_PROGRESS, _D.COMPLETED): "send it to review first",
    (_D.IN_PROGRESS, _D.DENIED): "send it to review first, so a reviewer sees the denial",
    (_D.IN_PROGRESS, _D.IDENTITY_VERIFICATION): "identity is already verified",
    (_D.REVIEW, _D.IDENTITY_VERIFICATION): "identity is already verified",
    (_D.COMPLETED, _D.DENIED): "reopen it first",
    (_D.DENIED, _D.COMPLETED): "reopen it first",
    (_D.WITHDRAWN, _D.COMPLETED): "reopen it first",
    (_D.COMPLETED, _D.WITHDRAWN): "it is already closed",
    (_D.DENIED, _D.WITHDRAWN): "it is already closed",
}

_LEGAL_HINTS: Mapping[tuple[LegalStatus, LegalStatus], str] = {
    (_L.RECEIVED, _L.DECIDED): "put it under legal review first",
    (_L.RECEIVED, _L.PRODUCING): "it needs legal review and a decision first",
    (_L.RECEIVED, _L.CLOSED): "record a decision first, even a refusal",
    (_L.UNDER_REVIEW, _L.PRODUCING): "record the decision first",
    (_L.UNDER_REVIEW, _L.CLOSED): "record the decision first, even a refusal",
    (_L.DECIDED, _L.PRODUCED): "start the production first",
    (_L.PRODUCING, _L.CLOSED): "finish the production first",
    (_L.PRESERVING, _L.DECIDED): "put it under legal review first, when legal process follows",
    (_L.PRESERVING, _L.PRODUCING): "preserved data is disclosed only after review and a decision",
}

_VERBS: Mapping[_Status, str] = {
    _D.COMPLETED: "be completed",
    _D.DENIED: "be denied",
    _D.WITHDRAWN: "be withdrawn",
    _D.IN_PROGRESS: "be worked on",
    _D.REVIEW: "go to review",
    _L.DECIDED: "be decided",
    _L.PRODUCING: "go into production",
    _L.PRODUCED: "be marked produced",
    _L.CLOSED: "be closed",
    _L.PRESERVING: "be held for preservation only",
}

S = TypeVar("S", bound=_Status)


class _Machine(Generic[S]):
    def __init__(
        self,
        noun: str,
        table: Mapping[S, frozenset[S]],
        hints: Mapping[tuple[S, S], str],
        reopenable: frozenset[S] = frozenset(),
    ) -> None:
        self.noun = noun
        self.table = table
        self.hints = hints
        self.reopenable = reopenable

    def refusal(self, current: S, target: S) -> str:
        where = f"A {self.noun} in '{current.label.lower()}'"
        if current is target:
            return f"{where} is already there"
        allowed = self.table[current]
        if not allowed:
            return f"{where} is closed and cannot change any more"
        hint = self.hints.get((current, target))
        if hint is None and current in self.reopenable:
            hint = "reopen it first"
        if hint is None:
            choices = ", ".join(f"'{s.label.lower()}'" for s in sorted(allowed, key=_order))
            hint = f"it can only go to {choices}"
        move = _VERBS.get(target, f"move to '{target.label.lower()}'")
        return f"{where} cannot {move}: {hint}"


def _order(status: _Status) -> int:
    return list(type(status)).index(status)


_MACHINES: Mapping[type[_Status], _Machine[Any]] = {
    DsrStatus: _Machine(
        "request",
        DSR_TRANSITIONS,
        _DSR_HINTS,
        reopenable=frozenset({_D.COMPLETED, _D.DENIED, _D.WITHDRAWN}),
    ),
    LegalStatus: _Machine("legal request", LEGAL_TRANSITIONS, _LEGAL_HINTS),
}


def allowed_targets(current: S) -> frozenset[S]:
    """The statuses `current` may move to."""
    machine: _Machine[S] = _MACHINES[type(current)]
    return machine.table[current]


def can_transition(current: S, target: S) -> bool:
    return target in allowed_targets(current)


def transition(current: S, target: S) -> S:
    """`target`, when the move from `current` is allowed; else WorkflowError saying why not."""
    if type(current) is not type(target):
        # Mixing the two workflows is a programming error, not something a user can fix.
        raise TypeError(f"{current!r} and {target!r} belong to different workflows")
    if target not in allowed_targets(current):
        raise WorkflowError(_MACHINES[type(current)].refusal(current, target))
    return target
