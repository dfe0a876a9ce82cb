"""What the `legal` commands share: references, dates and identifiers read from the command line,
and a legal request as JSON."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time
from typing import Any

from console.cli.common import UsageError
from console.domain.legal import IDENTIFIER_KINDS
from console.errors import ValidationError


def legal_ref(text: str, prefix: str) -> int:
    cleaned = text.strip().upper().removeprefix(f"{prefix}-")
    if not cleaned.isdigit():
        raise UsageError(f"Not a reference: '{text}' (write {prefix}-N or N).")
    return int(cleaned)


def when_arg(text: str | None, what: str, *, end_of_day: bool = False) -> datetime | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min, UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"The {what} '{text}' is not a date (YYYY-MM-DD) or ISO time."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_arg(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"The {what} '{text}' is not a date (YYYY-MM-DD).") from None


def identifiers_arg(args: argparse.Namespace) -> list[Any]:
    from console.services.legal.model import IdentifierSpec

    out = []
    for kind in ("email", "phone", "customer_id", "cookie_id"):
        out += [IdentifierSpec(kind, v) for v in getattr(args, kind)]
    for text in args.ip:
        address, _, span = text.partition("@")
        start, _, end = span.partition("/")
        out.append(
            IdentifierSpec(
                "ip",
                address,
                when_arg(start, "IP time range start"),
                when_arg(end, "IP time range end"),
            )
        )
    for text in args.other_ids:
        kind, sep, value = text.partition("=")
        if not sep or kind not in IDENTIFIER_KINDS:
            raise UsageError(
                f"--id takes KIND=VALUE with KIND one of {', '.join(IDENTIFIER_KINDS)}."
            )
        out.append(IdentifierSpec(kind, value))
    return out


def summary_json(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "ref": s.ref,
        "type": s.process_type.value,
        "status": s.status.value,
        "agency": s.agency,
        "country": s.country,
        "case_number": s.case_number,
        "received_at": s.received_at,
        "due_at": s.due_at,
        "overdue": s.overdue,
        "decision": s.decision,
        "ndo": s.ndo,
        "active_holds": s.active_holds,
        "counsel": s.assigned_to,
        "version": s.version,
    }


def detail_json(d: Any) -> dict[str, Any]:
    out = summary_json(d.summary)
    out.update(
        {
            "officer": d.officer,
            "contact": d.contact,
            "jurisdiction": d.jurisdiction,
            "served_on": d.served_on,
            "identifiers": d.identifiers,
            "categories": d.categories,
            "data_from": d.data_from,
            "data_to": d.data_to,
            "description": d.description,
            "decision_reasons": d.decision_reasons,
            "decided_by": d.decided_by,
            "decided_at": d.decided_at,
            "emergency_justification": d.emergency_justification,
            "ndo_until": d.ndo_until,
            "notice_decision": d.notice_decision,
            "notice_delay_until": d.notice_delay_until,
            "notice_given_at": d.notice_given_at,
            "documents": d.documents,
            "checklist": d.checklist,
        }
    )
    return out


def iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-01-31: '{text}'") from None
