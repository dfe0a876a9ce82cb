"""What an access package says: the requester's confirmed records and, from the policy pack in force
when the request was received, everything the request's law requires — for this person.

Only confirmed records, with their redactions applied; only what a data subject may read: no
notes to staff, no link strength, no internal ids, no "organisation default" provenance labels.
The document and the machine-readable copy are made from this by requests_access_doc.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from console.domain import responses
from console.domain.permissions import Permission
from console.domain.policy import Authority, PolicyPack
from console.services import policy
from console.services.context import Actor
from console.services.requests import review
from console.services.requests.model import LAWS, REQUEST_TYPES, RequestError, RequestView
from console.services.requests.read import get_request
from console.store.db import Database

OTHER_CATEGORY = "Other information"  # a field whose column maps to no category of the pack
REDACTED = "[redacted]"
# What a recipient receives, in words, for those that receive only when an event calls for it.
ON_EVENT_TEXT = "Only when a legal request, a legal claim or a sale of the business calls for it"
CCPA_WINDOW_DAYS = 365


@dataclass(frozen=True)
class FieldValue:
    field: str
    category_id: str | None
    category: str  # the category's label
    value: str | None
    redacted: bool = False


@dataclass(frozen=True)
class Entry:
    number: int  # 1, 2, ... within its source: records are numbered, never named by internal id
    collected_at: dt.datetime | None
    fields: list[FieldValue]


@dataclass(frozen=True)
class SourceCopy:
    source: str
    kind: str  # the source kind's label
    kind_description: str
    entries: list[Entry]


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    label: str
    group: str
    description: str
    retention: str
    ccpa_category: str
    sources: list[str]
    in_ccpa_window: bool  # collected in the 12 months before the request (or undated)


@dataclass(frozen=True)
class RecipientInfo:
    label: str
    description: str
    receives: str  # the categories of this person's data it receives, in words
    ccpa_disclosure: str | None


@dataclass(frozen=True)
class CcpaRow:
    category: str  # the CCPA's category
    sold_to: list[str]
    shared_with: list[str]
    business_purpose: list[str]


@dataclass(frozen=True)
class Disclosure:
    when: dt.date
    recipient: str
    process: str
    entries: int


@dataclass(frozen=True)
class RedactionInfo:
    source: str
    entry: int
    field: str
    reason: str


@dataclass(frozen=True)
class AccessPackage:
    request_id: int
    reference: str
    law: str
    law_name: str
    request_type: str
    received: dt.date
    answered: dt.date
    requester: str
    organisation: str
    office: str
    contact: str
    policy_title: str
    policy_version: str
    policy_effective: dt.date
    sources: list[SourceCopy]
    categories: list[CategoryInfo]
    purposes: list[tuple[str, str]]
    recipients: list[RecipientInfo]
    disclosures: list[Disclosure]
    ccpa: list[CcpaRow]
    transfers: list[tuple[str, str, str, str]]  # label, description, destination, safeguard
    automated: list[str]  # the statement, then profiling, logic, significance as the pack says
    providing_data: str
    rights: list[tuple[str, str, str]]
    authority: Authority | None
    redactions: list[RedactionInfo]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def record_count(self) -> int:
        return sum(len(s.entries) for s in self.sources)


def contact_line(pack: PolicyPack) -> str:
    """How the privacy office is reached, as printed in every response."""
    org = pack.organisation
    means = [m for m in (org.email, org.postal_address, org.phone, org.website) if m]
    if not means:
        raise RequestError(
            f"The policy pack in force ({pack.pack_id} {pack.version}) gives the privacy office no "
            "e-mail, postal address, phone or website (organisation.email, postal_address, phone, "
            "website): a response must say how to reach it. Load a pack that does."
        )
    return ", ".join(means)


def authority_for(pack: PolicyPack, law: str, *, required: bool) -> Authority | None:
    found = pack.authorities_for(law)
    if not found and required:
        raise RequestError(
            f"The policy pack in force ({pack.pack_id} {pack.version}) names no authority for "
            f"{LAWS.get(law, law)} (authorities): a response must name it with its contact "
            "details. Load a pack that does."
        )
    return found[0] if found else None


def authority_line(a: Authority | None) -> str:
    if a is None:
        return ""
    bits = [a.label, a.address, a.phone, a.email, a.website]
    return ", ".join(b for b in bits if b)


def build(
    db: Database, actor: Actor, request_id: int, *, today: dt.date | None = None
) -> AccessPackage:
    """The content of the request's access package, as its law requires."""
    from console.services.records import search as records
    from console.services.records import sources
    from console.services.requests.redaction import redactions

    actor.require(Permission.FULFIL_DSR)
    view = get_request(db, actor, request_id)
    waiting = sum(1 for r in view.records if r.review == review.AWAITING)
    if waiting:
        raise RequestError(review.awaiting_message(view.id, waiting))
    law = responses.for_law(view.law)
    pack = policy.pack_in_force(db, actor, on=view.received_on)
    needs_authority = any(law.part(k) for k in ("complaint", "appeal"))
    authority = authority_for(pack, view.law, required=needs_authority)
    contact = contact_line(pack)
    ids = [r.record_id for r in view.records if r.review == review.CONFIRMED]
    rows = [r for r in records.records_by_id(db, actor, ids) if not r.erased] if ids else []
    kinds = {s.name: s.kind for s in sources.list_sources(db, actor)}
    redacted = {(r.record_id, r.column): r.reason for r in redactions(db, actor, view.id)}
    copies, numbers = _copies(pack, rows, kinds, redacted)
    window_start = view.received_on - dt.timedelta(days=CCPA_WINDOW_DAYS)
    categories = _categories(pack, rows, window_start)
    person_categories = {c.id for c in categories}
    recipients = _recipients(pack, person_categories)
    return AccessPackage(
        request_id=view.id,
        reference=f"DSR-{view.id}",
        law=view.law,
        law_name=law.name,
        request_type=REQUEST_TYPES.get(view.request_type, view.request_type),
        received=view.received_on,
        answered=today or actor.clock.today(),
        requester=view.requester_name or _first_email(view),
        organisation=pack.organisation.name,
        office=pack.organisation.contact,
        contact=contact,
        policy_title=pack.title,
        policy_version=pack.version,
        policy_effective=pack.effective_date,
        sources=copies,
        categories=categories,
        purposes=[
            (p.label, p.description) for p in pack.purposes if person_categories & set(p.categories)
        ],
        recipients=recipients,
        disclosures=_disclosures(db, actor, rows, numbers),
        ccpa=_ccpa(pack, [c for c in categories if c.in_ccpa_window]),
        transfers=_transfers(pack, recipients),
        automated=_automated(pack) if law.part("automated") else [],
        providing_data=_providing(pack) if law.part("providing_data") else "",
        rights=[(r.label, r.description, r.how) for r in pack.rights],
        authority=authority,
        redactions=[
            RedactionInfo(src, numbers[rid][1], col, reason)
            for (rid, col), reason in sorted(redacted.items())
            if rid in numbers
            for src in [numbers[rid][0]]
        ],
    )


