"""Productions: disclose chosen records as a numbered production, and keep the disclosure log.

A production is a folder: the records PDF (one page per record, stamped CP-000001...), the data
as XLSX (each row carries its number), a cover letter and a business-records certification (PDF),
and manifest.json with the SHA-256 of every file. The database keeps the numbers, the records
behind them, the manifest's own hash, and a disclosure-log entry, with the audit event.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from console import __version__, outfiles
from console.domain import legal as rules
from console.domain.legal import Decision, ProcessType
from console.domain.permissions import Permission
from console.domain.workflow import LegalStatus
from console.errors import ConflictError, ValidationError
from console.filemodes import make_private_dir
from console.reports import document as d
from console.services.audit import record
from console.services.context import Actor
from console.services.legal import (
    aware,
    get_request,
    identifiers_of,
    move,
    now,
    touch,
)
from console.services.legal_bates import BatesPage, render_bates_pdf
from console.services.legal_disclosures import legal_basis
from console.store import audit_log
from console.store.db import Database
from console.store.legal_models import (
    LegalDisclosure,
    LegalProduction,
    LegalProductionItem,
    LegalRequest,
)

MANIFEST = "manifest.json"
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ProductionResult:
    id: int
    request_id: int
    first: str
    last: str
    record_count: int
    folder: Path
    files: dict[str, str]  # file name -> SHA-256
    manifest_path: Path
    manifest_sha256: str


def candidates(db: Database, actor: Actor, request_id: int) -> list[Any]:
    """The records the request's identifiers reach (subject search results), to choose from."""
    actor.require(Permission.PRODUCE_LEGAL)
    from console.services import records

    with db.read() as s:
        get_request(s, request_id)
        specs = identifiers_of(s, request_id)
    if not specs:
        return []
    return list(records.find_subject(db, actor, [(i.kind, i.value) for i in specs]).records)


def candidate_record_ids(db: Database, actor: Actor, request_id: int) -> list[int]:
    return sorted({r.record_id for r in candidates(db, actor, request_id)})


def _organisation(db: Database) -> tuple[str, str]:
    from console.services.reports import organisation_identity

    return organisation_identity(db)


def produce(
    db: Database,
    actor: Actor,
    request_id: int,
    record_ids: Sequence[int],
    out_dir: Path,
    *,
    method: str = "Secure file transfer",
    recipient: str | None = None,
    certifier: str | None = None,
    certifier_title: str = "Custodian of records",
) -> ProductionResult:
    """Produce the chosen records for a request decided 'produce' or 'produce in part'."""
    actor.require(Permission.PRODUCE_LEGAL)
    from console.services import records

    if not record_ids:
        raise ValidationError("Choose at least one record to produce.")
    with db.read() as s:
        req = get_request(s, request_id)
        if not req.decision or not Decision(req.decision).discloses:
            raise ValidationError(
                f"{rules.request_ref(req.id)} was not decided 'produce' or 'produce in part': "
                "nothing may be disclosed."
            )
        if req.status not in (LegalStatus.DECIDED.value, LegalStatus.PRODUCING.value):
            raise ValidationError(
                f"{rules.request_ref(req.id)} is "
                f"'{LegalStatus(req.status).label.lower()}': it cannot be produced."
            )
    rows = records.records_by_id(db, actor, list(dict.fromkeys(record_ids)))
    missing = len(set(record_ids)) - len(rows)
    erased = [r for r in rows if r.erased]
    if missing or erased:
        raise ValidationError(
            f"{missing + len(erased)} of the chosen records no longer exist "
            "or were erased: choose again."
        )
    org, classification = _organisation(db)
    if not out_dir.exists():
        make_private_dir(out_dir)
    who = certifier or actor.name
    # The folder is staged beside its name and published only after the production and its
    # audit event are committed (console.outfiles): no production on disk without its record.
    with outfiles.Outgoing() as out:
        try:
            with db.transaction() as s:
                req = get_request(s, request_id)
                last = s.execute(select(func.max(LegalProduction.last_number))).scalar()
                start = int(last or 0) + 1
                numbers = [rules.production_number(start + i) for i in range(len(rows))]
                first, last_number = numbers[0], numbers[-1]
                head = audit_log.head(s)
                chain = (head.seq, head.hash) if head else None
                folder = out_dir / f"{rules.request_ref(req.id)}_{first}-{last_number}"
                stage = out.stage_folder(folder)
                folder = out.targets()[-1]
                files = _write_files(
                    stage, req, rows, numbers, org, classification, actor, who,
                    certifier_title, method, chain,
                )
                manifest = _manifest(req, rows, numbers, files, actor, method)
                manifest_bytes = (
                    json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
                ).encode("utf-8")
                (stage / MANIFEST).write_bytes(manifest_bytes)
                manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
                prod = _record(
                    s, actor, req, rows, numbers, start, folder, manifest_sha, method, recipient
                )
        except IntegrityError:
            raise ConflictError(
                "Another production took these numbers at the same time: produce again."
            ) from None
        out.publish()
    return ProductionResult(
        prod, req.id, first, last_number, len(rows), folder, files, folder / MANIFEST,
        manifest_sha,
    )


