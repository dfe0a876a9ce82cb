"""The policy pack: a privacy statement as data (categories, sources, purposes, recipients, ...).

Packs are JSON files validated strictly; every mistake is reported with the exact field path.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

from console.domain.policy_json import Invalid, JsonObject, build, check_refs, no_constant, to_plain
from console.errors import ConsoleError
from console.paths import data_path

FORMAT_VERSION = 1
DEFAULT_PACK_FILE = "clientpay-2019-07-02.json"

LegalBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]
# "third_party": a recipient that is neither a processor nor part of the group, such as an
# advertising partner (CCPA §1798.140(ah) and 11 CCR §7050(b); a separate or joint controller).
RecipientKind = Literal[
    "affiliate",
    "processor",
    "acquirer",
    "law_enforcement",
    "legal_process",
    "rights_defence",
    "third_party",
]
# The one label of each kind, for pages and reports (people never read the codes).
RECIPIENT_KIND_LABELS: dict[str, str] = {
    "affiliate": "Group company",
    "processor": "Processor",
    "acquirer": "Buyer of the business",
    "law_enforcement": "Law enforcement",
    "legal_process": "Legal process",
    "rights_defence": "Legal claims and rights",
    "third_party": "Third party",
}
CookieConsent = Literal["not_required", "implied", "opt_in"]
# What a disclosure to a recipient is under the CCPA: disclosed for a business purpose (to a
# service provider or contractor), "shared" for cross-context behavioural advertising, sold, or
# made only when an event calls for it (a legal request, a sale of the business): those come
# from the disclosure log, person by person.
CcpaDisclosure = Literal["business_purpose", "sharing", "sale", "on_event"]

# Identifier kinds of the column-mapping contract (DESIGN.md); a category may name the one it holds.
IDENTIFIER_KINDS = frozenset(
    {
        "email",
        "phone",
        "name",
        "postal_address",
        "ip",
        "cookie_id",
        "device_id",
        "customer_id",
        "account_id",
        "order_id",
    }
)

# The laws a request can be made under (`dsr new --law`): what an authority may answer for.
KNOWN_LAWS = ("gdpr", "uk-gdpr", "ccpa", "lgpd", "pipeda", "vcdpa", "cpa", "ctdpa")


class PolicyError(ConsoleError):
    """A policy pack that cannot be used; the message names the file and the field path."""

    def __init__(self, origin: str, path: str, reason: str) -> None:
        super().__init__(f"{origin}: {path}: {reason}" if path else f"{origin}: {reason}")
        self.origin = origin
        self.path = path
        self.reason = reason


def _ref(target: str) -> dict[str, str]:
    # Field metadata: the values must be ids of another collection in the same pack.
    return {"ref": target}


# Optional fields added after the first packs were written: left out of the canonical form while
# unset, so a pack that does not use them keeps the digest it was stored under. Absent means the
# statement does not say it (the policy health check reports that as missing).
_LATER: dict[str, bool] = {"omit_unset": True}


@dataclass(frozen=True)
class Organisation:
    name: str
    contact: str  # how the privacy office is named to people (printed in every response)
    website: str | None = None
    # Contact details (GDPR Art. 13(1)(a); 11 CCR §7011(e)(3)), printed in every response.
    email: str | None = field(default=None, metadata=_LATER)
    postal_address: str | None = field(default=None, metadata=_LATER)
    phone: str | None = field(default=None, metadata=_LATER)
    # Where the contact details come from when the statement gives none ("organisation default").
    contact_basis: str | None = field(default=None, metadata=_LATER)
    # GDPR Art. 13(1)(b) and Art. 27.
    dpo_contact: str | None = field(default=None, metadata=_LATER)
    representative: str | None = field(default=None, metadata=_LATER)
    statement_ref: str | None = field(default=None, metadata=_LATER)


@dataclass(frozen=True)
class CategoryGroup:
    id: str
    label: str
    description: str
    # The category of personal information the CCPA names for this group (Civ. Code
    # §1798.140(v)(1)); a category may name its own.
    ccpa_category: str | None = field(default=None, metadata=_LATER)


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    description: str


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    group: str = field(metadata=_ref("category_group"))
    description: str
    sensitive: bool
    examples: tuple[str, ...] = ()
    identifier_kind: str | None = None
    retention: str | None = None
    retention_days: int | None = None
    retention_basis: str | None = None
    statement_ref: str | None = None
    # The CCPA category it falls in (Cal. Civ. Code §1798.140(v)(1)), e.g. "identifiers";
    # overrides its group's.
    ccpa_category: str | None = field(default=None, metadata=_LATER)
    # Where the category comes from when the statement does not name it ("organisation default
    # — not stated in the privacy statement": the organisation's own identifiers).
    basis: str | None = field(default=None, metadata=_LATER)

    def _problems(self) -> Iterator[tuple[str, str]]:
        kind = self.identifier_kind
        if kind is not None and kind not in IDENTIFIER_KINDS and not kind.startswith("other:"):
            yield "identifier_kind", f'unknown identifier kind "{kind}"'
        if self.retention_days is not None:
            if self.retention_days <= 0:
                yield "retention_days", "must be a positive number of days"
            if self.retention is None:
                yield "retention", "required when retention_days is set"
        has_retention = self.retention is not None or self.retention_days is not None
        if has_retention and self.retention_basis is None:
            yield "retention_basis", "required when a retention period is set"


@dataclass(frozen=True)
class SourceKind:
    id: str
    label: str
    description: str
    categories: tuple[str, ...] = field(metadata=_ref("category"))
    statement_ref: str | None = None


@dataclass(frozen=True)
class Purpose:
    id: str
    label: str
    description: str
    legal_basis: tuple[LegalBasis, ...]
    legal_basis_note: str
    categories: tuple[str, ...] = field(metadata=_ref("category"))
    statement_ref: str | None = None
    # Where the statement itself names the legal basis (GDPR Art. 13(1)(c)); absent: it does not.
    legal_basis_ref: str | None = field(default=None, metadata=_LATER)
    # The legitimate interest pursued, as the statement puts it (GDPR Art. 13(1)(d)).
    legitimate_interest: str | None = field(default=None, metadata=_LATER)


@dataclass(frozen=True)
class DisclosureGround:
    id: str
    label: str
    description: str
    statement_ref: str | None = None


@dataclass(frozen=True)
class Recipient:
    id: str
    label: str
    kind: RecipientKind
    description: str
    disclosure_grounds: tuple[str, ...] = field(metadata=_ref("disclosure_ground"))
    statement_ref: str | None = None
    # The categories this recipient receives; empty: any category of the person's data.
    receives: tuple[str, ...] = field(default=(), metadata={**_ref("category"), **_LATER})
    ccpa_disclosure: CcpaDisclosure | None = field(default=None, metadata=_LATER)
    # Where receives/ccpa_disclosure come from.
    disclosure_basis: str | None = field(default=None, metadata=_LATER)


@dataclass(frozen=True)
class CookiePolicy:
    durations: tuple[Term, ...]
    parties: tuple[Term, ...]
    consent: str
    honours_dnt: bool
    dnt: str
    blocking: str
    statement_ref: str | None = None
    # Opt-out preference signals such as Global Privacy Control (11 CCR §7025): absent = not stated.
    honours_gpc: bool | None = field(default=None, metadata=_LATER)
    gpc: str | None = field(default=None, metadata=_LATER)


@dataclass(frozen=True)
class CookieClass:
    id: str
    label: str
    description: str
    durations: tuple[str, ...] = field(metadata=_ref("cookie_duration"))
    parties: tuple[str, ...] = field(metadata=_ref("cookie_party"))
    consent: CookieConsent
    consent_text: str
    categories: tuple[str, ...] = field(metadata=_ref("category"))
    purposes: tuple[str, ...] = field(metadata=_ref("purpose"))
    providers: tuple[str, ...] = ()
    recipients: tuple[str, ...] = field(default=(), metadata=_ref("recipient"))
    statement_ref: str | None = None
    # Cross-context behavioural advertising, which the CPRA calls sharing (§1798.140(ah)); absent:
    # inferred from third-party cookies used for marketing.
    shares_for_advertising: bool | None = field(default=None, metadata=_LATER)


@dataclass(frozen=True)
class WebBeacons:
    description: str
    used_in: tuple[str, ...]
    collects: tuple[str, ...]
    how_to_disable: str
    categories: tuple[str, ...] = field(metadata=_ref("category"))
    purposes: tuple[str, ...] = field(metadata=_ref("purpose"))
    statement_ref: str | None = None


@dataclass(frozen=True)
class Right:
    id: str
    label: str
    description: str
    how: str
    statement_ref: str | None = None
    # Where `how` comes from when the statement does not say how to exercise the right.
    how_basis: str | None = field(default=None, metadata=_LATER)


@dataclass(frozen=True)
class DataSubjectCategory:
    id: str
    label: str
    description: str
    source_kinds: tuple[str, ...] = field(default=(), metadata=_ref("source_kind"))
    statement_ref: str | None = None
    # Where the grouping comes from when the statement does not name it (an organisation default).
    basis: str | None = field(default=None, metadata=_LATER)


@dataclass(frozen=True)
class Transfer:
    id: str
    label: str
    description: str
    destination: str
    safeguard: str
    basis: str
    recipients: tuple[str, ...] = field(metadata=_ref("recipient"))
    statement_ref: str | None = None


@dataclass(frozen=True)
class SecurityMeasure:
    id: str
    label: str
    description: str
    basis: str
    statement_ref: str | None = None


@dataclass(frozen=True)
class Commitment:
    id: str
    text: str
    statement_ref: str | None = None


@dataclass(frozen=True)
class Authority:
    """Where a person complains (a supervisory authority) or appeals to (an attorney general)."""

    id: str
    label: str
    laws: tuple[str, ...]  # the laws (dsr new --law) it answers for
    role: str  # e.g. "Lead supervisory authority", "Attorney General"
    basis: str  # why this authority: the statement names none, so an organisation default
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    complaint: str | None = None  # where a complaint is made (a web form, usually)
    statement_ref: str | None = None

    def _problems(self) -> Iterator[tuple[str, str]]:
        for i, law in enumerate(self.laws):
            if law not in KNOWN_LAWS:
                yield f"laws[{i}]", f'unknown law "{law}" (laws: {", ".join(KNOWN_LAWS)})'


@dataclass(frozen=True)
class AutomatedDecisions:
    """GDPR Art. 15(1)(h), 22; LGPD Art. 20: decisions made solely by automated means."""

    decisions: bool  # any decision with legal or similarly significant effects
    statement: str  # what a person is told, whether there are such decisions or not
    basis: str
    logic: str | None = None
    significance: str | None = None
    profiling: str | None = None  # profiling that leads to no such decision, told anyway
    statement_ref: str | None = None


@dataclass(frozen=True)
class ProvidingData:
    """LGPD Art. 18 VIII: whether a person may refuse to give data, and what happens then."""

    text: str
    statement_ref: str | None = None


@dataclass(frozen=True)
class Disclosures:
    """What the statement says on the points a privacy notice must cover and the pack's lists do
    not hold; each is the statement's own words, absent when the statement says nothing."""

    request_methods: tuple[str, ...] = ()
    supervisory_authority: str | None = None
    complaint_to_controller: str | None = None
    transfer_safeguards_copy: str | None = None
    provision_requirement: str | None = None
    automated_decisions: str | None = None
    sale_or_sharing: str | None = None
    sensitive_information: str | None = None
    opt_out_link: str | None = None
    limit_link: str | None = None
    non_discrimination: str | None = None
    verification_process: str | None = None
    authorised_agent: str | None = None
    minors_under_16: str | None = None
    appeal_process: str | None = None


