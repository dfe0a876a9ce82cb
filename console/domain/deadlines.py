"""The statutory clock: response deadlines per law and request type, from the registry of request
types (data/requests/registry.json).

A request's due date is never stored as a fact: it is recomputed from its clock ledger every time.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from console.domain.calendars import CalendarError, WorkingCalendar, add_months, check_place
from console.domain.clock_ledger import (
    CLOSES,
    OPENS,
    ClockEntry,
    ClockError,
    DeadlineError,
    EntryKind,
    Ledger,
)
from console.domain.registry_model import (
    CalendarSpec,
    Counting,
    Period,
    Registry,
    RegistryError,
    RequestTypeEntry,
    StartRule,
    Unit,
    VerificationMode,
)
from console.domain.request_types import registry

__all__ = [
    "ClockEntry",
    "ClockError",
    "ClockState",
    "DeadlineError",
    "EntryKind",
    "Law",
    "Ledger",
    "RequestType",
    "WorkingCalendar",
    "add_months",
    "calendar_for",
    "compute",
    "days_left",
    "default_rules",
    "due_this_week",
    "is_overdue",
]


class Law(enum.StrEnum):
    GDPR = "gdpr"
    UK_GDPR = "uk-gdpr"
    CCPA = "ccpa"
    LGPD = "lgpd"
    PIPEDA = "pipeda"
    VCDPA = "vcdpa"
    CPA = "cpa"
    CTDPA = "ctdpa"


class RequestType(enum.StrEnum):
    ACCESS = "access"
    DELETION = "deletion"
    CORRECTION = "correction"
    PORTABILITY = "portability"
    OPT_OUT_MARKETING = "opt-out-marketing"
    OPT_OUT_SALE = "opt-out-sale"
    LIMIT_SPI = "limit-spi"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw-consent"
    COMPLAINT = "complaint"
    APPEAL = "appeal"


def default_rules() -> Registry:
    """The bundled registry (the one source of the rules the clock applies)."""
    return registry()


def calendar_for(
    law: str, *, country: str | None = None, rules: Registry | None = None
) -> WorkingCalendar:
    """The working-day calendar for `law`.

    `country` ("DE", or "DE-BY" with a subdivision) is used only by laws whose calendar comes from
    the request (gdpr); the others have one fixed calendar and ignore it.
    """
    try:
        spec = (rules or default_rules()).law(law).calendar
    except RegistryError as exc:
        raise DeadlineError(exc.message) from None
    code, subdivision = spec.country, spec.subdivision
    if spec.country_from_request and country:
        code, _, sub = country.strip().upper().partition("-")
        subdivision = sub or None
        try:
            check_place(code, subdivision)
        except CalendarError as exc:
            raise DeadlineError(exc.message) from None
    return WorkingCalendar(code, subdivision, spec.weekend)


def _own_calendar(spec: CalendarSpec) -> WorkingCalendar:
    return WorkingCalendar(spec.country, spec.subdivision, spec.weekend)


def _add(
    start: dt.date, periods: Iterable[Period], cal: WorkingCalendar, counting: Counting
) -> dt.date:
    # Periods of one unit are summed before counting, so 1 month + 2 months is 3 months from receipt
    # (31 Jan -> 30 Apr), not 1 month then 2 (31 Jan -> 28 Feb -> 28 Apr).
    totals = {unit: 0 for unit in Unit}
    for period in periods:
        totals[period.unit] += period.amount
    # "Beginning with" a day makes that day the first (DPA 2018 s.164A: receipt + 29 for 30 days).
    # For months the regulator's corresponding-date method applies either way (ICO guidance).
    first_counts = counting is Counting.BEGINNING_WITH
    day = add_months(start, totals[Unit.MONTHS])
    if totals[Unit.DAYS]:
        day += dt.timedelta(days=totals[Unit.DAYS] - (1 if first_counts else 0))
    if totals[Unit.BUSINESS_DAYS]:
        if first_counts and cal.is_working_day(day):
            day = cal.add_business_days(day, totals[Unit.BUSINESS_DAYS] - 1)
        else:
            day = cal.add_business_days(day, totals[Unit.BUSINESS_DAYS])
    return day


# --- the clock ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockState:
    """A request's deadlines as they follow from its ledger."""

    law: str
    request_type: str
    received: dt.date
    due_date: dt.date
    original_due_date: dt.date
    acknowledge_by: dt.date | None
    extended: bool
    extensions_left: int
    # The last day to tell the requester of a further extension; None when none is left.
    extension_notice_by: dt.date | None
    paused: bool
    paused_since: dt.date | None
    # Days not counted: pauses (resume − pause) and stopped days (Art. 12A(5): both ends counted).
    paused_days: int
    citations: tuple[str, ...]
    calendar: str
    # The day the period runs from: receipt, or the latest identity/fee event (Art. 12A(2)).
    start: dt.date | None = None
    # False when the period is an organisation default, not set by the law.
    statutory: bool = True
    # False when the law does not give this request at all (a request stored before the registry).
    recognised: bool = True
    # What the clock is waiting for, e.g. ("identity",); empty when it is running.
    waiting_for: tuple[str, ...] = ()
    stopped_days: int = 0
    # Entries read but given no effect, with the rule that says why (legacy pauses the law refuses).
    notes: tuple[str, ...] = field(default=())


