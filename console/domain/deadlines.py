"""The statutory clock: response deadlines per law and request type, from data/deadlines/rules.json.

A request's due date is never stored as a fact: it is recomputed from its clock ledger every time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

import holidays

from console.errors import ConsoleError
from console.paths import data_path


class DeadlineError(ConsoleError):
    """A deadline cannot be worked out: unknown law, request type or country."""


class RulesFileError(DeadlineError):
    """The deadline rules file is malformed; the message names the file and the exact field."""


class ClockError(DeadlineError):
    """A clock entry is refused: pause not allowed, extension too late, entries out of order."""


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
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw-consent"
    COMPLAINT = "complaint"


class Unit(enum.StrEnum):
    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    MONTHS = "months"


_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


# --- the rules, as data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit


@dataclass(frozen=True)
class Rule:
    """The clock for one law and request type; each part carries the legal text it comes from."""

    response: Period
    response_source: str
    roll_source: str | None = None
    acknowledge: Period | None = None
    acknowledge_source: str | None = None
    extension: Period | None = None
    extension_max_times: int = 0
    extension_source: str | None = None
    pause_reasons: frozenset[str] = frozenset()
    pause_source: str | None = None

    @property
    def citations(self) -> tuple[str, ...]:
        sources = (
            self.response_source,
            self.roll_source,
            self.acknowledge_source,
            self.extension_source,
            self.pause_source,
        )
        return tuple(s for s in sources if s)


@dataclass(frozen=True)
class CalendarSpec:
    country: str
    subdivision: str | None
    country_from_request: bool
    weekend: frozenset[int]


@dataclass(frozen=True)
class LawRules:
    law: str
    name: str
    calendar: CalendarSpec
    default: Rule
    types: Mapping[str, Rule]


@dataclass(frozen=True)
class RuleBook:
    request_types: tuple[str, ...]
    laws: Mapping[str, LawRules]

    def law(self, law: str) -> LawRules:
        try:
            return self.laws[law]
        except KeyError:
            known = ", ".join(self.laws)
            raise DeadlineError(f"Unknown law '{law}'; known laws: {known}") from None

    def rule_for(self, law: str, request_type: str) -> Rule:
        rules = self.law(law)
        if request_type not in self.request_types:
            known = ", ".join(self.request_types)
            raise DeadlineError(f"Unknown request type '{request_type}'; known types: {known}")
        return rules.types.get(request_type, rules.default)


_RULE_KEYS = ("response", "roll", "acknowledge", "extension", "pause")


class _Reader:
    """Checks one JSON value at a time, so every complaint names the exact field in the file."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> RulesFileError:
        return RulesFileError(f"{self.source}: field '{where}' {problem}")

    def obj(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        return value

    def key(self, obj: Mapping[str, Any], name: str, where: str) -> Any:
        if name not in obj:
            raise self.fail(f"{where}.{name}", "is missing")
        return obj[name]

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be a non-empty string")
        return value

    def count(self, value: object, where: str) -> int:
        # bool is an int in Python; `true` as a day count is a typo, not a 1.
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(where, "must be a whole number of at least 1")
        return value

    def period(self, value: object, where: str) -> tuple[Period, str]:
        obj = self.obj(value, where)
        amount = self.count(self.key(obj, "amount", where), f"{where}.amount")
        unit_text = self.key(obj, "unit", where)
        if unit_text not in {u.value for u in Unit}:
            allowed = ", ".join(u.value for u in Unit)
            raise self.fail(f"{where}.unit", f"must be one of: {allowed}")
        source = self.text(self.key(obj, "source", where), f"{where}.source")
        return Period(amount, Unit(unit_text)), source

    def rule(self, obj: Mapping[str, Any], where: str) -> Rule:
        for name in obj:
            if name not in _RULE_KEYS:
                raise self.fail(f"{where}.{name}", f"is not a rule part ({', '.join(_RULE_KEYS)})")
        response, response_source = self.period(
            self.key(obj, "response", where), f"{where}.response"
        )
        rule = Rule(response=response, response_source=response_source)
        if (roll := obj.get("roll")) is not None:
            roll_obj = self.obj(roll, f"{where}.roll")
            source = self.key(roll_obj, "source", f"{where}.roll")
            rule = _replace(rule, roll_source=self.text(source, f"{where}.roll.source"))
        if (ack := obj.get("acknowledge")) is not None:
            period, source = self.period(ack, f"{where}.acknowledge")
            rule = _replace(rule, acknowledge=period, acknowledge_source=source)
        if (ext := obj.get("extension")) is not None:
            period, source = self.period(ext, f"{where}.extension")
            ext_obj = self.obj(ext, f"{where}.extension")
            times = self.key(ext_obj, "max_times", f"{where}.extension")
            rule = _replace(
                rule,
                extension=period,
                extension_source=source,
                extension_max_times=self.count(times, f"{where}.extension.max_times"),
            )
        if (pause := obj.get("pause")) is not None:
            pause_obj = self.obj(pause, f"{where}.pause")
            reasons = self.key(pause_obj, "reasons", f"{where}.pause")
            if not isinstance(reasons, list) or not reasons:
                raise self.fail(f"{where}.pause.reasons", "must be a non-empty list of strings")
            codes = [self.text(r, f"{where}.pause.reasons[{i}]") for i, r in enumerate(reasons)]
            source = self.text(
                self.key(pause_obj, "source", f"{where}.pause"), f"{where}.pause.source"
            )
            rule = _replace(rule, pause_reasons=frozenset(codes), pause_source=source)
        return rule

    def calendar(self, value: object, where: str) -> CalendarSpec:
        obj = self.obj(value, where)
        country = self.text(self.key(obj, "country", where), f"{where}.country").upper()
        subdivision = obj.get("subdivision")
        if subdivision is not None:
            subdivision = self.text(subdivision, f"{where}.subdivision").upper()
        supported = holidays.list_supported_countries()
        if country not in supported:
            raise self.fail(f"{where}.country", f"'{country}' has no holiday calendar")
        if subdivision is not None and subdivision not in supported[country]:
            raise self.fail(f"{where}.subdivision", f"'{subdivision}' is not a part of {country}")
        from_request = obj.get("country_from_request", False)
        if not isinstance(from_request, bool):
            raise self.fail(f"{where}.country_from_request", "must be true or false")
        weekend = self.key(obj, "weekend", where)
        if not isinstance(weekend, list) or any(day not in _WEEKDAYS for day in weekend):
            raise self.fail(f"{where}.weekend", f"must be a list of: {', '.join(_WEEKDAYS)}")
        return CalendarSpec(
            country, subdivision, from_request, frozenset(_WEEKDAYS[d] for d in weekend)
        )


def parse_rules(data: object, *, source: str = "rules.json") -> RuleBook:
    """Check and build the rule book from decoded JSON; `source` names the file in messages."""
    read = _Reader(source)
    top = read.obj(data, "(top level)")
    if top.get("format") != 1:
        raise read.fail("format", "must be 1 (the only format this build reads)")
    types = read.key(top, "request_types", "(top level)")
    if not isinstance(types, list) or not types:
        raise read.fail("request_types", "must be a non-empty list of strings")
    request_types = tuple(read.text(t, f"request_types[{i}]") for i, t in enumerate(types))
    laws_obj = read.obj(read.key(top, "laws", "(top level)"), "laws")
    if not laws_obj:
        raise read.fail("laws", "must name at least one law")
    laws: dict[str, LawRules] = {}
    for law, value in laws_obj.items():
        where = f"laws.{law}"
        obj = read.obj(value, where)
        name = read.text(read.key(obj, "name", where), f"{where}.name")
        calendar_spec = read.calendar(read.key(obj, "calendar", where), f"{where}.calendar")
        default_obj = read.obj(read.key(obj, "default", where), f"{where}.default")
        # The default is checked first, so a fault in it is named there, not in an override.
        default = read.rule(default_obj, f"{where}.default")
        overrides = read.obj(obj.get("types", {}), f"{where}.types")
        by_type: dict[str, Rule] = {}
        for request_type, override in overrides.items():
            type_where = f"{where}.types.{request_type}"
            if request_type not in request_types:
                raise read.fail(type_where, "is not one of the listed request_types")
            # An override replaces only the parts it names; the merged rule is checked as a whole.
            merged = {**default_obj, **read.obj(override, type_where)}
            by_type[request_type] = read.rule(merged, type_where)
        laws[law] = LawRules(law, name, calendar_spec, default, by_type)
    return RuleBook(request_types=request_types, laws=laws)


def load_rules(path: Path | None = None) -> RuleBook:
    """Read and check a rules file (the bundled one when no path is given)."""
    path = path or data_path("deadlines", "rules.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesFileError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RulesFileError(f"{path.name}: is not valid JSON ({exc})") from exc
    return parse_rules(data, source=path.name)


@functools.cache
def default_rules() -> RuleBook:
    """The bundled rules, read once per process."""
    return load_rules()


# --- calendars ------------------------------------------------------------------------------------


def add_months(start: dt.date, months: int) -> dt.date:
    """Regulation 1182/71 Art. 3(2)(c): the same date `months` later, else that month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last_day))


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    # A frozen set per year, not a shared HolidayBase: those grow lazily and are not thread-safe.
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days where the request is handled."""

    country: str
    subdivision: str | None = None
    weekend: frozenset[int] = field(default_factory=lambda: frozenset({5, 6}))

    @property
    def name(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    def is_holiday(self, day: dt.date) -> bool:
        return day in _public_holidays(self.country, self.subdivision, day.year)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and not self.is_holiday(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_business_days(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (the day of receipt is never counted)."""
        day = start
        for _ in range(count):
            day = self.next_working_day(day + dt.timedelta(days=1))
        return day


def calendar_for(
    law: str, *, country: str | None = None, rules: RuleBook | None = None
) -> WorkingCalendar:
    """The working-day calendar for `law`.

    `country` ("DE", or "DE-BY" with a subdivision) is used only by laws whose calendar comes from
    the request (gdpr); the others have one fixed calendar and ignore it.
    """
    spec = (rules or default_rules()).law(law).calendar
    code, subdivision = spec.country, spec.subdivision
    if spec.country_from_request and country:
        code, _, sub = country.strip().upper().partition("-")
        subdivision = sub or None
        supported = holidays.list_supported_countries()
        if code not in supported:
            raise DeadlineError(f"No public-holiday calendar for country '{code}'")
        if subdivision is not None and subdivision not in supported[code]:
            raise DeadlineError(f"'{subdivision}' is not a known part of country '{code}'")
    return WorkingCalendar(code, subdivision, spec.weekend)


def _add_periods(start: dt.date, periods: Iterable[Period], cal: WorkingCalendar) -> dt.date:
    # Periods of one unit are summed before counting, so 1 month + 2 months is 3 months from receipt
    # (31 Jan -> 30 Apr), not 1 month then 2 (31 Jan -> 28 Feb -> 28 Apr).
    totals = {unit: 0 for unit in Unit}
    for period in periods:
        totals[period.unit] += period.amount
    day = add_months(start, totals[Unit.MONTHS])
    day += dt.timedelta(days=totals[Unit.DAYS])
    return cal.add_business_days(day, totals[Unit.BUSINESS_DAYS])


# --- the ledger -----------------------------------------------------------------------------------


class EntryKind(enum.StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"


@dataclass(frozen=True)
class ClockEntry:
    kind: EntryKind
    at: dt.date
    reason: str = ""
    requester_told_on: dt.date | None = None

    def describe(self, number: int) -> str:
        return f"Clock entry {number} ({self.kind.value} on {self.at.isoformat()})"


def _check_sequence(entries: tuple[ClockEntry, ...]) -> None:
    """The checks that need no law: order, start first, pause/resume pairing, reasons given."""
    paused = False
    for number, entry in enumerate(entries, start=1):
        what = entry.describe(number)
        if number == 1 and entry.kind is not EntryKind.START:
            raise ClockError(f"{what}: a clock must begin with its start (the received date)")
        if number > 1 and entry.kind is EntryKind.START:
            raise ClockError(f"{what}: the clock was already started")
        if number > 1 and entry.at < entries[number - 2].at:
            raise ClockError(f"{what}: entries must be in date order")
        if entry.kind is EntryKind.PAUSE:
            if paused:
                raise ClockError(f"{what}: the clock is already paused")
            if not entry.reason.strip():
                raise ClockError(f"{what}: a pause needs a reason")
            paused = True
        elif entry.kind is EntryKind.RESUME:
            if not paused:
                raise ClockError(f"{what}: the clock is not paused")
            paused = False
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

    def start(self, at: dt.date) -> Ledger:
        return self._add(ClockEntry(EntryKind.START, at))

    def pause(self, at: dt.date, reason: str) -> Ledger:
        return self._add(ClockEntry(EntryKind.PAUSE, at, reason=reason))

    def resume(self, at: dt.date) -> Ledger:
        return self._add(ClockEntry(EntryKind.RESUME, at))

    def extend(self, at: dt.date, reason: str, requester_told_on: dt.date) -> Ledger:
        return self._add(
            ClockEntry(EntryKind.EXTEND, at, reason=reason, requester_told_on=requester_told_on)
        )


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
    paused_days: int
    citations: tuple[str, ...]
    calendar: str


def compute(
    law: str,
    request_type: str,
    ledger: Ledger,
    *,
    country: str | None = None,
    rules: RuleBook | None = None,
) -> ClockState:
    """Work out a request's deadlines from its ledger, refusing entries the law does not allow.

    Pauses count in calendar days, from the day of the pause up to the day of the resumption
    (paused on the 3rd, resumed on the 5th: two days), and push the due date later by that much
    before the period's end moves to a working day. A clock that is still paused is shown due as if
    it resumed on the day it paused; `days_left` stays frozen until it resumes.
    """
    book = rules or default_rules()
    rule = book.rule_for(law, request_type)
    cal = calendar_for(law, country=country, rules=book)
    entries = ledger.entries
    if not entries:
        raise ClockError("The clock has not been started: add the date the request was received")
    received = entries[0].at

    def due(extensions: int, paused_days: int) -> dt.date:
        periods = [rule.response]
        if rule.extension is not None:
            periods += [rule.extension] * extensions
        end = _add_periods(received, periods, cal) + dt.timedelta(days=paused_days)
        return cal.next_working_day(end) if rule.roll_source else end

    extensions = 0
    paused_days = 0
    paused_since: dt.date | None = None
    for number, entry in enumerate(entries[1:], start=2):
        what = entry.describe(number)
        open_pause = (entry.at - paused_since).days if paused_since else 0
        due_then = due(extensions, paused_days + open_pause)
        if entry.kind is EntryKind.PAUSE:
            if not rule.pause_reasons:
                raise ClockError(f"{what}: {law} does not allow the clock to be paused")
            if entry.reason not in rule.pause_reasons:
                allowed = ", ".join(sorted(rule.pause_reasons))
                raise ClockError(f"{what}: {law} allows a pause only for: {allowed}")
            if entry.at > due_then:
                raise ClockError(f"{what}: the deadline of {due_then.isoformat()} had passed")
            paused_since = entry.at
        elif entry.kind is EntryKind.RESUME:
            paused_days += open_pause
            paused_since = None
        elif entry.kind is EntryKind.EXTEND:
            if rule.extension is None:
                raise ClockError(f"{what}: {law} allows no extension for a {request_type} request")
            if extensions >= rule.extension_max_times:
                raise ClockError(
                    f"{what}: {law} allows no further extension"
                    f" ({rule.extension_max_times} at most, already taken)"
                )
            told = entry.requester_told_on
            if told is not None and told > due_then:
                raise ClockError(
                    f"{what}: too late; {law} requires telling the requester by"
                    f" {due_then.isoformat()}, and they were told on {told.isoformat()}"
                )
            extensions += 1

    due_date = due(extensions, paused_days)
    left = rule.extension_max_times - extensions if rule.extension else 0
    acknowledge_by = None
    if rule.acknowledge is not None:
        acknowledge_by = _add_periods(received, [rule.acknowledge], cal)
    return ClockState(
        law=law,
        request_type=request_type,
        received=received,
        due_date=due_date,
        original_due_date=due(0, paused_days),
        acknowledge_by=acknowledge_by,
        extended=extensions > 0,
        extensions_left=left,
        extension_notice_by=due_date if left else None,
        paused=paused_since is not None,
        paused_since=paused_since,
        paused_days=paused_days,
        citations=rule.citations,
        calendar=cal.name,
    )


def days_left(state: ClockState, today: dt.date) -> int:
    """Days from `today` to the due date (0 on the day, negative once overdue).

    Frozen while the clock is paused.
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

    A paused clock is never due this week: it has no deadline running until it resumes.
    """
    return not state.paused and 0 <= days_left(state, today) <= 6
