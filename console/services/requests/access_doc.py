"""The access package as the requester receives it: a PDF in the order and words of the request's
law, and beside it a ZIP with the same data machine-readable (JSON, and CSV per source) whose
manifest holds the SHA-256 of every file. Both are delivered through console.services.outgoing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from console import __version__, outfiles
from console.domain import responses
from console.domain.responses import LawResponses
from console.reports import Column, Document, KeyValues, Paragraph, Section, Table
from console.reports import document as d
from console.reports.pdf import render_pdf
from console.services import outgoing
from console.services.context import Actor
from console.services.requests.access import (
    REDACTED,
    AccessPackage,
    SourceCopy,
    authority_line,
    build,
)
from console.store.db import Database

FORMAT = "privacy-console/access-package@1"


def template_values(pkg: AccessPackage) -> dict[str, str]:
    return {
        "organisation": pkg.organisation,
        "office": pkg.office,
        "contact": pkg.contact,
        "name": pkg.requester or "requester",
        "reference": pkg.reference,
        "received": pkg.received.isoformat(),
        "due": "",
        "original_due": "",
        "ack_by": "",
        "request_type": pkg.request_type.lower(),
        "law": pkg.law_name,
        "today": pkg.answered.isoformat(),
        "extension_reason": "",
        "denial_reason": "",
        "denial_text": "",
        "authority": authority_line(pkg.authority),
        "outcome": "",
        "sources": str(len(pkg.sources)),
        "records": str(pkg.record_count),
        "categories": str(len(pkg.categories)),
        "appeal_contact": pkg.contact,
    }


def _copy_blocks(src: SourceCopy) -> list[d.Block]:
    blocks: list[d.Block] = [Paragraph(f"{src.kind}. {src.kind_description}".strip())]
    by_category: dict[str, list[tuple[int, datetime | None, str, str]]] = {}
    for e in src.entries:
        for f in e.fields:
            value = REDACTED if f.redacted else (f.value or "")
            by_category.setdefault(f.category, []).append(
                (e.number, e.collected_at, f.field, value)
            )
    for category in sorted(by_category):
        blocks.append(
            Table(
                category,
                [
                    Column("Entry", "int", 6),
                    Column("Collected", "datetime", 16),
                    Column("Field", "text", 18),
                    Column("Value", "text", 46),
                ],
                by_category[category],
            )
        )
    return blocks


def _part_blocks(kind: str, pkg: AccessPackage) -> list[d.Block]:
    if kind == "confirmation":
        return []
    if kind == "categories":
        return [
            Table(
                "Categories",
                [
                    Column("Category", "text", 18),
                    Column("Kind of data", "text", 16),
                    Column("What it is", "text", 34),
                    Column("Found in", "text", 18),
                ],
                [(c.label, c.group, c.description, ", ".join(c.sources)) for c in pkg.categories],
            )
        ]
    if kind == "ccpa_categories":
        rows: dict[str, list[str]] = {}
        recent: dict[str, bool] = {}
        for c in pkg.categories:
            rows.setdefault(c.ccpa_category, []).append(c.label)
            recent[c.ccpa_category] = recent.get(c.ccpa_category, False) or c.in_ccpa_window
        return [
            Table(
                "Categories of personal information",
                [
                    Column("Category (CCPA)", "text", 26),
                    Column("What we hold in it", "text", 34),
                    Column("Collected in the 12 months before your request", "text", 14),
                ],
                [(k, ", ".join(v), "Yes" if recent[k] else "No") for k, v in sorted(rows.items())],
            )
        ]
    if kind == "purposes":
        return [
            Table(
                "Purposes",
                [Column("Purpose", "text", 20), Column("What it means", "text", 60)],
                pkg.purposes,
            )
        ]
    if kind == "recipients":
        blocks: list[d.Block] = [
            Table(
                "Recipients",
                [
                    Column("Recipient", "text", 20),
                    Column("Who they are", "text", 34),
                    Column("What they receive of your data", "text", 30),
                ],
                [(r.label, r.description, r.receives) for r in pkg.recipients],
            )
        ]
        if pkg.disclosures:
            blocks.append(
                Table(
                    "Disclosures of your data that took place",
                    [
                        Column("Date", "date", 10),
                        Column("To", "text", 30),
                        Column("Under", "text", 20),
                        Column("Entries", "int", 8),
                    ],
                    [(x.when, x.recipient, x.process, x.entries) for x in pkg.disclosures],
                )
            )
        return blocks
    if kind == "ccpa_disclosures":

        def names(items: list[str]) -> str:
            return ", ".join(items) if items else "None"

        return [
            Table(
                "Sold, shared or disclosed",
                [
                    Column("Category (CCPA)", "text", 24),
                    Column("Sold to", "text", 14),
                    Column("Shared with", "text", 20),
                    Column("Disclosed for a business purpose to", "text", 30),
                ],
                [
                    (r.category, names(r.sold_to), names(r.shared_with), names(r.business_purpose))
                    for r in pkg.ccpa
                ],
            ),
            Paragraph(
                "We do not sell personal information."
                if not any(r.sold_to for r in pkg.ccpa)
                else "Sales are listed above."
            ),
        ]
    if kind == "transfers":
        if not pkg.transfers:
            return [Paragraph("Your data is not transferred to another country.")]
        return [
            Table(
                "Transfers",
                [
                    Column("Transfer", "text", 18),
                    Column("What", "text", 28),
                    Column("Where to", "text", 20),
                    Column("Safeguard", "text", 30),
                ],
                pkg.transfers,
            )
        ]
    if kind == "retention":
        return [
            Table(
                "Retention",
                [Column("Category", "text", 22), Column("How long", "text", 58)],
                [(c.label, c.retention) for c in pkg.categories],
            )
        ]
    if kind == "sources":
        return [
            Table(
                "Sources",
                [
                    Column("System", "text", 20),
                    Column("Kind of source", "text", 18),
                    Column("How data reaches it", "text", 42),
                    Column("Entries", "int", 8),
                ],
                [(s.source, s.kind, s.kind_description, len(s.entries)) for s in pkg.sources],
            )
        ]
    if kind == "automated":
        return [Paragraph(t) for t in pkg.automated]
    if kind == "providing_data":
        return [Paragraph(pkg.providing_data)]
    if kind == "rights":
        return [
            Table(
                "Rights",
                [
                    Column("Right", "text", 18),
                    Column("What it means", "text", 36),
                    Column("How to use it", "text", 30),
                ],
                pkg.rights,
            )
        ]
    if kind == "complaint" or kind == "appeal":
        a = pkg.authority
        if a is None:
            return []
        pairs = [(a.role, a.label)] + [
            (k, v)
            for k, v in (
                ("Address", a.address),
                ("Telephone", a.phone),
                ("E-mail", a.email),
                ("Website", a.website),
                ("Complaints", a.complaint),
            )
            if v
        ]
        return [KeyValues(pairs)]
    if kind == "redactions":
        if not pkg.redactions:
            return [Paragraph("Nothing was left out.")]
        return [
            Table(
                "Left out",
                [
                    Column("System", "text", 18),
                    Column("Entry", "int", 6),
                    Column("Field", "text", 18),
                    Column("Why", "text", 40),
                ],
                [(r.source, r.entry, r.field, r.reason) for r in pkg.redactions],
            )
        ]
    raise ValueError(f"no builder for part {kind!r}")  # responses.PART_KINDS and this differ


def sections(pkg: AccessPackage, law: LawResponses) -> list[Section]:
    values = template_values(pkg)
    out = [Section("", [Paragraph(t) for t in responses.render(law.access_intro, values, {})])]
    for part in law.parts:
        if part.kind == "redactions" and not pkg.redactions:
            continue  # the section exists to say what was left out and why
        heading = f"{part.heading} ({part.cite})"
        blocks: list[d.Block] = [
            Paragraph(t) for t in responses.render(part.paragraphs, values, {})
        ]
        if part.kind == "copy":
            out.append(Section(heading, blocks))
            for src in pkg.sources:
                out.append(Section(f"{part.heading}: {src.source}", _copy_blocks(src)))
            continue
        out.append(Section(heading, blocks + _part_blocks(part.kind, pkg)))
    return out


def document(pkg: AccessPackage, law: LawResponses, org: str, classification: str) -> Document:
    meta = d.ReportMeta(
        organisation=org,
        report_name="access-package",
        title=law.access_title,
        parameters={
            "Our reference": pkg.reference,
            "To": pkg.requester,
            "From": f"{pkg.office}, {pkg.contact}",
            "Your request received": pkg.received.isoformat(),
            "Date of this answer": pkg.answered.isoformat(),
            "Privacy statement": f"{pkg.policy_title}, version {pkg.policy_version}, "
            f"in force since {pkg.policy_effective.isoformat()}",
        },
        generated_by=org,
        generated_at=datetime.now(UTC),
        app_version=__version__,
        classification=classification,
        audience="recipient",
    )
    return Document(meta, sections(pkg, law))


# --- the machine-readable copy ---------------------------------------------------------------


def machine_readable(pkg: AccessPackage) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment else None

    return {
        "format": FORMAT,
        "controller": {"name": pkg.organisation, "contact": pkg.contact},
        "request": {
            "reference": pkg.reference,
            "law": pkg.law_name,
            "type": pkg.request_type,
            "received": pkg.received.isoformat(),
            "answered": pkg.answered.isoformat(),
        },
        "privacy_statement": {
            "title": pkg.policy_title,
            "version": pkg.policy_version,
            "effective_date": pkg.policy_effective.isoformat(),
        },
        "sources": [
            {
                "system": s.source,
                "kind": s.kind,
                "entries": [
                    {
                        "entry": e.number,
                        "collected_at": iso(e.collected_at),
                        "fields": [
                            {
                                "field": f.field,
                                "category": f.category,
                                "value": REDACTED if f.redacted else f.value,
                            }
                            for f in e.fields
                        ],
                    }
                    for e in s.entries
                ],
            }
            for s in pkg.sources
        ],
        "categories": [
            {
                "category": c.label,
                "kind_of_data": c.group,
                "description": c.description,
                "retention": c.retention,
                "found_in": c.sources,
            }
            for c in pkg.categories
        ],
        "purposes": [{"purpose": p, "description": t} for p, t in pkg.purposes],
        "recipients": [
            {"recipient": r.label, "description": r.description, "receives": r.receives}
            for r in pkg.recipients
        ],
        "disclosures": [
            {
                "date": x.when.isoformat(),
                "to": x.recipient,
                "under": x.process,
                "entries": x.entries,
            }
            for x in pkg.disclosures
        ],
        "transfers": [
            {"transfer": t[0], "description": t[1], "destination": t[2], "safeguard": t[3]}
            for t in pkg.transfers
        ],
        "automated_decisions": pkg.automated,
        "rights": [{"right": r[0], "description": r[1], "how": r[2]} for r in pkg.rights],
        "authority": authority_line(pkg.authority) or None,
        "redactions": [
            {"system": r.source, "entry": r.entry, "field": r.field, "reason": r.reason}
            for r in pkg.redactions
        ],
    }


def _csv_safe(value: object) -> str:
    # A value that starts like a formula must not become one in a spreadsheet.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def source_csv(src: SourceCopy) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["entry", "collected_at_utc", "category", "field", "value"])
    for e in src.entries:
        when = e.collected_at.astimezone(UTC).isoformat() if e.collected_at else ""
        for f in e.fields:
            value = REDACTED if f.redacted else f.value
            w.writerow(
                [e.number, when, _csv_safe(f.category), _csv_safe(f.field), _csv_safe(value)]
            )
    # UTF-8 with a byte-order mark: spreadsheet programs then read Ü, Ł and 王 right.
    return buf.getvalue().encode("utf-8-sig")


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "source"
    slug, n = base, 1
    while slug.lower() in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug.lower())
    return slug


@dataclass(frozen=True)
class ZipMember:
    name: str
    data: bytes


def zip_members(pkg: AccessPackage) -> list[ZipMember]:
    members = [
        ZipMember(
            "personal-data.json",
            (json.dumps(machine_readable(pkg), indent=2, ensure_ascii=False) + "\n").encode(
                "utf-8"
            ),
        )
    ]
    taken: set[str] = set()
    members += [
        ZipMember(f"sources/{_slug(s.source, taken)}.csv", source_csv(s)) for s in pkg.sources
    ]
    return members


def write_zip(out: BinaryIO, members: list[ZipMember], companion: tuple[str, str]) -> None:
    """The ZIP with its manifest.json: the SHA-256 of each file, and of the PDF it goes with."""
    manifest = {
        "format": FORMAT,
        "files": [
            {"name": m.name, "sha256": hashlib.sha256(m.data).hexdigest(), "size": len(m.data)}
            for m in members
        ],
        "document": {"name": companion[0], "sha256": companion[1]},
    }
    stamp = (1980, 1, 1, 0, 0, 0)  # fixed, so the same content always makes the same ZIP
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for m in [
            *members,
            ZipMember(
                "manifest.json",
                (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
            ),
        ]:
            info = zipfile.ZipInfo(m.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, m.data)


# --- delivery ----------------------------------------------------------------------------------


def _counts(pkg: AccessPackage) -> Iterator[tuple[str, int]]:
    yield "sources", len(pkg.sources)
    yield "entries", pkg.record_count
    yield "redactions", len(pkg.redactions)


@dataclass(frozen=True)
class StagedPackage:
    """An access package's PDF and ZIP, staged; `record` writes the events that vouch for them."""

    request_id: int
    files: tuple[outgoing.Staged, ...]
    details: tuple[dict[str, object], ...]

    def record(self, s: Session, actor: Actor) -> list[int]:
        return [
            outgoing.record_delivery(
                s,
                actor,
                staged,
                action="dsr.package_file",
                object_type="dsr_request",
                object_id=self.request_id,
                details=details,
            )
            for staged, details in zip(self.files, self.details, strict=True)
        ]


