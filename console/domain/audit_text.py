"""An audit event told as a person would tell it, with its details as labelled fields.

"olivia moved Request 23 from Received to Verifying identity", then Note: identity verified. The
window's Audit page and timelines, the CLI and the audit-trail exports all read events through
`describe`, so the same event reads the same everywhere. The stored event is never changed: this
is only how it is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from console.domain import labels
from console.domain.legal import CHECKLIST, request_ref

# Names an object as users know it: (object_type, object_id) -> "Request 23", "LR-7", "Olivia".
Namer = Callable[[str, str], str | None]


@dataclass(frozen=True)
class EventText:
    sentence: str
    fields: tuple[tuple[str, str], ...]

    def details_text(self) -> str:
        return "; ".join(f"{name}: {value}" for name, value in self.fields)


def object_name(object_type: str, object_id: object, namer: Namer | None = None) -> str:
    """The object of an event named as users know it ("" when the event is about nothing)."""
    oid = "" if object_id is None else str(object_id)
    if namer is not None:
        named = namer(object_type, oid)
        if named:
            return named
    if object_type == "dsr_request" and oid:
        return f"Request {oid}"
    if object_type == "legal_request" and oid.isdigit():
        return request_ref(int(oid))
    if object_type == "permission":
        return labels.words(oid) if oid else "an action"
    kind = labels.label("object", object_type) if object_type else ""
    if not oid:
        return kind
    return f"{kind} {oid}" if kind else oid


# Detail keys whose values are codes of a catalogue kind.
_VALUE_KINDS: dict[str, str] = {
    "law": "law",
    "type": "request_type",
    "request_type": "request_type",
    "channel": "channel",
    "role": "role",
    "old_role": "role",
    "new_role": "role",
    "decision": "decision",
    "process_type": "process",
    "notice": "notice",
    "reason_code": "denial_reason",
    "reason": "denial_reason",
    "denial_reason": "denial_reason",
    "identifier_kinds": "identifier",
    "kind": "identifier",
    "state": "review",
    "link": "link",
    "action": "task_action",
    "outcome": "outcome",
}
_STATUS_KEYS = ("from", "to", "status")
# Where one key means something else in one action's details.
_ACTION_KEYS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("user.create", "first"): ("First user", None),
    ("source.create", "kind"): ("Kind of source", "source_kind"),
    ("dsr.excessive", "decision"): ("Decision", "excessive_decision"),
}

# Detail keys with the label a person reads; others are read out in words ("rows_read" -> "Rows read").
_KEY_LABELS: dict[str, str] = {
    "from": "From",
    "to": "To",
    "due": "Due",
    "due_at": "Due",
    "acknowledge_by": "Acknowledge by",
    "received": "Received",
    "type": "Request type",
    "law": "Law",
    "channel": "Channel",
    "identifier_kinds": "Identifiers given",
    "policy_version": "Policy pack",
    "possible_duplicates": "Possible duplicates",
    "note": "Note",
    "reason": "Reason",
    "evidence_ref": "Evidence",
    "method": "Method",
    "counsel": "Counsel",
    "checked": "Ticked",
    "item": "Item",
    "country": "Country",
    "identifiers": "Identifiers",
    "ndo": "Non-disclosure order",
    "ndo_until": "Non-disclosure order until",
    "process_type": "Process",
    "ref": "Reference",
    "decision": "Decision",
    "fast_path": "Emergency fast path",
    "justification_recorded": "Justification recorded",
    "disclosure": "Disclosure",
    "records": "Records",
    "hold": "Hold",
    "until": "Until",
    "delay_until": "Notice delayed until",
    "notice": "Notice",
    "beyond_scope": "Records beyond scope",
    "first": "First page",
    "last": "Last page",
    "manifest_sha256": "Manifest fingerprint",
    "override": "Scope overridden",
    "override_sha256": "Override fingerprint",
    "production": "Production",
    "undated_included": "Undated records included",
    "digest": "Fingerprint",
    "effective_date": "Effective",
    "pack_id": "Pack",
    "version": "Version",
    "file_sha256": "File fingerprint",
    "rows_duplicate": "Duplicate rows",
    "rows_imported": "Rows imported",
    "rows_read": "Rows read",
    "rows_rejected": "Rows rejected",
    "rows_suppressed": "Rows suppressed",
    "source": "Source",
    "hmac_key": "Key",
    "identifier_hmacs": "Identifier fingerprints",
    "results": "Results",
    "kind": "Kind",
    "name": "Name",
    "columns": "Columns",
    "first_user": "First user",
    "role": "Role",
    "at": "On",
    "requester_told_on": "Requester told on",
    "file": "File",
    "sha256": "Fingerprint",
    "report": "Report",
    "format": "Format",
    "path": "File",
    "assignee": "Assigned to",
    "what": "What",
    "state": "State",
    "fields": "Fields",
    "field": "Field",
}
_HEX = re.compile(r"^[0-9a-f]{40,}$")
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?(\+00:00|Z)$")
_CHECKLIST = dict(CHECKLIST)


def _short(text: str) -> str:
    if _HEX.match(text):
        return text[:12] + "…"
    stamp = _TIMESTAMP.match(text)
    if stamp:
        return f"{stamp.group(1)} {stamp.group(2)} UTC"
    return text


def _value(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in _STATUS_KEYS:
        if isinstance(value, (list, tuple)):
            return " → ".join(labels.label("status", v) for v in value)
        return labels.label("status", value)
    if key == "item" and isinstance(value, str) and value in _CHECKLIST:
        return _CHECKLIST[value]
    kind = _VALUE_KINDS.get(key)
    if kind is not None and isinstance(value, (str, list, tuple)):
        return labels.labels(kind, value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_value("", v) for v in value) if value else "none"
    if isinstance(value, Mapping):
        return "; ".join(f"{_key(k)}: {_value(str(k), v)}" for k, v in value.items())
    if isinstance(value, int):
        return f"{value:,}"
    return _short(str(value))


def _key(key: object) -> str:
    text = str(key)
    return _KEY_LABELS.get(text) or labels.words(text)


def fields(details: Mapping[str, Any] | None, action: str = "") -> tuple[tuple[str, str], ...]:
    """An event's details as (label, value) pairs, in the order they were stored; empty text and
    empty lists are left out."""
    out: list[tuple[str, str]] = []
    for k, v in (details or {}).items():
        if v == "" or v == []:
            continue
        special = _ACTION_KEYS.get((action, str(k)))
        if special is None:
            out.append((_key(k), _value(str(k), v)))
        else:
            name, kind = special
            text = labels.label(kind, v) if kind and isinstance(v, str) else _value("", v)
            out.append((name, text))
    return tuple(out)


# Sentences for the events people read most; the rest read "<actor> <action label> (<object>)".
def _sentence(
    actor: str, action: str, obj: str, details: Mapping[str, Any]
) -> tuple[str, set[str]] | None:
    """The event as a sentence, and the detail keys the sentence already says."""
    if action == "dsr.status" and "from" in details and "to" in details:
        a, b = labels.label("status", details["from"]), labels.label("status", details["to"])
        return f"{actor} moved {obj} from {a} to {b}", {"from", "to"}
    if action == "legal.preserving" and "to" in details:
        return f"{actor} started preserving records for {obj}", {"from", "to"}
    if action == "dsr.create":
        what = labels.label("request_type", details.get("type"))
        law = labels.label("law", details.get("law"))
        if what and law:
            return f"{actor} logged {obj}: {what.lower()} request under {law}", {"type", "law"}
    if action == "legal.create":
        process = labels.label("process", details.get("process_type"))
        if process:
            return f"{actor} logged {obj}: {process.lower()}", {"process_type", "ref"}
    if action == "legal.decide" and details.get("decision"):
        decision = labels.label("decision", details["decision"])
        return f"{actor} decided {obj}: {decision}", {"decision", "from", "to"}
    if action in ("dsr.assign", "legal.assign"):
        who = details.get("assignee") or details.get("counsel")
        if who:
            return f"{actor} assigned {obj} to {who}", {"assignee", "counsel"}
    if action == "legal.checklist" and "item" in details:
        item = _CHECKLIST.get(str(details["item"]), labels.words(str(details["item"])))
        done = "ticked" if details.get("checked") else "unticked"
        return f"{actor} {done} “{item}” for {obj}", {"item", "checked"}
    if action == "records.import" and details.get("source"):
        n = details.get("rows_imported")
        rows = f"{n:,} row{'s' if n != 1 else ''}" if isinstance(n, int) else "rows"
        return f"{actor} imported {rows} into {details['source']}", {"source", "rows_imported"}
    if action == "login":
        return f"{actor} signed in", set()
    if action == "login.failed":
        return f"Someone failed to sign in as {obj or actor}", set()
    return None


def describe(
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    details: Mapping[str, Any] | None,
    namer: Namer | None = None,
) -> EventText:
    """One event as a sentence and its remaining details as labelled fields."""
    details = details or {}
    obj = object_name(object_type, object_id, namer)
    made = _sentence(actor, action, obj, details)
    if made is None:
        what = labels.label("action", action)
        sentence = f"{actor}: {what}" + (f" ({obj})" if obj else "")
        said: set[str] = set()
    else:
        sentence, said = made
    rest = {k: v for k, v in details.items() if k not in said}
    return EventText(sentence, fields(rest, action))
