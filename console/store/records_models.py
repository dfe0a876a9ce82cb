"""Models of collected records: sources, import batches, records, identifiers, holds, suppression.

The search index itself (FTS5 on SQLite, a trigram index on PostgreSQL) is dialect-specific and
lives in console.store.search_backend, outside this metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from hashlib import blake2b

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from console.store.models import Base

# 64-bit on PostgreSQL; on SQLite an INTEGER primary key is already the 64-bit rowid.
RecordId = BigInteger().with_variant(Integer, "sqlite")


class Source(Base):
    """A system or channel whose exports are imported (a CRM, a newsletter list, a cookie log)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(200), default="")
    system: Mapped[str] = mapped_column(String(200), default="")
    categories: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of category ids
    retention: Mapped[str] = mapped_column(String(200), default="")
    default_region: Mapped[str] = mapped_column(String(2), default="US")
    mapping: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON, DESIGN.md format
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))


class ImportBatch(Base):
    """One import of one file. Written as "running" before the rows, finished in their transaction."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(400))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(16), default="")
    # running, completed, failed, cancelled, undone ("interrupted" is derived, never stored)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_suppressed: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    mapping: Mapped[str] = mapped_column(Text, default="{}")  # the mapping this import used
    by_user: Mapped[str] = mapped_column(String(64))
    # Who runs it, so a batch left "running" by a process that died can be told apart.
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)


class Record(Base):
    """One imported row: every original value, where it came from, and its search text.

    An erased record stays as a tombstone: values, search text and identifiers are gone, the
    dedupe key remains so a re-import of the same row cannot bring it back.
    """

    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("source_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(RecordId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id"), nullable=True, index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)
    collected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # 64-bit digest of the record key columns (or of the whole row when the mapping has none).
    dedupe_key: Mapped[int] = mapped_column(BigInteger)
    values_json: Mapped[str] = mapped_column(Text)  # {"column": "original text" | null, ...}
    # {"column": "category", ...} for the columns with a value; "" when that is every categorised
    # column of the batch's mapping (most rows; console.services.records.search resolves it when read).
    categories_json: Mapped[str] = mapped_column(Text, default="{}")
    # Folded tokens of every value, " tok tok " (console.store.search_backend.search_text).
    search_text: Mapped[str] = mapped_column(Text, default="")
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    erased_ref: Mapped[str] = mapped_column(String(200), default="")


class RecordIdentifier(Base):
    """A normalised identifier found in a record's column: what lookup and subject find match on.

    Keyed (record, column), so an import appends in key order; lookups go through the narrow
    index on ``key``, a 64-bit digest of "kind:value" (identifier_key), and then check kind and
    value. A B-tree of long text keys filled in random order was most of a big import's time.
    """

    __tablename__ = "record_identifiers"
    __table_args__ = (
        Index("ix_record_identifiers_key", "key"),
        {"sqlite_with_rowid": False},
    )

    record_id: Mapped[int] = mapped_column(
        RecordId, ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    column: Mapped[str] = mapped_column(String(400), primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(String(400))
    key: Mapped[int] = mapped_column(BigInteger)


def identifier_key(kind: str, value: str) -> int:
    """The 64-bit (signed) digest of "kind:value" that record_identifiers is looked up by."""
    return int.from_bytes(
        blake2b(f"{kind}:{value}".encode(), digest_size=8).digest(), "big", signed=True
    )


def identifiers_of(
    session: Session, record_ids: Sequence[int]
) -> dict[int, list[tuple[str, str, str]]]:
    """(kind, value, column) of each record's identifiers, in column order; read by primary key."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    ordered = sorted(set(record_ids))
    for start in range(0, len(ordered), 500):
        part = ordered[start : start + 500]
        rows = session.execute(
            select(
                RecordIdentifier.record_id,
                RecordIdentifier.kind,
                RecordIdentifier.value,
                RecordIdentifier.column,
            )
            .where(RecordIdentifier.record_id.in_(part))
            .order_by(RecordIdentifier.record_id, RecordIdentifier.column)
        )
        for rid, kind, value, column in rows:
            found.setdefault(rid, []).append((kind, value, column))
    return found


class RecordHold(Base):
    """A legal hold on one record: erasure is refused while any unreleased hold covers it."""

    __tablename__ = "record_holds"
    __table_args__ = (UniqueConstraint("record_id", "hold_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        RecordId, ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    hold_ref: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(String(400), default="")
    until: Mapped[date | None] = mapped_column(Date, nullable=True)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Suppression(Base):
    """An identifier of an erased or opted-out subject, kept only as SHA-256 of "kind:value"."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(400), default="")
    request_ref: Mapped[str] = mapped_column(String(100), default="")
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added_by: Mapped[str] = mapped_column(String(64))


class Tombstone(Base):
    """What is left of an erased record: hashed identifiers, who erased it, when and why."""

    __tablename__ = "record_tombstones"

    record_id: Mapped[int] = mapped_column(RecordId, ForeignKey("records.id"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    identifier_digests: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of SHA-256
    reason: Mapped[str] = mapped_column(String(400), default="")
    request_ref: Mapped[str] = mapped_column(String(100), default="")
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    erased_by: Mapped[str] = mapped_column(String(64))


__all__ = [
    "ImportBatch",
    "Record",
    "RecordHold",
    "RecordIdentifier",
    "Source",
    "Suppression",
    "Tombstone",
    "identifier_key",
    "identifiers_of",
]
