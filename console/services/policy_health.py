"""The policy health check as a use case and a report: what the statement behind the pack in force
lacks or only assumes (console.domain.policy_check), for `policy check`, the Policy page's panel
and an internal PDF/XLSX export."""

from __future__ import annotations

import datetime as dt

from console.domain.permissions import Permission
from console.domain.policy_check import HealthReport, check_pack
from console.reports import Column, KeyValues, Note, Section, Table
from console.services import policy
from console.services.context import Actor
from console.services.reporting.spec import BuildContext, ReportSpec
from console.store.db import Database

REPORT = "policy-check"


def health_check(db: Database, actor: Actor, on: dt.date | None = None) -> HealthReport:
    """Check the pack in force on `on` (today by default) against the cited checklist."""
    actor.require(Permission.VIEW_POLICY)
    day = on or dt.date.today()
    return check_pack(policy.pack_in_force(db, actor, day), day)


def build_policy_check(ctx: BuildContext) -> list[Section]:
    report = health_check(ctx.db, ctx.actor, ctx.params.until)
    counts = report.counts()
    summary = KeyValues(
        [
            ("Policy pack", f"{report.pack_id}, version {report.pack_version}"),
            ("In force since", report.effective_date.isoformat()),
            ("Checked on", report.checked_on.isoformat()),
            (
                "Findings",
                f"{len(report.findings)}: {counts['high']} high, {counts['medium']} medium,"
                f" {counts['low']} low",
            ),
            ("Passed", ", ".join(report.passed) or "none"),
            ("Not applicable", ", ".join(report.not_applicable) or "none"),
        ]
    )
    rows = [
        (
            f.rule_id,
            f.severity_label,
            f.law_label,
            f.element,
            f.status_label,
            f.citation,
            f.says,
            f.add,
            f.review or "",
        )
        for f in report.findings
    ]
    return [
        Section(
            "Policy health check",
            [
                Note(
                    "What the privacy statement behind the pack in force lacks, or only assumes,"
                    " against GDPR Art. 13 and 14, the CCPA (Cal. Civ. Code §1798.100 and"
                    " §1798.130; 11 CCR §7011 and §7025) and the US state laws' appeal notices."
                    " An internal working document: citations marked for review were recalled,"
                    " not read in an official copy."
                ),
                summary,
                Table(
                    "Findings",
                    [
                        Column("Rule", "text", 6),
                        Column("Severity", "text", 7),
                        Column("Law", "text", 10),
                        Column("Element", "text", 24),
                        Column("Status", "text", 12),
                        Column("Citation", "text", 22),
                        Column("What the statement says", "text", 30),
                        Column("What to add", "text", 30),
                        Column("Confirm with a lawyer", "text", 20),
                    ],
                    rows,
                ),
            ],
        )
    ]


REPORTS: list[ReportSpec] = [
    ReportSpec(
        REPORT,
        "Policy health check",
        "What the statement behind the policy pack in force lacks or only assumes, with severity,"
        " citation, what it says and what to add.",
        build_policy_check,
        takes=("until",),
        permission=Permission.EXPORT_REPORTS,
        classification="internal",
    )
]
