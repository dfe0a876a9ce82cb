"""SQLAlchemy models of data-subject requests: the request, its identifiers, clock ledger, tasks
and the records attached to it.

The due date is stored only as a copy for sorting and filtering; services recompute it from the
ledger rows on every ledger change (console.domain.deadlines.compute is the only source of truth).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import Base


class DsrRequest(Base):
    __tablename__ = "dsr_requests"
    __table_args__ = (
        Index("ix_dsr_requests_status_due", "status", "due_on", "paused_since"),
        Index("ix_dsr_requests_status_type", "status", "request_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_type: Mapped[str] = mapped_column(String(32))
    law: Mapped[str] = mapped_column(String(16), index=True)
    country: Mapped[str | None] = mapped_column(String(16), nullable=True)
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    requester_address: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[date] = mapped_column(Date, index=True)
    # Copies of what deadlines.compute says for the current ledger (for sorting and filters).
    due_on: Mapped[date] = mapped_column(Date, index=True)
    original_due_on: Mapped[date] = mapped_column(Date)
    acknowledge_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    paused_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    denial_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    denial_text: Mapped[str] = mapped_column(Text, default="")
    identity_method: Mapped[str | None] = mapped_column(String(64), nullable=True)
    identity_evidence: Mapped[str | None] = mapped_column(String(200), nullable=True)
    identity_verified_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    identity_verified_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    policy_version: Mapped[str | None] = mapped_column(String(80), nullable=True)
    fulfilment: Mapped[str] = mapped_column(Text, default="{}")  # JSON: files, erased, held, ...
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads a plain dict


class DsrIdentifier(Base):
    """An identifier the requester gave, raw and normalised (duplicate detection, subject search)."""

    __tablename__ = "dsr_identifiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("dsr_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(320))
    normalised: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)


class DsrClockEntry(Base):
    """One entry of a request's clock ledger; entries are only ever added."""

    __tablename__ = "dsr_clock_entries"
    __table_args__ = (UniqueConstraint("request_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))  # UK GDPR Art. 12A events (0010)
    at: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500), default="")
    requester_told_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DsrTask(Base):
    """A piece of work in one source system: search, delete, correct or confirm."""

    __tablename__ = "dsr_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("dsr_requests.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class DsrRecord(Base):
    """A collected record found for the requester and attached to the request."""

    __tablename__ = "dsr_records"
    __table_args__ = (UniqueConstraint("request_id", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("records.id"), index=True
    )
    source: Mapped[str] = mapped_column(String(200))
    row: Mapped[int] = mapped_column(Integer)
    link: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of identifiers followed
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # erased, held, ...
    outcome_detail: Mapped[str] = mapped_column(Text, default="")
    attached_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # confirmed, excluded or awaiting (console.services.requests.review): only a confirmed
    # record is ever disclosed, erased or corrected.
    review: Mapped[str] = mapped_column(String(16), default="awaiting")
    review_note: Mapped[str] = mapped_column(Text, default="")  # the confirmation note or reason
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: by link
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DsrRedaction(Base):
    """A field of a confirmed record left out of the request's access package, and why.

    The record itself is unchanged: the redaction applies to what this request discloses.
    """

    __tablename__ = "dsr_redactions"
    __table_args__ = (UniqueConstraint("request_id", "record_id", "column"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("records.id")
    )
    column: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(Text)
    redacted_by: Mapped[str] = mapped_column(String(64))
    redacted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
