"""Reports of data-subject requests: the DSR register (CCPA §7101), DSR metrics (§7102), a
request's case file, and the requester's access package (GDPR Art. 15)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from console.domain import labels
from console.domain.audit_text import describe
from console.domain.metrics import Ccpa7102Table, TimelinessTable
from console.reports import Column, KeyValues, Note, Paragraph, Section, Table
from console.services.reporting.spec import BuildContext, ReportParams, ReportSpec
from console.services.requests.metrics import metrics_by_law, register_rows
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


_CATEGORY_LABELS = {
    "not_verifiable": "Denied: not verifiable",
    "not_a_consumer": "Denied: not made by a consumer",
    "exempt": "Denied: exempt",
    "other": "Denied: other grounds",
}


def _years(p: ReportParams, today: dt.date) -> tuple[int, int]:
    """The calendar years the metrics cover: those of --from and --to (this year by default)."""
    first = p.since.year if p.since else (p.until.year if p.until else today.year)
    last = p.until.year if p.until else (p.since.year if p.since else today.year)
    if last < first:
        first, last = last, first
    return max(first, last - 9), last  # at most ten years, the latest kept


def _ccpa_section(table: Ccpa7102Table) -> Section:
    rows = [
        (
            r.label,
            r.received,
            r.complied_in_whole,
            r.complied_in_part,
            r.denied,
            *(r.denied_by_category.get(c, 0) for c in _CATEGORY_LABELS),
            r.withdrawn,
            r.pending,
            r.mean_days,
            r.median_days,
        )
        for r in table.rows
    ]
    grounds = [
        (r.label, labels.label("denial_reason", code), n)
        for r in table.rows
        for code, n in r.denied_by_reason.items()
    ]
    blocks: list[Any] = [
        Note(table.citation),
        Table(
            f"CCPA §7102 metrics {table.year}",
            [
                Column("Request", "text", 22),
                Column("Received", "int", 8),
                Column("Complied in whole", "int", 8),
                Column("Complied in part", "int", 8),
                Column("Denied", "int", 8),
                *(Column(text, "int", 8) for text in _CATEGORY_LABELS.values()),
                Column("Withdrawn (apart)", "int", 8),
                Column("Open", "int", 8),
                Column("Mean days", "float", 8),
                Column("Median days", "float", 8),
            ],
            rows,
        ),
    ]
    if grounds:
        blocks.append(
            Table(
                f"CCPA denials by ground {table.year}",
                [
                    Column("Request", "text", 22),
                    Column("Ground", "text", 30),
                    Column("Denied", "int"),
                ],
                grounds,
            )
        )
    blocks += [Note(n) for n in table.notes]
    return Section(f"CCPA/CPRA requests received in {table.year} (11 CCR §7102)", blocks)


def _timeliness_section(t: TimelinessTable) -> Section:
    rows = [
        (
            r.label,
            r.unit,
            r.received,
            r.closed_on_time,
            r.closed_late,
            r.open_overdue,
            r.open_not_due,
            r.extended,
            r.waiting,
            r.complied,
            r.denied,
            r.withdrawn,
            r.acknowledged_on_time,
            r.acknowledged_late,
            r.mean_days,
            r.median_days,
        )
        for r in t.rows
    ]
    return Section(
        f"{t.law_label} requests received in {t.year}: timeliness",
        [
            Table(
                f"{t.law_label} timeliness {t.year}",
                [
                    Column("Request", "text", 18),
                    Column("Days counted in", "text", 10),
                    Column("Received", "int", 7),
                    Column("Closed on time", "int", 7),
                    Column("Closed late", "int", 7),
                    Column("Open, overdue", "int", 7),
                    Column("Open, not yet due", "int", 7),
                    Column("Extended", "int", 7),
                    Column("Clock waiting", "int", 7),
                    Column("Complied", "int", 7),
                    Column("Denied", "int", 7),
                    Column("Withdrawn", "int", 7),
                    Column("Acknowledged on time", "int", 7),
                    Column("Acknowledged late", "int", 7),
                    Column("Mean days", "float", 7),
                    Column("Median days", "float", 7),
                ],
                rows,
            ),
            Note(f"Open requests are counted as of {t.as_of.isoformat()}."),
            *(Note(n) for n in t.notes),
        ],
    )


def build_dsr_metrics(ctx: BuildContext) -> list[Section]:
    """Per calendar year: the CCPA §7102 table (CCPA requests only, withdrawn apart) and a
    timeliness table for each other law, as console.domain.metrics counts them."""
    today = dt.date.today()
    first, last = _years(ctx.params, today)
    sections: list[Section] = []
    for year in metrics_by_law(ctx.db, ctx.actor, first, last, today):
        sections.append(_ccpa_section(year.ccpa))
        sections.extend(_timeliness_section(t) for t in year.timeliness)
    return sections


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
        "DSR metrics (CCPA §7102, timeliness per law)",
        "Per calendar year: the CCPA §7102 table (CCPA requests only; received, complied with in"
        " whole or in part, denied by ground, withdrawn apart, mean and median days) and a"
        " timeliness table for each other law.",
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