def _first_email(view: RequestView) -> str:
    return next((v for k, v in view.identifiers if k == "email"), "")


def _category_label(pack: PolicyPack, category_id: str | None) -> str:
    if not category_id:
        return OTHER_CATEGORY
    known = {c.id: c for c in pack.categories}
    return known[category_id].label if category_id in known else OTHER_CATEGORY


def _copies(
    pack: PolicyPack, rows: list[Any], kinds: dict[str, str], redacted: dict[tuple[int, str], str]
) -> tuple[list[SourceCopy], dict[int, tuple[str, int]]]:
    known_kinds = {k.id: k for k in pack.source_kinds}
    by_source: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_source[r.source].append(r)
    out = []
    numbers: dict[int, tuple[str, int]] = {}
    for source in sorted(by_source):
        items = sorted(
            by_source[source],
            key=lambda r: (r.collected_at is None, r.collected_at or dt.datetime.min, r.row_number),
        )
        entries = []
        for n, r in enumerate(items, start=1):
            numbers[r.id] = (source, n)
            cats = r.categories if isinstance(r.categories, dict) else {}
            values = [
                FieldValue(
                    str(col),
                    cats.get(col) or None,
                    _category_label(pack, cats.get(col)),
                    None if (r.id, col) in redacted else (None if v is None else str(v)),
                    (r.id, col) in redacted,
                )
                for col, v in r.values.items()
                if v not in (None, "") or (r.id, col) in redacted
            ]
            entries.append(Entry(n, r.collected_at, values))
        kind = known_kinds.get(kinds.get(source, ""))
        out.append(
            SourceCopy(
                source,
                kind.label if kind else "Other source",
                kind.description if kind else "",
                entries,
            )
        )
    return out, numbers


