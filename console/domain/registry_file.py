"""Building the registry from data/requests/registry.json: each law's defaults merged under each of
its request types, by date, with the denial reasons and letters its rule gives it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from console.domain.registry_model import (
    CCPA_7102_BUCKETS,
    LETTER_KINDS,
    AttorneyGeneral,
    Citation,
    Clock,
    DenialReason,
    ExcessiveDecision,
    LawEntry,
    LetterRule,
    ReasonInfo,
    Redirect,
    Registry,
    RegistryFileError,
    RequestTypeEntry,
    StartRule,
    TypeInfo,
)
from console.domain.registry_values import DATES, PARTS, FieldReader, Version

FORMAT = 1
_DEFAULT_KEYS = frozenset((*PARTS, *DATES))
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
_DAY = dt.timedelta(days=1)


def _overlap(a: Version, b: Version) -> tuple[dt.date | None, dt.date | None] | None:
    starts = [d for d in (a["effective_from"], b["effective_from"]) if d is not None]
    ends = [d for d in (a["effective_until"], b["effective_until"]) if d is not None]
    start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    if start is not None and end is not None and end < start:
        return None
    return start, end


def _merge(general: Version, own: Version) -> Version:
    merged = {**general, **{k: v for k, v in own.items() if k in PARTS}}
    letters = dict(general.get("letters") or {})
    letters.update(own.get("letters") or {})
    merged["letters"] = letters
    return merged


class _LawReader:
    """Builds one law's entries: its defaults merged under each type, by date."""

    def __init__(
        self, read: FieldReader, code: str, obj: Mapping[str, Any], catalogue: Registry
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

    def _check_defaults(self, defaults: list[tuple[str, Version, Mapping[str, Any]]]) -> None:
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
        merged: Version,
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


def _catalogue(read: FieldReader, top: Mapping[str, Any]) -> Registry:
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
    read = FieldReader(source)
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
