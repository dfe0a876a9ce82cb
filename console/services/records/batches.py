"""Import batches: the list with each one's state (an interrupted import shows as such), and undo.

Undoing removes the rows a completed import added, refused while any of them is on hold.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from console.domain.permissions import Permission
from console.errors import NotFound, ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.services.records.model import aware
from console.store import search_backend
from console.store.db import Database
from console.store.records_models import (
    ImportBatch,
    Record,
    RecordHold,
    RecordIdentifier,
    Source,
)

# The machine an import runs on: its batch names it, so a dead import on this machine is seen.
HOST = socket.gethostname()[:255]


@dataclass(frozen=True)
class BatchInfo:
    id: int
    source: str
    file_name: str
    file_sha256: str
    status: str  # running, interrupted, completed, failed, cancelled, undone
    started_at: datetime
    finished_at: datetime | None
    rows_imported: int
    rows_rejected: int
    rows_suppressed: int
    by: str
    message: str = ""  # the summary, why it failed, or what undoing it removed


def list_batches(
    db: Database, actor: Actor, source_name: str | None = None, *, batch_id: int | None = None
) -> list[BatchInfo]:
    actor.require(Permission.VIEW_SOURCES)
    with db.read() as s:
        stmt = select(ImportBatch, Source.name).join(Source, Source.id == ImportBatch.source_id)
        if source_name is not None:
            stmt = stmt.where(Source.name == source_name)
        if batch_id is not None:
            stmt = stmt.where(ImportBatch.id == batch_id)
        rows = s.execute(stmt.order_by(ImportBatch.id.desc())).all()
        running = [b.id for b, _ in rows if b.status == "running"]
        dead = search_backend.backend(s).unlocked_running(running) if running else set()
        out = []
        for b, name in rows:
            status = b.status
            if status == "running" and _is_gone(b, dead):
                status = "interrupted"
            out.append(
                BatchInfo(
                    b.id,
                    name,
                    b.file_name,
                    b.file_sha256,
                    status,
                    aware(b.started_at),
                    aware(b.finished_at) if b.finished_at else None,
                    b.rows_imported,
                    b.rows_rejected,
                    b.rows_suppressed,
                    b.by_user,
                    b.message,
                )
            )
    return out


def _is_gone(b: ImportBatch, unlocked: set[int] | None) -> bool:
    if unlocked is not None:
        return b.id in unlocked
    if b.host != HOST:
        return False  # another machine's import: we cannot tell, so it shows as running
    try:
        os.kill(b.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _later_sharing_note(s: Any, batch: ImportBatch) -> str:
    """Later imports of the source that found rows already present: some may have been this
    batch's, gone with it; their files can be imported again to bring those back."""
    later = s.execute(
        select(ImportBatch.id, ImportBatch.file_name)
        .where(
            ImportBatch.source_id == batch.source_id,
            ImportBatch.id > batch.id,
            ImportBatch.status == "completed",
            ImportBatch.rows_duplicate > 0,
        )
        .order_by(ImportBatch.id)
    ).all()
    if not later:
        return ""
    shown = ", ".join(f"{name} (batch {bid})" for bid, name in later[:5])
    more = f" and {len(later) - 5} more" if len(later) > 5 else ""
    return (
        f" Later imports found rows already present: {shown}{more}; rows they shared with this "
        "one went too: import those files again to bring them back."
    )


def undo_batch(db: Database, actor: Actor, batch_id: int) -> int:
    """Remove the records a completed import added (refused while any of them is on hold)."""
    actor.require(Permission.UNDO_IMPORT)
    with db.transaction() as s:
        batch = s.get(ImportBatch, batch_id)
        if batch is None:
            raise NotFound(f"No import batch {batch_id}.")
        if batch.status == "running" and _is_gone(
            batch, search_backend.backend(s).unlocked_running([batch_id])
        ):
            raise ValidationError(
                f"Import batch {batch_id} was interrupted (its process ended before it finished); "
                "nothing of it was kept, so there is nothing to undo."
            )
        if batch.status != "completed":
            raise ValidationError(
                f"Import batch {batch_id} is {batch.status}; only a completed import can be undone."
            )
        in_batch = select(Record.id).where(Record.batch_id == batch_id, Record.erased_at.is_(None))
        held = s.execute(
            select(RecordHold.id)
            .where(RecordHold.record_id.in_(in_batch), RecordHold.released_at.is_(None))
            .limit(1)
        ).first()
        if held is not None:
            raise ValidationError(
                f"Import batch {batch_id} has records under a legal hold; "
                "release the hold before undoing the import."
            )
        search_backend.backend(s).unindex_batch(batch_id)
        s.execute(delete(RecordIdentifier).where(RecordIdentifier.record_id.in_(in_batch)))
        s.execute(delete(RecordHold).where(RecordHold.record_id.in_(in_batch)))
        removed = s.execute(
            delete(Record).where(Record.batch_id == batch_id, Record.erased_at.is_(None))
        )
        count = int(removed.rowcount or 0)  # type: ignore[attr-defined]
        batch.status = "undone"
        batch.message = f"Undone: {count:,} rows removed." + _later_sharing_note(s, batch)
        record(s, actor, "records.import_undo", "import_batch", batch_id, {"rows_removed": count})
    return count