def _categories(pack: PolicyPack, rows: list[Any], window_start: dt.date) -> list[CategoryInfo]:
    known = {c.id: c for c in pack.categories}
    found: dict[str, set[str]] = defaultdict(set)
    recent: set[str] = set()
    for r in rows:
        cats = r.categories if isinstance(r.categories, dict) else {}
        in_window = r.collected_at is None or r.collected_at.date() >= window_start
        for col, cid in cats.items():
            if cid in known and r.values.get(col) not in (None, ""):
                found[cid].add(r.source)
                if in_window:
                    recent.add(cid)
    out = []
    for cid in sorted(found, key=lambda c: (known[c].group, known[c].label)):
        c = known[cid]
        out.append(
            CategoryInfo(
                cid,
                c.label,
                pack.category_group(c.group).label,
                c.description,
                c.retention or "As long as the purposes above need it",
                pack.ccpa_category_of(cid) or pack.category_group(c.group).label,
                sorted(found[cid]),
                cid in recent,
            )
        )
    return out


def _recipients(pack: PolicyPack, person: set[str]) -> list[RecipientInfo]:
    labels = {c.id: c.label for c in pack.categories}
    out = []
    for r in pack.recipients:
        if r.ccpa_disclosure == "on_event":
            receives = ON_EVENT_TEXT
        else:
            got = sorted(person & set(r.receives)) if r.receives else sorted(person)
            if not got:
                continue
            receives = ", ".join(labels[c] for c in got) if r.receives else "Any of your data above"
        out.append(RecipientInfo(r.label, r.description, receives, r.ccpa_disclosure))
    return out


def _ccpa(pack: PolicyPack, window: list[CategoryInfo]) -> list[CcpaRow]:
    by_statutory: dict[str, set[str]] = defaultdict(set)
    for c in window:
        by_statutory[c.ccpa_category].add(c.id)
    out = []
    for statutory in sorted(by_statutory):
        ids = by_statutory[statutory]
        kinds: dict[str, list[str]] = {"sale": [], "sharing": [], "business_purpose": []}
        for r in pack.recipients:
            if r.ccpa_disclosure in kinds and (not r.receives or ids & set(r.receives)):
                kinds[r.ccpa_disclosure].append(r.label)
        out.append(CcpaRow(statutory, kinds["sale"], kinds["sharing"], kinds["business_purpose"]))
    return out


def _transfers(
    pack: PolicyPack, recipients: list[RecipientInfo]
) -> list[tuple[str, str, str, str]]:
    shown = {r.label for r in recipients}
    by_id = {r.id: r.label for r in pack.recipients}
    return [
        (t.label, t.description, t.destination, t.safeguard)
        for t in pack.transfers
        if any(by_id[r] in shown for r in t.recipients)
    ]


def _automated(pack: PolicyPack) -> list[str]:
    a = pack.automated_decisions
    if a is None:
        raise RequestError(
            f"The policy pack in force ({pack.pack_id} {pack.version}) does not say whether "
            "ClientPay makes automated decisions (automated_decisions): a response must say so, "
            "even when there are none. Load a pack that does."
        )
    return [t for t in (a.statement, a.profiling, a.logic, a.significance) if t]


def _providing(pack: PolicyPack) -> str:
    if pack.providing_data is None:
        raise RequestError(
            f"The policy pack in force ({pack.pack_id} {pack.version}) does not say whether a "
            "person may refuse to give data and what follows (providing_data): this law's "
            "response must say so. Load a pack that does."
        )
    return pack.providing_data.text


def _disclosures(
    db: Database, actor: Actor, rows: list[Any], numbers: dict[int, tuple[str, int]]
) -> list[Disclosure]:
    from console.errors import PermissionDenied
    from console.services.legal import disclosures as legal_disclosures

    try:
        found = legal_disclosures.notified_disclosures(db, actor, [r.id for r in rows])
    except PermissionDenied:
        return []
    return [
        Disclosure(d.disclosed_at.date(), d.recipient, d.process, len(d.record_ids)) for d in found
    ]
