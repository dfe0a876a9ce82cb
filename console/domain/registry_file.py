"""Reading data/requests/registry.json: every value is checked as it is read, so a mistake is
reported with the file and the exact field, and a rule without its citation never loads.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from console.domain.calendars import WEEKDAYS, CalendarError, check_place
from console.domain.registry_model import (
    CCPA_7102_BUCKETS,
    LETTER_KINDS,
    Acknowledge,
    AttorneyGeneral,
    CalendarSpec,
    Citation,
    Clock,
    Counting,
    DenialReason,
    ExcessiveDecision,
    Extension,
    LawEntry,
    LetterRule,
    Pause,
    Period,
    ReasonInfo,
    Redirect,
    Registry,
    RegistryFileError,
    RequestTypeEntry,
    StartMoves,
    StartRule,
    StopClock,
    TypeInfo,
    Unit,
    Verification,
    VerificationMode,
)

FORMAT = 1
_PARTS = (
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
_DATES = ("effective_from", "effective_until")
_DEFAULT_KEYS = frozenset((*_PARTS, *_DATES))
_TYPE_KEYS = frozenset((*_DEFAULT_KEYS, "source", "review", "handled_as", "on_expiry", "notes"))
_LAW_KEYS = frozenset(
    {
        "label",
        "name",
        "calendar",
        "defaults",
        "denial_reasons",
        "decisions",
        "held_records_reason",
        "attorney_general",
        "types",
        "not_held",
    }
)
_START_EVENTS = frozenset({"identity", "fee"})
_STOP_REASONS = frozenset({"clarification"})
_DAY = dt.timedelta(days=1)

# One version of a law's defaults or of a type entry: its parts as read (None = explicitly none).
_Version = dict[str, Any]


class _Reader:
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

    def version(self, value: object, where: str, allowed: frozenset[str]) -> _Version:
        obj = self.obj(value, where)
        self.only(obj, allowed, where)
        parsed: _Version = {name: self.date(obj.get(name), f"{where}.{name}") for name in _DATES}
        start, end = parsed["effective_from"], parsed["effective_until"]
        if start is not None and end is not None and end < start:
            raise self.fail(f"{where}.effective_until", "is before effective_from")
        for name in _PARTS:
            if name not in obj:
                continue
            raw = obj[name]
            parsed[name] = None if raw is None else getattr(self, name)(raw, f"{where}.{name}")
        return parsed

    def versions(
        self, value: object, where: str, allowed: frozenset[str]
    ) -> list[tuple[str, _Version, Mapping[str, Any]]]:
        """A rule's versions in date order, each with its place in the file and its raw object."""
        items = value if isinstance(value, list) else [value]
        if not items:
            raise self.fail(where, "must hold at least one version")
        places = (
            [f"{where}[{i}]" for i in range(len(items))] if isinstance(value, list) else [where]
        )
        found: list[tuple[str, _Version, Mapping[str, Any]]] = [
            (at, self.version(v, at, allowed), self.obj(v, at))
            for at, v in zip(places, items, strict=True)
        ]
        found.sort(key=lambda item: item[1]["effective_from"] or dt.date.min)
        for (_, before, _), (at, after, _) in itertools.pairwise(found):
            ended, starts = before["effective_until"], after["effective_from"]
            if ended is None or starts is None or starts <= ended:
                raise self.fail(f"{at}.effective_from", "overlaps an earlier version")
        return found


def _overlap(a: _Version, b: _Version) -> tuple[dt.date | None, dt.date | None] | None:
    starts = [d for d in (a["effective_from"], b["effective_from"]) if d is not None]
    ends = [d for d in (a["effective_until"], b["effective_until"]) if d is not None]
    start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    if start is not None and end is not None and end < start:
        return None
    return start, end


def _merge(general: _Version, own: _Version) -> _Version:
    merged = {**general, **{k: v for k, v in own.items() if k in _PARTS}}
    letters = dict(general.get("letters") or {})
    letters.update(own.get("letters") or {})
    merged["letters"] = letters
    return merged


