"""Dates, times and numbers as the user's locale writes them in the window (exports stay ISO)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, QTimeZone

from console.wording import plural, plural_word

__all__ = ["day", "moment", "number", "plural", "plural_word", "short_day"]


def _locale() -> QLocale:
    return QLocale()


def day(value: dt.date | None) -> str:
    """A calendar date, never with a time of day: '4 Dec 2026' / 'Dec 4, 2026' by locale."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone().date() if value.tzinfo else value.date()
    return _locale().toString(
        QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat
    )


def short_day(value: dt.date) -> str:
    """Day and month only (chart axes)."""
    fmt = (
        "d MMM" if _locale().dateFormat(QLocale.FormatType.ShortFormat).startswith("d") else "MMM d"
    )
    return _locale().toString(QDate(value.year, value.month, value.day), fmt)


def moment(value: dt.datetime | None) -> str:
    """A moment in the user's local time zone (stored times are UTC), to the minute."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone()
    q = QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute),
        QTimeZone.systemTimeZone(),
    )
    return _locale().toString(q, QLocale.FormatType.ShortFormat)


def number(n: float, decimals: int = 0) -> str:
    if decimals == 0:
        return _locale().toString(round(n))
    return _locale().toString(float(n), "f", decimals)
