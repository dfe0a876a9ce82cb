from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from console.domain.auditchain import Anchor
from console.domain.permissions import Role
from console.services import accounts, audit
from console.services.context import Actor
from console.store.db import Database, open_database


def _fill(db: Database, admin: Actor, n: int = 5) -> None:
    for i in range(n):
        accounts.add_user(db, admin, f"user{i}", Role.AUDITOR)


def _drop_guards(db: Database) -> None:
    """What an attacker with write access to the database file would do first."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_change ON audit_events"))


def test_every_change_is_an_event_and_the_chain_verifies(
    any_db: Database, any_admin: Actor
) -> None:
    _fill(any_db, any_admin)
    result = audit.verify(any_db, any_admin)
    assert result.ok and result.events_checked == 6  # the first admin and five users
    actions = [e.action for e in audit.list_events(any_db, any_admin)]
    assert actions.count("user.create") == 6 and actions[-1] == "audit.verify"


def test_the_database_refuses_to_edit_or_delete_events(any_db: Database, any_admin: Actor) -> None:
    with pytest.raises(DBAPIError, match="append-only"), any_db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))
    with pytest.raises(DBAPIError, match="append-only"), any_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 1"))


@pytest.mark.parametrize(
    ("tamper", "broken", "why"),
    [
        ('UPDATE audit_events SET details = \'{"name":"x"}\' WHERE seq = 3', 3, "edited"),
        ("DELETE FROM audit_events WHERE seq = 3", 3, "missing"),
        (
            "UPDATE audit_events SET prev_hash = (SELECT hash FROM audit_events WHERE seq = 1) "
            "WHERE seq = 4",
            4,
            "link",
        ),
    ],
)
def test_each_kind_of_tampering_is_found_and_named(
    any_db: Database, any_admin: Actor, tamper: str, broken: int, why: str
) -> None:
    _fill(any_db, any_admin)
    _drop_guards(any_db)
    with any_db.engine.begin() as conn:
        conn.execute(text(tamper))
    result = audit.verify(any_db, any_admin)
    assert not result.ok
    assert result.broken_seq == broken
    assert why in result.reason


def test_swapping_two_events_is_found(db: Database, admin: Actor) -> None:
    _fill(db, admin)
    _drop_guards(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_events SET seq = 3 WHERE seq = 4"))
        conn.execute(text("UPDATE audit_events SET seq = 4 WHERE seq = -1"))
    result = audit.verify(db, admin)
    assert not result.ok and result.broken_seq == 3


def test_an_anchor_pins_the_trail_against_a_truncation(db: Database, admin: Actor) -> None:
    _fill(db, admin)
    head = audit.head(db, admin)
    assert head is not None
    assert audit.verify(db, admin, anchors=(head,)).ok
    _drop_guards(db)
    with db.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM audit_events WHERE seq >= {head.seq}"))
    assert audit.verify(db, admin).ok  # without the anchor a cut tail cannot be seen...
    result = audit.verify(db, admin, anchors=(Anchor(head.seq, head.hash),))
    assert not result.ok and result.broken_seq == head.seq  # ...with it, it can


def test_concurrent_writers_keep_one_valid_chain(any_url: str) -> None:
    first = open_database(any_url)
    admin = accounts.bootstrap_admin(first, "admin", "correct horse battery staple")
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        db = open_database(any_url)
        try:
            for i in range(8):
                accounts.add_user(db, admin, f"w{k}-{i}", Role.AUDITOR)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = audit.verify(first, admin)
    assert result.ok and result.events_checked == 1 + 32
    first.dispose()
