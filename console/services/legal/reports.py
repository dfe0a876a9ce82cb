"""Reports of the legal area: legal-request register, disclosure log, transparency report.

Registered in the report catalogue when imported (list this module in REPORT_MODULES).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from console.domain import labels
from console.domain.legal import HalfYear
from console.reports import (
    BarChart,
    Column,
    KeyValues,
    Note,
    Paragraph,
    Section,
    Table,
)
from console.services.legal import disclosures as legal_disclosures
from console.services.legal import read as legal_read
from console.services.legal import transparency as legal_transparency
from console.services.reporting.spec import BuildContext, ReportParams, ReportSpec


def _in_period(when: datetime, ctx: BuildContext) -> bool:
    day = when.astimezone(UTC).date()
    p = ctx.params
    return (p.since is None or day >= p.since) and (p.until is None or day <= p.until)


def _register_rows(ctx: BuildContext) -> Iterator[Sequence[object]]:
    for r in legal_read.iter_requests(ctx.db, ctx.actor):
        s = r.summary
        if not _in_period(s.received_at, ctx):
            continue
        yield (
            s.ref,
            s.process_type.label,
            s.agency,
            s.country,
            r.jurisdiction,
            s.case_number,
            s.received_at,
            s.due_at,
            s.status.label,
            s.assigned_to,
            labels.label("decision", s.decision),
            len(r.identifiers),
            "yes" if s.ndo else "",
            s.active_holds,
        )


def build_legal_register(ctx: BuildContext) -> list[Section]:
    return [
        Section(
            "Legal requests",
            [
                Table(
                    "Legal-request register",
                    [
                        Column("Ref", "text", 7),
                        Column("Type", "text", 14),
                        Column("Agency", "text", 20),
                        Column("Country", "text", 5),
                        Column("Jurisdiction", "text", 12),
                        Column("Case", "text", 12),
                        Column("Received", "datetime", 16),
                        Column("Due", "datetime", 16),
                        Column("Status", "text", 10),
                        Column("Counsel", "text", 10),
                        Column("Decision", "text", 10),
                        Column("Identifiers", "int", 6),
                        Column("NDO", "text", 4),
                        Column("Active holds", "int", 5),
                    ],
                    _register_rows(ctx),
                    note="Identifiers are counted, not listed: the register names no person.",
                ),
            ],
        )
    ]


def build_disclosure_log(ctx: BuildContext) -> list[Section]:
    rows = legal_disclosures.disclosure_log(
        ctx.db, ctx.actor, since=ctx.params.since, until=ctx.params.until
    )
    return [
        Section(
            "Disclosures",
            [
                Table(
                    "Disclosure log",
                    [
                        Column("Request", "text", 7),
                        Column("When", "datetime", 16),
                        Column("Recipient", "text", 20),
                        Column("How", "text", 14),
                        Column("Legal basis", "text", 30),
                        Column("What", "text", 30),
                        Column("Records", "int", 6),
                        Column("Production", "text", 16),
                        Column("Logged by", "text", 10),
                    ],
                    [
                        (
                            r.request_ref,
                            r.disclosed_at,
                            r.recipient,
                            r.method,
                            r.legal_basis,
                            r.what,
                            r.record_count,
                            r.production,
                            r.recorded_by,
                        )
                        for r in rows
                    ],
                ),
            ],
        )
    ]


def half_of(params: ReportParams) -> HalfYear:
    return HalfYear.of(params.since or datetime.now(UTC).date())


def build_transparency(ctx: BuildContext) -> list[Section]:
    f = legal_transparency.figures(ctx.db, ctx.actor, half_of(ctx.params))
    t = f.total
    columns = [
        Column("Country", "text", 8),
        Column("Process type", "text", 18),
        Column("Requests received", "int", 9),
        Column("Identifiers specified", "int", 9),
        Column("Some data produced", "int", 9),
        Column("% with data", "float", 7),
        Column("Preservation requests", "int", 9),
        Column("Emergency requests", "int", 9),
    ]

    def rows(items: list[legal_transparency.TransparencyRow]) -> list[list[object]]:
        return [
            [
                r.country,
                r.process_type,
                r.received,
                r.identifiers,
                r.produced,
                r.produced_pct,
                r.preservation,
                r.emergency,
            ]
            for r in items
        ]

    sections = [
        Section(
            f"Summary {f.half}",
            [
                KeyValues(
                    [
                        (
                            "Period",
                            f"{f.half.start.isoformat()} to {f.half.end.isoformat()} (exclusive)",
                        ),
                        ("Requests received", str(t.received)),
                        ("Identifiers specified", str(t.identifiers)),
                        (
                            "Requests where some data was produced",
                            f"{t.produced} ({t.produced_pct}%)",
                        ),
                        ("Preservation requests", str(t.preservation)),
                        ("Emergency requests", str(t.emergency)),
                    ]
                ),
                Paragraph(
                    "Counts are of requests received in the period. 'Some data produced' means "
                    "at least one disclosure is logged for the request. National-security "
                    "requests are not included above; they are reported only in bands."
                ),
            ],
        ),
        Section(
            "By country",
            [
                Table("By country", columns, rows(f.by_country)),
                BarChart(
                    "Requests by country",
                    [r.country for r in f.by_country],
                    {
                        "Received": [float(r.received) for r in f.by_country],
                        "Some data produced": [float(r.produced) for r in f.by_country],
                    },
                ),
            ],
        ),
        Section(
            "By country and process type",
            [Table("By country and process type", columns, rows(f.by_country_and_type))],
        ),
        Section(
            "National-security requests",
            [
                KeyValues(
                    [
                        ("Requests received", f.national_security_requests),
                        ("Identifiers specified", f.national_security_identifiers),
                    ]
                ),
                Note("Reported only in bands of 250, as the law allows; never by country."),
            ],
        ),
    ]
    if not f.by_country:
        sections[1] = Section("By country", [Paragraph("No requests in this period.")])
    return sections


REPORTS: list[ReportSpec] = [
    ReportSpec(
        "legal-register",
        "Legal-request register",
        "Every legal and law-enforcement request received in a period, with its decision.",
        build_legal_register,
        takes=("since", "until"),
        classification="internal",
    ),
    ReportSpec(
        "disclosure-log",
        "Disclosure log",
        "What was disclosed to whom, when, how, and under what legal basis.",
        build_disclosure_log,
        takes=("since", "until"),
        personal_data=False,
        classification="internal",
    ),
    ReportSpec(
        "transparency",
        "Transparency report",
        "Legal requests per half-year by country and process type (the half-year of --from).",
        build_transparency,
        takes=("since",),
        classification="public",
    ),
]
