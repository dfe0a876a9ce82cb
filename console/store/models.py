"""SQLAlchemy models of the foundation: accounts, the audit trail, policy pack versions, settings.

Other areas (records, requests, legal) keep their models in their own modules on the same Base.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32))
    # Deferred: read only where a password is checked. In team mode the hash is unused (the
    # server authenticates) and desk roles may not read the column at all.
    password_hash: Mapped[str] = mapped_column(String(255), deferred=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # Failed logins slow the next attempt down until this moment; never a permanent lockout.
    retry_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # A one-time password stops working at this moment; NULL for a password the user chose.
    password_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads a plain dict


class AuditEvent(Base):
    """One append-only, hash-chained event. Never updated or deleted (triggers refuse it)."""

    __tablename__ = "audit_events"
    # The history of one object (a request, a legal matter, a record) is read by this pair.
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC; hashed as this exact text
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(128), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class PolicyPackVersion(Base):
    """A policy pack as loaded, kept forever so a response can cite the version in force."""

    __tablename__ = "policy_packs"
    __table_args__ = (UniqueConstraint("pack_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    effective_date: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class Setting(Base):
    """Organisation-wide settings stored in the database (shared by a team)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class TeamSetup(Base):
    """Team mode on PostgreSQL (one row, written by `team setup` as the owner role).

    Its presence makes a database run in team mode: each desk signs in as its own database
    role, a member of the group role of its console role (role_prefix + admin, officer, ...).
    """

    __tablename__ = "team_setup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner: Mapped[str] = mapped_column(String(63))
    role_prefix: Mapped[str] = mapped_column(String(40))
    set_up_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InstallationKey(Base):
    """Secrets of this installation, the same for every desk of a team database.

    'audit-hmac' keys the hashes that stand in the audit trail for what users typed (searches,
    identifiers): an auditor can ask "did anyone search for X?" without the trail holding X.
    In team mode no desk role may read this table; the database computes the hashes in a
    SECURITY DEFINER function (console.store.keyed_hash).
    """

    __tablename__ = "installation_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
