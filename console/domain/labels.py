"""Plain words for stored codes: the one catalogue the window, the CLI, PDF and XLSX read.

A person never reads `in_progress`, `ccpa` or `authorised_agent`. Every code a screen or an export
shows goes through `label(kind, code)`, which takes its words from where each code is defined (the
request-type registry for laws, request types and denial reasons; the workflow for statuses; the
legal domain for processes and decisions; ...). A code the catalogue does not know is never shown
as it is stored: `label` reads it out in words ("opt_out_sale" -> "Opt out sale"), and
`known(kind, code)` lets a test insist that every code in use has a label of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from console.domain import clock_ledger, identifiers, legal, permissions, workflow
from console.domain.policy import RECIPIENT_KIND_LABELS

# How a request reached the office (stored on the request as `channel`).
CHANNELS: dict[str, str] = {
    "web_form": "Web form",
    "email": "E-mail",
    "phone": "Phone",
    "letter": "Letter",
    "in_person": "In person",
    "authorised_agent": "Authorised agent",
}

# How a request ended, as registers and metrics count it.
OUTCOMES: dict[str, str] = {
    "completed": "Completed",
    "complied": "Complied with",
    "complied_in_part": "Complied with in part",
    "denied": "Denied",
    "withdrawn": "Withdrawn",
    "no_data": "No personal data found",
    "open": "Open",
    "overdue": "Overdue",
    "on_time": "On time",
    "late": "Late",
}

# A record's place in a request's review.
REVIEW_STATES: dict[str, str] = {
    "confirmed": "Confirmed",
    "excluded": "Excluded",
    "awaiting": "Awaiting review",
}

# How strongly a record is linked to the person a request is about.
LINKS: dict[str, str] = {
    "strong": "Strong link",
    "possible": "Possible match",
}

# What fulfilment did to one attached record.
RECORD_OUTCOMES: dict[str, str] = {
    "erased": "Erased",
    "held": "Kept: under legal hold",
    "skipped": "Not changed",
    "corrected": "Corrected",
}

# A request found manifestly unfounded or excessive (GDPR Art. 12(5)): what was decided.
EXCESSIVE_DECISIONS: dict[str, str] = {
    "fee": "Charge a reasonable fee",
    "refuse": "Refuse to act",
}

IMPORT_STATUSES: dict[str, str] = {
    "running": "Running",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "interrupted": "Interrupted",
    "undone": "Undone",
}

TASK_ACTIONS: dict[str, str] = {
    "search": "Search",
    "delete": "Delete",
    "correct": "Correct",
    "confirm": "Confirm",
}

TASK_STATUSES: dict[str, str] = {
    "open": "Open",
    "done": "Done",
    "skipped": "Skipped",
}

# What a row in the trail says was done, in the words of a person telling it.
ACTIONS: dict[str, str] = {
    "access.denied": "Refused access",
    "audit.searched_for": "Checked whether the trail mentions a value",
    "audit.verify": "Verified the audit trail",
    "audit.view": "Viewed the audit trail",
    "backup.create": "Made a backup",
    "backup.restore": "Restored a backup",
    "backup.restore_requested": "Asked for a backup to be restored",
    "dsr.assign": "Assigned a request",
    "dsr.clock.start": "Started the clock",
    "dsr.clock.pause": "Paused the clock",
    "dsr.clock.resume": "Resumed the clock",
    "dsr.clock.extend": "Extended the deadline",
    "dsr.clock.identity_requested": "Asked for identity information",
    "dsr.clock.identity_received": "Received identity information",
    "dsr.clock.fee_requested": "Asked for a fee",
    "dsr.clock.fee_paid": "Recorded the fee as paid",
    "dsr.clock.clarification_requested": "Asked for clarification",
    "dsr.clock.clarification_received": "Received clarification",
    "dsr.acknowledge": "Acknowledged a request",
    "dsr.create": "Logged a request",
    "dsr.excessive": "Decided a request is manifestly unfounded or excessive",
    "dsr.fulfil": "Fulfilled a request",
    "dsr.identity_verified": "Verified the requester's identity",
    "dsr.letter": "Issued a letter",
    "dsr.package_file": "Issued an access package",
    "dsr.record.confirm": "Confirmed a record for a request",
    "dsr.record.exclude": "Excluded a record from a request",
    "dsr.records.view": "Viewed a request's records",
    "dsr.records_found": "Attached records to a request",
    "dsr.redact": "Redacted a field for an access package",
    "dsr.status": "Moved a request",
    "dsr.task.add": "Added a task",
    "dsr.task.status": "Updated a task",
    "dsr.unredact": "Removed a redaction",
    "dsr.view": "Viewed a request",
    "legal.assign": "Assigned a legal request",
    "legal.checklist": "Ticked a checklist item",
    "legal.close": "Closed a legal request",
    "legal.create": "Logged a legal request",
    "legal.decide": "Decided a legal request",
    "legal.disclose": "Recorded an emergency disclosure",
    "legal.document_attach": "Attached a document",
    "legal.document_view": "Opened a document",
    "legal.hold_place": "Placed a legal hold",
    "legal.hold_release": "Released a legal hold",
    "legal.hold_renew": "Renewed a legal hold",
    "legal.notice": "Recorded the user-notice decision",
    "legal.notice_given": "Recorded that the user was told",
    "legal.preserving": "Started preserving records",
    "legal.produce": "Made a production",
    "legal.review": "Reviewed a legal request",
    "legal.scope": "Set a production's scope",
    "legal.update": "Updated a legal request",
    "legal.view": "Viewed a legal request",
    "login": "Signed in",
    "login.failed": "Failed to sign in",
    "policy.install": "Installed a policy pack",
    "records.correct": "Corrected a record",
    "records.erase": "Erased records",
    "records.import": "Imported a file",
    "records.import_cancelled": "Cancelled an import",
    "records.import_failed": "An import failed",
    "records.import_repeat": "Imported a file already imported",
    "records.import_undo": "Undid an import",
    "records.lookup": "Looked up an identifier",
    "records.rejected_export": "Exported an import's rejected rows",
    "records.search": "Searched the records",
    "records.subject_find": "Searched for a person",
    "report.export": "Exported a report",
    "report.verify": "Verified an exported file",
    "source.create": "Added a source",
    "source.mapping_save": "Saved a source's column mapping",
    "suppression.add": "Added to the suppression list",
    "suppression.export": "Exported the suppression list",
    "team.setup": "Set up team mode",
    "user.create": "Created a user",
    "user.disable": "Disabled a user",
    "user.enable": "Enabled a user",
    "user.password_change": "Changed their password",
    "user.password_reset": "Reset a user's password",
    "user.role_change": "Changed a user's role",
}

# The trail's actions grouped by the job they belong to (the Audit page's filter, report headers).
ACTION_GROUPS: tuple[tuple[str, str], ...] = (
    ("dsr", "Data-subject requests"),
    ("legal", "Legal requests"),
    ("records", "Records and imports"),
    ("source", "Sources"),
    ("suppression", "Suppression list"),
    ("report", "Reports and exported files"),
    ("policy", "Policy packs"),
    ("login", "Sign-in"),
    ("user", "User accounts"),
    ("access", "Refusals"),
    ("backup", "Backups"),
    ("audit", "The audit trail itself"),
    ("team", "Team mode"),
)


def action_filter(prefix: str) -> str:
    """A filter on the trail's actions in words: one action's label, or its job's group."""
    if prefix in ACTIONS:
        return ACTIONS[prefix]
    groups = dict(ACTION_GROUPS)
    key = prefix.rstrip(".")
    if key in groups:
        return f"{groups[key]} (every action)"
    return f"Actions starting “{prefix}”"


