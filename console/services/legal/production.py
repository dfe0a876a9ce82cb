"""Productions: disclose the records a legal request's scope covers as a numbered production, and
keep the disclosure log.

A production is a folder: the records PDF (one page per record, stamped CP-000001...), the index
and data as XLSX (each row carries its number, and the identifier and categories that brought it
in), a cover letter, a certification of business records, and manifest.json with the SHA-256 of
every file. The database keeps the numbers, the records behind them, the scope and any override,
the manifest's own hash, and a disclosure-log entry, with the audit event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from console import outfiles
from console.domain import legal as rules
from console.domain.legal import Decision
from console.domain.permissions import Permission
from console.domain.workflow import LegalStatus
from console.errors import ConflictError, NotFound, ValidationError
from console.filemodes import make_private_dir
from console.services.audit import record
from console.services.context import Actor
from console.services.legal import scope as scoping
from console.services.legal.disclosures import legal_basis
from console.services.legal.intake import get
from console.services.legal.model import get_request, move, touch
from console.services.legal.production_docs import (
    MANIFEST,
    Context,
    Item,
    manifest,
    sha256,
    write_files,
)
from console.store import audit_log
from console.store.db import Database
from console.store.legal_models import (
    LegalDisclosure,
    LegalProduction,
    LegalProductionItem,
    LegalRequest,
)

DEFAULT_CERTIFIER_TITLE = "Custodian of Records"
_BEYOND = (scoping.OUT_OF_RANGE, scoping.LINKED_ONLY, scoping.NO_CATEGORY, scoping.NOT_REACHED)


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
    undated_left_out: list[int] = field(default_factory=list)  # for legal to decide
    beyond_scope: int = 0
    override_reason: str = ""


def candidates(db: Database, actor: Actor, request_id: int) -> list[scoping.ScopedRecord]:
    """The records the request's identifiers reach, each with its place in the scope."""
    return scoping.evaluate(db, actor, request_id).records


def candidate_record_ids(
    db: Database, actor: Actor, request_id: int, *, include_undated: bool = False
) -> list[int]:
    """What `legal produce --all` produces: every record in scope (and undated ones, if asked)."""
    result = scoping.evaluate(db, actor, request_id)
    wanted = {scoping.IN_SCOPE, scoping.UNDATED} if include_undated else {scoping.IN_SCOPE}
    return [r.record_id for r in result.records if r.status in wanted]


def _organisation(db: Database) -> tuple[str, str]:
    from console.services.reporting.spec import organisation_identity

    return organisation_identity(db, "confidential")


def _check_request(req: LegalRequest) -> None:
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


def _check_choice(
    ref: str,
    chosen: list[scoping.ScopedRecord],
    *,
    include_undated: bool,
    all_fields: bool,
    override: str,
) -> None:
    undated = [r for r in chosen if r.status == scoping.UNDATED]
    if undated and not include_undated:
        first = undated[0]
        raise ValidationError(
            f"{len(undated)} of the chosen records of {ref} have no collection time (first: "
            f"record {first.record_id}, {first.source} row {first.row}), so the date range cannot "
            "place them: leave them out, or include them by decision (--include-undated)."
        )
    beyond = [r for r in chosen if r.status in _BEYOND]
    if (beyond or all_fields) and not override:
        if beyond:
            first = beyond[0]
            why = f"{first.status_label.lower()}" + (f": {first.reason}" if first.reason else "")
            raise ValidationError(
                f"{len(beyond)} of the chosen records are beyond the scope of {ref} (first: "
                f"record {first.record_id}, {first.source} row {first.row}, {why}): leave them "
                "out, or give legal's override with its reason (--override REASON)."
            )
        raise ValidationError(
            f"Fields of other categories than {ref} seeks go out only with legal's override "
            "and its reason (--override REASON)."
        )
    empty = [r for r in chosen if not r.columns and not all_fields]
    if empty:
        raise ValidationError(
            f"Record {empty[0].record_id} holds none of the categories {ref} seeks: there is "
            "nothing of it to produce (with the override, add --all-fields to produce its other "
            "fields)."
        )


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
    certifier_title: str = DEFAULT_CERTIFIER_TITLE,
    include_undated: bool = False,
    all_fields: bool = False,
    override_reason: str | None = None,
) -> ProductionResult:
    """Produce the chosen records for a request decided 'produce' or 'produce in part'.

    Only records in the request's scope, and only their fields of the categories it seeks;
    undated records by legal's decision; anything more with legal's override and its reason.
    """
    from console.domain.policy import load_default_pack
    from console.services import policy
    from console.services.records import search as records

    actor.require(Permission.PRODUCE_LEGAL)
    override = (override_reason or "").strip()
    who = (certifier or actor.name).strip()
    title = certifier_title.strip() or DEFAULT_CERTIFIER_TITLE
    if who.casefold() == title.casefold():
        raise ValidationError(
            f"The certifier is named '{who}', which is the title: give the custodian's own name "
            "(--certifier NAME) and the title separately (--certifier-title)."
        )
    if not record_ids:
        raise ValidationError("Choose at least one record to produce.")
    with db.read() as s:
        req = get_request(s, request_id)
        _check_request(req)
        scoping.refuse_without_scope(s, req)
        ref = rules.request_ref(req.id)
    scope = scoping.scope_of(get(db, actor, request_id))
    reached = scoping.reach(db, actor, scope)
    chosen = scoping.classify_ids(db, actor, scope, list(dict.fromkeys(record_ids)), reached)
    _check_choice(
        ref, chosen, include_undated=include_undated, all_fields=all_fields, override=override
    )
    rows = {r.id: r for r in records.records_by_id(db, actor, [c.record_id for c in chosen])}
    try:
        pack = policy.pack_in_force(db, actor)
    except NotFound:  # labels only: the shipped pack names every category mappings use
        pack = load_default_pack()
    labels = {c.id: c.label for c in pack.categories}
    org, classification = _organisation(db)
    if not out_dir.exists():
        make_private_dir(out_dir)
    all_undated = [
        r.record_id for r in scoping.evaluate(db, actor, request_id).having(scoping.UNDATED)
    ]
    # The folder is staged beside its name and published only after the production and its
    # audit event are committed (console.outfiles): no production on disk without its record.
    with outfiles.Outgoing() as out:
        try:
            with db.transaction() as s:
                req = get_request(s, request_id)
                last = s.execute(select(func.max(LegalProduction.last_number))).scalar()
                start = int(last or 0) + 1
                items = [
                    Item(
                        rules.production_number(start + n),
                        rows[c.record_id],
                        c,
                        list(rows[c.record_id].values) if all_fields else c.columns,
                        labels,
                    )
                    for n, c in enumerate(chosen)
                ]
                head = audit_log.head(s)
                ctx = Context(
                    req=req,
                    org=org,
                    classification=classification,
                    actor=actor,
                    certifier=who,
                    certifier_title=title,
                    method=method,
                    chain=(head.seq, head.hash) if head else None,
                    scope=scope.describe(labels),
                    override_reason=override,
                    undated_included=sum(1 for c in chosen if c.status == scoping.UNDATED),
                )
                stage = out.stage_folder(out_dir / f"{ref}_{items[0].number}-{items[-1].number}")
                folder = out.targets()[-1]
                files = write_files(stage, ctx, items)
                content = manifest(ctx, items, files, actor.clock.now())
                manifest_bytes = (json.dumps(content, indent=2, ensure_ascii=False) + "\n").encode()
                (stage / MANIFEST).write_bytes(manifest_bytes)
                manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
                prod = _record(s, actor, ctx, items, start, folder, manifest_sha, recipient)
        except IntegrityError:
            raise ConflictError(
                "Another production took these numbers at the same time: produce again."
            ) from None
        out.publish()
    produced = {c.record_id for c in chosen}
    return ProductionResult(
        prod,
        req.id,
        items[0].number,
        items[-1].number,
        len(items),
        folder,
        files,
        folder / MANIFEST,
        manifest_sha,
        undated_left_out=[r for r in all_undated if r not in produced],
        beyond_scope=sum(1 for c in chosen if c.status in _BEYOND),
        override_reason=override,
    )


