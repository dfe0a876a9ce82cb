"""The registry's model: what one law says about one request type, as plain frozen values.

Built by `registry_file` from data/requests/registry.json; read through `request_types`.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from console.errors import ConsoleError


class RegistryError(ConsoleError):
    """A request type, law or reason the registry does not hold, or a registry that cannot load."""


class RegistryFileError(RegistryError):
    """The registry file is malformed; the message names the file and the exact field."""


class PairNotHeld(RegistryError):
    """The law gives no such request (or not on that date); the message names those it does give."""


class Unit(enum.StrEnum):
    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    MONTHS = "months"


class Counting(enum.StrEnum):
    # "after_start": EU Reg. 1182/71 Art. 3(1), Cal. Civ. Code §10 — the first day is not counted.
    AFTER_START = "after_start"
    # "beginning_with": UK drafting — the first day is day one.
    BEGINNING_WITH = "beginning_with"


class StartRule(enum.StrEnum):
    RECEIVED = "received"
    # UK GDPR Art. 12A(2): the latest of receipt, identity information asked for, and fee paid.
    LATEST_OF = "latest_of"
    # CASL s.11(3): from when the person sent the unsubscribe, where that is known.
    SENT_OR_RECEIVED = "sent_or_received"


class VerificationMode(enum.StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    FORBIDDEN = "forbidden"

    @property
    def label(self) -> str:
        return {
            "required": "Identity must be verified",
            "optional": "Identity may be checked on reasonable doubt",
            "forbidden": "Identity verification may not be required",
        }[self.value]


LETTER_KINDS = ("ack", "extension", "denial", "completion")
CCPA_7102_BUCKETS = ("not_verifiable", "not_a_consumer", "exempt", "other")


@dataclass(frozen=True)
class Citation:
    """The legal text a rule comes from; `review` says why a lawyer must confirm it first."""

    text: str
    review: str | None = None

    @property
    def needs_review(self) -> bool:
        return self.review is not None


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit


@dataclass(frozen=True)
class CalendarSpec:
    country: str
    subdivision: str | None
    country_from_request: bool
    weekend: frozenset[int]


@dataclass(frozen=True)
class Clock:
    period: Period
    citation: Citation
    statutory: bool = True
    start: StartRule = StartRule.RECEIVED
    counting: Counting = Counting.AFTER_START
    # A calendar of its own (CAN-SPAM's federal holidays, CASL's Monday-to-Friday), else the law's.
    calendar: CalendarSpec | None = None


@dataclass(frozen=True)
class Acknowledge:
    period: Period
    citation: Citation
    counting: Counting = Counting.AFTER_START


@dataclass(frozen=True)
class Extension:
    period: Period
    max_times: int
    citation: Citation
    grounds: tuple[str, ...] = ()
    notice_must_state: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pause:
    """A stretch of days not counted, from the pause to the resumption (guidance, not statute)."""

    reasons: frozenset[str]
    citation: Citation


@dataclass(frozen=True)
class StartMoves:
    """Events whose arrival starts the period again (UK GDPR Art. 12A(2)): 'identity', 'fee'."""

    events: frozenset[str]
    citation: Citation


@dataclass(frozen=True)
class StopClock:
    """Days not counted, both the asking day and the answering day included (Art. 12A(5))."""

    reasons: frozenset[str]
    citation: Citation


@dataclass(frozen=True)
class Verification:
    mode: VerificationMode
    citation: Citation


@dataclass(frozen=True)
class LetterRule:
    kind: str
    must_say: tuple[str, ...]
    citation: Citation


@dataclass(frozen=True)
class DenialReason:
    code: str
    label: str
    citation: Citation
    ccpa_7102: str


@dataclass(frozen=True)
class ExcessiveDecision:
    """Manifestly unfounded or excessive: a decision on a request (a fee, or a refusal), not a type."""

    types: frozenset[str]
    options: tuple[str, ...]
    citation: Citation
    before_fee: str | None = None


@dataclass(frozen=True)
class Redirect:
    """A pair the law does not hold, and the request type to use instead (None: there is none)."""

    use: str | None
    citation: Citation


@dataclass(frozen=True)
class AttorneyGeneral:
    text: str
    citation: Citation
    last_checked: dt.date | None


@dataclass(frozen=True)
class TypeInfo:
    code: str
    label: str
    description: str


@dataclass(frozen=True)
class ReasonInfo:
    code: str
    label: str
    ccpa_7102: str
    legacy: bool = False


@dataclass(frozen=True)
class RequestTypeEntry:
    """Everything one law says about one request type, in force from/until the dates given."""

    law: str
    request_type: str
    citation: Citation
    clock: Clock
    verification: Verification
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    roll: Citation | None = None
    acknowledge: Acknowledge | None = None
    extension: Extension | None = None
    pause: Pause | None = None
    start_moves: StartMoves | None = None
    stop_clock: StopClock | None = None
    letters: Mapping[str, LetterRule] = field(default_factory=dict)
    denial_reasons: Mapping[str, DenialReason] = field(default_factory=dict)
    excessive: ExcessiveDecision | None = None
    handled_as: str | None = None
    on_expiry: Citation | None = None
    notes: str | None = None
    # False for a pair the law does not hold, kept only so a request stored earlier has a clock.
    recognised: bool = True

    def in_force(self, on: dt.date) -> bool:
        after_start = self.effective_from is None or self.effective_from <= on
        return after_start and (self.effective_until is None or on <= self.effective_until)

    @property
    def response(self) -> Period:
        return self.clock.period

    @property
    def statutory(self) -> bool:
        return self.recognised and self.clock.statutory

    @property
    def metrics_type(self) -> str:
        """The type the request counts as in metrics (a CCPA portability request is a 'know')."""
        return self.handled_as or self.request_type

    @property
    def pause_reasons(self) -> frozenset[str]:
        """The reasons a (legacy) pause entry may give for this request.

        Under UK GDPR Art. 12A a pause for identity moves the start, and one for clarification
        stops the clock on access requests only, so only those are offered.
        """
        if self.pause is not None:
            return self.pause.reasons
        reasons: set[str] = set()
        if self.start_moves is not None and "identity" in self.start_moves.events:
            reasons.add("identity-verification")
        if self.stop_clock is not None and "clarification" in self.stop_clock.reasons:
            reasons.add("clarification")
        return frozenset(reasons)

    @property
    def extension_max_times(self) -> int:
        return self.extension.max_times if self.extension else 0

    def parts(self) -> Iterator[tuple[str, Citation]]:
        """Every cited part of the entry, named, in reading order."""
        yield "right", self.citation
        yield "clock", self.clock.citation
        optional: tuple[tuple[str, object], ...] = (
            ("roll", self.roll),
            ("acknowledge", self.acknowledge),
            ("extension", self.extension),
            ("pause", self.pause),
            ("start_moves", self.start_moves),
            ("stop_clock", self.stop_clock),
        )
        for name, part in optional:
            if isinstance(part, Citation):
                yield name, part
            elif part is not None:
                yield name, part.citation  # type: ignore[attr-defined]
        yield "verification", self.verification.citation
        for kind, letter in self.letters.items():
            yield f"letters.{kind}", letter.citation
        for code, reason in self.denial_reasons.items():
            yield f"denial_reasons.{code}", reason.citation
        if self.excessive is not None:
            yield "decisions.manifestly_unfounded_or_excessive", self.excessive.citation
        if self.on_expiry is not None:
            yield "on_expiry", self.on_expiry

    @functools.cached_property
    def citations(self) -> tuple[str, ...]:
        """The clock's citations, in the order the deadline is worked out (as the clock shows)."""
        parts = [self.clock.citation, self.roll]
        parts += [p.citation if p else None for p in (self.acknowledge, self.extension)]
        parts += [
            p.citation if p else None for p in (self.pause, self.start_moves, self.stop_clock)
        ]
        return tuple(c.text for c in parts if c is not None)

    def letter(self, kind: str) -> LetterRule | None:
        return self.letters.get(kind)

    def unrecognised(self, why: Citation) -> RequestTypeEntry:
        """This law's general rule, kept for a stored request of a type the law does not hold."""
        general = replace(self.clock, statutory=False)
        return replace(
            self,
            citation=why,
            clock=general,
            denial_reasons={},
            excessive=None,
            handled_as=None,
            letters={k: v for k, v in self.letters.items() if k == "completion"},
            recognised=False,
        )


