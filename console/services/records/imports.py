"""Importing a source's export: preview, and a bulk import in one transaction per file.

A batch row is written first ("running") in its own short transaction; the rows, identifiers,
search index and the batch's final state are then written in one transaction, so a failed,
cancelled or killed import leaves no rows behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from console import config
from console.domain.permissions import Permission
from console.errors import ConsoleError, ValidationError
from console.importers.errors import RowProblem
from console.importers.import_stream import ImportJob, items
from console.importers.mapping import Mapping, propose, validate
from console.importers.readers import open_table
from console.services import policy
from console.services.audit import record
from console.services.context import Actor
from console.services.records import sources
from console.services.records.batches import HOST
from console.services.records.import_rows import Counts, Unusable
from console.store import bulk_records, search_backend
from console.store.db import Database
from console.store.models import AuditEvent
from console.store.record_rows import RecordRows
from console.store.records_models import (
    ImportBatch,
    Record,
)

log = logging.getLogger("import")

CHUNK_ROWS = 5_000


class ImportCancelled(ConsoleError):
    """The user cancelled the import; nothing of it was kept."""


@dataclass(frozen=True)
class ImportPreview:
    headers: list[str]
    sample_rows: list[list[str | None]]
    mapping: Mapping
    proposed: bool
    notes: list[str]
    file_format: str
    # The file's own data-row number of each sample row (rows that cannot be imported are not
    # in the sample, so these are not always 1, 2, 3 …); rejected rows use the same numbers.
    sample_numbers: list[int] = field(default_factory=list)
    # Rows among those shown that the import will reject, each "file, row N, column …: reason".
    rejects: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    status: str  # completed, failed, cancelled
    rows_read: int
    rows_imported: int
    rows_duplicate: int
    rows_suppressed: int
    rows_rejected: int
    rejected: list[RowProblem]
    message: str
    file_name: str = ""
    unusable: list[Unusable] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1024 * 1024):
                digest.update(block)
    except OSError as exc:
        raise ValidationError(f"{path.name}: the file cannot be read ({exc.strerror}).") from exc
    return digest.hexdigest()


def preview(
    db: Database, actor: Actor, path: str | Path, source_name: str, *, rows: int = 20
) -> ImportPreview:
    """Headers, the first rows and the mapping to use: the source's saved one, else a proposal."""
    actor.require(Permission.IMPORT_RECORDS)
    info = sources.get_source(db, actor, source_name)
    name = Path(path).name
    with open_table(path, **config.input_limits()) as reader:
        sample: list[list[str | None]] = []
        numbers: list[int] = []
        problems: list[RowProblem] = []
        for item in reader:
            if isinstance(item, RowProblem):
                if len(sample) < rows:  # among the rows shown: say why one is missing
                    problems.append(item)
                continue
            numbers.append(item[0])
            sample.append(item[1])
            if len(sample) >= max(rows, 200):
                break
        headers, notes, fmt = reader.headers, list(reader.notes), reader.file_format
    mapping, proposed = _saved_or_proposed(info, headers, sample, notes, name)
    rejects = [p.message(name) for p in problems[:5]]
    if len(problems) > 5:
        rejects.append(f"… and {len(problems) - 5} more among the first {rows} rows.")
    return ImportPreview(
        headers, sample[:rows], mapping, proposed, notes, fmt, numbers[:rows], rejects
    )


def _saved_or_proposed(
    info: sources.SourceInfo,
    headers: list[str],
    sample: list[list[str | None]],
    notes: list[str],
    file_name: str,
) -> tuple[Mapping, bool]:
    if info.mapping is not None:
        saved = Mapping.from_json(info.mapping, source_name=info.name)
        try:
            validate(saved, headers, file_name=file_name)
        except ValidationError:
            notes.append(
                "The source's saved mapping does not fit this file's columns; "
                "a new mapping was proposed."
            )
        else:
            return saved, False
    return propose(headers, sample, default_region=info.default_region), True


def _proposal_for(path: Path, info: sources.SourceInfo) -> Mapping:
    with open_table(path, **config.input_limits()) as reader:
        sample: list[list[str | None]] = []
        for item in reader:
            if not isinstance(item, RowProblem):
                sample.append(item[1])
                if len(sample) >= 500:
                    break
        headers = reader.headers
    notes: list[str] = []
    return _saved_or_proposed(info, headers, sample, notes, path.name)[0]


