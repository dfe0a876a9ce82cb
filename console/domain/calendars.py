"""Working-day calendars for statutory clocks: public holidays per place, with the corrections the
law needs where the `holidays` library's list is not the legal one, and month arithmetic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import holidays

from console.errors import ConsoleError


class CalendarError(ConsoleError):
    """No public-holiday calendar for the place asked."""


WEEKDAYS: Mapping[str, int] = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def add_months(start: dt.date, months: int) -> dt.date:
    """Regulation 1182/71 Art. 3(2)(c): the same date `months` later, else that month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last_day))


# --- corrections to the library's lists -----------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _canada_interpretation_act(year: int, listed: Mapping[dt.date, str]) -> dict[dt.date, str]:
    """The federal days of s.35(1) that the library's national "CA" list leaves out."""
    days: dict[dt.date, str] = {}
    good_friday = next((d for d, name in listed.items() if name == "Good Friday"), None)
    if good_friday is not None:
        days[good_friday + dt.timedelta(days=3)] = "Easter Monday"
    # Victoria Day: the Monday before 25 May (Holidays Act, R.S.C. 1985, c. H-5, s.2).
    may_25 = dt.date(year, 5, 25)
    days[may_25 - dt.timedelta(days=may_25.weekday() or 7)] = "Victoria Day"
    # Thanksgiving is appointed by proclamation each year, always the second Monday of October.
    days[_nth_weekday(year, 10, 0, 2)] = "Thanksgiving Day"
    days[dt.date(year, 11, 11)] = "Remembrance Day"
    if year >= 2021:
        days[dt.date(year, 9, 30)] = "National Day for Truth and Reconciliation"
    # s.35(2): New Year's Day, Canada Day or Remembrance Day on a Sunday makes the Monday a holiday.
    for month, day in ((1, 1), (7, 1), (11, 11)):
        date = dt.date(year, month, day)
        if date.weekday() == 6:
            days[date + dt.timedelta(days=1)] = "Holiday (s.35(2): the day after a Sunday holiday)"
    return days


@dataclass(frozen=True)
class Correction:
    """Where a place's legal holidays differ from the library's list, and the law that says so."""

    source: str
    remove_names: frozenset[str] = frozenset()
    add: Callable[[int, Mapping[dt.date, str]], Mapping[dt.date, str]] | None = None
    # Why a lawyer should confirm this before relying on it; None when read in an official copy.
    review: str | None = None


CORRECTIONS: Mapping[tuple[str, str | None], Correction] = {
    ("CA", None): Correction(
        source=(
            "Interpretation Act, R.S.C. 1985, c. I-21, s.35(1) 'holiday': Sunday, New Year's Day,"
            " Good Friday, Easter Monday, Christmas Day, Victoria Day, Canada Day, Labour Day,"
            " National Day for Truth and Reconciliation, Remembrance Day and any day appointed by"
            " proclamation (Thanksgiving); s.35(2) for Sunday holidays. Boxing Day is not listed."
        ),
        add=_canada_interpretation_act,
        review=(
            "s.35(1) read in Parliament's bill reprints of the definition, not the consolidated"
            " Act; s.35(2) recalled. Provincial holidays (s.35(1) 'in any province') are not added."
        ),
    ),
    ("US", "CA"): Correction(
        source=(
            "Cal. Gov. Code §6700: the holidays in California do not include 15 February"
            " ('Susan B. Anthony Day' is a day of observance, not a holiday)"
        ),
        remove_names=frozenset({"Susan B. Anthony Day"}),
        review=(
            "The library's California list is the state employees' paid holidays; §6700 lists more"
            " days (e.g. Lincoln Day, Admission Day) that state offices keep open. Confirm which"
            " list 'business day' in the CCPA regulations follows."
        ),
    ),
}


@functools.lru_cache(maxsize=512)
def public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[dt.date, str]:
    """The public holidays of a place in one year, corrected where the law differs from the library.

    A plain mapping per year, not a shared HolidayBase: those grow lazily and are not thread-safe.
    """
    listed: dict[dt.date, str] = dict(
        holidays.country_holidays(country, subdiv=subdivision, years=year).items()
    )
    fix = CORRECTIONS.get((country, subdivision))
    if fix is None:
        return listed
    listed = {day: name for day, name in listed.items() if name not in fix.remove_names}
    if fix.add is not None:
        for day, name in fix.add(year, listed).items():
            listed.setdefault(day, name)
    return listed


def check_place(country: str, subdivision: str | None) -> None:
    """CalendarError unless the library has a calendar for the country (and its part)."""
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise CalendarError(f"No public-holiday calendar for country '{country}'")
    if subdivision is not None and subdivision not in supported[country]:
        raise CalendarError(f"'{subdivision}' is not a known part of country '{country}'")


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
        return day in public_holidays(self.country, self.subdivision, day.year)

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

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` is not later)."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count