# What the trail's rows are about (object_type), named as users know them.
OBJECTS: dict[str, str] = {
    "dsr_request": "Request",
    "legal_request": "Legal request",
    "legal_production": "Production",
    "legal_hold": "Legal hold",
    "import_batch": "Import",
    "source": "Source",
    "user": "User",
    "policy_pack": "Policy pack",
    "records": "Records",
    "record": "Record",
    "report": "Report",
    "backup": "Backup",
    "database": "Database",
    "permission": "Permission",
    "suppression": "Suppression list",
    "audit": "Audit trail",
    "audit_trail": "Audit trail",
}


def _statuses() -> dict[str, str]:
    out: dict[str, str] = {}
    for enum_cls in (workflow.DsrStatus, workflow.LegalStatus):
        for member in enum_cls:
            out.setdefault(member.value, member.label)
    return out


def _registry_table(which: str) -> Mapping[str, str]:
    from console.domain.request_types import registry  # the bundled registry, read once

    reg = registry()
    if which == "law":
        return {code: rules.label for code, rules in reg.laws.items()}
    if which == "request_type":
        return {code: info.label for code, info in reg.types.items()}
    return {code: info.label for code, info in reg.reasons.items()}


def _pack_table(which: str) -> Mapping[str, str]:
    from console.domain.policy import load_default_pack  # the bundled pack, read once

    pack = load_default_pack()
    if which == "source_kind":
        return {kind.id: kind.label for kind in pack.source_kinds}
    if which == "disclosure_ground":
        return {ground.id: ground.label for ground in pack.disclosure_grounds}
    return {category.id: category.label for category in pack.categories}


