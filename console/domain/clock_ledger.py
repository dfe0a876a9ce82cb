"""A request's clock ledger: every change to its clock, in order, only ever added to; and the
checks that need no law (order, start first, waits opened before they close, reasons given).

What each entry means under the request's law is for `deadlines.compute`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from console.errors import ConsoleError


class DeadlineError(ConsoleError):
    """A deadline cannot be worked out: unknown law, request type or country."""


class ClockError(DeadlineError):
    """A clock entry is refused: pause not allowed, extension too late, entries out of order."""


class EntryKind(enum.StrEnum):
    START = "start"
    # A stretch of days not counted, where guidance allows it (EU GDPR).
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    # Identity information asked for and received (UK GDPR Art. 12A(2)(b): the start moves).
    IDENTITY_REQUESTED = "identity_requested"
    IDENTITY_RECEIVED = "identity_received"
    # A fee charged and paid (UK GDPR Art. 12A(2)(c): the start moves).
    FEE_REQUESTED = "fee_requested"
    FEE_PAID = "fee_paid"
    # Clarification of an access request asked for and received (UK GDPR Art. 12A(5): stopped).
    CLARIFICATION_REQUESTED = "clarification_requested"
    CLARIFICATION_RECEIVED = "clarification_received"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    EntryKind.START: "Received",
    EntryKind.PAUSE: "Paused",
    EntryKind.RESUME: "Resumed",
    EntryKind.EXTEND: "Extended",
    EntryKind.IDENTITY_REQUESTED: "Identity information asked for",
    EntryKind.IDENTITY_RECEIVED: "Identity information received",
    EntryKind.FEE_REQUESTED: "Fee asked for",
    EntryKind.FEE_PAID: "Fee paid",
    EntryKind.CLARIFICATION_REQUESTED: "Clarification asked for",
    EntryKind.CLARIFICATION_RECEIVED: "Clarification received",
}

# The waits a ledger can hold open, by the entry that opens and the one that closes them.
OPENS = {
    EntryKind.PAUSE: "pause",
    EntryKind.IDENTITY_REQUESTED: "identity",
    EntryKind.FEE_REQUESTED: "fee",
    EntryKind.CLARIFICATION_REQUESTED: "clarification",
}
CLOSES = {
    EntryKind.RESUME: "pause",
    EntryKind.IDENTITY_RECEIVED: "identity",
    EntryKind.FEE_PAID: "fee",
    EntryKind.CLARIFICATION_RECEIVED: "clarification",
}
_WAIT_NOUNS = {
    "pause": "paused",
    "identity": "waiting for identity information",
    "fee": "waiting for the fee",
    "clarification": "waiting for clarification",
}


@dataclass(frozen=True)
class ClockEntry:
    kind: EntryKind
    at: dt.date
    reason: str = ""
    requester_told_on: dt.date | None = None
    # For the start only: when the person sent the request, where that is known (CASL s.11(3)).
    sent_on: dt.date | None = None

    def describe(self, number: int) -> str:
        return f"Clock entry {number} ({self.kind.value} on {self.at.isoformat()})"


def _check_sequence(entries: tuple[ClockEntry, ...]) -> None:
    """The checks that need no law: order, start first, waits opened and closed, reasons given."""
    open_waits: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        what = entry.describe(number)
        if number == 1 and entry.kind is not EntryKind.START:
            raise ClockError(f"{what}: a clock must begin with its start (the received date)")
        if number > 1 and entry.kind is EntryKind.START:
            raise ClockError(f"{what}: the clock was already started")
        if number > 1 and entry.at < entries[number - 2].at:
            raise ClockError(f"{what}: entries must be in date order")
        if entry.sent_on is not None and (
            entry.kind is not EntryKind.START or entry.sent_on > entry.at
        ):
            raise ClockError(f"{what}: a sending date belongs to the start, on or before receipt")
        if entry.kind in OPENS:
            wait = OPENS[entry.kind]
            if wait in open_waits:
                state = (
                    "the clock is already paused"
                    if wait == "pause"
                    else f"already {_WAIT_NOUNS[wait]}"
                )
                raise ClockError(f"{what}: {state}")
            if entry.kind is EntryKind.PAUSE and not entry.reason.strip():
                raise ClockError(f"{what}: a pause needs a reason")
            open_waits.add(wait)
        elif entry.kind in CLOSES:
            wait = CLOSES[entry.kind]
            if wait not in open_waits:
                raise ClockError(
                    f"{what}: the clock is not paused"
                    if wait == "pause"
                    else f"{what}: nothing was asked for that this answers"
                )
            open_waits.discard(wait)
        elif entry.kind is EntryKind.EXTEND:
            if not entry.reason.strip():
                raise ClockError(f"{what}: an extension needs a reason to give the requester")
            told = entry.requester_told_on
            if told is None:
                raise ClockError(f"{what}: an extension needs the date the requester was told")
            if told < entries[0].at:
                raise ClockError(f"{what}: the requester cannot be told before the request came in")


@dataclass(frozen=True)
class Ledger:
    """Every change to a request's clock, in order. Entries are only ever added.

    The methods check what needs no law; `compute` checks the rest (is a pause or extension allowed
    by the law, was the requester told in time). So a service adds an entry by building the new
    ledger, calling `compute` on it, and keeping it only when that succeeds.
    """

    entries: tuple[ClockEntry, ...] = ()

    def __post_init__(self) -> None:
        _check_sequence(self.entries)

    def _add(self, entry: ClockEntry) -> Ledger:
        return Ledger((*self.entries, entry))

    def start(self, at: dt.date, *, sent_on: dt.date | None = None) -> Ledger:
        return self._add(ClockEntry(EntryKind.START, at, sent_on=sent_on))

    def pause(self, at: dt.date, reason: str) -> Ledger:
        return self._add(ClockEntry(EntryKind.PAUSE, at, reason=reason))

    def resume(self, at: dt.date) -> Ledger:
        return self._add(ClockEntry(EntryKind.RESUME, at))

    def extend(self, at: dt.date, reason: str, requester_told_on: dt.date) -> Ledger:
        return self._add(
            ClockEntry(EntryKind.EXTEND, at, reason=reason, requester_told_on=requester_told_on)
        )

    def ask(self, kind: EntryKind, at: dt.date, reason: str = "") -> Ledger:
        """Ask for identity information, a fee or clarification (`kind` is the *_REQUESTED one)."""
        if kind not in OPENS or kind is EntryKind.PAUSE:
            raise ValueError(f"{kind} is not something asked of the requester")
        return self._add(ClockEntry(kind, at, reason=reason))

    def answer(self, kind: EntryKind, at: dt.date) -> Ledger:
        """Record what was asked for arriving (`kind` is the *_RECEIVED or FEE_PAID one)."""
        if kind not in CLOSES or kind is EntryKind.RESUME:
            raise ValueError(f"{kind} is not an answer from the requester")
        return self._add(ClockEntry(kind, at))