def stage_package(
    db: Database,
    actor: Actor,
    request_id: int,
    out_dir: Path,
    out: outfiles.Outgoing,
    *,
    today: dt.date | None = None,
) -> StagedPackage:
    """Build the request's access package and stage its PDF and the ZIP beside it in `out`
    (both or neither: `out` publishes them together once the caller's events commit)."""
    from console.services.reporting.spec import organisation_identity

    pkg = build(db, actor, request_id, today=today)
    stem = out_dir / f"{pkg.reference}-access-package"
    law = responses.for_law(pkg.law)
    org, classification = organisation_identity(db)
    doc = document(pkg, law, org, classification)
    details = {"law": pkg.law, **dict(_counts(pkg))}
    manifest = {
        "report": "access-package",
        "title": law.access_title,
        "organisation": org,
        "classification": classification,
        "parameters": {"Reference": pkg.reference},
    }
    pdf = outgoing.stage(
        out,
        actor,
        stem.with_suffix(".pdf"),
        lambda f: render_pdf(doc, f),
        {**manifest, "format": "pdf"},
    )
    members = zip_members(pkg)
    archive = outgoing.stage(
        out,
        actor,
        stem.with_suffix(".zip"),
        lambda f: write_zip(f, members, (pdf.path.name, pdf.sha256)),
        {**manifest, "format": "zip", "document": {"file": pdf.path.name, "sha256": pdf.sha256}},
    )
    return StagedPackage(
        pkg.request_id,
        (pdf, archive),
        ({**details, "format": "pdf"}, {**details, "format": "zip", "files": len(members) + 1}),
    )


def deliver_package(
    db: Database,
    actor: Actor,
    request_id: int,
    out_dir: Path,
    *,
    force: bool = False,
    today: dt.date | None = None,
) -> list[outgoing.Staged]:
    """Build, record and publish a request's access package (PDF and ZIP) on its own."""
    with outfiles.Outgoing(force=force) as out:
        staged = stage_package(db, actor, request_id, out_dir, out, today=today)
        with db.transaction() as s:
            staged.record(s, actor)
        out.publish()
    return list(staged.files)