def _record(
    s: Any,
    actor: Actor,
    req: LegalRequest,
    rows: Sequence[Any],
    numbers: list[str],
    start: int,
    folder: Path,
    manifest_sha: str,
    method: str,
    recipient: str | None,
) -> int:
    if req.status == LegalStatus.DECIDED.value:
        move(req, LegalStatus.PRODUCING)
    move(req, LegalStatus.PRODUCED)
    prod = LegalProduction(
        request_id=req.id,
        prefix=rules.PRODUCTION_PREFIX,
        first_number=start,
        last_number=start + len(rows) - 1,
        record_count=len(rows),
        produced_at=now(),
        produced_by=actor.name,
        folder=str(folder),
        manifest_sha256=manifest_sha,
    )
    s.add(prod)
    s.flush()
    for i, r in enumerate(rows):
        s.add(
            LegalProductionItem(
                number=start + i,
                production_id=prod.id,
                record_id=r.id,
                source=r.source,
                row_number=r.row_number,
            )
        )
    sources = sorted({r.source for r in rows})
    what = (
        f"{len(rows)} record(s) from {', '.join(sources)} as production {numbers[0]}–{numbers[-1]}"
    )
    s.add(
        LegalDisclosure(
            request_id=req.id,
            production_id=prod.id,
            disclosed_at=prod.produced_at,
            recipient=recipient or _recipient(req),
            method=method,
            legal_basis=legal_basis(req),
            what=what,
            record_count=len(rows),
            recorded_by=actor.name,
        )
    )
    touch(req, actor)
    s.flush()
    record(
        s,
        actor,
        "legal.produce",
        "legal_request",
        req.id,
        {
            "production": prod.id,
            "first": numbers[0],
            "last": numbers[-1],
            "records": len(rows),
            "manifest_sha256": manifest_sha,
            "method": method,
        },
    )
    return prod.id


def _recipient(req: LegalRequest) -> str:
    return f"{req.agency} ({req.officer})" if req.officer else req.agency


def _write_files(
    stage: Path,
    req: LegalRequest,
    rows: Sequence[Any],
    numbers: list[str],
    org: str,
    classification: str,
    actor: Actor,
    certifier: str,
    certifier_title: str,
    method: str,
    chain: tuple[int, str] | None,
) -> dict[str, str]:
    from console.reports.pdf import render_pdf
    from console.reports.xlsx import render_xlsx

    ref = rules.request_ref(req.id)
    span = f"{numbers[0]}–{numbers[-1]}"
    names = {
        "records": f"{ref}_{numbers[0]}-{numbers[-1]}_records.pdf",
        "data": f"{ref}_{numbers[0]}-{numbers[-1]}_data.xlsx",
        "cover": f"{ref}_cover_letter.pdf",
        "cert": f"{ref}_certification.pdf",
    }
    pages = [
        BatesPage(n, f"{r.source}, row {r.row_number}", _fields(r))
        for n, r in zip(numbers, rows, strict=True)
    ]
    with open(stage / names["records"], "wb") as f:
        render_bates_pdf(
            f, pages, header=f"{org} — production {span} — {ref}", classification=classification
        )

    def meta(name: str, title: str) -> d.ReportMeta:
        return d.ReportMeta(
            organisation=org,
            report_name=name,
            title=title,
            parameters={"Request": ref, "Case": req.case_number or "—", "Production": span},
            generated_by=actor.name,
            generated_at=datetime.now(UTC),
            app_version=__version__,
            classification=classification,
            chain_head=chain,
        )

    with open(stage / names["data"], "wb") as f:
        render_xlsx(
            d.Document(
                meta("legal-production", f"Production {span} — data"), _data_sections(rows, numbers)
            ),
            f,
        )
    with open(stage / names["cover"], "wb") as f:
        render_pdf(
            d.Document(
                meta("legal-cover-letter", f"Cover letter — production {span}"),
                _cover(req, org, rows, span, names, method, actor),
            ),
            f,
        )
    with open(stage / names["cert"], "wb") as f:
        render_pdf(
            d.Document(
                meta("legal-certification", f"Certification of business records — {span}"),
                _certification(req, org, rows, span, certifier, certifier_title),
            ),
            f,
        )
    return {name: _sha256(stage / name) for name in names.values()}