@dataclass(frozen=True)
class LawEntry:
    code: str
    label: str
    name: str
    calendar: CalendarSpec
    # The general rule, in force by date (the version the law's types start from).
    defaults: tuple[RequestTypeEntry, ...]
    entries: Mapping[str, tuple[RequestTypeEntry, ...]]
    held_records_reason: str | None = None
    attorney_general: AttorneyGeneral | None = None
    not_held: Mapping[str, Redirect] = field(default_factory=dict)

    def versions(self, request_type: str) -> tuple[RequestTypeEntry, ...]:
        return self.entries.get(request_type, ())

    def entry_on(self, request_type: str, on: dt.date | None) -> RequestTypeEntry | None:
        """The version in force on `on`; with no date, the version in force now (open-ended)."""
        versions = self.versions(request_type)
        if on is None:
            return next((v for v in versions if v.effective_until is None), None)
        return next((v for v in versions if v.in_force(on)), None)

    def general_on(self, on: dt.date | None) -> RequestTypeEntry:
        if on is None:
            return next(v for v in self.defaults if v.effective_until is None)
        return next(v for v in self.defaults if v.in_force(on))

    def types_on(self, on: dt.date | None) -> tuple[str, ...]:
        return tuple(t for t in self.entries if self.entry_on(t, on) is not None)


