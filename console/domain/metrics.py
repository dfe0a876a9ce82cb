"""Request metrics per law, as pure functions over plain request facts (no database): the CCPA
§7102 table (CCPA requests only) and a timeliness table for each other law.

Services read the facts from the store and call one function; reports render the tables.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from console.domain.calendars import WorkingCalendar
from console.domain.deadlines import calendar_for
from console.domain.registry_model import Registry, RequestTypeEntry, Unit
from console.domain.request_types import registry

COMPLIED = "complied"
COMPLIED_IN_PART = "complied_in_part"
DENIED = "denied"
WITHDRAWN = "withdrawn"
_RESPONDED = (COMPLIED, COMPLIED_IN_PART, DENIED)

CCPA_7102_SOURCE = (
    "11 CCR §7102(a)(1): for the previous calendar year, the number of requests to delete, correct,"
    " know, opt out of sale/sharing and limit that the business received, complied with in whole"
    " or in part, and denied, and the median or mean number of days within which it substantively"
    " responded; (a)(2): denials may be broken down as not verifiable, not made by a consumer,"
    " exempt, or other grounds"
)
# §7102(a)(1)(A)-(E), in the regulation's order.
CCPA_7102_ROWS: tuple[tuple[str, str], ...] = (
    ("deletion", "Requests to delete"),
    ("correction", "Requests to correct"),
    ("access", "Requests to know"),
    ("opt-out-sale", "Requests to opt-out of sale/sharing"),
    ("limit-spi", "Requests to limit"),
)
CCPA_7102_NOTES = (
    "Only requests made under the CCPA are counted; requests under other laws have their own"
    " timeliness tables.",
    "Requests are counted in the calendar year they were received.",
    "Withdrawn requests are shown apart: §7102 does not count them as complied with or denied.",
    "A deletion where every record had to be kept (legal hold) is counted as denied on an"
    " exception (11 CCR §7022(f)), not as complied with in part.",
    "A CCPA portability request is answered as a request to know (Cal. Civ. Code §1798.130(a)(2))"
    " and counted with them.",
    "Days to respond are calendar days from receipt to the substantive response (compliance or"
    " denial).",
)


@dataclass(frozen=True)
class RequestFacts:
    """What the metrics need about one request, as the store holds it."""

    id: int
    law: str
    request_type: str
    received_on: dt.date
    outcome: str | None = None  # complied, complied_in_part, denied, withdrawn; None while open
    closed_on: dt.date | None = None
    denial_reason: str | None = None
    due_on: dt.date | None = None  # the due date now in force (from the clock ledger)
    extended: bool = False
    waiting: bool = False  # the clock is paused or waiting for identity, a fee or clarification
    country: str | None = None  # for laws whose calendar follows the request (gdpr)
    acknowledge_by: dt.date | None = None
    acknowledged_on: dt.date | None = None
    # For deletions: how many records were found, and how many of those are under a legal hold.
    records_found: int | None = None
    records_held: int | None = None


def _held_everything(f: RequestFacts) -> bool:
    found, held = f.records_found, f.records_held
    return f.request_type == "deletion" and bool(found) and held == found


def effective_outcome(f: RequestFacts, reg: Registry) -> tuple[str | None, str | None]:
    """The outcome and denial reason to count: a deletion with every record held is a denial on
    the law's ground for held records (11 CCR §7022(f)), whatever an earlier build stored."""
    if f.outcome in (COMPLIED, COMPLIED_IN_PART) and _held_everything(f):
        rules = reg.laws.get(f.law)
        return DENIED, (rules.held_records_reason if rules else None) or "legal_claims"
    return f.outcome, f.denial_reason