_TABLES: dict[str, Callable[[], Mapping[str, str]]] = {
    "source_kind": lambda: _pack_table("source_kind"),
    "category": lambda: _pack_table("category"),
    "disclosure_ground": lambda: _pack_table("disclosure_ground"),
    "import_status": lambda: IMPORT_STATUSES,
    "law": lambda: _registry_table("law"),
    "request_type": lambda: _registry_table("request_type"),
    "denial_reason": lambda: _registry_table("reason"),
    "status": _statuses,
    "dsr_status": lambda: {s.value: s.label for s in workflow.DsrStatus},
    "legal_status": lambda: {s.value: s.label for s in workflow.LegalStatus},
    "channel": lambda: CHANNELS,
    "role": lambda: {r.value: r.label for r in permissions.Role},
    "process": lambda: {p.value: p.label for p in legal.ProcessType},
    "decision": lambda: {d.value: d.label for d in legal.Decision},
    "notice": lambda: {n.value: n.label for n in legal.NoticeDecision},
    "clock": lambda: {k.value: k.label for k in clock_ledger.EntryKind},
    "identifier": lambda: identifiers.KIND_LABELS,
    "recipient_kind": lambda: RECIPIENT_KIND_LABELS,
    "outcome": lambda: OUTCOMES,
    "excessive_decision": lambda: EXCESSIVE_DECISIONS,
    "review": lambda: REVIEW_STATES,
    "link": lambda: LINKS,
    "task_action": lambda: TASK_ACTIONS,
    "record_outcome": lambda: RECORD_OUTCOMES,
    "task_status": lambda: TASK_STATUSES,
    "action": lambda: ACTIONS,
    "object": lambda: OBJECTS,
}
KINDS = tuple(_TABLES)
_cache: dict[str, Mapping[str, str]] = {}


def table(kind: str) -> Mapping[str, str]:
    """Every code of `kind` with its label (KeyError for a kind the catalogue does not hold)."""
    if kind not in _cache:
        _cache[kind] = dict(_TABLES[kind]())
    return _cache[kind]


def known(kind: str, code: str) -> bool:
    return code in table(kind)


_SPLIT = re.compile(r"[._\-:/]+")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.:/-]*$")


def words(code: str) -> str:
    """A code read out in words: "opt_out-sale" -> "Opt out sale" (for codes not catalogued)."""
    text = " ".join(part for part in _SPLIT.split(code.strip()) if part)
    return text[:1].upper() + text[1:]


def label(kind: str, code: object) -> str:
    """The one label for `code` of `kind`; "" for no code, words for a code not catalogued."""
    if code is None:
        return ""
    text = str(code)
    if not text:
        return ""
    if kind == "identifier":
        return identifiers.kind_label(text) if text in table(kind) or ":" in text else words(text)
    found = table(kind).get(text)
    if found is not None:
        return found
    # Free text stored where a code may be (a reason typed by a person) is shown as it is.
    return words(text) if _CODE.match(text) else text


def labels(kind: str, codes: object) -> str:
    """Several codes as one comma-separated phrase of their labels."""
    if isinstance(codes, str):
        return label(kind, codes)
    if not isinstance(codes, (list, tuple, set, frozenset)):
        return label(kind, codes)
    return ", ".join(label(kind, c) for c in codes)


# Text that looks like a stored code rather than words: snake_case, dotted action codes, JSON.
CODE_LOOKING = re.compile(
    r"""\b[a-z]+_[a-z_]+\b              # snake_case words
      | \b[a-z]+\.[a-z_]+(?:\.[a-z_]+)*\b  # dotted codes such as dsr.status
      | [{]\s*"[^"]*"\s*:                # a JSON object
      | \[\s*'[^']*'                     # a Python list of strings
      | \b(?:True|False|None)\b          # Python values
    """,
    re.VERBOSE,
)
# Things that look like codes but are what a person expects to read.
_ALLOWED = re.compile(
    r"""[\w.+-]+@[\w-]+(?:\.[\w-]+)+      # e-mail addresses
      | \b[\w-]+(?:\.[\w-]+)*\.(?:pdf|xlsx|csv|json|jsonl|zip|txt|db|ini|png|com|org|net|io|gov|uk|de|fr|br|ca|eu)\b
      | https?://\S+
      | \b(?:e\.g|i\.e|etc)\b\.?
    """,
    re.VERBOSE | re.IGNORECASE,
)


_law_codes: re.Pattern[str] | None = None


def _laws_as_codes() -> re.Pattern[str]:
    """A law named by its stored code ("lgpd", "uk-gdpr"): lower case, where a label would be."""
    global _law_codes
    if _law_codes is None:
        codes = sorted(table("law"), key=len, reverse=True)
        _law_codes = re.compile(
            r"(?<![\w.@/-])(?:" + "|".join(map(re.escape, codes)) + r")(?![\w@-])"
        )
    return _law_codes


def code_looking(text: str) -> list[str]:
    """The fragments of `text` a person should not see (empty when the text reads as words)."""
    cleaned = _ALLOWED.sub(" ", text)
    found = [m.group(0) for m in CODE_LOOKING.finditer(cleaned)]
    return found + [m.group(0) for m in _laws_as_codes().finditer(cleaned)]
