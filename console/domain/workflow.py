"""Status workflows for data-subject and legal requests: which moves are allowed, and why not.

Each table below is the whole truth about its workflow; services call `transition` before saving.
A data-subject request's table also follows its law (the registry of request types): whether
identity may, must or must not be verified, which grounds it may be denied on, and how a deletion
of held records or a manifestly unfounded request ends.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from console.domain.registry_model import (
    Citation,
    DenialReason,
    LetterRule,
    Registry,
    RequestTypeEntry,
    VerificationMode,
)
from console.domain.request_types import registry
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


def _dsr_machine(rule: RequestTypeEntry) -> _Machine[DsrStatus]:
    """The request workflow under the request's law: verification is a step only where allowed."""
    mode = rule.verification.mode
    if mode is VerificationMode.REQUIRED:
        return _MACHINES[DsrStatus]
    table = dict(DSR_TRANSITIONS)
    hints = dict(_DSR_HINTS)
    direct = {_D.IN_PROGRESS, _D.DENIED, _D.WITHDRAWN}
    if mode is VerificationMode.OPTIONAL:
        # Asked for only on reasonable doubt (e.g. GDPR Art. 12(6)): work may start straight away.
        table[_D.RECEIVED] = frozenset(direct | {_D.IDENTITY_VERIFICATION})
    else:
        table[_D.RECEIVED] = frozenset(direct)
        hints[(_D.RECEIVED, _D.IDENTITY_VERIFICATION)] = (
            f"under {rule.law} identity may not be required for this type of request"
            f" ({rule.verification.citation.text}); start work on it"
        )
    for target in (_D.REVIEW, _D.COMPLETED):
        hints[(_D.RECEIVED, target)] = "start work on it first"
    return _Machine("request", table, hints, reopenable=_MACHINES[DsrStatus].reopenable)


def _machine(current: S, rule: RequestTypeEntry | None) -> _Machine[Any]:
    if rule is not None and isinstance(current, DsrStatus):
        return _dsr_machine(rule)
    return _MACHINES[type(current)]


def allowed_targets(current: S, rule: RequestTypeEntry | None = None) -> frozenset[S]:
    """The statuses `current` may move to (for a data-subject request, under `rule`'s law)."""
    table: Mapping[S, frozenset[S]] = _machine(current, rule).table
    return table[current]


def can_transition(current: S, target: S, rule: RequestTypeEntry | None = None) -> bool:
    return target in allowed_targets(current, rule)


def transition(current: S, target: S, rule: RequestTypeEntry | None = None) -> S:
    """`target`, when the move from `current` is allowed; else WorkflowError saying why not.

    Without `rule` a data-subject request must pass identity verification (the strictest law).
    """
    if type(current) is not type(target):
        # Mixing the two workflows is a programming error, not something a user can fix.
        raise TypeError(f"{current!r} and {target!r} belong to different workflows")
    if target not in allowed_targets(current, rule):
        raise WorkflowError(_machine(current, rule).refusal(current, target))
    return target


# --- outcomes under the request's law -------------------------------------------------------------


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def denial_ground(rule: RequestTypeEntry, code: str) -> DenialReason:
    """The ground, when the request's law allows it for its type; else WorkflowError naming those
    it does allow (a GDPR request is never denied as 'not a consumer')."""
    found = rule.denial_reasons.get(code)
    if found is not None:
        return found
    what = f"{_a(rule.request_type)} request under {rule.law}"
    if not rule.denial_reasons:
        raise WorkflowError(
            f"There is no ground to deny {what}; the law gives none ({rule.citation.text})"
        )
    allowed = ", ".join(f"{c} ({r.label})" for c, r in rule.denial_reasons.items())
    raise WorkflowError(f"'{code}' is not a ground to deny {what}; allowed: {allowed}")


@dataclass(frozen=True)
class Outcome:
    """How a request ends: complied, complied_in_part or denied, with the ground and its letter."""

    outcome: str
    citation: Citation
    denial_reason: DenialReason | None = None
    # What the letter must say about the refusal (also for the part refused of a partial answer).
    letter: LetterRule | None = None


def deletion_outcome(
    rule: RequestTypeEntry, found: int, held: int, *, rules: Registry | None = None
) -> Outcome:
    """The outcome of a deletion whose records were `found`, `held` of them under legal hold.

    Every record held is a denial on an exception, not a partial compliance (11 CCR §7022(f));
    some held is compliance in part, and the letter explains the part refused.
    """
    if rule.request_type != "deletion":
        raise ValueError(f"{rule.request_type} is not a deletion")
    if not 0 <= held <= found:
        raise ValueError("held records must be between none and all of those found")
    if held == 0:
        return Outcome("complied", rule.citation)
    code = (rules or registry()).law(rule.law).held_records_reason
    reason = rule.denial_reasons.get(code) if code else None
    if reason is None:
        raise WorkflowError(
            f"{rule.law} names no ground for keeping records under a legal hold: add"
            " held_records_reason to the registry"
        )
    outcome = "denied" if held == found else "complied_in_part"
    return Outcome(outcome, reason.citation, reason, rule.letters.get("denial"))


@dataclass(frozen=True)
class ExcessiveOutcome:
    """A decision that a request is manifestly unfounded or excessive: a fee, or a refusal."""

    choice: str
    reasons: str
    citation: Citation
    # A fee moves the start of the period where the law says so (UK GDPR Art. 12A(2)(c)).
    fee_moves_start: bool = False
    denial_reason: DenialReason | None = None
    # What to tell the person before charging (EDPB Guidelines 01/2022 para 192), where given.
    before_fee: str | None = None


def decide_excessive(rule: RequestTypeEntry, choice: str, reasons: str) -> ExcessiveOutcome:
    """Record the decision; the reasons are required because the organisation bears the burden of
    demonstrating the request is manifestly unfounded or excessive (GDPR Art. 12(5) and its peers)."""
    decision = rule.excessive
    what = f"{_a(rule.request_type)} request under {rule.law}"
    if decision is None:
        raise WorkflowError(
            f"The law gives no 'manifestly unfounded or excessive' decision on {what}"
        )
    if choice not in decision.options:
        raise WorkflowError(
            f"'{choice}' is not open for {what}; choose: {', '.join(decision.options)}"
            f" ({decision.citation.text})"
        )
    if not reasons.strip():
        raise WorkflowError(
            "Record why the request is manifestly unfounded or excessive: the organisation bears"
            f" the burden of demonstrating it ({decision.citation.text})"
        )
    moves = choice == "fee" and rule.start_moves is not None and "fee" in rule.start_moves.events
    refusal = (
        rule.denial_reasons.get("manifestly_unfounded_or_excessive") if choice == "refuse" else None
    )
    before = decision.before_fee if choice == "fee" else None
    return ExcessiveOutcome(choice, reasons.strip(), decision.citation, moves, refusal, before)