def _days(values: list[int]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(statistics.fmean(values), 1), float(statistics.median(values))


def _rule(reg: Registry, f: RequestFacts) -> RequestTypeEntry | None:
    if f.law not in reg.laws or f.request_type not in reg.types:
        return None
    return reg.rule_for(f.law, f.request_type, f.received_on)


# --- CCPA §7102 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ccpa7102Row:
    request_type: str
    label: str
    received: int
    complied_in_whole: int
    complied_in_part: int
    denied: int
    # Denials in whole by the law's reason code, and by §7102(a)(2)'s four categories.
    denied_by_reason: Mapping[str, int]
    denied_by_category: Mapping[str, int]
    withdrawn: int
    pending: int
    mean_days: float | None
    median_days: float | None

    @property
    def complied(self) -> int:
        """§7102(a)(1) counts 'complied with in whole or in part' as one figure."""
        return self.complied_in_whole + self.complied_in_part


@dataclass(frozen=True)
class Ccpa7102Table:
    year: int
    rows: tuple[Ccpa7102Row, ...]
    citation: str = CCPA_7102_SOURCE
    notes: tuple[str, ...] = CCPA_7102_NOTES

    def row(self, request_type: str) -> Ccpa7102Row:
        return next(r for r in self.rows if r.request_type == request_type)


def ccpa_7102(
    facts: Iterable[RequestFacts], year: int, *, rules: Registry | None = None
) -> Ccpa7102Table:
    """The §7102 metrics for CCPA requests received in `year`."""
    reg = rules or registry()
    groups: dict[str, list[RequestFacts]] = {t: [] for t, _ in CCPA_7102_ROWS}
    for f in facts:
        if f.law != "ccpa" or f.received_on.year != year:
            continue
        rule = _rule(reg, f)
        key = rule.metrics_type if rule is not None else f.request_type
        if key in groups:
            groups[key].append(f)
    rows = []
    for request_type, label in CCPA_7102_ROWS:
        outcomes: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        categories: Counter[str] = Counter()
        days: list[int] = []
        for f in groups[request_type]:
            outcome, reason = effective_outcome(f, reg)
            outcomes[outcome or "pending"] += 1
            if outcome == DENIED:
                code = reason or "other"
                reasons[code] += 1
                info = reg.reasons.get(code)
                categories[info.ccpa_7102 if info else "other"] += 1
            if outcome in _RESPONDED and f.closed_on is not None:
                days.append((f.closed_on - f.received_on).days)
        mean, median = _days(days)
        rows.append(
            Ccpa7102Row(
                request_type=request_type,
                label=label,
                received=len(groups[request_type]),
                complied_in_whole=outcomes[COMPLIED],
                complied_in_part=outcomes[COMPLIED_IN_PART],
                denied=outcomes[DENIED],
                denied_by_reason=dict(sorted(reasons.items())),
                denied_by_category=dict(sorted(categories.items())),
                withdrawn=outcomes[WITHDRAWN],
                pending=outcomes["pending"],
                mean_days=mean,
                median_days=median,
            )
        )
    return Ccpa7102Table(year, tuple(rows))


# --- timeliness per law -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelinessRow:
    request_type: str
    label: str
    # The unit days to respond are counted in: the unit of the law's clock for the type.
    unit: str
    received: int
    closed_on_time: int
    closed_late: int
    open_overdue: int
    open_not_due: int
    # Responded or open requests whose due date the facts did not give.
    timing_unknown: int
    extended: int
    waiting: int
    complied: int
    denied: int
    denied_by_reason: Mapping[str, int]
    withdrawn: int
    acknowledged_on_time: int
    acknowledged_late: int
    mean_days: float | None
    median_days: float | None


@dataclass(frozen=True)
class TimelinessTable:
    law: str
    law_label: str
    year: int
    as_of: dt.date
    rows: tuple[TimelinessRow, ...]
    notes: tuple[str, ...] = field(default=())


def _respond_days(
    received: dt.date, closed: dt.date, unit: Unit, cal: WorkingCalendar | None
) -> int:
    if unit is Unit.BUSINESS_DAYS and cal is not None:
        return cal.business_days_between(received, closed)
    return (closed - received).days


def timeliness(
    facts: Iterable[RequestFacts],
    law: str,
    year: int,
    today: dt.date,
    *,
    rules: Registry | None = None,
) -> TimelinessTable:
    """Per request type, for `law`'s requests received in `year`: closed on time or late, open and
    overdue or not yet due (as of `today`), extended, waiting, outcomes, and days to respond in
    the unit of the law's clock (business days for CCPA opt-outs and limits, CAN-SPAM and CASL)."""
    reg = rules or registry()
    rules_of_law = reg.law(law)
    by_type: dict[str, list[RequestFacts]] = {}
    for f in facts:
        if f.law == law and f.received_on.year == year:
            by_type.setdefault(f.request_type, []).append(f)
    rows = []
    for request_type in [t for t in reg.types if t in by_type]:
        group = by_type[request_type]
        count: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        days: list[int] = []
        unit = Unit.DAYS
        for f in group:
            rule = _rule(reg, f)
            cal = None
            if rule is not None:
                unit = rule.clock.period.unit
                if rule.clock.calendar is not None:
                    spec = rule.clock.calendar
                    cal = WorkingCalendar(spec.country, spec.subdivision, spec.weekend)
                else:
                    cal = calendar_for(law, country=f.country, rules=reg)
            outcome, reason = effective_outcome(f, reg)
            count["extended"] += f.extended
            if outcome == WITHDRAWN:
                count["withdrawn"] += 1
                continue
            if outcome in _RESPONDED and f.closed_on is not None:
                count["denied" if outcome == DENIED else "complied"] += 1
                if outcome == DENIED:
                    reasons[reason or "other"] += 1
                days.append(_respond_days(f.received_on, f.closed_on, unit, cal))
                if f.due_on is None:
                    count["unknown"] += 1
                else:
                    count["on_time" if f.closed_on <= f.due_on else "late"] += 1
            else:
                count["waiting"] += f.waiting
                if f.due_on is None:
                    count["unknown"] += 1
                elif f.waiting or today <= f.due_on:
                    count["not_due"] += 1
                else:
                    count["overdue"] += 1
            if f.acknowledge_by is not None and f.acknowledged_on is not None:
                count["ack_on_time" if f.acknowledged_on <= f.acknowledge_by else "ack_late"] += 1
        mean, median = _days(days)
        rows.append(
            TimelinessRow(
                request_type=request_type,
                label=reg.type_label(request_type),
                unit="business days" if unit is Unit.BUSINESS_DAYS else "calendar days",
                received=len(group),
                closed_on_time=count["on_time"],
                closed_late=count["late"],
                open_overdue=count["overdue"],
                open_not_due=count["not_due"],
                timing_unknown=count["unknown"],
                extended=count["extended"],
                waiting=count["waiting"],
                complied=count["complied"],
                denied=count["denied"],
                denied_by_reason=dict(sorted(reasons.items())),
                withdrawn=count["withdrawn"],
                acknowledged_on_time=count["ack_on_time"],
                acknowledged_late=count["ack_late"],
                mean_days=mean,
                median_days=median,
            )
        )
    notes = (
        "Requests are counted in the calendar year they were received.",
        "On time means closed on or before the due date in force, after any lawful extension,"
        " pause or stopped days.",
        "A clock that is waiting (identity, fee, clarification) is not overdue.",
    )
    return TimelinessTable(law, rules_of_law.label, year, today, tuple(rows), notes)


def laws_with_requests(facts: Iterable[RequestFacts], year: int) -> tuple[str, ...]:
    """The laws that have requests received in `year`, in the registry's order."""
    seen = {f.law for f in facts if f.received_on.year == year}
    return tuple(law for law in registry().laws if law in seen)
