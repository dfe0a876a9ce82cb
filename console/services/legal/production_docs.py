"""The files of a production: the records (one Bates-stamped page each), the data and its index
(XLSX), the cover letter, and the certification of business records — a declaration under
28 U.S.C. §1746 meeting FRE 902(11) for a US agency, a neutral certificate for any other.

Only the produced fields go in: those of the categories the request seeks, unless legal's
override (with its reason, stated in the index, the manifest and the certification) says more.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from console import __version__
from console.domain import labels
from console.domain import legal as rules
from console.domain.legal import ProcessType
from console.reports import document as d
from console.reports.bates import BatesPage, render_bates_pdf
from console.services.context import Actor
from console.services.legal.model import aware
from console.services.legal.scope import STATUS_LABELS, ScopedRecord
from console.store.legal_models import LegalRequest

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Item:
    """One produced record: its number, the record, where it stood, and the fields that go out."""

    number: str
    row: Any  # records.RecordRow
    scoped: ScopedRecord
    columns: list[str]
    labels: dict[str, str]  # category id -> label

    @property
    def brought_in_by(self) -> str:
        if self.scoped.matched:
            return "; ".join(self.scoped.matched)
        return self.scoped.reason or STATUS_LABELS[self.scoped.status]

    @property
    def categories(self) -> list[str]:
        cats = self.row.categories if isinstance(self.row.categories, dict) else {}
        ids = sorted({cats[c] for c in self.columns if cats.get(c)})
        return [self.labels.get(c, c) for c in ids]

    @property
    def standing(self) -> str:
        if self.scoped.status == "in_scope":
            return "In scope"
        if self.scoped.status == "undated":
            return "No collection time: included by legal's decision"
        return f"Beyond the scope ({self.scoped.status_label.lower()}): legal's override"


@dataclass(frozen=True)
class Context:
    req: LegalRequest
    org: str
    classification: str
    actor: Actor
    certifier: str
    certifier_title: str
    method: str
    chain: tuple[int, str] | None
    scope: dict[str, Any]  # Scope.describe()
    override_reason: str
    undated_included: int


def _span(items: Sequence[Item]) -> str:
    return f"{items[0].number}–{items[-1].number}"


def file_names(req: LegalRequest, items: Sequence[Item]) -> dict[str, str]:
    ref = rules.request_ref(req.id)
    first, last = items[0].number, items[-1].number
    return {
        "records": f"{ref}_{first}-{last}_records.pdf",
        "data": f"{ref}_{first}-{last}_data.xlsx",
        "cover": f"{ref}_cover_letter.pdf",
        "cert": f"{ref}_certification.pdf",
    }


def write_files(stage: Path, ctx: Context, items: Sequence[Item]) -> dict[str, str]:
    """Render every file into `stage`; returns file name -> SHA-256."""
    from console.reports.pdf import render_pdf
    from console.reports.xlsx import render_xlsx

    ref = rules.request_ref(ctx.req.id)
    span = _span(items)
    names = file_names(ctx.req, items)
    pages = [
        BatesPage(i.number, f"{i.row.source}, row {i.row.row_number}", _fields(i)) for i in items
    ]
    with open(stage / names["records"], "wb") as f:
        render_bates_pdf(
            f,
            pages,
            header=f"{ctx.org} — production {span} — {ref}",
            classification=ctx.classification,
        )

    def meta(name: str, title: str) -> d.ReportMeta:
        # The cover letter and the certification go to the agency: they carry the references it
        # needs, not the console's provenance furniture (the manifest and audit trail keep that).
        outside = name != "legal-production"
        return d.ReportMeta(
            organisation=ctx.org,
            report_name=name,
            title=title,
            parameters={
                "Our reference": ref,
                "Case": ctx.req.case_number or "—",
                "Production": span,
            },
            generated_by=ctx.org if outside else ctx.actor.name,
            generated_at=ctx.actor.clock.now(),
            app_version=__version__,
            classification=ctx.classification,
            chain_head=ctx.chain,
            audience="recipient" if outside else "staff",
        )

    documents = (
        ("data", "legal-production", f"Production {span} — index and data", _data(ctx, items)),
        (
            "cover",
            "legal-cover-letter",
            f"Cover letter — production {span}",
            _cover(ctx, items, names),
        ),
        ("cert", "legal-certification", _certification_title(ctx), _certification(ctx, items)),
    )
    for key, name, title, sections in documents:
        with open(stage / names[key], "wb") as f:
            doc = d.Document(meta(name, title), sections)
            render_xlsx(doc, f) if key == "data" else render_pdf(doc, f)
    return {name: sha256(stage / name) for name in names.values()}


def _fields(i: Item) -> list[tuple[str, str]]:
    r = i.row
    out = [("Source", str(r.source)), ("Row in the imported file", str(r.row_number))]
    if r.collected_at:
        out.append(("Collected (UTC)", aware(r.collected_at).strftime("%Y-%m-%d %H:%M:%S")))  # type: ignore[union-attr]
    out.append(("Brought in by", i.brought_in_by))
    out.append(("Scope", i.standing))
    cats = r.categories if isinstance(r.categories, dict) else {}
    for column in i.columns:
        value = (r.values or {}).get(column)
        category = i.labels.get(cats.get(column, ""), "")
        label = f"{column} [{category}]" if category else str(column)
        out.append((label, "" if value is None else str(value)))
    return out


def _index_rows(items: Sequence[Item]) -> list[list[object]]:
    return [
        [
            i.number,
            i.row.source,
            i.row.row_number,
            aware(i.row.collected_at),
            i.brought_in_by,
            ", ".join(i.categories),
            i.standing,
        ]
        for i in items
    ]


def _data(ctx: Context, items: Sequence[Item]) -> list[d.Section]:
    scope = ctx.scope
    pairs = [
        ("Identifiers named", "; ".join(scope["identifiers"]) or "—"),
        ("Categories sought", labels.labels("category", list(scope["categories"])) or "—"),
        ("Collected from", scope["collected_from"] or "no start date"),
        ("Collected to", scope["collected_to"] or "no end date"),
    ]
    if ctx.undated_included:
        pairs.append(
            (
                "Records without a collection time",
                f"{ctx.undated_included} included by legal's decision",
            )
        )
    if ctx.override_reason:
        pairs.append(("Beyond the scope", f"Legal's override: {ctx.override_reason}"))
    sections = [
        d.Section("Scope", [d.KeyValues(pairs)]),
        d.Section(
            "Index",
            [
                d.Table(
                    "Index",
                    [
                        d.Column("Production number", "text", 14),
                        d.Column("Source", "text", 18),
                        d.Column("Row", "int", 6),
                        d.Column("Collected", "datetime", 19),
                        d.Column("Brought in by", "text", 30),
                        d.Column("Categories produced", "text", 30),
                        d.Column("Scope", "text", 24),
                    ],
                    _index_rows(items),
                )
            ],
        ),
    ]
    by_source: dict[str, list[Item]] = defaultdict(list)
    for i in items:
        by_source[i.row.source].append(i)
    for source, group in sorted(by_source.items()):
        columns = list(dict.fromkeys(c for i in group for c in i.columns))
        table = d.Table(
            source,
            [
                d.Column("Production number", "text", 14),
                d.Column("Row", "int", 6),
                d.Column("Collected", "datetime", 19),
            ]
            + [d.Column(str(c)) for c in columns],
            [
                [i.number, i.row.row_number, aware(i.row.collected_at)]
                + [(i.row.values or {}).get(c) if c in i.columns else None for c in columns]
                for i in group
            ],
        )
        sections.append(d.Section(source, [table]))
    return sections


def _cover(ctx: Context, items: Sequence[Item], names: dict[str, str]) -> list[d.Section]:
    req = ctx.req
    span = _span(items)
    to = [req.agency] + ([f"Attn: {req.officer}"] if req.officer else [])
    scope = ctx.scope
    body: list[d.Block] = [
        d.KeyValues(
            [
                ("To", ", ".join(to)),
                (
                    "Re",
                    f"Case {req.case_number or '—'}, {ProcessType(req.process_type).label.lower()} "
                    f"received {aware(req.received_at).date().isoformat()}",  # type: ignore[union-attr]
                ),
                ("Our reference", rules.request_ref(req.id)),
                ("Production numbers", span),
                ("Records produced", str(len(items))),
                ("Delivered by", ctx.method),
            ]
        ),
        d.Paragraph(
            f"In response to the legal process identified above, {ctx.org} produces the records "
            f"numbered {span}: the records held under the identifiers the process names "
            f"({'; '.join(scope['identifiers'])}), limited to the categories of data it seeks "
            f"({', '.join(scope['categories'])})"
            + (f" and collected from {scope['collected_from']}" if scope["collected_from"] else "")
            + (f" to {scope['collected_to']}" if scope["collected_to"] else "")
            + ". "
            "Each page of the records file and each row of the data file carries its production "
            "number; the index in the data file shows the identifier and the categories that "
            "brought each record in. The enclosed manifest lists the SHA-256 of every file, so the "
            "production can be checked for completeness and integrity on receipt."
        ),
    ]
    if ctx.override_reason:
        body.append(
            d.Paragraph(
                f"Records or fields beyond that scope are included by the "
                f"decision of counsel: {ctx.override_reason}"
            )
        )
    body.append(d.Paragraph("Files: " + "; ".join(sorted(names.values())) + f"; {MANIFEST}."))
    body.append(
        d.Paragraph(f"Prepared by {ctx.actor.name}. Please quote our reference in any reply.")
    )
    return [d.Section("", body)]  # the title says what it is


def is_us(req: LegalRequest) -> bool:
    return req.country.upper() == "US"


def _certification_title(ctx: Context) -> str:
    if is_us(ctx.req):
        return "Declaration of custodian of records (28 U.S.C. §1746; Fed. R. Evid. 902(11))"
    return "Certificate of authenticity of business records"


def _certification(ctx: Context, items: Sequence[Item]) -> list[d.Section]:
    req, org = ctx.req, ctx.org
    span = _span(items)
    sources = ", ".join(sorted({i.row.source for i in items}))
    scope = ctx.scope
    scope_text = (
        f"They are limited to the records held under the identifiers named in the request "
        f"({'; '.join(scope['identifiers'])}) and to the categories of data it seeks "
        f"({', '.join(scope['categories'])})"
        + (f", collected from {scope['collected_from']}" if scope["collected_from"] else "")
        + (f" to {scope['collected_to']}" if scope["collected_to"] else "")
        + "."
    )
    if ctx.override_reason:
        scope_text += (
            f" Material beyond that scope is included by counsel's decision: {ctx.override_reason}."
        )
    who = f"I, {ctx.certifier}, am the {ctx.certifier_title} of {org}"
    facts = [
        f"{who}, and I am familiar with the manner in which its records are created and "
        "maintained. I make this statement from my own knowledge and from those records.",
        f"The records produced as {span} ({len(items)} record{'s' if len(items) != 1 else ''} "
        f"from: {sources}) in response to "
        f"case {req.case_number or '—'} ({rules.request_ref(req.id)}) are true and accurate "
        f"copies of records kept by {org}. {scope_text}",
        "The records were made at or near the time of the acts, events or conditions they "
        "record, by — or from information transmitted by — a person with knowledge of those "
        "matters.",
        f"The records were kept in the course of the regularly conducted business activity of "
        f"{org}, and making them was a regular practice of that activity.",
        "The copies were extracted from the systems that hold the records by an automated "
        "process, and each file's SHA-256 is listed in the production's manifest.",
    ]
    blocks: list[d.Block] = [d.Paragraph(f"{n}. {t}") for n, t in enumerate(facts, start=1)]
    today = ctx.actor.clock.today().isoformat()
    if is_us(req):
        # 28 U.S.C. §1746(2): executed within the United States. FRE 902(11) needs the facts of
        # FRE 803(6)(A)-(C) above, certified by the custodian or another qualified person.
        blocks.append(
            d.Paragraph(
                "I declare under penalty of perjury that the foregoing is true and correct. "
                f"Executed on {today}."
            )
        )
        blocks.append(
            d.Note(
                "If executed outside the United States, this declaration is made "
                "under penalty of perjury under the laws of the United States of "
                "America (28 U.S.C. §1746(1))."
            )
        )
    else:
        blocks.append(
            d.Paragraph(f"I certify that the foregoing is true and correct. Made on {today}.")
        )
    blocks.append(d.KeyValues([("Signature", "________________________________"), ("Date", today)]))
    return [d.Section("", blocks)]  # the title says what it is


def manifest(
    ctx: Context, items: Sequence[Item], files: dict[str, str], produced_at: datetime
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "request": rules.request_ref(ctx.req.id),
        "case_number": ctx.req.case_number,
        "production": {"first": items[0].number, "last": items[-1].number, "records": len(items)},
        "produced_by": ctx.actor.name,
        "produced_at": produced_at.isoformat(),
        "method": ctx.method,
        "scope": ctx.scope,
        "undated_included": ctx.undated_included,
        "override": {"reason": ctx.override_reason, "by": ctx.actor.name}
        if ctx.override_reason
        else None,
        "files": [{"name": n, "sha256": h} for n, h in sorted(files.items())],
        "items": [
            {
                "number": i.number,
                "source": i.row.source,
                "row": i.row.row_number,
                "brought_in_by": i.brought_in_by,
                "categories": i.categories,
                "scope": i.scoped.status,
            }
            for i in items
        ],
    }
    return out


def sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()