# How a wait affects the period: "start" moves it (Art. 12A(2)), "stop" leaves out both ends
# (Art. 12A(5)), "pause" leaves out the days from pause to resumption (EU guidance), "ignored" has
# no effect (a legacy pause the law in force does not allow; kept and noted, never lost).
_START, _STOP, _PAUSE, _IGNORED = "start", "stop", "pause", "ignored"


@dataclass(frozen=True)
class _Wait:
    began: dt.date
    effect: str
    # What the requester is waiting on, as shown: "identity", "fee", "clarification" or "pause".
    shown: str


@dataclass
class _Run:
    """The clock's state while the ledger is read, entry by entry."""

    rule: RequestTypeEntry
    cal: WorkingCalendar
    received: dt.date
    start: dt.date
    extensions: int = 0
    paused_days: int = 0
    stops: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    waits: dict[str, _Wait] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def period_start(self, as_of: dt.date | None = None) -> dt.date:
        """The relevant time; an open identity or fee wait counts as if answered on `as_of` (or,
        with no date, on the day it was asked: the frozen clock shows the date it would have)."""
        start = self.start
        for wait in self.waits.values():
            if wait.effect == _START:
                start = max(start, as_of or wait.began)
        return start

    def stopped(self, start: dt.date, as_of: dt.date | None = None) -> int:
        stretches = list(self.stops)
        stretches += [
            (w.began, max(w.began, as_of or w.began))
            for w in self.waits.values()
            if w.effect == _STOP
        ]
        # Art. 12A(5): the asking day and the answering day both do not count; only days from the
        # relevant time on matter, since the period starts there.
        return sum(max(0, (b - max(a, start)).days + 1) for a, b in stretches)

    def due(self, extensions: int, as_of: dt.date | None = None) -> dt.date:
        rule = self.rule
        start = self.period_start(as_of)
        periods = [rule.clock.period]
        if rule.extension is not None:
            periods += [rule.extension.period] * extensions
        end = _add(start, periods, self.cal, rule.clock.counting)
        skipped = self.paused_days + self.stopped(start, as_of)
        if as_of is not None:
            skipped += sum(
                (as_of - w.began).days for w in self.waits.values() if w.effect == _PAUSE
            )
        end += dt.timedelta(days=skipped)
        return self.cal.next_working_day(end) if rule.roll is not None else end


def _effect(rule: RequestTypeEntry, wait: str) -> str | None:
    """How asking for `wait` acts on this rule's clock, or None when it does not act at all."""
    if wait == "identity":
        if rule.start_moves is not None and "identity" in rule.start_moves.events:
            return _START
        if rule.pause is not None and "identity-verification" in rule.pause.reasons:
            return _PAUSE
    if wait == "fee" and rule.start_moves is not None and "fee" in rule.start_moves.events:
        return _START
    if wait == "clarification":
        if rule.stop_clock is not None and "clarification" in rule.stop_clock.reasons:
            return _STOP
        if rule.pause is not None and "clarification" in rule.pause.reasons:
            return _PAUSE
    return None


