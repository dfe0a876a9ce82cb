"""Legal and law-enforcement requests: intake, the register, the served document, NDO flags.

Review and decisions are in legal_review, holds in legal_holds, productions in legal_production.
Every change is audited in its own transaction; stale saves raise ConflictError naming who saved.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from console.domain import identifiers as ident
from console.domain import legal as rules
from console.domain.legal import ProcessType
from console.domain.permissions import Permission
from console.domain.workflow import LegalStatus
from console.errors import ConflictError, ConsoleError, NotFound, ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.store.db import Database
from console.store.legal_models import (
    LegalChecklistItem,
    LegalDocument,
    LegalHold,
    LegalIdentifier,
    LegalRequest,
)
from console.store.models import User

log = logging.getLogger("legal")


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


def now() -> datetime:
    return datetime.now(UTC)


def get_request(
    s: Session, request_id: int, *, expected_version: int | None = None
) -> LegalRequest:
    row = s.get(LegalRequest, request_id)
    if row is None:
        raise NotFound(f"No legal request {rules.request_ref(request_id)}.")
    if expected_version is not None and row.version != expected_version:
        when = aware(row.updated_at)
        stamp = when.strftime("%Y-%m-%d %H:%M UTC") if when else "recently"
        raise ConflictError(
            f"Legal request {rules.request_ref(row.id)} was changed by {row.updated_by or 'someone'} "
            f"at {stamp} after you opened it: reload it and make your change again."
        )
    return row


def touch(row: LegalRequest, actor: Actor) -> None:
    row.updated_at = now()
    row.updated_by = actor.name


def flush_versioned(s: Session, row: LegalRequest) -> None:
    """Flush, turning a lost race on the version column into a ConflictError."""
    try:
        s.flush()
    except StaleDataError:
        raise ConflictError(
            f"Legal request {rules.request_ref(row.id)} was changed by someone else at the same "
            "time: reload it and make your change again."
        ) from None


def move(row: LegalRequest, target: LegalStatus) -> tuple[str, str]:
    from console.domain.workflow import transition

    before = row.status
    row.status = transition(LegalStatus(row.status), target).value
    return before, row.status


def _clean(text: str, what: str, limit: int, *, required: bool = False) -> str:
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


def _country(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValidationError("The country must be a two-letter ISO code (e.g. US, DE, GB).")
    return code


# --- intake --------------------------------------------------------------------------------------


def create_request(
    db: Database,
    actor: Actor,
    intake: LegalIntake,
    *,
    document: tuple[str, bytes, str] | None = None,
) -> LegalDetail:
    """Log a new legal request (with the served document: (filename, bytes, media type))."""
    actor.require(Permission.MANAGE_LEGAL)
    process = (
        intake.process_type
        if isinstance(intake.process_type, ProcessType)
        else rules.parse_process_type(intake.process_type)
    )
    received = aware(intake.received_at)
    assert received is not None
    due = rules.response_due(
        received, process, due_at=aware(intake.due_at), hours=intake.deadline_hours
    )
    ids = [normalise_identifier(i) for i in intake.identifiers]
    if process is not ProcessType.NATIONAL_SECURITY and not ids and not intake.description.strip():
        raise ValidationError("Name at least one identifier, or describe what is sought.")
    if intake.data_from and intake.data_to and intake.data_to < intake.data_from:
        raise ValidationError("The date range sought ends before it starts.")
    if intake.ndo_until and not intake.ndo:
        raise ValidationError("An NDO expiry needs an NDO.")
    stamp = now()
    with db.transaction() as s:
        row = LegalRequest(
            process_type=process.value,
            status=LegalStatus.RECEIVED.value,
            agency=_clean(intake.agency, "requesting agency", 200, required=True),
            officer=_clean(intake.officer, "officer", 200),
            contact=_clean(intake.contact, "contact", 300),
            country=_country(intake.country),
            jurisdiction=_clean(intake.jurisdiction, "jurisdiction", 200),
            case_number=_clean(intake.case_number, "case number", 200),
            served_on=intake.served_on,
            received_at=received,
            due_at=due,
            categories=json.dumps(sorted(set(intake.categories))),
            data_from=intake.data_from,
            data_to=intake.data_to,
            description=intake.description.strip(),
            emergency_justification=intake.emergency_justification.strip(),
            ndo=intake.ndo,
            ndo_until=intake.ndo_until,
            decision_reasons="",
            created_at=stamp,
            created_by=actor.id,
            updated_at=stamp,
            updated_by=actor.name,
        )
        s.add(row)
        s.flush()
        for spec in ids:
            s.add(
                LegalIdentifier(
                    request_id=row.id,
                    kind=spec.kind,
                    value=spec.value,
                    seen_from=spec.seen_from,
                    seen_to=spec.seen_to,
                )
            )
        for key, label in rules.CHECKLIST:
            s.add(
                LegalChecklistItem(
                    request_id=row.id,
                    item_key=key,
                    label=label,
                    checked=False,
                    note="",
                    checked_by="",
                )
            )
        record(
            s,
            actor,
            "legal.create",
            "legal_request",
            row.id,
            {
                "ref": rules.request_ref(row.id),
                "process_type": process.value,
                "country": row.country,
                "identifiers": len(ids),
                "due_at": due.isoformat(),
                "ndo": row.ndo,
            },
        )
        if document is not None:
            from console.services.legal_documents import attach

            attach(s, actor, row, *document)
        s.flush()
        return _detail(s, row)


def _doc_info(doc: LegalDocument) -> DocumentInfo:
    uploaded = aware(doc.uploaded_at)
    assert uploaded is not None
    return DocumentInfo(doc.id, doc.filename, doc.media_type, doc.size, doc.sha256, uploaded)


# --- updates -------------------------------------------------------------------------------------

_EDITABLE = {
    "agency": 200,
    "officer": 200,
    "contact": 300,
    "jurisdiction": 200,
    "case_number": 200,
    "description": 20_000,
}


def update_request(
    db: Database, actor: Actor, request_id: int, expected_version: int, **changes: Any
) -> LegalDetail:
    """Change intake details; a save based on a stale version raises ConflictError."""
    actor.require(Permission.MANAGE_LEGAL)
    with db.transaction() as s:
        row = get_request(s, request_id, expected_version=expected_version)
        before: dict[str, Any] = {}
        for name, value in changes.items():
            if name in _EDITABLE:
                value = _clean(
                    str(value), name.replace("_", " "), _EDITABLE[name], required=name == "agency"
                )
            elif name == "country":
                value = _country(str(value))
            elif name == "due_at":
                value = aware(value)
            elif name not in ("served_on", "data_from", "data_to"):
                raise ValidationError(f"'{name}' cannot be changed here.")
            old = getattr(row, name)
            if old != value:
                before[name] = old
                setattr(row, name, value)
        if not before:
            return _detail(s, row)
        touch(row, actor)
        flush_versioned(s, row)
        # Field names only: the values may be personal data.
        record(s, actor, "legal.update", "legal_request", row.id, {"fields": sorted(before)})
        return _detail(s, row)


# --- queries -------------------------------------------------------------------------------------


def get(db: Database, actor: Actor, request_id: int) -> LegalDetail:
    """One request in full; opening it is recorded (it names people)."""
    actor.require(Permission.VIEW_LEGAL)
    with db.transaction() as s:
        row = get_request(s, request_id)
        record(s, actor, "legal.view", "legal_request", row.id, {})
        return _detail(s, row)


def _active_holds(s: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    stmt = (
        select(LegalHold.request_id, func.count())
        .where(LegalHold.request_id.in_(ids))
        .where(LegalHold.released_at.is_(None))
        .group_by(LegalHold.request_id)
    )
    return {int(r): int(n) for r, n in s.execute(stmt)}


def _user_names(s: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in s.execute(select(User.id, User.name))}


def _summary(row: LegalRequest, holds: int, names: dict[int, str]) -> LegalSummary:
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


def _detail(s: Session, row: LegalRequest, *, with_documents: bool = True) -> LegalDetail:
    names = _user_names(s)
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
        documents = [_doc_info(d) for d in s.execute(stmt).scalars()]
    updated = aware(row.updated_at)
    assert updated is not None
    return LegalDetail(
        summary=_summary(row, _active_holds(s, [row.id]).get(row.id, 0), names),
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


# --- non-disclosure orders -----------------------------------------------------------------------


def ndo_in_force(row: LegalRequest, today: date) -> bool:
    return bool(row.ndo) and (row.ndo_until is None or row.ndo_until >= today)


def ndo_flags_for_identifiers(
    db: Database, actor: Actor, identifiers: list[tuple[str, str]], *, today: date | None = None
) -> list[str]:
    """Warnings for every legal request whose NDO is in force and that concerns the same person.

    A request matches when it names one of the identifiers, or when the records its identifiers
    reach (through the subject search) overlap the records these identifiers reach.
    """
    actor.require(Permission.VIEW_LEGAL)
    day = today or now().date()
    wanted = set()
    for kind, value in identifiers:
        normal = ident.normalise(kind.strip().lower(), value)
        if normal is not None:
            wanted.add((kind.strip().lower(), normal))
    if not wanted:
        return []
    with db.read() as s:
        rows = {
            r.id: r.ndo_until
            for r in s.execute(select(LegalRequest).where(LegalRequest.ndo.is_(True))).scalars()
            if ndo_in_force(r, day)
        }
        specs = {rid: [(i.kind, i.value) for i in identifiers_of(s, rid)] for rid in rows}
    if not rows:
        return []
    matched = {rid for rid in rows if any(pair in wanted for pair in specs[rid])}
    unmatched = [rid for rid in rows if rid not in matched and specs[rid]]
    if unmatched:
        reached = reached_record_ids(db, actor, sorted(wanted))
        for rid in unmatched:
            if reached and reached & reached_record_ids(db, actor, specs[rid]):
                matched.add(rid)
    flags = []
    for rid in sorted(matched):
        until = rows[rid]
        shown = f" until {until.isoformat()}" if until else " (no expiry)"
        flags.append(
            f"Non-disclosure order on legal request {rules.request_ref(rid)}{shown}: "
            "do not notify this person"
        )
    return flags


def reached_record_ids(db: Database, actor: Actor, identifiers: list[tuple[str, str]]) -> set[int]:
    """Records the subject search reaches from these identifiers."""
    if not identifiers:
        return set()
    from console.services import records

    result = records.find_subject(db, actor, list(identifiers))
    return {r.record_id for r in result.records}