class _LawReader:
    """Builds one law's entries: its defaults merged under each type, by date."""

    def __init__(
        self, read: _Reader, code: str, obj: Mapping[str, Any], catalogue: Registry
    ) -> None:
        self.read = read
        self.code = code
        self.obj = obj
        self.catalogue = catalogue
        self.where = f"laws.{code}"

    def build(self) -> LawEntry:
        read, where, obj = self.read, self.where, self.obj
        read.only(obj, _LAW_KEYS, where)
        label = read.text(read.key(obj, "label", where), f"{where}.label")
        name = read.text(read.key(obj, "name", where), f"{where}.name")
        calendar = read.calendar(read.key(obj, "calendar", where), f"{where}.calendar")
        defaults = read.versions(
            read.key(obj, "defaults", where), f"{where}.defaults", _DEFAULT_KEYS
        )
        self._check_defaults(defaults)
        types_obj = read.obj(read.key(obj, "types", where), f"{where}.types")
        if not types_obj:
            raise read.fail(f"{where}.types", "must hold at least one request type")
        reasons = self._denial_reasons()
        excessive = self._excessive()
        entries: dict[str, tuple[RequestTypeEntry, ...]] = {}
        for request_type, value in types_obj.items():
            at = f"{where}.types.{request_type}"
            if request_type not in self.catalogue.types:
                raise read.fail(at, "is not one of the listed request_types")
            built: list[RequestTypeEntry] = []
            for place, own, raw in read.versions(value, at, _TYPE_KEYS):
                for _, general, _ in defaults:
                    span = _overlap(general, own)
                    if span is None:
                        continue
                    entry = self._entry(request_type, place, _merge(general, own), raw, span)
                    built.append(self._decide(entry, reasons, excessive, place))
            entries[request_type] = tuple(built)
        for request_type, versions in entries.items():
            for e in versions:
                if e.handled_as is not None and e.handled_as not in entries:
                    at = f"{where}.types.{request_type}.handled_as"
                    raise read.fail(at, f"'{e.handled_as}' is not a type {self.code} holds")
        general_rules = tuple(
            self._entry(
                "",
                at,
                _merge(d, {}),
                {"source": f"{name}: the law's general rule"},
                (d["effective_from"], d["effective_until"]),
            )
            for at, d, _ in defaults
        )
        return LawEntry(
            code=self.code,
            label=label,
            name=name,
            calendar=calendar,
            defaults=general_rules,
            entries=entries,
            held_records_reason=self._held_reason(reasons),
            attorney_general=self._attorney_general(),
            not_held=self._not_held(entries),
        )

    def _check_defaults(self, defaults: list[tuple[str, _Version, Mapping[str, Any]]]) -> None:
        read = self.read
        (first_at, first, _), (last_at, last, _) = defaults[0], defaults[-1]
        if first["effective_from"] is not None:
            raise read.fail(
                f"{first_at}.effective_from", "must be absent: the first version has no start"
            )
        if last["effective_until"] is not None:
            raise read.fail(
                f"{last_at}.effective_until", "must be absent: the last version has no end"
            )
        for (_, before, _), (at, after, _) in itertools.pairwise(defaults):
            if after["effective_from"] != before["effective_until"] + _DAY:
                raise read.fail(
                    f"{at}.effective_from", "must be the day after the previous version ends"
                )
        for at, version, _ in defaults:
            for name in ("clock", "verification", "letters"):
                if version.get(name) is None:
                    raise read.fail(f"{at}.{name}", "is missing")

    def _entry(
        self,
        request_type: str,
        place: str,
        merged: _Version,
        raw: Mapping[str, Any],
        span: tuple[dt.date | None, dt.date | None],
    ) -> RequestTypeEntry:
        read = self.read
        on_expiry = None
        if raw.get("on_expiry") is not None:
            at = f"{place}.on_expiry"
            expiry = read.obj(raw["on_expiry"], at)
            read.only(expiry, frozenset({"rule", "source", "review"}), at)
            read.choice(read.key(expiry, "rule", at), ("deemed_refusal",), f"{at}.rule")
            on_expiry = read.citation(expiry, at)
        clock: Clock = merged["clock"]
        if clock.start is StartRule.LATEST_OF and merged.get("start_moves") is None:
            raise read.fail(
                f"{place}.start_moves", "is needed: the clock starts at the latest of its events"
            )
        letters = {k: v for k, v in merged["letters"].items() if v is not None}
        return RequestTypeEntry(
            law=self.code,
            request_type=request_type,
            citation=read.citation(raw, place),
            clock=clock,
            verification=merged["verification"],
            effective_from=span[0],
            effective_until=span[1],
            roll=merged.get("roll"),
            acknowledge=merged.get("acknowledge"),
            extension=merged.get("extension"),
            pause=merged.get("pause"),
            start_moves=merged.get("start_moves"),
            stop_clock=merged.get("stop_clock"),
            letters=letters,
            handled_as=read.opt_text(raw, "handled_as", place),
            on_expiry=on_expiry,
            notes=read.opt_text(raw, "notes", place),
        )

    def _decide(
        self,
        entry: RequestTypeEntry,
        reasons: Mapping[str, tuple[frozenset[str] | None, Citation]],
        excessive: ExcessiveDecision | None,
        place: str,
    ) -> RequestTypeEntry:
        """Add the type's denial reasons, then keep exactly the letters its rule gives it."""
        catalogue, request_type = self.catalogue.reasons, entry.request_type
        denial = {
            code: DenialReason(code, catalogue[code].label, cite, catalogue[code].ccpa_7102)
            for code, (types, cite) in reasons.items()
            if types is None or request_type in types
        }
        if excessive is not None and request_type not in excessive.types:
            excessive = None
        if excessive is not None and "refuse" in excessive.options:
            code = "manifestly_unfounded_or_excessive"
            info = catalogue[code]
            denial[code] = DenialReason(code, info.label, excessive.citation, info.ccpa_7102)
        entry = replace(entry, denial_reasons=denial, excessive=excessive)
        needed = {
            "ack": entry.acknowledge is not None,
            "extension": entry.extension is not None,
            "denial": bool(denial),
            "completion": True,
        }
        letters: dict[str, LetterRule] = {}
        for kind in LETTER_KINDS:
            rule = entry.letters.get(kind)
            if needed[kind] and rule is None:
                problem = f"is missing: a {request_type} request under {self.code} has this letter"
                raise self.read.fail(f"{place}.letters.{kind}", problem)
            if rule is not None and needed[kind]:
                letters[kind] = rule
        return replace(entry, letters=letters)

    def _denial_reasons(self) -> dict[str, tuple[frozenset[str] | None, Citation]]:
        read, where = self.read, f"{self.where}.denial_reasons"
        obj = read.obj(self.obj.get("denial_reasons", {}), where)
        out: dict[str, tuple[frozenset[str] | None, Citation]] = {}
        for code, value in obj.items():
            at = f"{where}.{code}"
            info = self.catalogue.reasons.get(code)
            if info is None or info.legacy:
                raise read.fail(
                    at,
                    "is not one of the listed denial_reasons (legacy codes are for stored requests only)",
                )
            rule = read.obj(value, at)
            read.only(rule, frozenset({"types", "source", "review"}), at)
            types = read.key(rule, "types", at)
            allowed = (
                None
                if types == "*"
                else frozenset(read.codes(types, frozenset(self.catalogue.types), f"{at}.types"))
            )
            out[code] = (allowed, read.citation(rule, at))
        return out

    def _excessive(self) -> ExcessiveDecision | None:
        read, where = self.read, f"{self.where}.decisions"
        obj = read.obj(self.obj.get("decisions", {}), where)
        read.only(obj, frozenset({"manifestly_unfounded_or_excessive"}), where)
        value = obj.get("manifestly_unfounded_or_excessive")
        if value is None:
            return None
        at = f"{where}.manifestly_unfounded_or_excessive"
        rule = read.obj(value, at)
        read.only(rule, frozenset({"types", "options", "source", "review", "before_fee"}), at)
        options = read.codes(
            read.key(rule, "options", at), frozenset({"fee", "refuse"}), f"{at}.options"
        )
        if not options:
            raise read.fail(f"{at}.options", "must name fee, refuse or both")
        types = read.codes(
            read.key(rule, "types", at), frozenset(self.catalogue.types), f"{at}.types"
        )
        return ExcessiveDecision(
            frozenset(types),
            options,
            read.citation(rule, at),
            read.opt_text(rule, "before_fee", at),
        )

    def _held_reason(self, reasons: Mapping[str, object]) -> str | None:
        at = f"{self.where}.held_records_reason"
        code = self.obj.get("held_records_reason")
        if code is None:
            return None
        if code not in reasons:
            raise self.read.fail(at, f"'{code}' is not one of {self.code}'s denial_reasons")
        return str(code)

    def _attorney_general(self) -> AttorneyGeneral | None:
        value = self.obj.get("attorney_general")
        if value is None:
            return None
        read, at = self.read, f"{self.where}.attorney_general"
        obj = read.obj(value, at)
        read.only(obj, frozenset({"text", "source", "review", "last_checked"}), at)
        text = read.text(read.key(obj, "text", at), f"{at}.text")
        return AttorneyGeneral(
            text, read.citation(obj, at), read.date(obj.get("last_checked"), f"{at}.last_checked")
        )

    def _not_held(self, entries: Mapping[str, object]) -> dict[str, Redirect]:
        read, where = self.read, f"{self.where}.not_held"
        obj = read.obj(self.obj.get("not_held", {}), where)
        out: dict[str, Redirect] = {}
        for request_type, value in obj.items():
            at = f"{where}.{request_type}"
            if request_type not in self.catalogue.types:
                raise read.fail(at, "is not one of the listed request_types")
            if request_type in entries:
                raise read.fail(at, f"is a type {self.code} holds")
            rule = read.obj(value, at)
            read.only(rule, frozenset({"use", "source", "review"}), at)
            use = rule.get("use")
            if use is not None and use not in entries:
                raise read.fail(f"{at}.use", f"'{use}' is not a type {self.code} holds")
            out[request_type] = Redirect(use, read.citation(rule, at))
        return out


