"""Keyed hashes (HMAC-SHA256 under the installation's key) that stand in the audit trail for
what users typed: the same text always gives the same hash on every desk of a database, and
without the key nobody can test a guess against it, let alone read the text back.

SQLite: the key is a row of the database file (whoever can read the file reads the data it
protects anyway). PostgreSQL: the server computes the hash (console_keyed_hash, SECURITY
DEFINER), so a desk role that may not read installation_keys still gets hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from console.store.models import InstallationKey

KEY_NAME = "audit-hmac"
# Its keyed hash names the key in use (and tells nothing of it).
KEY_ID_MESSAGE = "console:key-id"


def keyed_hashes(session: Session, messages: Sequence[str]) -> list[str]:
    """HMAC-SHA256 of each message (UTF-8) under the installation's key, as hex."""
    if not messages:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT console_keyed_hash(m) FROM unnest(CAST(:ms AS text[])) "
                "WITH ORDINALITY AS t(m, n) ORDER BY n"
            ),
            {"ms": list(messages)},
        ).scalars()
        return [str(r) for r in rows]
    key = session.execute(
        select(InstallationKey.key).where(InstallationKey.name == KEY_NAME)
    ).scalar_one()
    return [hmac.new(key, m.encode("utf-8"), hashlib.sha256).hexdigest() for m in messages]


def key_id(session: Session) -> str:
    """A short name for the key in use (a keyed hash of a fixed text: it tells nothing of it)."""
    return keyed_hashes(session, [KEY_ID_MESSAGE])[0][:12]