_LEGACY_WAITS = {"identity-verification": "identity", "clarification": "clarification"}


def _refusal(book: Registry, run: _Run, wait: str, what: str) -> ClockError:
    rule = run.rule
    law, rtype = rule.law, rule.request_type
    if wait == "identity" and rule.verification.mode is VerificationMode.FORBIDDEN:
        return ClockError(
            f"{what}: {law} does not allow identity to be verified for a {rtype} request"
            f" ({rule.verification.citation.text})"
        )
    if wait == "clarification":
        rules = book.law(law)
        stops = [
            (t, e.stop_clock)
            for t in rules.entries
            if (e := rules.entry_on(t, run.received)) is not None and e.stop_clock is not None
        ]
        if stops:
            names = ", ".join(t for t, _ in stops)
            return ClockError(
                f"{what}: {law} stops the clock for clarification only on {names} requests"
                f" ({stops[0][1].citation.text})"
            )
        return ClockError(f"{what}: {law} does not stop the clock for clarification")
    if wait == "fee":
        return ClockError(f"{what}: under {law} a fee does not move the start of the period")
    return ClockError(
        f"{what}: under {law} the clock of a {rtype} request runs while identity is checked"
        f" ({rule.clock.citation.text})"
    )


def _open(book: Registry, run: _Run, entry: ClockEntry, what: str, due_then: dt.date) -> None:
    rule = run.rule
    law = rule.law
    if entry.kind is EntryKind.PAUSE:
        name = "pause"
        if rule.pause is not None:
            if entry.reason not in rule.pause.reasons:
                allowed = ", ".join(sorted(rule.pause.reasons))
                raise ClockError(f"{what}: {law} allows a pause only for: {allowed}")
            effect, shown = _PAUSE, _LEGACY_WAITS.get(entry.reason, "pause")
        elif rule.start_moves is None and rule.stop_clock is None:
            raise ClockError(f"{what}: {law} does not allow the clock to be paused")
        else:
            # UK GDPR from 5 Feb 2026: a pause recorded the old way is read as what Art. 12A makes
            # of it. One the law gives no effect is kept and noted, so a stored ledger still reads.
            shown = _LEGACY_WAITS.get(entry.reason, "")
            if not shown:
                allowed = ", ".join(sorted(rule.pause_reasons))
                raise ClockError(f"{what}: {law} allows a pause only for: {allowed}")
            effect = _effect(rule, shown) or _IGNORED
            if effect == _IGNORED:
                run.notes.append(
                    f"{what} has no effect: {_refusal(book, run, shown, what).message}"
                )
    else:
        name = OPENS[entry.kind]
        if name == "identity" and rule.verification.mode is VerificationMode.FORBIDDEN:
            raise _refusal(book, run, name, what)
        effect = _effect(rule, name) or ""
        if not effect:
            raise _refusal(book, run, name, what)
        shown = name
    if effect != _IGNORED and entry.at > due_then:
        raise ClockError(f"{what}: the deadline of {due_then.isoformat()} had passed")
    if effect == _PAUSE and any(w.effect == _PAUSE for w in run.waits.values()):
        raise ClockError(f"{what}: the clock is already paused")
    run.waits[name] = _Wait(entry.at, effect, shown)


def _close(run: _Run, entry: ClockEntry) -> None:
    wait = run.waits.pop(CLOSES[entry.kind])
    if wait.effect == _START:
        run.start = max(run.start, entry.at)
    elif wait.effect == _STOP:
        run.stops.append((wait.began, entry.at))
    elif wait.effect == _PAUSE:
        run.paused_days += (entry.at - wait.began).days


def _extend(run: _Run, entry: ClockEntry, what: str, due_then: dt.date) -> None:
    rule = run.rule
    law = rule.law
    if rule.extension is None:
        raise ClockError(f"{what}: {law} allows no extension for a {rule.request_type} request")
    if run.extensions >= rule.extension.max_times:
        raise ClockError(
            f"{what}: {law} allows no further extension"
            f" ({rule.extension.max_times} at most, already taken)"
        )
    told = entry.requester_told_on
    if told is not None and told > due_then:
        raise ClockError(
            f"{what}: too late; {law} requires telling the requester by"
            f" {due_then.isoformat()}, and they were told on {told.isoformat()}"
        )
    run.extensions += 1