def run_import(
    db: Database,
    actor: Actor,
    path: str | Path,
    source_name: str,
    mapping: Mapping | None = None,
    *,
    progress: Callable[[int, float | None], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    save_mapping: bool = True,
) -> ImportResult:
    """Import one file into a source. Known problems come back as a failed result, not raised.

    progress(rows read, fraction of the file read or None) is called after each chunk.
    """
    actor.require(Permission.IMPORT_RECORDS)
    path = Path(path)
    info = sources.get_source(db, actor, source_name)
    digest = file_sha256(path)
    with db.read() as s:
        earlier = s.execute(
            select(
                ImportBatch.id,
                ImportBatch.rows_read,
                ImportBatch.rows_imported,
                ImportBatch.rows_duplicate,
                ImportBatch.rows_suppressed,
                ImportBatch.rows_rejected,
            )
            .where(
                ImportBatch.source_id == info.id,
                ImportBatch.file_sha256 == digest,
                ImportBatch.status == "completed",
            )
            .order_by(ImportBatch.id.desc())
            .limit(1)
        ).first()
        if earlier is not None and earlier.rows_duplicate and _undone_since(s, info.id, earlier.id):
            # Rows this file shared with an older import (counted "already present" then) went
            # when that import was undone afterwards: the file is read again, and the rows
            # still there are recognised one by one.
            earlier = None
    if earlier is not None:
        with db.transaction() as s:
            record(
                s,
                actor,
                "records.import_repeat",
                "import_batch",
                earlier.id,
                {"source": info.name, "file_sha256": digest},
            )
        return ImportResult(
            earlier.id,
            "completed",
            earlier.rows_read,
            0,
            earlier.rows_imported + earlier.rows_duplicate,
            earlier.rows_suppressed,
            earlier.rows_rejected,
            [],
            f"{path.name} was already imported into {info.name} (batch {earlier.id}); "
            "nothing was added.",
            path.name,
        )
    if mapping is None:
        mapping = _proposal_for(path, info)
    with db.read() as s:
        unknown = set(policy.unknown_categories(s, mapping.categories().values()))
    for column, category in mapping.categories().items():
        if category in unknown:
            raise ValidationError(
                f'{path.name}, column "{column}": the mapping gives "{category}", which is not '
                "a data category of the policy pack in force."
            )
    with db.transaction() as s:
        batch = ImportBatch(
            source_id=info.id,
            file_name=path.name[:400],
            file_sha256=digest,
            file_format="",
            status="running",
            started_at=datetime.now(UTC),
            rows_read=0,
            rows_imported=0,
            rows_duplicate=0,
            rows_suppressed=0,
            rows_rejected=0,
            message="",
            mapping=json.dumps(mapping.to_json(), ensure_ascii=False),
            by_user=actor.name,
            host=HOST,
            pid=os.getpid(),
        )
        s.add(batch)
        s.flush()
        batch_id = batch.id
    try:
        return _import_rows(
            db, actor, path, info, mapping, batch_id, progress, cancelled, save_mapping
        )
    except ImportCancelled as exc:
        return _finish_unsuccessful(db, actor, batch_id, info, "cancelled", exc.message, path)
    except ConsoleError as exc:
        return _finish_unsuccessful(db, actor, batch_id, info, "failed", exc.message, path)
    except Exception:
        log.exception("import batch %s failed", batch_id)
        _finish_unsuccessful(db, actor, batch_id, info, "failed", "unexpected error", path)
        raise


def _finish_unsuccessful(
    db: Database,
    actor: Actor,
    batch_id: int,
    info: sources.SourceInfo,
    status: str,
    message: str,
    path: Path,
) -> ImportResult:
    with db.transaction() as s:
        s.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(status=status, message=message, finished_at=datetime.now(UTC))
        )
        # Which file, and why it stopped (messages name file, row and column, never values).
        details = {
            "source": info.name,
            "file_sha256": file_sha256_of_batch(s, batch_id),
            "reason": message,
        }
        record(s, actor, f"records.import_{status}", "import_batch", batch_id, details)
    return ImportResult(batch_id, status, 0, 0, 0, 0, 0, [], message, path.name)