def _catalogue(read: _Reader, top: Mapping[str, Any]) -> Registry:
    types_obj = read.obj(read.key(top, "request_types", "(top level)"), "request_types")
    if not types_obj:
        raise read.fail("request_types", "must list at least one request type")
    types: dict[str, TypeInfo] = {}
    for code, value in types_obj.items():
        at = f"request_types.{code}"
        obj = read.obj(value, at)
        read.only(obj, frozenset({"label", "description"}), at)
        types[code] = TypeInfo(
            code,
            read.text(read.key(obj, "label", at), f"{at}.label"),
            read.text(read.key(obj, "description", at), f"{at}.description"),
        )
    reasons: dict[str, ReasonInfo] = {}
    for code, value in read.obj(
        read.key(top, "denial_reasons", "(top level)"), "denial_reasons"
    ).items():
        at = f"denial_reasons.{code}"
        obj = read.obj(value, at)
        read.only(obj, frozenset({"label", "ccpa_7102", "legacy"}), at)
        bucket = read.choice(read.key(obj, "ccpa_7102", at), CCPA_7102_BUCKETS, f"{at}.ccpa_7102")
        reasons[code] = ReasonInfo(
            code,
            read.text(read.key(obj, "label", at), f"{at}.label"),
            bucket,
            read.flag(obj, "legacy", at, False),
        )
    kinds_obj = read.obj(read.key(top, "letter_kinds", "(top level)"), "letter_kinds")
    if set(kinds_obj) != set(LETTER_KINDS):
        raise read.fail("letter_kinds", f"must name exactly: {', '.join(LETTER_KINDS)}")
    kinds = {k: read.text(v, f"letter_kinds.{k}") for k, v in kinds_obj.items()}
    elements_obj = read.obj(read.key(top, "letter_elements", "(top level)"), "letter_elements")
    elements = {k: read.text(v, f"letter_elements.{k}") for k, v in elements_obj.items()}
    read.elements = frozenset(elements)
    return Registry(
        types=types, reasons=reasons, letter_kinds=kinds, letter_elements=elements, laws={}
    )


def parse_registry(data: object, *, source: str = "registry.json") -> Registry:
    """Check and build the registry from decoded JSON; `source` names the file in messages."""
    read = _Reader(source)
    top = read.obj(data, "(top level)")
    if top.get("format") != FORMAT:
        raise read.fail("format", f"must be {FORMAT} (the only format this build reads)")
    read.only(
        top,
        frozenset(
            {
                "format",
                "about",
                "review_legend",
                "request_types",
                "letter_kinds",
                "letter_elements",
                "denial_reasons",
                "laws",
            }
        ),
        "(top level)",
    )
    catalogue = _catalogue(read, top)
    laws_obj = read.obj(read.key(top, "laws", "(top level)"), "laws")
    if not laws_obj:
        raise read.fail("laws", "must name at least one law")
    laws = {
        code: _LawReader(read, code, read.obj(value, f"laws.{code}"), catalogue).build()
        for code, value in laws_obj.items()
    }
    return replace(catalogue, laws=laws)


def load_registry(path: Path) -> Registry:
    """Read and check a registry file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryFileError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegistryFileError(f"{path.name}: is not valid JSON ({exc})") from exc
    return parse_registry(data, source=path.name)
