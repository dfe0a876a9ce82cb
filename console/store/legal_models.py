"""SQLAlchemy models of legal requests: intake, documents, review, holds, productions, disclosures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import Base


class LegalRequest(Base):
    __tablename__ = "legal_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_type: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    agency: Mapped[str] = mapped_column(String(200))
    officer: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    jurisdiction: Mapped[str] = mapped_column(String(200), default="")
    case_number: Mapped[str] = mapped_column(String(200), default="")
    served_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    categories: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of policy category ids
    data_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    data_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    emergency_justification: Mapped[str] = mapped_column(Text, default="")
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ndo: Mapped[bool] = mapped_column(Boolean, default=False)
    ndo_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    notice_delay_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_given_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads a plain dict


class LegalIdentifier(Base):
    """An identifier the request specifies, normalised; an IP carries the time range it was seen in."""

    __tablename__ = "legal_identifiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("legal_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(400), index=True)
    seen_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    seen_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LegalDocument(Base):
    """The served document itself, kept in the database with its SHA-256 (checked on every read)."""

    __tablename__ = "legal_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("legal_requests.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class LegalChecklistItem(Base):
    __tablename__ = "legal_checklist"
    __table_args__ = (UniqueConstraint("request_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("legal_requests.id", ondelete="CASCADE"), index=True
    )
    item_key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[str] = mapped_column(String(64), default="")
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LegalHold(Base):
    """A preservation hold placed for a request; the held records are marked in the records store."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("legal_requests.id"), index=True)
    reason: Mapped[str] = mapped_column(String(400))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    placed_by: Mapped[str] = mapped_column(String(64))
    until: Mapped[date] = mapped_column(Date, index=True)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    released_by: Mapped[str] = mapped_column(String(64), default="")
    release_reason: Mapped[str] = mapped_column(Text, default="")


class LegalProduction(Base):
    """One numbered production: which records went out, as which files, with which hashes."""

    __tablename__ = "legal_productions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("legal_requests.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    first_number: Mapped[int] = mapped_column(Integer, unique=True)
    last_number: Mapped[int] = mapped_column(Integer, unique=True)
    record_count: Mapped[int] = mapped_column(Integer)
    produced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    produced_by: Mapped[str] = mapped_column(String(64))
    folder: Mapped[str] = mapped_column(Text)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    # JSON: the identifiers, categories and dates the production was cut to ("{}": made before
    # productions were scoped), and legal's decisions on undated records.
    scope: Mapped[str] = mapped_column(Text, default="{}")
    override_reason: Mapped[str] = mapped_column(Text, default="")  # "": stayed within scope


class LegalProductionItem(Base):
    __tablename__ = "legal_production_items"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("legal_productions.id", ondelete="CASCADE"), index=True
    )
    # No foreign key: the record may be erased later; the production keeps what went out.
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(200))
    row_number: Mapped[int] = mapped_column(Integer)
    matched: Mapped[str] = mapped_column(Text, default="")  # the identifier that brought it in
    categories: Mapped[str] = mapped_column(Text, default="[]")  # JSON: the categories produced


class LegalDisclosure(Base):
    """The disclosure log: what went to whom, when, how, under what legal basis."""

    __tablename__ = "legal_disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("legal_requests.id"), index=True)
    production_id: Mapped[int | None] = mapped_column(
        ForeignKey("legal_productions.id"), nullable=True
    )
    disclosed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    recipient: Mapped[str] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(400))
    what: Mapped[str] = mapped_column(Text)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(64))