def compute(
    law: str,
    request_type: str,
    ledger: Ledger,
    *,
    country: str | None = None,
    rules: Registry | None = None,
) -> ClockState:
    """Work out a request's deadlines from its ledger, refusing entries the law does not allow.

    The rule is the registry's version in force on the received date. Pauses (EU guidance) count
    from the day of the pause up to the day of the resumption; UK GDPR Art. 12A moves the start
    to the latest identity or fee event and leaves out clarification days, both ends included. A
    clock still waiting shows the due date it would have if the wait ended the day it began, and
    `days_left` stays frozen until it ends.
    """
    book = rules or default_rules()
    entries = ledger.entries
    if not entries:
        raise ClockError("The clock has not been started: add the date the request was received")
    first = entries[0]
    received = first.at
    try:
        rule = book.rule_for(law, request_type, received)
    except RegistryError as exc:
        raise DeadlineError(exc.message) from None
    law_cal = calendar_for(law, country=country, rules=book)
    cal = _own_calendar(rule.clock.calendar) if rule.clock.calendar else law_cal
    start = received
    if rule.clock.start is StartRule.SENT_OR_RECEIVED and first.sent_on is not None:
        start = min(first.sent_on, received)
    run = _Run(rule, cal, received, start)
    for number, entry in enumerate(entries[1:], start=2):
        what = entry.describe(number)
        due_then = run.due(run.extensions, as_of=entry.at)
        if entry.kind is EntryKind.EXTEND:
            _extend(run, entry, what, due_then)
        elif entry.kind in OPENS:
            _open(book, run, entry, what, due_then)
        elif entry.kind in CLOSES:
            _close(run, entry)
    due_date = run.due(run.extensions)
    left = rule.extension_max_times - run.extensions if rule.extension else 0
    acknowledge_by = None
    if rule.acknowledge is not None:
        ack = rule.acknowledge
        acknowledge_by = _add(received, [ack.period], law_cal, ack.counting)
        # A response acknowledges too: when the response falls due first (a UK complaint
        # received on 1 February: 30 days beginning with it end on 2 March, the organisation's
        # one-month outcome on 1 March), the acknowledgement is due no later than the response.
        acknowledge_by = min(acknowledge_by, due_date)
    waits = [w for w in run.waits.values() if w.effect != _IGNORED]
    period_start = run.period_start()
    stopped = run.stopped(period_start)
    citations = rule.citations if rule.recognised else (rule.citation.text, *rule.citations)
    return ClockState(
        law=law,
        request_type=request_type,
        received=received,
        due_date=due_date,
        original_due_date=run.due(0),
        acknowledge_by=acknowledge_by,
        extended=run.extensions > 0,
        extensions_left=left,
        extension_notice_by=due_date if left else None,
        paused=bool(waits),
        paused_since=min((w.began for w in waits), default=None),
        paused_days=run.paused_days + stopped,
        citations=citations,
        calendar=cal.name,
        start=period_start,
        statutory=rule.statutory,
        recognised=rule.recognised,
        waiting_for=tuple(sorted(w.shown for w in waits)),
        stopped_days=stopped,
        notes=tuple(run.notes),
    )


def days_left(state: ClockState, today: dt.date) -> int:
    """Days from `today` to the due date (0 on the day, negative once overdue).

    Frozen while the clock is waiting.
    """
    reference = today
    if state.paused_since is not None:
        reference = min(today, state.paused_since)
    return (state.due_date - reference).days


def is_overdue(state: ClockState, today: dt.date) -> bool:
    return days_left(state, today) < 0


def due_this_week(state: ClockState, today: dt.date) -> bool:
    """Due within the next seven days, today included.

    Not the calendar week, so that on a Friday the Monday deadlines show.

    A waiting clock is never due this week: it has no deadline running until it resumes.
    """
    return not state.paused and 0 <= days_left(state, today) <= 6