@dataclass(frozen=True)
class Registry:
    """Every law's request types, with the catalogues of labels the console shows."""

    types: Mapping[str, TypeInfo]
    reasons: Mapping[str, ReasonInfo]
    letter_kinds: Mapping[str, str]
    letter_elements: Mapping[str, str]
    laws: Mapping[str, LawEntry]
    # The general rule kept for each stored pair a law does not hold, built once per version.
    _unrecognised: dict[tuple[str, str, int], RequestTypeEntry] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def request_types(self) -> tuple[str, ...]:
        return tuple(self.types)

    def law(self, law: str) -> LawEntry:
        try:
            return self.laws[law]
        except KeyError:
            known = ", ".join(self.laws)
            raise RegistryError(f"Unknown law '{law}'; known laws: {known}") from None

    def _known_type(self, request_type: str) -> None:
        if request_type not in self.types:
            known = ", ".join(self.types)
            raise RegistryError(f"Unknown request type '{request_type}'; known types: {known}")

    def holds(self, law: str, request_type: str, on: dt.date | None = None) -> bool:
        return self.law(law).entry_on(request_type, on) is not None

    def entry(self, law: str, request_type: str, on: dt.date | None = None) -> RequestTypeEntry:
        """The law's rule for the type on `on` (received date); PairNotHeld when there is none."""
        rules = self.law(law)
        self._known_type(request_type)
        found = rules.entry_on(request_type, on)
        if found is not None:
            return found
        raise PairNotHeld(self._refusal(rules, request_type, on))

    def rule_for(self, law: str, request_type: str, on: dt.date | None = None) -> RequestTypeEntry:
        """Like `entry`, but a pair the law does not hold gets the law's general clock, marked
        unrecognised: requests stored before the registry refused such pairs keep a deadline."""
        rules = self.law(law)
        self._known_type(request_type)
        found = rules.entry_on(request_type, on)
        if found is not None:
            return found
        general = rules.general_on(on)
        key = (law, request_type, rules.defaults.index(general))
        kept = self._unrecognised.get(key)
        if kept is None:
            why = Citation(
                f"Not a request type of the {rules.label}; its general period is kept, as an"
                " organisation default, only so a request recorded earlier keeps a deadline. "
                + self._refusal(rules, request_type, None),
                review="A request of a type the law does not give: decide how to answer it.",
            )
            kept = replace(general, request_type=request_type).unrecognised(why)
            self._unrecognised[key] = kept
        return kept

    def _refusal(self, rules: LawEntry, request_type: str, on: dt.date | None) -> str:
        label = self.types[request_type].label.lower()
        held = ", ".join(rules.types_on(on))
        when = f" on {on.isoformat()}" if on is not None else ""
        text = f"The {rules.label} gives no {label} request ({rules.code}/{request_type}){when}"
        redirect = rules.not_held.get(request_type)
        if redirect is not None:
            text += f": {redirect.citation.text}"
            if redirect.use:
                text += f"; log it as '{redirect.use}'"
        return f"{text}. Under {rules.code} the registry holds: {held}"

    def pairs(self, on: dt.date | None = None) -> tuple[tuple[str, str], ...]:
        """Every (law, request type) the registry holds on `on` (now, without a date)."""
        return tuple((law, t) for law, rules in self.laws.items() for t in rules.types_on(on))

    def type_label(self, request_type: str) -> str:
        info = self.types.get(request_type)
        return info.label if info else request_type

    def law_label(self, law: str) -> str:
        rules = self.laws.get(law)
        return rules.label if rules else law

    def reason_label(self, code: str) -> str:
        info = self.reasons.get(code)
        return info.label if info else code

    def needing_review(self) -> Iterator[tuple[str, Citation]]:
        """Every cited part a lawyer must confirm, named 'law/type (from date): part'."""
        for law, rules in self.laws.items():
            for versions in rules.entries.values():
                for e in versions:
                    since = f" (from {e.effective_from.isoformat()})" if e.effective_from else ""
                    for part, cite in e.parts():
                        if cite.needs_review:
                            yield f"{law}/{e.request_type}{since}: {part}", cite
            if rules.attorney_general is not None and rules.attorney_general.citation.needs_review:
                yield f"{law}: attorney_general", rules.attorney_general.citation
