"""Sessions re-check the actor: a window left open never keeps powers its account has lost."""

from __future__ import annotations

import pytest

from console.domain.permissions import Role
from console.errors import AccountChanged, PermissionDenied
from console.services import accounts, audit
from console.services.context import Actor
from console.services.records import sources
from console.store.db import Database
from tests.fixtures import PASSWORD


def _signed_in(db: Database, admin: Actor, name: str, role: Role) -> Actor:
    accounts.add_user(db, admin, name, role)
    accounts.set_password_for_demo(db, name, PASSWORD)
    return accounts.authenticate(db, name, PASSWORD)


def test_an_admin_demoted_at_another_desk_is_refused_in_the_open_window(
    any_db: Database, any_admin: Actor
) -> None:
    bob = _signed_in(any_db, any_admin, "bob", Role.ADMIN)
    assert accounts.list_users(any_db, bob)  # bob works as an admin
    accounts.change_role(any_db, any_admin, bob.id or 0, Role.AUDITOR)
    with pytest.raises(AccountChanged, match=r"role changed.*Auditor") as refused:
        accounts.add_user(any_db, bob, "mallory", Role.ADMIN)
    assert "nothing was done" in str(refused.value)
    assert [u.name for u in accounts.list_users(any_db, any_admin)] == ["admin", "bob"]
    denied = audit.list_events(any_db, any_admin)[-1]
    assert (denied.actor, denied.action, denied.object_id) == (
        "bob",
        "access.denied",
        "users.manage",
    )
    assert denied.details == {"role": "admin", "reason": "role changed after sign-in"}


def test_a_user_disabled_at_another_desk_can_no_longer_read_anything(
    any_db: Database, any_admin: Actor
) -> None:
    olivia = _signed_in(any_db, any_admin, "olivia", Role.PRIVACY_OFFICER)
    sources.add_source(any_db, olivia, "CRM", "crm")
    accounts.set_active(any_db, any_admin, olivia.id or 0, False)
    with pytest.raises(AccountChanged, match="disabled"):
        sources.list_sources(any_db, olivia)
    assert audit.list_events(any_db, any_admin)[-1].details["reason"] == (
        "account disabled after sign-in"
    )


def test_signing_in_again_after_a_role_change_works_with_the_new_role(
    db: Database, admin: Actor
) -> None:
    leo = _signed_in(db, admin, "leo", Role.LEGAL)
    accounts.change_role(db, admin, leo.id or 0, Role.AUDITOR)
    again = accounts.authenticate(db, "leo", PASSWORD)
    assert again.role is Role.AUDITOR
    assert accounts.list_users(db, again)


def test_a_refusal_by_role_is_recorded_without_personal_data(db: Database, admin: Actor) -> None:
    auditor = _signed_in(db, admin, "aud", Role.AUDITOR)
    with pytest.raises(PermissionDenied, match=r"permission to manage user accounts"):
        accounts.add_user(db, auditor, "jane.doe@example.com", Role.ADMIN)
    denied = audit.list_events(db, admin)[-1]
    assert denied.action == "access.denied" and denied.actor == "aud"
    assert denied.details == {"role": "auditor", "reason": "permission not held"}
    assert "jane" not in str(denied)
