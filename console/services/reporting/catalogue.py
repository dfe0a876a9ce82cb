"""The report catalogue: build a report as the acting user, export it, record it, verify it later.

Each job lists its reports (name, title, parameters, builder) in its own reports module (REPORTS);
this module names those lists and does what every report shares: permission, identity, audit,
verify.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from console import __version__, outfiles
from console.domain.auditchain import Anchor, verify_chain
from console.domain.permissions import Permission
from console.errors import NotFound, ValidationError
from console.reports import Document, ExportResult, ReportMeta, export, verify_file
from console.services import audit, policy_health
from console.services.context import Actor
from console.services.legal import reports as legal
from console.services.outgoing import VERIFIABLE_ACTIONS
from console.services.records import reports as records
from console.services.reporting import foundation
from console.services.reporting.spec import (
    CLASSIFICATION_LABELS,
    BuildContext,
    Format,
    ReportParams,
    ReportParamsError,
    ReportSpec,
    organisation_identity,
    parse_day,
)
from console.services.requests import reports as dsr
from console.store import audit_log
from console.store.db import Database
from console.store.models import AuditEvent

# The definitions' names, so the screens and the command line need only this module.
__all__ = [
    "CLASSIFICATION_LABELS",
    "Format",
    "ReportCheck",
    "ReportParams",
    "ReportParamsError",
    "ReportSpec",
    "catalogue",
    "parse_day",
    "register",
    "run_report",
    "spec",
    "verify_report",
]

_REGISTRY: dict[str, ReportSpec] = {}


def register(spec: ReportSpec) -> ReportSpec:
    """Add a report that no job lists (an extension, a test); the jobs' own are listed below."""
    _REGISTRY[spec.name] = spec
    return spec


def catalogue() -> list[ReportSpec]:
    known = {
        s.name: s
        for s in (
            *foundation.REPORTS,
            *dsr.REPORTS,
            *legal.REPORTS,
            *records.REPORTS,
            *policy_health.REPORTS,
        )
    }
    return sorted({**known, **_REGISTRY}.values(), key=lambda s: s.name)


def spec(name: str) -> ReportSpec:
    known = {s.name: s for s in catalogue()}
    if name not in known:
        raise NotFound(f"No report named '{name}'. Reports: {', '.join(sorted(known))}.")
    return known[name]


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
        generated_at=actor.clock.now(),
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
