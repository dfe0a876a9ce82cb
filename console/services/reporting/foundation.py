"""Reports of the foundation: the audit trail, the Art. 30 record of processing, the cookie register."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta

from console.domain import labels
from console.domain.auditchain import verify_chain
from console.domain.policy import PolicyPack
from console.reports import Column, KeyValues, Note, Paragraph, Section, Table
from console.services import audit, policy
from console.services.reporting.spec import BuildContext, ReportSpec
from console.store import audit_log


def _audit_filter(ctx: BuildContext) -> audit.EventFilter:
    p = ctx.params
    return audit.EventFilter(
        since=datetime.combine(p.since, time.min, UTC) if p.since else None,
        until=datetime.combine(p.until + timedelta(days=1), time.min, UTC) if p.until else None,
        actor=p.actor_name or None,
        action_prefix=p.action or None,
    )


def _audit_rows(ctx: BuildContext) -> Iterator[Sequence[object]]:
    namer = audit.object_namer(ctx.db, ctx.actor)
    for ev in audit.iter_events(ctx.db, ctx.actor, _audit_filter(ctx)):
        when = datetime.fromisoformat(ev.at).astimezone(UTC).replace(tzinfo=None)
        told = audit.describe_event(ev, namer)
        yield (ev.seq, when, ev.actor, told.sentence, told.details_text(), ev.hash)


def build_audit_trail(ctx: BuildContext) -> list[Section]:
    with ctx.db.read() as s:
        result = verify_chain(audit_log.stream(s))
    state = result.summary()
    return [
        Section(
            "Verification at export",
            [
                KeyValues([("Chain", "intact" if result.ok else "BROKEN"), ("Result", state)]),
                Note(
                    "Each event's hash covers its contents and the previous event's hash; "
                    "`privacy-console audit verify --anchor SEQ:HASH` re-checks the trail against "
                    "the chain head printed on every page."
                ),
            ],
        ),
        Section(
            "Events",
            [
                Table(
                    "Audit trail",
                    [
                        Column("Seq", "int", 7),
                        Column("When", "datetime", 19),
                        Column("User", "text", 12),
                        Column("What happened", "text", 30),
                        Column("Details", "text", 42),
                        Column("Hash", "text", 20),
                    ],
                    _audit_rows(ctx),
                )
            ],
        ),
    ]


def _ropa_sections(pack: PolicyPack) -> list[Section]:
    cats = {c.id: c for c in pack.categories}
    sections = [
        Section(
            "Controller",
            [
                KeyValues(
                    [
                        ("Organisation", pack.organisation.name),
                        ("Contact", pack.organisation.contact),
                        ("Policy pack", f"{pack.pack_id} version {pack.version}"),
                        ("In force since", pack.effective_date.isoformat()),
                    ]
                ),
                Paragraph(
                    "Record of processing activities under GDPR Article 30(1), drawn from the "
                    "policy pack in force. Entries the privacy statement does not state are "
                    "organisation defaults and are marked as such in the pack."
                ),
            ],
        )
    ]
    sources_for: dict[str, list[str]] = {}
    for sk in pack.source_kinds:
        for c in sk.categories:
            sources_for.setdefault(c, []).append(sk.label)
    sections.append(
        Section(
            "Processing activities",
            [
                KeyValues(
                    [
                        (
                            "Categories of data subjects",
                            ", ".join(d.label for d in pack.data_subject_categories),
                        )
                    ]
                ),
                Table(
                    "Processing activities",
                    [
                        Column("Purpose", "text", 18),
                        Column("Description", "text", 36),
                        Column("Legal basis", "text", 18),
                        Column("Categories of personal data", "text", 40),
                    ],
                    [
                        (
                            p.label,
                            p.description,
                            ", ".join(b.replace("_", " ") for b in p.legal_basis),
                            ", ".join(cats[c].label for c in p.categories),
                        )
                        for p in pack.purposes
                    ],
                    note="Legal bases are the organisation's reading: the privacy statement names none. "
                    "Retention per category and recipients follow below.",
                ),
            ],
        )
    )
    sections.append(
        Section(
            "Categories of personal data",
            [
                Table(
                    "Categories",
                    [
                        Column("Category", "text", 20),
                        Column("Description", "text", 34),
                        Column("Collected through", "text", 26),
                        Column("Retention", "text", 24),
                        Column("Retention basis", "text", 24),
                    ],
                    [
                        (
                            c.label,
                            c.description,
                            ", ".join(sources_for.get(c.id, [])) or "—",
                            c.retention or "—",
                            c.retention_basis or "—",
                        )
                        for c in pack.categories
                    ],
                )
            ],
        )
    )
    sections.append(
        Section(
            "Recipients",
            [
                Table(
                    "Recipients",
                    [
                        Column("Recipient", "text", 20),
                        Column("Kind", "text", 14),
                        Column("Description", "text", 40),
                        Column("Grounds", "text", 30),
                    ],
                    [
                        (
                            r.label,
                            labels.label("recipient_kind", r.kind),
                            r.description,
                            ", ".join(
                                pack.disclosure_ground(g).label for g in r.disclosure_grounds
                            ),
                        )
                        for r in pack.recipients
                    ],
                )
            ],
        )
    )
    sections.append(
        Section(
            "Transfers to third countries",
            [
                Table(
                    "Transfers",
                    [
                        Column("Transfer", "text", 20),
                        Column("Destination", "text", 16),
                        Column("Safeguard", "text", 26),
                        Column("Basis", "text", 26),
                        Column("Description", "text", 30),
                    ],
                    [
                        (t.label, t.destination, t.safeguard, t.basis, t.description)
                        for t in pack.transfers
                    ],
                )
            ],
        )
    )
    sections.append(
        Section(
            "Technical and organisational security measures",
            [
                Table(
                    "Security",
                    [
                        Column("Measure", "text", 22),
                        Column("Description", "text", 50),
                        Column("Basis", "text", 30),
                    ],
                    [(m.label, m.description, m.basis) for m in pack.security_measures],
                )
            ],
        )
    )
    return sections


def build_ropa(ctx: BuildContext) -> list[Section]:
    return _ropa_sections(policy.pack_in_force(ctx.db, ctx.actor, ctx.params.until))


def build_cookie_register(ctx: BuildContext) -> list[Section]:
    pack = policy.pack_in_force(ctx.db, ctx.actor, ctx.params.until)
    cp = pack.cookie_policy
    purposes = {p.id: p.label for p in pack.purposes}
    sections = [
        Section(
            "Cookie policy",
            [
                KeyValues(
                    [
                        (
                            "Policy pack",
                            f"{pack.pack_id} version {pack.version} "
                            f"(in force since {pack.effective_date.isoformat()})",
                        ),
                        ("Durations used", ", ".join(t.label for t in cp.durations)),
                        ("Parties", ", ".join(t.label for t in cp.parties)),
                        ("Consent", cp.consent),
                        ("Do Not Track", cp.dnt),
                        ("Blocking cookies", cp.blocking),
                    ]
                )
            ],
        ),
        Section(
            "Cookie classes",
            [
                Table(
                    "Cookie classes",
                    [
                        Column("Class", "text", 16),
                        Column("Duration", "text", 16),
                        Column("Party", "text", 12),
                        Column("Consent", "text", 26),
                        Column("Providers", "text", 16),
                        Column("Purposes", "text", 24),
                        Column("Description", "text", 34),
                    ],
                    [
                        (
                            c.label,
                            ", ".join(c.durations),
                            ", ".join(c.parties),
                            c.consent_text,
                            ", ".join(c.providers) or "—",
                            ", ".join(purposes[p] for p in c.purposes),
                            c.description,
                        )
                        for c in pack.cookie_classes
                    ],
                )
            ],
        ),
    ]
    if pack.web_beacons is not None:
        wb = pack.web_beacons
        sections.append(
            Section(
                "Web beacons",
                [
                    KeyValues(
                        [
                            ("What", wb.description),
                            ("Used in", ", ".join(wb.used_in)),
                            ("Collects", ", ".join(wb.collects)),
                            ("How to disable", wb.how_to_disable),
                        ]
                    )
                ],
            )
        )
    return sections


REPORTS: list[ReportSpec] = [
    ReportSpec(
        "audit-trail",
        "Audit trail",
        "Every recorded event in a period, with the chain verified at export.",
        build_audit_trail,
        takes=("since", "until", "actor_name", "action"),
        classification="internal",
    ),
    ReportSpec(
        "ropa",
        "Record of processing activities (GDPR Art. 30)",
        "Purposes, categories of data and data subjects, recipients, transfers, retention and "
        "security measures, from the policy pack in force.",
        build_ropa,
        takes=("until",),
        classification="internal",
    ),
    ReportSpec(
        "cookie-register",
        "Cookie register",
        "Cookie classes by duration, party, purpose and consent, and web beacons.",
        build_cookie_register,
        takes=("until",),
        classification="internal",
    ),
]
