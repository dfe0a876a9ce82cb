"""Reports of data-subject requests: the DSR register (CCPA §7101), DSR metrics (§7102), a
request's case file, and the requester's access package (GDPR Art. 15)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from console.domain import labels
from console.domain.audit_text import describe
from console.reports import Column, KeyValues, Note, Paragraph, Section, Table
from console.services.reporting.spec import BuildContext, ReportSpec
from console.services.requests.metrics import metrics, register_rows
from console.services.requests.model import DENIAL_REASONS, REQUEST_TYPES
from console.services.requests.read import get_request
from console.services.requests.review import LINK_LABELS, REVIEW_LABELS, via_text


def _register_rows(ctx: BuildContext) -> Iterator[Sequence[object]]:
    p = ctx.params
    for r in register_rows(ctx.db, ctx.actor, since=p.since, until=p.until):
        yield (
            r.id,
            r.received_on,
            labels.label("request_type", r.request_type),
            labels.label("law", r.law),
            labels.label("channel", r.channel),
            labels.label("status", r.status),
            r.due_on,
            r.responded_on,
            r.response,
            DENIAL_REASONS.get(r.denial_reason or "", r.denial_reason or ""),
        )


def build_dsr_register(ctx: BuildContext) -> list[Section]:
    return [
        Section(
            "Requests",
            [
                Note(
                    "Cal. Code Regs. tit. 11 §7101: date of request, nature of request, manner in which "
                    "it was made, date and nature of the response, and the basis for any denial."
                ),
                Table(
                    "DSR register",
                    [
                        Column("Id", "int", 6),
                        Column("Received", "date", 10),
                        Column("Nature", "text", 16),
                        Column("Law", "text", 8),
                        Column("Manner", "text", 12),
                        Column("Status", "text", 12),
                        Column("Due", "date", 10),
                        Column("Responded", "date", 10),
                        Column("Response", "text", 16),
                        Column("Denial basis", "text", 20),
                    ],
                    _register_rows(ctx),
                ),
            ],
        )
    ]


def build_dsr_metrics(ctx: BuildContext) -> list[Section]:
    p = ctx.params
    rows = metrics(ctx.db, ctx.actor, since=p.since, until=p.until)
    reasons = sorted({r for m in rows for r in m.denied_by_reason})
    return [
        Section(
            "Metrics by request type",
            [
                Note(
                    "Cal. Code Regs. tit. 11 §7102: requests received, complied with in whole or in "
                    "part, and denied (by basis), and the mean and median days to respond."
                ),
                Table(
                    "DSR metrics",
                    [
                        Column("Type", "text", 18),
                        Column("Received", "int", 8),
                        Column("Complied", "int", 8),
                        Column("Denied", "int", 8),
                        Column("Pending", "int", 8),
                        Column("Mean days", "float", 8),
                        Column("Median days", "float", 8),
                        *(
                            Column(f"Denied: {DENIAL_REASONS.get(r, r)}", "int", 10)
                            for r in reasons
                        ),
                    ],
                    [
                        (
                            REQUEST_TYPES.get(m.request_type, m.request_type),
                            m.received,
                            m.complied,
                            m.denied,
                            m.pending,
                            m.mean_days,
                            m.median_days,
                            *(m.denied_by_reason.get(r, 0) for r in reasons),
                        )
                        for m in rows
                    ],
                ),
            ],
        )
    ]


def build_case_file(ctx: BuildContext) -> list[Section]:
    assert ctx.params.object_id is not None  # the catalogue requires it
    v = get_request(ctx.db, ctx.actor, ctx.params.object_id)
    return [
        Section(
            f"Request {v.id}",
            [
                KeyValues(
                    [
                        ("Type", REQUEST_TYPES.get(v.request_type, v.request_type)),
                        ("Law", labels.label("law", v.law)),
                        ("Channel", labels.label("channel", v.channel)),
                        ("Status", v.status_label),
                        ("Requester", v.requester_name or "—"),
                        (
                            "Identifiers",
                            ", ".join(
                                f"{labels.label('identifier', k)}: {val}"
                                for k, val in v.identifiers
                            ),
                        ),
                        ("Received", v.received_on.isoformat()),
                        ("Due", v.due_on.isoformat()),
                        (
                            "Acknowledge by",
                            v.acknowledge_by.isoformat() if v.acknowledge_by else "—",
                        ),
                        (
                            "Identity verified",
                            f"{v.identity_method} ({v.identity_evidence}) by "
                            f"{v.identity_verified_by}"
                            if v.identity_method
                            else "not yet",
                        ),
                        ("Outcome", labels.label("outcome", v.outcome) or "—"),
                        (
                            "Denial",
                            f"{DENIAL_REASONS.get(v.denial_reason, v.denial_reason)}: {v.denial_text}"
                            if v.denial_reason
                            else "—",
                        ),
                        ("Policy version cited", v.policy_version or "—"),
                    ]
                ),
                Paragraph("Deadline rules: " + "; ".join(v.citations)),
            ],
        ),
        Section(
            "Clock ledger",
            [
                Table(
                    "Clock",
                    [
                        Column("#", "int", 4),
                        Column("Entry", "text", 10),
                        Column("Date", "date", 10),
                        Column("Reason", "text", 30),
                        Column("Requester told", "date", 10),
                        Column("By", "text", 12),
                    ],
                    [
                        (
                            c.position,
                            labels.label("clock", c.kind),
                            c.at,
                            labels.label("denial_reason", c.reason),
                            c.requester_told_on,
                            c.recorded_by,
                        )
                        for c in v.clock
                    ],
                )
            ],
        ),
        Section(
            "Tasks",
            [
                Table(
                    "Tasks",
                    [
                        Column("Id", "int", 5),
                        Column("Source", "text", 20),
                        Column("Action", "text", 10),
                        Column("Assignee", "text", 12),
                        Column("Due", "date", 10),
                        Column("Status", "text", 8),
                        Column("Done by", "text", 12),
                    ],
                    [
                        (
                            t.id,
                            t.source,
                            labels.label("task_action", t.action),
                            t.assignee or "",
                            t.due_on,
                            labels.label("task_status", t.status),
                            t.done_by or "",
                        )
                        for t in v.tasks
                    ],
                )
            ],
        ),
        Section(
            "Records",
            [
                Table(
                    "Records",
                    [
                        Column("Record", "int", 8),
                        Column("Source", "text", 18),
                        Column("Row", "int", 6),
                        Column("Link", "text", 10),
                        Column("Via", "text", 22),
                        Column("Review", "text", 10),
                        Column("Review note", "text", 22),
                        Column("Decided by", "text", 10),
                        Column("Outcome", "text", 10),
                        Column("Detail", "text", 24),
                    ],
                    [
                        (
                            r.record_id,
                            r.source,
                            r.row,
                            LINK_LABELS.get(r.link, r.link),
                            via_text(r.via),
                            REVIEW_LABELS.get(r.review, r.review),
                            r.review_note,
                            r.reviewed_by or ("strong link" if r.review == "confirmed" else ""),
                            labels.label("record_outcome", r.outcome),
                            r.outcome_detail,
                        )
                        for r in v.records
                    ],
                )
            ],
        ),
        Section(
            "History",
            [
                Table(
                    "History",
                    [
                        Column("Seq", "int", 6),
                        Column("When", "text", 19),
                        Column("What happened", "text", 30),
                        Column("Details", "text", 42),
                    ],
                    [
                        (e.seq, e.at[:16].replace("T", " "), told.sentence, told.details_text())
                        for e, told in (
                            (e, describe(e.actor, e.action, "dsr_request", v.id, e.details))
                            for e in v.timeline
                        )
                    ],
                )
            ],
        ),
    ]


def build_access_package(ctx: BuildContext) -> list[Section]:
    from console.domain import responses
    from console.services.requests.access import build
    from console.services.requests.access_doc import sections

    assert ctx.params.object_id is not None
    package = build(ctx.db, ctx.actor, ctx.params.object_id)
    return sections(package, responses.for_law(package.law))


REPORTS: list[ReportSpec] = [
    ReportSpec(
        "dsr-register",
        "DSR register (CCPA §7101)",
        "Every data-subject request received in a period: date, nature, manner, response, denial basis.",
        build_dsr_register,
        takes=("since", "until"),
        classification="internal",
    ),
    ReportSpec(
        "dsr-metrics",
        "DSR metrics (CCPA §7102)",
        "Per request type: received, complied with, denied by basis, mean and median days to respond.",
        build_dsr_metrics,
        takes=("since", "until"),
        classification="internal",
    ),
    ReportSpec(
        "case-file",
        "DSR case file",
        "One request with its clock ledger, tasks, records, decisions and who did what.",
        build_case_file,
        personal_data=True,
        takes=("object_id",),
        requires=("object_id",),
    ),
    ReportSpec(
        "access-package",
        "Access package",
        "The requester's confirmed data and what the request's law requires with it (GDPR/UK GDPR "
        "Art. 15, CCPA §1798.110/.115, LGPD Art. 18/19, PIPEDA 4.9, VCDPA/CPA/CTDPA).",
        build_access_package,
        personal_data=True,
        takes=("object_id",),
        requires=("object_id",),
    ),
]