def _fields(r: Any) -> list[tuple[str, str]]:
    out = [("Source", str(r.source)), ("Row in the imported file", str(r.row_number))]
    if r.collected_at:
        out.append(("Collected (UTC)", aware(r.collected_at).strftime("%Y-%m-%d %H:%M:%S")))  # type: ignore[union-attr]
    for column, value in (r.values or {}).items():
        category = (r.categories or {}).get(column) if isinstance(r.categories, dict) else None
        label = f"{column} [{category}]" if category else str(column)
        out.append((label, "" if value is None else str(value)))
    return out


def _data_sections(rows: Sequence[Any], numbers: list[str]) -> list[d.Section]:
    by_source: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for n, r in zip(numbers, rows, strict=True):
        by_source[r.source].append((n, r))
    sections = []
    for source, items in sorted(by_source.items()):
        columns = list(dict.fromkeys(c for _, r in items for c in (r.values or {})))
        table = d.Table(
            source,
            [
                d.Column("Production number", "text", 14),
                d.Column("Row", "int", 6),
                d.Column("Collected", "datetime", 19),
            ]
            + [d.Column(str(c)) for c in columns],
            [
                [n, r.row_number, aware(r.collected_at)]
                + [(r.values or {}).get(c) for c in columns]
                for n, r in items
            ],
        )
        sections.append(d.Section(source, [table]))
    return sections


def _cover(
    req: LegalRequest,
    org: str,
    rows: Sequence[Any],
    span: str,
    names: dict[str, str],
    method: str,
    actor: Actor,
) -> list[d.Section]:
    to = [req.agency] + ([f"Attn: {req.officer}"] if req.officer else [])
    return [
        d.Section(
            "Cover letter",
            [
                d.KeyValues(
                    [
                        ("To", ", ".join(to)),
                        (
                            "Re",
                            f"Case {req.case_number or '—'}, "
                            f"{ProcessType(req.process_type).label.lower()} received "
                            f"{req.received_at.date().isoformat()}",
                        ),
                        ("Our reference", rules.request_ref(req.id)),
                        ("Production numbers", span),
                        ("Records produced", str(len(rows))),
                        ("Delivered by", method),
                    ]
                ),
                d.Paragraph(
                    f"In response to the legal process identified above, {org} produces the "
                    f"records numbered {span}. Each page of the records file and each row of the "
                    "data file carries its production number. The enclosed manifest lists the "
                    "SHA-256 of every file, so the production can be checked for completeness "
                    "and integrity on receipt."
                ),
                d.Paragraph("Files: " + "; ".join(sorted(names.values())) + f"; {MANIFEST}."),
                d.Paragraph(f"Prepared by {actor.name}. Please quote our reference in any reply."),
            ],
        )
    ]


def _certification(
    req: LegalRequest, org: str, rows: Sequence[Any], span: str, certifier: str, title: str
) -> list[d.Section]:
    sources = ", ".join(sorted({r.source for r in rows}))
    return [
        d.Section(
            "Certificate of authenticity of business records",
            [
                d.Paragraph(
                    f"I, {certifier}, {title} of {org}, certify that the records produced as {span} "
                    f"({len(rows)} records from: {sources}) in response to case "
                    f"{req.case_number or '—'} ({rules.request_ref(req.id)}) are true copies of "
                    f"records kept by {org}; that they were made at or near the time of the acts and "
                    "events they record by, or from information transmitted by, a person with knowledge "
                    "of those matters; that they were kept in the course of regularly conducted business "
                    "activity; and that it was the regular practice of that activity to make them."
                ),
                d.KeyValues(
                    [
                        ("Production numbers", span),
                        ("Number of records", str(len(rows))),
                        ("Certified by", f"{certifier}, {title}"),
                        ("Date", date.today().isoformat()),
                        ("Signature", "________________________________"),
                    ]
                ),
            ],
        )
    ]


def _manifest(
    req: LegalRequest,
    rows: Sequence[Any],
    numbers: list[str],
    files: dict[str, str],
    actor: Actor,
    method: str,
) -> dict[str, Any]:
    return {
        "request": rules.request_ref(req.id),
        "case_number": req.case_number,
        "production": {"first": numbers[0], "last": numbers[-1], "records": len(rows)},
        "produced_by": actor.name,
        "produced_at": now().isoformat(),
        "method": method,
        "files": [{"name": n, "sha256": h} for n, h in sorted(files.items())],
        "items": [
            {"number": n, "source": r.source, "row": r.row_number}
            for n, r in zip(numbers, rows, strict=True)
        ],
    }


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def verify_production(folder: Path) -> list[str]:
    """Problems found checking a production folder against its manifest (empty: all good)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return [f"No readable {MANIFEST} in {folder.name}."]
    problems = []
    for entry in manifest.get("files", []):
        path = folder / entry["name"]
        if not path.exists():
            problems.append(f"{entry['name']} is missing.")
        elif _sha256(path) != entry["sha256"]:
            problems.append(f"{entry['name']} was changed after production.")
    return problems