def _record(
    s: Any,
    actor: Actor,
    ctx: Context,
    items: Sequence[Item],
    start: int,
    folder: Path,
    manifest_sha: str,
    recipient: str | None,
) -> int:
    req = ctx.req
    if req.status == LegalStatus.DECIDED.value:
        move(req, LegalStatus.PRODUCING)
    move(req, LegalStatus.PRODUCED)
    prod = LegalProduction(
        request_id=req.id,
        prefix=rules.PRODUCTION_PREFIX,
        first_number=start,
        last_number=start + len(items) - 1,
        record_count=len(items),
        produced_at=actor.clock.now(),
        produced_by=actor.name,
        folder=str(folder),
        manifest_sha256=manifest_sha,
        scope=json.dumps(
            {**ctx.scope, "undated_included": ctx.undated_included}, ensure_ascii=False
        ),
        override_reason=ctx.override_reason,
    )
    s.add(prod)
    s.flush()
    for n, i in enumerate(items):
        s.add(
            LegalProductionItem(
                number=start + n,
                production_id=prod.id,
                record_id=i.row.id,
                source=i.row.source,
                row_number=i.row.row_number,
                matched=i.brought_in_by,
                categories=json.dumps(i.categories, ensure_ascii=False),
            )
        )
    sources = sorted({i.row.source for i in items})
    span = f"{items[0].number}–{items[-1].number}"
    noun = "record" if len(items) == 1 else "records"
    what = f"{len(items)} {noun} from {', '.join(sources)} as production {span}"
    s.add(
        LegalDisclosure(
            request_id=req.id,
            production_id=prod.id,
            disclosed_at=prod.produced_at,
            recipient=recipient or _recipient(req),
            method=ctx.method,
            legal_basis=legal_basis(req),
            what=what,
            record_count=len(items),
            recorded_by=actor.name,
        )
    )
    touch(req, actor)
    s.flush()
    beyond = sum(1 for i in items if i.scoped.status in _BEYOND)
    record(
        s,
        actor,
        "legal.produce",
        "legal_request",
        req.id,
        {
            "production": prod.id,
            "first": items[0].number,
            "last": items[-1].number,
            "records": len(items),
            "manifest_sha256": manifest_sha,
            "method": ctx.method,
            "undated_included": ctx.undated_included,
            "beyond_scope": beyond,
            "override": bool(ctx.override_reason),
            "override_sha256": hashlib.sha256(ctx.override_reason.encode()).hexdigest()
            if ctx.override_reason
            else None,
        },
    )
    return prod.id


def _recipient(req: LegalRequest) -> str:
    return f"{req.agency} ({req.officer})" if req.officer else req.agency


def verify_production(folder: Path) -> list[str]:
    """Problems found checking a production folder against its manifest (empty: all good)."""
    try:
        content = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return [f"No readable {MANIFEST} in {folder.name}."]
    problems = []
    for entry in content.get("files", []):
        path = folder / entry["name"]
        if not path.exists():
            problems.append(f"{entry['name']} is missing.")
        elif sha256(path) != entry["sha256"]:
            problems.append(f"{entry['name']} was changed after production.")
    return problems
