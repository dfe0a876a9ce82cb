"""The report catalogue: build a report as the acting user, export it, record it, verify it later.

Each area registers its reports (name, title, parameters, builder) in a module listed in
REPORT_MODULES; this module does what every report shares: permission, identity, audit, verify.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from console import __version__, outfiles
from console.domain import labels
from console.domain.auditchain import Anchor, verify_chain
from console.domain.permissions import Permission
from console.errors import ConsoleError, NotFound, ValidationError
from console.reports import Document, ExportResult, ReportMeta, Section, export, verify_file
from console.services import audit
from console.services.context import Actor
from console.store import audit_log
from console.store.db import Database
from console.store.models import AuditEvent, Setting

Format = Literal["pdf", "xlsx"]
# Each report's definition sets its level; the mark printed for a level is the site's to choose.
Classification = Literal["public", "internal", "confidential"]
CLASSIFICATION_KEYS: dict[str, str] = {
    "confidential": "classification",
    "internal": "classification_internal",
    "public": "classification_public",
}
CLASSIFICATION_LABELS: dict[str, str] = {
    "confidential": "Confidential (personal data)",
    "internal": "Internal",
    "public": "Public",
}
DEFAULT_CLASSIFICATION = "Confidential — contains personal data"

# Modules that register reports when imported; areas add theirs here.
REPORT_MODULES = [
    "console.services.reports_foundation",
    "console.services.requests_reports",
    "console.services.reports_legal",
    "console.services.reports_records",
    "console.services.policy_health",
]


@dataclass(frozen=True)
class ReportParams:
    """What a user can ask of a report; each report says which of these it takes."""

    since: date | None = None
    until: date | None = None
    actor_name: str | None = None
    action: str | None = None
    query: str | None = None
    object_id: int | None = None
    source: str | None = None  # records: only this source (its name)
    category: str | None = None  # records: only this data category (its id)

    def shown(self) -> dict[str, str]:
        """The parameters as printed on the report and kept in the manifest and audit event."""
        out = {}
        if self.since:
            out["From"] = self.since.isoformat()
        if self.until:
            out["To"] = self.until.isoformat()
        if self.actor_name:
            out["User"] = self.actor_name
        if self.action:
            out["What happened"] = labels.action_filter(self.action)
        if self.query:
            out["Query"] = self.query
        if self.object_id is not None:
            out["Id"] = str(self.object_id)
        if self.source:
            out["Source"] = self.source
        if self.category:
            out["Category"] = labels.label("category", self.category)
        return out or {"Scope": "everything"}


@dataclass(frozen=True)
class BuildContext:
    db: Database
    actor: Actor
    params: ReportParams


Builder = Callable[[BuildContext], list[Section]]


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    description: str
    builder: Builder
    personal_data: bool = False  # exports of personal data need their own permission
    takes: tuple[str, ...] = ()  # which ReportParams fields apply: since, until, actor_name, ...
    requires: tuple[str, ...] = ()  # params that must be given (e.g. object_id for a case file)
    permission: Permission = Permission.EXPORT_REPORTS
    extra: dict[str, str] = field(default_factory=dict)
    # public: meant for publication and holds no personal data; internal: registers and metrics;
    # confidential: personal data. Unset means confidential: a forgotten level never leaks.
    classification: Classification = "confidential"

    def __post_init__(self) -> None:
        if self.personal_data and self.classification != "confidential":
            raise ValueError(f"report {self.name!r} holds personal data: it must be confidential")


_REGISTRY: dict[str, ReportSpec] = {}


def register(spec: ReportSpec) -> ReportSpec:
    _REGISTRY[spec.name] = spec
    return spec


def catalogue() -> list[ReportSpec]:
    for module in REPORT_MODULES:
        importlib.import_module(module)
    return sorted(_REGISTRY.values(), key=lambda s: s.name)


def spec(name: str) -> ReportSpec:
    known = {s.name: s for s in catalogue()}
    if name not in known:
        raise NotFound(f"No report named '{name}'. Reports: {', '.join(sorted(known))}.")
    return known[name]


def organisation_identity(db: Database, level: Classification = "confidential") -> tuple[str, str]:
    """(organisation name, classification mark for `level`) printed on every page.

    The site configuration wins when it sets them (admins preset or lock them there); otherwise
    the team's settings in the database; otherwise the built-in mark and the policy pack's
    organisation.
    """
    from console import config
    from console.domain.policy import load_default_pack

    loaded = config.load()
    cfg = {e.key: e for e in loaded.explain()}
    with db.read() as s:
        settings = {k: v for k, v in s.execute(select(Setting.key, Setting.value))}

    def pick(key: str, fallback: str) -> str:
        entry = cfg.get(key)
        if entry is not None and entry.source is not config.Source.BUILT_IN and entry.value:
            return str(entry.value)
        return settings.get(key) or fallback

    key = CLASSIFICATION_KEYS[level]
    return (
        pick("organisation", load_default_pack().organisation.name),
        pick(key, str(loaded[key])),
    )


def run_report(
    db: Database,
    actor: Actor,
    name: str,
    fmt: Format,
    out: Path,
    params: ReportParams = ReportParams(),
    *,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    force: bool = False,
    outgoing: outfiles.Outgoing | None = None,
) -> ExportResult:
    """Build and export one report; the export is recorded with the file's SHA-256.

    The files (report and manifest) appear only once the event is committed (console.outfiles);
    an existing file is replaced only with force. With outgoing, they stay staged in it for the
    caller to publish with its other files (an access package).
    """
    report = spec(name)
    actor.require(report.permission)
    if report.personal_data:
        actor.require(Permission.EXPORT_PERSONAL_DATA)
    for needed in report.requires:
        if getattr(params, needed) is None:
            raise ValidationError(f"The report '{name}' needs --{needed.replace('_', '-')}.")
    if fmt not in ("pdf", "xlsx"):
        raise ValidationError(f"Unknown format '{fmt}': use pdf or xlsx.")
    org, classification = organisation_identity(db, report.classification)
    with db.read() as s:
        head = audit_log.head(s)
    # A report for publication names the organisation, not the member of staff who made it
    # (the audit event below still records who did).
    author = org if report.classification == "public" else actor.name
    meta = ReportMeta(
        organisation=org,
        report_name=name,
        title=report.title,
        parameters=params.shown(),
        generated_by=author,
        generated_at=datetime.now(UTC),
        app_version=__version__,
        classification=classification,
        chain_head=(head.seq, head.hash) if head else None,
    )
    document = Document(meta, report.builder(BuildContext(db, actor, params)))
    with outfiles.Outgoing(force=force) as own:
        staging = outgoing or own
        result = export(
            document, out, fmt, progress=progress, cancelled=cancelled, outgoing=staging
        )
        shown = params.shown()
        with db.transaction() as s:
            typed: dict[str, object] = {}
            if params.query is not None:
                # The report prints its query; the permanent trail keeps only its keyed hash.
                shown.pop("Query", None)
                typed = audit.typed_details(s, query=params.query)
            audit.record(
                s,
                actor,
                "report.export",
                "report",
                name,
                {
                    "format": fmt,
                    "file": result.path.name,
                    "sha256": result.sha256,
                    "parameters": shown,
                    "row_counts": result.row_counts,
                    "chain_head": meta.chain_head_text,
                    "personal_data": report.personal_data,
                    "classification": report.classification,
                    **typed,
                },
            )
        own.publish()
    return result


@dataclass(frozen=True)
class ReportCheck:
    ok: bool
    reason: str
    sha256: str | None
    audit_seq: int | None


def verify_report(
    db: Database, actor: Actor, path: Path, *, anchor: Anchor | None = None
) -> ReportCheck:
    """A file is genuine when it matches its manifest AND an export event recorded its hash AND
    that event sits in a chain that verifies from the first event (or from `anchor`, a SEQ:HASH
    written down earlier, e.g. the chain head printed on a report) through that event.

    Without the last check, an event appended with a made-up hash would vouch for any file.
    """
    actor.require(Permission.VERIFY_AUDIT)
    check = verify_file(path)
    seqs = _export_events_for(db, check.sha256) if check.sha256 is not None else []
    seq = seqs[0] if seqs else None
    if check.ok and seq is None:
        result = ReportCheck(
            False,
            "The file matches its manifest, but no export with this "
            "SHA-256 is in the audit trail: it was not made by this console "
            "(or by another database).",
            check.sha256,
            None,
        )
    elif check.ok:
        result = _vouched(db, seqs, anchor, check.sha256)
        seq = result.audit_seq or seq
    else:
        result = ReportCheck(False, check.reason, check.sha256, seq)
    with db.transaction() as s:
        audit.record(
            s,
            actor,
            "report.verify",
            "report_file",
            path.name,
            {
                "ok": result.ok,
                "sha256": check.sha256,
                "audit_seq": seq,
                "anchor": str(anchor) if anchor else None,
            },
        )
    return result


def _vouched(
    db: Database, seqs: list[int], anchor: Anchor | None, sha256: str | None
) -> ReportCheck:
    """Verify the chain through the export events naming the file; the first in it vouches."""
    last = max(seqs)
    start = anchor if anchor is not None and anchor.seq <= min(seqs) else None
    with db.read() as s:
        chain = verify_chain(
            audit_log.stream(s, first=start.seq if start else 1, last=max(last, _seq(anchor))),
            anchors=(anchor,) if anchor is not None and start is None else (),
            start=start,
        )
        vouching = [q for q in seqs if chain.ok or (chain.broken_seq or 0) > q]
        who = (
            s.execute(
                select(AuditEvent.actor, AuditEvent.at).where(AuditEvent.seq == vouching[0])
            ).first()
            if vouching
            else None
        )
    since = f"event {start.seq} (the anchor)" if start else "the first event"
    if not chain.ok and (not vouching or anchor is not None):
        return ReportCheck(
            False,
            f"An export event names this file (event {seqs[0]}), but the audit trail does not "
            f"verify from {since} through it: broken at event {chain.broken_seq} "
            f"({chain.reason}) The event cannot vouch for the file.",
            sha256,
            None,
        )
    assert who is not None
    return ReportCheck(
        True,
        f"Unchanged since {who[0]} exported it on {who[1][:16].replace('T', ' ')} UTC (audit "
        f"event {vouching[0]}, in a chain verified from {since} through it).",
        sha256,
        vouching[0],
    )


def _seq(anchor: Anchor | None) -> int:
    return anchor.seq if anchor is not None else 0


def _export_events_for(db: Database, sha256: str) -> list[int]:
    """The export events that name this SHA-256, oldest first: reports, and the letters and
    packages console.services.outgoing delivers."""
    from console.services.outgoing import VERIFIABLE_ACTIONS

    actions = sorted({"report.export", *VERIFIABLE_ACTIONS})
    with db.read() as s:
        rows = s.execute(
            select(AuditEvent.seq, AuditEvent.details)
            .where(AuditEvent.action.in_(actions))
            .where(AuditEvent.details.contains(sha256))
            .order_by(AuditEvent.seq)
        ).all()
    found = []
    for seq, details in rows:
        try:
            if json.loads(details).get("sha256") == sha256:
                found.append(int(seq))
        except (ValueError, AttributeError):  # a damaged event vouches for nothing
            continue
    return found


class ReportParamsError(ConsoleError):
    """A report parameter cannot be understood."""


def parse_day(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportParamsError(f"{what} must be a date like 2026-01-31, not '{text}'.") from None
