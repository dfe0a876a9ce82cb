"""Saving an object someone else changed since you read it is a conflict, never a silent
overwrite, and it reads the same everywhere. Models carry a `version` column (SQLAlchemy
version_id_col); services call check_version() with the version the user saw, and flush through
flush_or_conflict() (or conflicts_as_errors()), so a lost race names who won.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from console.errors import ConflictError
from console.store.models import AuditEvent


def last_change(
    session: Session | Connection, object_type: str, object_id: str | int
) -> tuple[str, str, str] | None:
    """(who, action, when) of the newest audit event that changed the object, or None.

    Opening an object is audited too (dsr.view, legal.document_view, ...); that changes nothing.
    """
    row = session.execute(
        select(AuditEvent.actor, AuditEvent.action, AuditEvent.at)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .where(AuditEvent.action.not_like("%view"))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def conflict_message(what: str, change: tuple[str, str, str] | None) -> str:
    if change is None:
        return f"{what} was changed by someone else since you opened it. Reload it and try again."
    who, action, when = change
    return (
        f"{what} was changed by {who} ({action}, {when[:19].replace('T', ' ')} UTC) since you "
        "opened it. Reload it to see their change, then make yours again."
    )


def check_version(
    session: Session,
    obj: Any,
    expected_version: int | None,
    *,
    object_type: str,
    what: str,
) -> None:
    """Raise ConflictError naming who changed obj if its version is not the one the user saw.

    expected_version None means the caller does not track versions (no check).
    """
    if expected_version is None or obj.version == expected_version:
        return
    raise ConflictError(conflict_message(what, last_change(session, object_type, obj.id)))


@contextmanager
def conflicts_as_errors(
    session: Session, *, object_type: str, object_id: str | int, what: str
) -> Iterator[None]:
    """Turn SQLAlchemy's StaleDataError (a concurrent save won the race) into a ConflictError."""
    try:
        yield
        session.flush()
    except StaleDataError:
        # This session's transaction is dead now; ask who won on a connection of its own.
        bind = session.get_bind()
        engine = bind.engine if isinstance(bind, Connection) else bind
        with engine.connect() as conn:
            change = last_change(conn, object_type, object_id)
        raise ConflictError(conflict_message(what, change)) from None


def flush_or_conflict(
    session: Session, *, object_type: str, object_id: str | int, what: str
) -> None:
    """session.flush(), with a lost race reported as a ConflictError naming the winner."""
    with conflicts_as_errors(session, object_type=object_type, object_id=object_id, what=what):
        pass
