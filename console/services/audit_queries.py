"""The auditor's question "did anyone search for X?", answered from the keyed hashes the trail keeps.

The trail holds no typed text (console.services.audit.typed_details): this hashes X the same
ways (as typed text, as each identifier it could be, as a stored value) under the installation's
key and finds the events carrying any of those hashes. Events written before keyed hashes kept
a plain SHA-256; those are found too, by the same text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from console.domain import identifiers as ids
from console.domain.permissions import Permission
from console.domain.typed_text import identifier_message, query_message, value_message
from console.errors import ValidationError
from console.services.audit import EventRow, event_row, record, typed_details
from console.services.context import Actor
from console.services.records.model import regions
from console.store.db import Database
from console.store.keyed_hash import keyed_hashes
from console.store.models import AuditEvent

ACTION = "audit.searched_for"
_HASH_FIELDS = ("query_hmac", "query_sha256", "before_hmac", "after_hmac", "file_hmac")


@dataclass(frozen=True)
class TypedMatch:
    event: EventRow
    matched: str  # how X matched: "as typed", "as email ana@example.com", ...


def searched_for(
    db: Database, actor: Actor, text: str, *, kind: str | None = None
) -> list[TypedMatch]:
    """Every event that recorded X being typed (searched, looked up, found, exported, corrected),
    oldest first. kind reads X as that identifier kind only (e.g. "phone"); otherwise X is
    also read as every identifier it could be. The question itself is recorded (hashed)."""
    actor.require(Permission.VIEW_AUDIT)
    text = text.replace("\x00", "")
    if not text.strip():
        raise ValidationError("Give the text to look for.")
    with db.transaction() as s:
        pairs = _pairs(regions(s), text, kind)
        labels: dict[str, str] = {}
        messages = [query_message(text), value_message(text)]
        messages += [identifier_message(k, v) for k, v in pairs]
        names = ["as typed", "as a stored value"] + [f"as {k} {v}" for k, v in pairs]
        for digest, name in zip(keyed_hashes(s, messages), names, strict=True):
            labels.setdefault(digest, name)
        for digest, name in _legacy(text, pairs):
            labels.setdefault(digest, name)
        rows = s.execute(
            select(AuditEvent)
            .where(or_(*(AuditEvent.details.contains(h) for h in labels)))
            .where(AuditEvent.action != ACTION)
            .order_by(AuditEvent.seq)
        ).scalars()
        matches = []
        for row in rows:
            event = event_row(row)
            how = _how(event.details, labels)
            if how is not None:
                matches.append(TypedMatch(event, how))
        record(
            s,
            actor,
            ACTION,
            "audit_trail",
            "",
            {
                **typed_details(s, query=text, identifiers=pairs),
                "events_found": len(matches),
            },
        )
    return matches


def _pairs(region_list: Iterable[str], text: str, kind: str | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if kind is not None:
        wanted = ids.parse_kind(kind)
        for region in region_list:
            value = ids.normalise(wanted, text, default_region=region)
            if value is not None and (wanted, value) not in found:
                found.append((wanted, value))
        return found
    for region in region_list:
        for pair in ids.guess_query(text, region):
            if pair not in found:
                found.append(pair)
    return found


def _legacy(text: str, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The plain SHA-256 digests events kept before keyed hashes (searches, lookups, a one-
    identifier subject search), to find those events by the same text."""
    old = "as typed (an event from before keyed hashes)"
    out = [(_sha(text.strip()), old), (_sha(text.strip()[:1000]), old)]
    out += [
        (_sha(json.dumps([[k, v]])), f"as {k} {v} (an event from before keyed hashes)")
        for k, v in pairs
    ]
    return out


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _how(details: dict[str, Any], labels: dict[str, str]) -> str | None:
    """Which of our hashes the event carries in a hash field (not by chance elsewhere)."""
    for name in _HASH_FIELDS:
        value = details.get(name)
        if isinstance(value, str) and value in labels:
            return labels[value]
    for value in details.get("identifier_hmacs") or []:
        if value in labels:
            return labels[value]
    return None