def _import_rows(
    db: Database,
    actor: Actor,
    path: Path,
    info: sources.SourceInfo,
    mapping: Mapping,
    batch_id: int,
    progress: Callable[[int, float | None], None] | None,
    cancelled: Callable[[], bool] | None,
    save_mapping: bool,
) -> ImportResult:
    from console.services.records.suppression import digest_of, suppressed_digests

    counts = Counts()
    with db.transaction() as s:
        backend = search_backend.backend(s)
        backend.lock_batch(batch_id)
        # Another import into this source finishes first; its rows then count as present here.
        backend.lock_source(info.id)
        backend.prepare_bulk()
        job = ImportJob(
            path,
            mapping,
            info.default_region,
            suppressed_digests(s),
            digest_of,
            CHUNK_ROWS,
            backend.first_free_id(),
            config.input_limits(),
        )
        had_records = (
            s.execute(select(Record.id).where(Record.source_id == info.id).limit(1)).first()
            is not None
        )
        produced = items(job)
        tally: Any = None
        file_format = ""
        try:
            for item in produced:
                if item[0] == "chunk":
                    _write_chunk(s, backend, info.id, batch_id, job, item[1], had_records, counts)
                    if cancelled is not None and cancelled():
                        raise ImportCancelled("The import was cancelled; nothing was kept.")
                    if progress is not None:
                        progress(item[2], item[3])
                else:
                    tally, file_format = item[1], item[2]
        finally:
            close = getattr(produced, "close", None)
            if close is not None:
                close()
        assert tally is not None
        counts.read, counts.suppressed, counts.rejected = (
            tally.read,
            tally.suppressed,
            tally.rejected,
        )
        counts.problems = tally.problems
        counts.unusable = [Unusable(c, k, n, first) for c, k, n, first in tally.unusable]
        counts.duplicate = tally.duplicate + counts.existing
        backend.finish_bulk()
        if cancelled is not None and cancelled():
            raise ImportCancelled("The import was cancelled; nothing was kept.")
        message = _summary(path.name, counts)
        s.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(
                status="completed",
                finished_at=datetime.now(UTC),
                file_format=file_format,
                rows_read=counts.read,
                rows_imported=counts.imported,
                rows_duplicate=counts.duplicate,
                rows_suppressed=counts.suppressed,
                rows_rejected=counts.rejected,
                message=message,
            )
        )
        if save_mapping:
            sources.store_mapping(s, actor, info.id, mapping)
        record(
            s,
            actor,
            "records.import",
            "import_batch",
            batch_id,
            {
                "source": info.name,
                "file_sha256": file_sha256_of_batch(s, batch_id),
                "rows_read": counts.read,
                "rows_imported": counts.imported,
                "rows_duplicate": counts.duplicate,
                "rows_suppressed": counts.suppressed,
                "rows_rejected": counts.rejected,
            },
        )
    search_backend.Backend.after_bulk(db.engine)
    if progress is not None:
        progress(counts.read, 1.0)
    log.info("import batch %s: %s rows imported", batch_id, counts.imported)
    return ImportResult(
        batch_id,
        "completed",
        counts.read,
        counts.imported,
        counts.duplicate,
        counts.suppressed,
        counts.rejected,
        counts.problems,
        message,
        path.name,
        counts.unusable,
    )


def file_sha256_of_batch(s: Any, batch_id: int) -> str:
    return str(
        s.execute(select(ImportBatch.file_sha256).where(ImportBatch.id == batch_id)).scalar_one()
    )


def _write_chunk(
    s: Any,
    backend: search_backend.Backend,
    source_id: int,
    batch_id: int,
    job: ImportJob,
    rows: RecordRows,
    had_records: bool,
    counts: Counts,
) -> None:
    if had_records:
        existing = set(
            s.execute(
                select(Record.dedupe_key).where(
                    Record.source_id == source_id, Record.dedupe_key.in_(rows.dedupe_key)
                )
            ).scalars()
        )
        if existing:
            kept = rows.without(existing)
            counts.existing += len(rows) - len(kept)
            rows = kept
    bulk_records.write(backend, rows, source_id, batch_id, ids_given=job.first_id is not None)
    counts.imported += len(rows)


def _summary(file_name: str, c: Counts) -> str:
    noun = "row" if c.imported == 1 else "rows"
    parts = [f"{c.imported:,} {noun} imported from {file_name}"]
    if c.duplicate:
        parts.append(f"{c.duplicate:,} already present")
    if c.suppressed:
        parts.append(f"{c.suppressed:,} skipped (suppressed)")
    if c.rejected:
        parts.append(f"{c.rejected:,} rejected")
    text = ", ".join(parts) + "."
    if c.unusable:
        text += " Not linked: " + "; ".join(u.describe() for u in c.unusable) + "."
    return text


def _undone_since(s: Any, source_id: int, batch_id: int) -> bool:
    """Whether an older import of the source was undone after this batch was imported.

    The order comes from the audit trail, which records both (append-only, in sequence).
    """
    older_undone = [
        str(i)
        for i in s.execute(
            select(ImportBatch.id).where(
                ImportBatch.source_id == source_id,
                ImportBatch.id < batch_id,
                ImportBatch.status == "undone",
            )
        ).scalars()
    ]
    if not older_undone:
        return False
    imported_at = (
        select(func.max(AuditEvent.seq))
        .where(
            AuditEvent.object_type == "import_batch",
            AuditEvent.object_id == str(batch_id),
            AuditEvent.action == "records.import",
        )
        .scalar_subquery()
    )
    return (
        s.execute(
            select(AuditEvent.seq)
            .where(
                AuditEvent.object_type == "import_batch",
                AuditEvent.object_id.in_(older_undone),
                AuditEvent.action == "records.import_undo",
                AuditEvent.seq > imported_at,
            )
            .limit(1)
        ).first()
        is not None
    )
