"""Legal review: counsel, the sufficiency checklist, decisions (legal role only), the emergency fast
path, the non-disclosure order and user notice, closing, and the request's timeline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from console.domain import legal as rules
from console.domain.audit_text import describe
from console.domain.legal import Decision, NoticeDecision, ProcessType
from console.domain.permissions import Permission, Role
from console.domain.workflow import LegalStatus
from console.errors import NotFound, ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.legal.model import (
    LegalDetail,
    detail,
    flush_versioned,
    get_request,
    move,
    touch,
)
from console.services.legal.scope import refuse_without_scope
from console.store.db import Database
from console.store.legal_models import LegalChecklistItem
from console.store.models import AuditEvent, User
from console.wording import plural


def assign(
    db: Database,
    actor: Actor,
    request_id: int,
    user_name: str,
    *,
    expected_version: int | None = None,
) -> LegalDetail:
    """Assign counsel (a legal reviewer); puts a received request under review."""
    actor.require(Permission.MANAGE_LEGAL)
    with db.transaction() as s:
        row = get_request(s, request_id, expected_version=expected_version)
        user = s.execute(select(User).where(User.name == user_name.strip())).scalar_one_or_none()
        if user is None or not user.active:
            raise NotFound(f"No active user named '{user_name}'.")
        if user.role != Role.LEGAL.value:
            raise ValidationError(f"'{user.name}' is not a legal reviewer and cannot be counsel.")
        row.assigned_to = user.id
        details: dict[str, Any] = {"counsel": user.name}
        if row.status == LegalStatus.RECEIVED.value:
            details["status"] = move(row, LegalStatus.UNDER_REVIEW)
        touch(row, actor)
        flush_versioned(s, row)
        record(s, actor, "legal.assign", "legal_request", row.id, details)
        return detail(s, row)


def start_review(db: Database, actor: Actor, request_id: int) -> LegalDetail:
    actor.require(Permission.MANAGE_LEGAL)
    return _move(db, actor, request_id, LegalStatus.UNDER_REVIEW, "legal.review")


def _move(
    db: Database,
    actor: Actor,
    request_id: int,
    target: LegalStatus,
    action: str,
    details: dict[str, Any] | None = None,
) -> LegalDetail:
    with db.transaction() as s:
        row = get_request(s, request_id)
        before, after = move(row, target)
        touch(row, actor)
        flush_versioned(s, row)
        record(
            s,
            actor,
            action,
            "legal_request",
            row.id,
            {"from": before, "to": after, **(details or {})},
        )
        return detail(s, row)


def set_checklist(
    db: Database, actor: Actor, request_id: int, item_key: str, checked: bool, note: str = ""
) -> LegalDetail:
    actor.require(Permission.MANAGE_LEGAL)
    with db.transaction() as s:
        row = get_request(s, request_id)
        item = s.execute(
            select(LegalChecklistItem).where(
                LegalChecklistItem.request_id == row.id, LegalChecklistItem.item_key == item_key
            )
        ).scalar_one_or_none()
        if item is None:
            raise NotFound(f"No checklist item '{item_key}'.")
        item.checked = checked
        item.note = note.strip()
        item.checked_by = actor.name
        item.checked_at = actor.clock.now()
        # Checklist items are rows of their own: ticking one does not make the request stale.
        s.flush()
        record(
            s,
            actor,
            "legal.checklist",
            "legal_request",
            row.id,
            {"item": item_key, "checked": checked},
        )
        return detail(s, row)


def decide(
    db: Database,
    actor: Actor,
    request_id: int,
    decision: Decision | str,
    reasons: str,
    *,
    expected_version: int | None = None,
) -> LegalDetail:
    """Record the decision. Only the legal role decides; disclosing needs a complete checklist."""
    actor.require(Permission.DECIDE_LEGAL)
    choice = decision if isinstance(decision, Decision) else rules.parse_decision(decision)
    if not reasons.strip():
        raise ValidationError("Give the reasons for the decision.")
    with db.transaction() as s:
        row = get_request(s, request_id, expected_version=expected_version)
        if choice.discloses:
            refuse_without_scope(s, row)
            open_items = (
                s.execute(
                    select(LegalChecklistItem.label).where(
                        LegalChecklistItem.request_id == row.id,
                        LegalChecklistItem.checked.is_(False),
                    )
                )
                .scalars()
                .all()
            )
            if open_items:
                raise ValidationError(
                    f"The legal-sufficiency checklist has {plural(len(open_items), 'open item')} "
                    f"(first: {open_items[0]}): complete it before deciding to disclose, or use "
                    "the emergency fast path for an emergency request."
                )
        return _record_decision(s, actor, row, choice, reasons.strip(), fast_path=False)


def emergency_decide(
    db: Database,
    actor: Actor,
    request_id: int,
    decision: Decision | str,
    justification: str,
    reasons: str = "",
) -> LegalDetail:
    """The emergency fast path: decide at once, skipping the checklist, with a justification."""
    actor.require(Permission.DECIDE_LEGAL)
    choice = decision if isinstance(decision, Decision) else rules.parse_decision(decision)
    if len(justification.strip()) < 10:
        raise ValidationError(
            "Record why this is an emergency (danger of death or serious "
            "physical injury) before using the fast path."
        )
    with db.transaction() as s:
        row = get_request(s, request_id)
        if row.process_type != ProcessType.EMERGENCY.value:
            raise ValidationError("Only an emergency disclosure request takes the fast path.")
        if choice.discloses:
            refuse_without_scope(s, row)
        row.emergency_justification = justification.strip()
        if row.status == LegalStatus.RECEIVED.value:
            move(row, LegalStatus.UNDER_REVIEW)
        return _record_decision(
            s, actor, row, choice, reasons.strip() or justification.strip(), fast_path=True
        )


def _record_decision(
    s: Any, actor: Actor, row: Any, choice: Decision, reasons: str, *, fast_path: bool
) -> LegalDetail:
    before, after = move(row, LegalStatus.DECIDED)
    row.decision = choice.value
    row.decision_reasons = reasons
    row.decided_by = actor.id
    row.decided_at = actor.clock.now()
    touch(row, actor)
    flush_versioned(s, row)
    record(
        s,
        actor,
        "legal.decide",
        "legal_request",
        row.id,
        {
            "decision": choice.value,
            "from": before,
            "to": after,
            "fast_path": fast_path,
            "justification_recorded": bool(row.emergency_justification) if fast_path else None,
        },
    )
    return detail(s, row)


def set_notice(
    db: Database,
    actor: Actor,
    request_id: int,
    *,
    ndo: bool,
    ndo_until: date | None = None,
    notice: NoticeDecision | str | None = None,
    delay_until: date | None = None,
    expected_version: int | None = None,
) -> LegalDetail:
    """Record the non-disclosure order and the decision about telling the user."""
    actor.require(Permission.MANAGE_LEGAL)
    choice = None
    if notice is not None:
        choice = notice if isinstance(notice, NoticeDecision) else rules.parse_notice(notice)
    if ndo_until is not None and not ndo:
        raise ValidationError("An NDO expiry needs an NDO.")
    if choice is NoticeDecision.DELAY_UNTIL and delay_until is None:
        raise ValidationError("Give the date until which notice is delayed.")
    if choice is not NoticeDecision.DELAY_UNTIL and delay_until is not None:
        raise ValidationError("A delay date goes only with the 'delay until' decision.")
    if ndo and choice is NoticeDecision.NOTIFY:
        raise ValidationError(
            "The user cannot be notified while a non-disclosure order is in "
            "force: choose 'delay until' its expiry or 'prohibited'."
        )
    with db.transaction() as s:
        row = get_request(s, request_id, expected_version=expected_version)
        row.ndo = ndo
        row.ndo_until = ndo_until
        row.notice_decision = choice.value if choice else None
        row.notice_delay_until = delay_until
        touch(row, actor)
        flush_versioned(s, row)
        record(
            s,
            actor,
            "legal.notice",
            "legal_request",
            row.id,
            {
                "ndo": ndo,
                "ndo_until": ndo_until.isoformat() if ndo_until else None,
                "notice": choice.value if choice else None,
                "delay_until": delay_until.isoformat() if delay_until else None,
            },
        )
        return detail(s, row)


def record_notice_given(
    db: Database, actor: Actor, request_id: int, at: datetime | None = None
) -> LegalDetail:
    actor.require(Permission.MANAGE_LEGAL)
    when = at or actor.clock.now()
    with db.transaction() as s:
        row = get_request(s, request_id)
        from console.services.legal.model import ndo_in_force

        if ndo_in_force(row, when.date()):
            raise ValidationError(
                "A non-disclosure order is in force: the user may not be notified yet."
            )
        if row.notice_decision == NoticeDecision.PROHIBITED.value:
            raise ValidationError("Notice to the user is prohibited for this request.")
        if (
            row.notice_decision == NoticeDecision.DELAY_UNTIL.value
            and row.notice_delay_until
            and when.date() < row.notice_delay_until
        ):
            raise ValidationError(f"Notice is delayed until {row.notice_delay_until.isoformat()}.")
        row.notice_given_at = when
        touch(row, actor)
        flush_versioned(s, row)
        record(
            s,
            actor,
            "legal.notice_given",
            "legal_request",
            row.id,
            {"at": when.astimezone(UTC).isoformat()},
        )
        return detail(s, row)


def preserve_only(db: Database, actor: Actor, request_id: int) -> LegalDetail:
    """A preservation request waits in 'preserving' until legal process follows or it ends."""
    actor.require(Permission.MANAGE_HOLDS)
    return _move(db, actor, request_id, LegalStatus.PRESERVING, "legal.preserving")


def close(db: Database, actor: Actor, request_id: int, reason: str) -> LegalDetail:
    actor.require(Permission.MANAGE_LEGAL)
    if not reason.strip():
        raise ValidationError("Say why the request is closed.")
    return _move(
        db, actor, request_id, LegalStatus.CLOSED, "legal.close", {"reason": reason.strip()[:500]}
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    text: str


def timeline(
    db: Database, actor: Actor, request_id: int, *, include_views: bool = False
) -> list[TimelineEntry]:
    """What happened to a request, oldest first, read from the audit trail itself."""
    actor.require(Permission.VIEW_LEGAL)
    with db.read() as s:
        get_request(s, request_id)
        stmt = (
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "legal_request", AuditEvent.object_id == str(request_id)
            )
            .order_by(AuditEvent.seq)
        )
        entries = []
        for ev in s.execute(stmt).scalars():
            if not include_views and ev.action in ("legal.view", "legal.document_view"):
                continue
            details = json.loads(ev.details)
            details.pop("ref", None)
            told = describe(ev.actor, ev.action, ev.object_type, ev.object_id, details)
            shown = told.details_text()
            entries.append(
                TimelineEntry(
                    datetime.fromisoformat(ev.at),
                    ev.actor,
                    ev.action,
                    f"{told.sentence} — {shown}" if shown else told.sentence,
                )
            )
        return entries