@dataclass(frozen=True)
class PolicyPack:
    format_version: int
    pack_id: str
    version: str
    effective_date: date
    title: str
    organisation: Organisation
    contact: str
    category_groups: tuple[CategoryGroup, ...]
    categories: tuple[Category, ...]
    source_kinds: tuple[SourceKind, ...]
    purposes: tuple[Purpose, ...]
    disclosure_grounds: tuple[DisclosureGround, ...]
    recipients: tuple[Recipient, ...]
    cookie_policy: CookiePolicy
    cookie_classes: tuple[CookieClass, ...]
    rights: tuple[Right, ...]
    data_subject_categories: tuple[DataSubjectCategory, ...]
    web_beacons: WebBeacons | None = None
    transfers: tuple[Transfer, ...] = ()
    security_measures: tuple[SecurityMeasure, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    source_document: str | None = None
    authorities: tuple[Authority, ...] = field(default=(), metadata=_LATER)
    automated_decisions: AutomatedDecisions | None = field(default=None, metadata=_LATER)
    providing_data: ProvidingData | None = field(default=None, metadata=_LATER)
    disclosures: Disclosures | None = field(default=None, metadata=_LATER)

    def _problems(self) -> Iterator[tuple[str, str]]:
        if self.format_version != FORMAT_VERSION:
            yield (
                "format_version",
                f"unsupported format version {self.format_version} "
                f"(this console reads {FORMAT_VERSION})",
            )

    # Lookups are by id; an unknown id is a known error because ids come from files people write.
    def category(self, category_id: str) -> Category:
        return cast(Category, self._get("category", category_id))

    def category_group(self, group_id: str) -> CategoryGroup:
        return cast(CategoryGroup, self._get("category group", group_id))

    def source_kind(self, kind_id: str) -> SourceKind:
        return cast(SourceKind, self._get("source kind", kind_id))

    def purpose(self, purpose_id: str) -> Purpose:
        return cast(Purpose, self._get("purpose", purpose_id))

    def disclosure_ground(self, ground_id: str) -> DisclosureGround:
        return cast(DisclosureGround, self._get("disclosure ground", ground_id))

    def recipient(self, recipient_id: str) -> Recipient:
        return cast(Recipient, self._get("recipient", recipient_id))

    def cookie_class(self, class_id: str) -> CookieClass:
        return cast(CookieClass, self._get("cookie class", class_id))

    def right(self, right_id: str) -> Right:
        return cast(Right, self._get("right", right_id))

    def data_subject_category(self, subject_id: str) -> DataSubjectCategory:
        return cast(DataSubjectCategory, self._get("data subject category", subject_id))

    def transfer(self, transfer_id: str) -> Transfer:
        return cast(Transfer, self._get("transfer", transfer_id))

    def security_measure(self, measure_id: str) -> SecurityMeasure:
        return cast(SecurityMeasure, self._get("security measure", measure_id))

    def authorities_for(self, law: str) -> tuple[Authority, ...]:
        """The authorities a person under `law` complains or appeals to (first: the main one)."""
        return tuple(a for a in self.authorities if law in a.laws)

    def ccpa_category_of(self, category_id: str) -> str | None:
        category = self.category(category_id)
        return category.ccpa_category or self.category_group(category.group).ccpa_category

    def purposes_for(self, category_id: str) -> tuple[Purpose, ...]:
        """The purposes that use a category (for the record of processing and access packages)."""
        self.category(category_id)
        return tuple(p for p in self.purposes if category_id in p.categories)

    def to_dict(self) -> dict[str, Any]:
        """Every field, optional ones too, so the form is the same however the file was written."""
        return cast(dict[str, Any], to_plain(self))

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    def canonical_json(self) -> bytes:
        return json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    def digest(self) -> str:
        """sha256 (hex) of the canonical JSON: equal for packs with the same content."""
        return hashlib.sha256(self.canonical_json()).hexdigest()

    @functools.cached_property
    def _index(self) -> dict[str, dict[str, object]]:
        # Built once: lookups run per imported row, so no linear scans.
        collections: dict[str, tuple[Any, ...]] = {
            "category": self.categories,
            "category group": self.category_groups,
            "source kind": self.source_kinds,
            "purpose": self.purposes,
            "disclosure ground": self.disclosure_grounds,
            "recipient": self.recipients,
            "cookie class": self.cookie_classes,
            "right": self.rights,
            "data subject category": self.data_subject_categories,
            "transfer": self.transfers,
            "security measure": self.security_measures,
        }
        return {what: {item.id: item for item in items} for what, items in collections.items()}

    def _get(self, what: str, wanted: str) -> object:
        found = self._index[what].get(wanted)
        if found is None:
            raise PolicyError(self.pack_id, "", f'unknown {what} id "{wanted}"')
        return found


def parse_pack(obj: object, *, origin: str) -> PolicyPack:
    """Validate a decoded JSON value as a pack; `origin` (the file name) starts each message."""
    try:
        pack = build(PolicyPack, obj, "")
        check_refs(pack, _ref_targets(pack), "")
    except Invalid as exc:
        raise PolicyError(origin, exc.path, exc.reason) from None
    return pack


def load_pack(path: str | os.PathLike[str]) -> PolicyPack:
    path = Path(path)
    origin = path.name
    try:
        # utf-8-sig: packs written in Windows editors often start with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PolicyError(origin, "", f"cannot read the file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PolicyError(origin, "", "not UTF-8 text") from None
    try:
        obj = json.loads(text, object_pairs_hook=JsonObject.from_pairs, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise PolicyError(origin, "", reason) from None
    except Invalid as exc:
        raise PolicyError(origin, "", exc.reason) from None
    except ValueError:  # Python reads integers of at most 4,300 digits
        raise PolicyError(origin, "", "a number in it has more than 4,300 digits") from None
    return parse_pack(obj, origin=origin)


def default_pack_path() -> Path:
    return data_path("policy", DEFAULT_PACK_FILE)


@functools.cache
def load_default_pack() -> PolicyPack:
    return load_pack(default_pack_path())


def pack_in_force(packs: Iterable[PolicyPack], on: date) -> PolicyPack | None:
    """The pack with the latest effective date on or before `on` (the version a response cites)."""
    candidates = [p for p in packs if p.effective_date <= on]
    return max(candidates, key=lambda p: p.effective_date, default=None)


def _ref_targets(pack: PolicyPack) -> dict[str, frozenset[str]]:
    def ids(items: Iterable[Any]) -> frozenset[str]:
        return frozenset(item.id for item in items)

    return {
        "category": ids(pack.categories),
        "category_group": ids(pack.category_groups),
        "source_kind": ids(pack.source_kinds),
        "purpose": ids(pack.purposes),
        "disclosure_ground": ids(pack.disclosure_grounds),
        "recipient": ids(pack.recipients),
        "cookie_duration": ids(pack.cookie_policy.durations),
        "cookie_party": ids(pack.cookie_policy.parties),
    }
