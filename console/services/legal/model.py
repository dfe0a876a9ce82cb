"""What the legal services share: the request's types, reading one back whole, and the checks and
helpers every change uses (versions, timestamps, clean text)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain import identifiers as ident
from console.domain import legal as rules
from console.domain.legal import ProcessType
from console.domain.workflow import LegalStatus
from console.errors import ConsoleError, NotFound, ValidationError
from console.services.context import Actor
from console.store.legal_models import (
    LegalChecklistItem,
    LegalDocument,
    LegalHold,
    LegalIdentifier,
    LegalRequest,
)
from console.store.models import User
from console.store.versioning import check_version, flush_or_conflict

log = logging.getLogger("legal")

OBJECT_TYPE = "legal_request"  # what the audit trail calls a legal request


class LegalError(ConsoleError):
    """A known problem with a legal request (bad input, a damaged stored document, ...)."""


@dataclass(frozen=True)
class IdentifierSpec:
    kind: str
    value: str
    seen_from: datetime | None = None  # IP addresses: the time range the address was seen in
    seen_to: datetime | None = None


@dataclass(frozen=True)
class LegalIntake:
    process_type: ProcessType | str
    agency: str
    country: str
    received_at: datetime
    officer: str = ""
    contact: str = ""
    jurisdiction: str = ""
    case_number: str = ""
    served_on: date | None = None
    due_at: datetime | None = None
    deadline_hours: int | None = None
    identifiers: Sequence[IdentifierSpec] = ()
    categories: Sequence[str] = ()
    data_from: date | None = None
    data_to: date | None = None
    description: str = ""
    ndo: bool = False
    ndo_until: date | None = None
    emergency_justification: str = ""


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True)
class LegalSummary:
    id: int
    ref: str
    process_type: ProcessType
    status: LegalStatus
    agency: str
    country: str
    case_number: str
    received_at: datetime
    due_at: datetime
    decision: str | None
    ndo: bool
    active_holds: int
    assigned_to: str
    version: int

    @property
    def overdue(self) -> bool:
        return not self.status.is_finished and self.due_at < datetime.now(UTC)


@dataclass(frozen=True)
class ChecklistEntry:
    key: str
    label: str
    checked: bool
    note: str
    checked_by: str


@dataclass(frozen=True)
class LegalDetail:
    summary: LegalSummary
    officer: str
    contact: str
    jurisdiction: str
    served_on: date | None
    identifiers: list[IdentifierSpec]
    categories: list[str]
    data_from: date | None
    data_to: date | None
    description: str
    emergency_justification: str
    decision_reasons: str
    decided_by: str
    decided_at: datetime | None
    ndo_until: date | None
    notice_decision: str | None
    notice_delay_until: date | None
    notice_given_at: datetime | None
    updated_by: str
    updated_at: datetime
    documents: list[DocumentInfo] = field(default_factory=list)
    checklist: list[ChecklistEntry] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def version(self) -> int:
        return self.summary.version


@dataclass(frozen=True)
class LegalFilter:
    process_type: str | None = None
    status: str | None = None
    country: str | None = None
    open_only: bool = False


# --- helpers shared by the legal services --------------------------------------------------------


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def get_request(
    s: Session, request_id: int, *, expected_version: int | None = None
) -> LegalRequest:
    row = s.get(LegalRequest, request_id)
    if row is None:
        raise NotFound(f"No legal request {rules.request_ref(request_id)}.")
    check_version(s, row, expected_version, object_type=OBJECT_TYPE, what=_what(row))
    return row


def _what(row: LegalRequest) -> str:
    return f"Legal request {rules.request_ref(row.id)}"


def touch(row: LegalRequest, actor: Actor) -> None:
    row.updated_at = actor.clock.now()
    row.updated_by = actor.name


def flush_versioned(s: Session, row: LegalRequest) -> None:
    """Flush, turning a lost race on the version column into a ConflictError naming who won."""
    flush_or_conflict(s, object_type=OBJECT_TYPE, object_id=row.id, what=_what(row))


def move(row: LegalRequest, target: LegalStatus) -> tuple[str, str]:
    from console.domain.workflow import transition

    before = row.status
    row.status = transition(LegalStatus(row.status), target).value
    return before, row.status


def clean(text: str, what: str, limit: int, *, required: bool = False) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if required and not text:
        raise ValidationError(f"The {what} is required.")
    if len(text) > limit:
        raise ValidationError(f"The {what} is longer than {limit} characters.")
    return text


def normalise_identifier(spec: IdentifierSpec) -> IdentifierSpec:
    kind = spec.kind.strip().lower()
    if kind not in rules.IDENTIFIER_KINDS and not kind.startswith(ident.OTHER_PREFIX):
        raise ValidationError(
            f"Unknown identifier kind '{spec.kind}'. Kinds: {', '.join(rules.IDENTIFIER_KINDS)}."
        )
    value = ident.normalise(kind, spec.value)
    if value is None:
        raise ValidationError(f"The {kind} identifier is not valid (or is a placeholder).")
    if (spec.seen_from or spec.seen_to) and kind != ident.IP:
        raise ValidationError("Only an IP address takes a time range.")
    if spec.seen_from and spec.seen_to and spec.seen_to < spec.seen_from:
        raise ValidationError("The IP address's time range ends before it starts.")
    return IdentifierSpec(kind, value, spec.seen_from, spec.seen_to)


def country(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValidationError("The country must be a two-letter ISO code (e.g. US, DE, GB).")
    return code


def doc_info(doc: LegalDocument) -> DocumentInfo:
    uploaded = aware(doc.uploaded_at)
    assert uploaded is not None
    return DocumentInfo(doc.id, doc.filename, doc.media_type, doc.size, doc.sha256, uploaded)


def active_holds(s: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    stmt = (
        select(LegalHold.request_id, func.count())
        .where(LegalHold.request_id.in_(ids))
        .where(LegalHold.released_at.is_(None))
        .group_by(LegalHold.request_id)
    )
    return {int(r): int(n) for r, n in s.execute(stmt)}


def user_names(s: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in s.execute(select(User.id, User.name))}


def summary(row: LegalRequest, holds: int, names: dict[int, str]) -> LegalSummary:
    received, due = aware(row.received_at), aware(row.due_at)
    assert received is not None and due is not None
    return LegalSummary(
        id=row.id,
        ref=rules.request_ref(row.id),
        process_type=ProcessType(row.process_type),
        status=LegalStatus(row.status),
        agency=row.agency,
        country=row.country,
        case_number=row.case_number,
        received_at=received,
        due_at=due,
        decision=row.decision,
        ndo=row.ndo,
        active_holds=holds,
        assigned_to=names.get(row.assigned_to, "") if row.assigned_to else "",
        version=row.version,
    )


def identifiers_of(s: Session, request_id: int) -> list[IdentifierSpec]:
    rows = s.execute(
        select(LegalIdentifier)
        .where(LegalIdentifier.request_id == request_id)
        .order_by(LegalIdentifier.id)
    ).scalars()
    return [IdentifierSpec(r.kind, r.value, aware(r.seen_from), aware(r.seen_to)) for r in rows]


def detail(s: Session, row: LegalRequest, *, with_documents: bool = True) -> LegalDetail:
    names = user_names(s)
    checklist = [
        ChecklistEntry(c.item_key, c.label, c.checked, c.note, c.checked_by)
        for c in s.execute(
            select(LegalChecklistItem)
            .where(LegalChecklistItem.request_id == row.id)
            .order_by(LegalChecklistItem.id)
        ).scalars()
    ]
    documents = []
    if with_documents:
        stmt = (
            select(LegalDocument)
            .where(LegalDocument.request_id == row.id)
            .order_by(LegalDocument.id)
        )
        documents = [doc_info(d) for d in s.execute(stmt).scalars()]
    updated = aware(row.updated_at)
    assert updated is not None
    return LegalDetail(
        summary=summary(row, active_holds(s, [row.id]).get(row.id, 0), names),
        officer=row.officer,
        contact=row.contact,
        jurisdiction=row.jurisdiction,
        served_on=row.served_on,
        identifiers=identifiers_of(s, row.id),
        categories=list(json.loads(row.categories or "[]")),
        data_from=row.data_from,
        data_to=row.data_to,
        description=row.description,
        emergency_justification=row.emergency_justification,
        decision_reasons=row.decision_reasons,
        decided_by=names.get(row.decided_by, "") if row.decided_by else "",
        decided_at=aware(row.decided_at),
        ndo_until=row.ndo_until,
        notice_decision=row.notice_decision,
        notice_delay_until=row.notice_delay_until,
        notice_given_at=aware(row.notice_given_at),
        updated_by=row.updated_by,
        updated_at=updated,
        documents=documents,
        checklist=checklist,
    )


def ndo_in_force(row: LegalRequest, today: date) -> bool:
    return bool(row.ndo) and (row.ndo_until is None or row.ndo_until >= today)
