"""Dates, times and numbers as the user's locale writes them in the window (exports stay ISO)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, QTime

from console.wording import plural, plural_word

__all__ = ["day", "moment", "number", "plural", "plural_word", "short_day"]


def _locale() -> QLocale:
    return QLocale()


def _iso(loc: QLocale) -> bool:
    # No locale set (C/POSIX): ISO dates, which nobody misreads.
    return loc.language() == QLocale.Language.C


def _day_format(loc: QLocale) -> str:
    """The locale's short date with a four-digit year (12/4/2026, 04/12/2026, 04.12.2026)."""
    if _iso(loc):
        return "yyyy-MM-dd"
    fmt = loc.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in fmt:
        fmt = fmt.replace("yy", "yyyy")
    return fmt


def day(value: dt.date | None) -> str:
    """A calendar date, never with a time of day."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone().date() if value.tzinfo else value.date()
    loc = _locale()
    return loc.toString(QDate(value.year, value.month, value.day), _day_format(loc))


def short_day(value: dt.date) -> str:
    """Day and month only, in the locale's order (chart axes): '4 Dec' or 'Dec 4'."""
    loc = _locale()
    fmt = "MMM d" if _day_format(loc).startswith("M") else "d MMM"
    return loc.toString(QDate(value.year, value.month, value.day), fmt)


def moment(value: dt.datetime | None) -> str:
    """A moment in the user's local time zone (stored times are UTC), to the minute."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone()
    loc = _locale()
    if _iso(loc):
        return local.strftime("%Y-%m-%d %H:%M")
    clock = loc.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    return f"{day(local.date())} {clock}"


def number(n: float, decimals: int = 0) -> str:
    loc = _locale()
    if decimals == 0:
        return loc.toString(round(n))
    return loc.toString(float(n), "f", decimals)


def from_qdate(q: QDate) -> dt.date:
    """A date picked in a QDateEdit as a Python date."""
    return dt.date(q.year(), q.month(), q.day())
