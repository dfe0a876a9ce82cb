"""Reading the values of data/requests/registry.json: each JSON value is checked as it is read,
so a complaint names the file and the exact field, and a rule without its citation is refused.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any

from console.domain.calendars import WEEKDAYS, CalendarError, check_place
from console.domain.registry_model import (
    LETTER_KINDS,
    Acknowledge,
    CalendarSpec,
    Citation,
    Clock,
    Counting,
    Extension,
    LetterRule,
    Pause,
    Period,
    RegistryFileError,
    StartMoves,
    StartRule,
    StopClock,
    Unit,
    Verification,
    VerificationMode,
)

PARTS = (
    "clock",
    "roll",
    "acknowledge",
    "extension",
    "pause",
    "start_moves",
    "stop_clock",
    "verification",
    "letters",
)
DATES = ("effective_from", "effective_until")
_START_EVENTS = frozenset({"identity", "fee"})
_STOP_REASONS = frozenset({"clarification"})

# One version of a law's defaults or of a type entry: its parts as read (None = explicitly none).
Version = dict[str, Any]


class FieldReader:
    """Checks one JSON value at a time, so every complaint names the exact field in the file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.elements: frozenset[str] = frozenset()

    def fail(self, where: str, problem: str) -> RegistryFileError:
        return RegistryFileError(f"{self.source}: field '{where}' {problem}")

    def obj(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        return value

    def only(self, obj: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        for name in obj:
            if name not in allowed:
                raise self.fail(f"{where}.{name}", f"is not one of: {', '.join(sorted(allowed))}")

    def key(self, obj: Mapping[str, Any], name: str, where: str) -> Any:
        if name not in obj:
            raise self.fail(f"{where}.{name}", "is missing")
        return obj[name]

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be a non-empty string")
        return value

    def opt_text(self, obj: Mapping[str, Any], name: str, where: str) -> str | None:
        value = obj.get(name)
        return None if value is None else self.text(value, f"{where}.{name}")

    def count(self, value: object, where: str) -> int:
        # bool is an int in Python; `true` as a day count is a typo, not a 1.
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(where, "must be a whole number of at least 1")
        return value

    def flag(self, obj: Mapping[str, Any], name: str, where: str, default: bool) -> bool:
        value = obj.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{name}", "must be true or false")
        return value

    def date(self, value: object, where: str) -> dt.date | None:
        if value is None:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(where, "must be a date written YYYY-MM-DD") from None

    def choice(self, value: object, choices: tuple[str, ...], where: str) -> str:
        if value not in choices:
            raise self.fail(where, f"must be one of: {', '.join(choices)}")
        return str(value)

    def codes(self, value: object, allowed: frozenset[str] | None, where: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list of strings")
        items = tuple(self.text(v, f"{where}[{i}]") for i, v in enumerate(value))
        if allowed is not None:
            for i, item in enumerate(items):
                if item not in allowed:
                    raise self.fail(
                        f"{where}[{i}]", f"'{item}' is not one of: {', '.join(sorted(allowed))}"
                    )
        return items

    def citation(self, obj: Mapping[str, Any], where: str) -> Citation:
        """Every rule carries `source`: the registry refuses to load a rule without its citation."""
        source = obj.get("source")
        if source is None:
            raise self.fail(f"{where}.source", "is missing: every rule must cite its legal source")
        return Citation(self.text(source, f"{where}.source"), self.opt_text(obj, "review", where))

    def period(self, obj: Mapping[str, Any], where: str) -> Period:
        amount = self.count(self.key(obj, "amount", where), f"{where}.amount")
        units = tuple(u.value for u in Unit)
        unit = self.choice(self.key(obj, "unit", where), units, f"{where}.unit")
        return Period(amount, Unit(unit))

    def counting(self, obj: Mapping[str, Any], where: str) -> Counting:
        value = obj.get("counting", Counting.AFTER_START.value)
        return Counting(self.choice(value, tuple(c.value for c in Counting), f"{where}.counting"))

    def calendar(self, value: object, where: str, *, fixed: bool = False) -> CalendarSpec:
        obj = self.obj(value, where)
        allowed = {"country", "subdivision", "weekend"} | (
            set() if fixed else {"country_from_request"}
        )
        self.only(obj, frozenset(allowed), where)
        country = self.text(self.key(obj, "country", where), f"{where}.country").upper()
        subdivision = self.opt_text(obj, "subdivision", where)
        subdivision = subdivision.upper() if subdivision else None
        try:
            check_place(country, None)
        except CalendarError:
            raise self.fail(f"{where}.country", f"'{country}' has no holiday calendar") from None
        try:
            check_place(country, subdivision)
        except CalendarError:
            raise self.fail(
                f"{where}.subdivision", f"'{subdivision}' is not a part of {country}"
            ) from None
        from_request = self.flag(obj, "country_from_request", where, False)
        weekend = self.key(obj, "weekend", where)
        if not isinstance(weekend, list) or any(day not in WEEKDAYS for day in weekend):
            raise self.fail(f"{where}.weekend", f"must be a list of: {', '.join(WEEKDAYS)}")
        return CalendarSpec(
            country, subdivision, from_request, frozenset(WEEKDAYS[d] for d in weekend)
        )

    # --- the parts of a rule -------------------------------------------------------------------

    def clock(self, value: object, where: str) -> Clock:
        obj = self.obj(value, where)
        keys = {"amount", "unit", "source", "review", "statutory", "start", "counting", "calendar"}
        self.only(obj, frozenset(keys), where)
        start = obj.get("start", StartRule.RECEIVED.value)
        start = self.choice(start, tuple(s.value for s in StartRule), f"{where}.start")
        calendar = obj.get("calendar")
        return Clock(
            period=self.period(obj, where),
            citation=self.citation(obj, where),
            statutory=self.flag(obj, "statutory", where, True),
            start=StartRule(start),
            counting=self.counting(obj, where),
            calendar=None
            if calendar is None
            else self.calendar(calendar, f"{where}.calendar", fixed=True),
        )

    def roll(self, value: object, where: str) -> Citation:
        obj = self.obj(value, where)
        self.only(obj, frozenset({"source", "review"}), where)
        return self.citation(obj, where)

    def acknowledge(self, value: object, where: str) -> Acknowledge:
        obj = self.obj(value, where)
        self.only(obj, frozenset({"amount", "unit", "source", "review", "counting"}), where)
        return Acknowledge(
            self.period(obj, where), self.citation(obj, where), self.counting(obj, where)
        )

    def extension(self, value: object, where: str) -> Extension:
        obj = self.obj(value, where)
        keys = {"amount", "unit", "max_times", "source", "review", "grounds", "notice_must_state"}
        self.only(obj, frozenset(keys), where)
        return Extension(
            period=self.period(obj, where),
            max_times=self.count(self.key(obj, "max_times", where), f"{where}.max_times"),
            citation=self.citation(obj, where),
            grounds=self.codes(obj.get("grounds", []), None, f"{where}.grounds"),
            notice_must_state=self.codes(
                obj.get("notice_must_state", []), self.elements, f"{where}.notice_must_state"
            ),
        )

    def reasons(
        self, obj: Mapping[str, Any], name: str, allowed: frozenset[str] | None, where: str
    ) -> frozenset[str]:
        codes = self.codes(self.key(obj, name, where), allowed, f"{where}.{name}")
        if not codes:
            raise self.fail(f"{where}.{name}", "must be a non-empty list of strings")
        return frozenset(codes)

    def pause(self, value: object, where: str) -> Pause:
        obj = self.obj(value, where)
        self.only(obj, frozenset({"reasons", "source", "review"}), where)
        return Pause(self.reasons(obj, "reasons", None, where), self.citation(obj, where))

    def start_moves(self, value: object, where: str) -> StartMoves:
        obj = self.obj(value, where)
        self.only(obj, frozenset({"events", "source", "review"}), where)
        return StartMoves(
            self.reasons(obj, "events", _START_EVENTS, where), self.citation(obj, where)
        )

    def stop_clock(self, value: object, where: str) -> StopClock:
        obj = self.obj(value, where)
        self.only(obj, frozenset({"reasons", "source", "review"}), where)
        return StopClock(
            self.reasons(obj, "reasons", _STOP_REASONS, where), self.citation(obj, where)
        )

    def verification(self, value: object, where: str) -> Verification:
        obj = self.obj(value, where)
        self.only(obj, frozenset({"mode", "source", "review"}), where)
        modes = tuple(m.value for m in VerificationMode)
        mode = self.choice(self.key(obj, "mode", where), modes, f"{where}.mode")
        return Verification(VerificationMode(mode), self.citation(obj, where))

    def letters(self, value: object, where: str) -> dict[str, LetterRule | None]:
        obj = self.obj(value, where)
        self.only(obj, frozenset(LETTER_KINDS), where)
        out: dict[str, LetterRule | None] = {}
        for kind, rule in obj.items():
            at = f"{where}.{kind}"
            if rule is None:
                out[kind] = None
                continue
            rule_obj = self.obj(rule, at)
            self.only(rule_obj, frozenset({"must_say", "source", "review"}), at)
            must_say = self.codes(
                self.key(rule_obj, "must_say", at), self.elements, f"{at}.must_say"
            )
            out[kind] = LetterRule(kind, must_say, self.citation(rule_obj, at))
        return out

    def version(self, value: object, where: str, allowed: frozenset[str]) -> Version:
        obj = self.obj(value, where)
        self.only(obj, allowed, where)
        parsed: Version = {name: self.date(obj.get(name), f"{where}.{name}") for name in DATES}
        start, end = parsed["effective_from"], parsed["effective_until"]
        if start is not None and end is not None and end < start:
            raise self.fail(f"{where}.effective_until", "is before effective_from")
        for name in PARTS:
            if name not in obj:
                continue
            raw = obj[name]
            parsed[name] = None if raw is None else getattr(self, name)(raw, f"{where}.{name}")
        return parsed

    def versions(
        self, value: object, where: str, allowed: frozenset[str]
    ) -> list[tuple[str, Version, Mapping[str, Any]]]:
        """A rule's versions in date order, each with its place in the file and its raw object."""
        items = value if isinstance(value, list) else [value]
        if not items:
            raise self.fail(where, "must hold at least one version")
        places = (
            [f"{where}[{i}]" for i in range(len(items))] if isinstance(value, list) else [where]
        )
        found: list[tuple[str, Version, Mapping[str, Any]]] = [
            (at, self.version(v, at, allowed), self.obj(v, at))
            for at, v in zip(places, items, strict=True)
        ]
        found.sort(key=lambda item: item[1]["effective_from"] or dt.date.min)
        for (_, before, _), (at, after, _) in itertools.pairwise(found):
            ended, starts = before["effective_until"], after["effective_from"]
            if ended is None or starts is None or starts <= ended:
                raise self.fail(f"{at}.effective_from", "overlaps an earlier version")
        return found
