from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.permissions import Role
from console.errors import PermissionDenied, ValidationError
from console.services import accounts, audit
from console.services.context import Actor
from console.store.db import Database
from tests.fixtures import PASSWORD, UserMaker


def test_the_right_password_signs_in_and_is_recorded(db: Database, admin: Actor) -> None:
    actor = accounts.authenticate(db, "admin", PASSWORD)
    assert actor.role is Role.ADMIN
    assert audit.list_events(db, admin)[-1].action == "login"


def test_a_wrong_password_is_refused_without_saying_whether_the_user_exists(
    db: Database, admin: Actor
) -> None:
    with pytest.raises(accounts.AuthError) as wrong_pw:
        accounts.authenticate(db, "admin", "not the password at all")
    with pytest.raises(accounts.AuthError) as no_user:
        accounts.authenticate(db, "nobody", "not the password at all")
    assert str(wrong_pw.value) == str(no_user.value)
    failed = [e for e in audit.list_events(db, admin) if e.action == "login.failed"]
    assert len(failed) == 2


def test_repeated_failures_slow_sign_in_down_but_never_lock_for_good(
    db: Database, admin: Actor
) -> None:
    t0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    for i in range(4):
        with pytest.raises(accounts.AuthError):
            accounts.authenticate(
                db, "admin", "wrong password!!", now=t0 + timedelta(seconds=i * 10)
            )
    # The fourth failure asks for a pause: even the right password is refused right away,
    # with the same words as a wrong one; only the audit trail says why.
    just_after = t0 + timedelta(seconds=30, milliseconds=500)
    with pytest.raises(accounts.AuthError) as paused:
        accounts.authenticate(db, "admin", PASSWORD, now=just_after)
    assert str(paused.value) == accounts.SIGN_IN_REFUSED
    assert audit.list_events(db, admin)[-1].details["reason"] == "too soon after failures"
    later = t0 + timedelta(minutes=10)
    assert accounts.authenticate(db, "admin", PASSWORD, now=later).name == "admin"


def test_a_new_user_gets_a_one_time_password_that_must_be_changed(
    db: Database, admin: Actor
) -> None:
    info, otp = accounts.add_user(db, admin, "olivia", Role.PRIVACY_OFFICER)
    assert info.must_change_password
    olivia = accounts.authenticate(db, "olivia", otp)
    assert accounts.must_change_password(db, olivia)
    with pytest.raises(ValidationError, match="at least 12"):
        accounts.change_own_password(db, olivia, otp, "short")
    accounts.change_own_password(db, olivia, otp, "a much longer passphrase")
    assert not accounts.must_change_password(db, olivia)
    assert accounts.authenticate(db, "olivia", "a much longer passphrase").name == "olivia"


def test_a_service_called_by_the_wrong_role_is_refused(db: Database, make_user: UserMaker) -> None:
    auditor = make_user(Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        accounts.add_user(db, auditor, "eve", Role.ADMIN)
    officer = make_user(Role.PRIVACY_OFFICER)
    with pytest.raises(PermissionDenied):
        accounts.reset_password(db, officer, auditor.id or 0)


def test_the_last_admin_cannot_be_demoted_or_disabled(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="last admin"):
        accounts.change_role(db, admin, admin.id or 0, Role.AUDITOR)
    other, _ = accounts.add_user(db, admin, "second", Role.ADMIN)
    with pytest.raises(ValidationError, match="own account"):
        accounts.set_active(db, admin, admin.id or 0, False)
    accounts.change_role(db, admin, other.id, Role.AUDITOR)
    with pytest.raises(ValidationError, match="last admin"):
        accounts.change_role(db, admin, admin.id or 0, Role.LEGAL)


def test_a_disabled_account_cannot_sign_in(db: Database, admin: Actor) -> None:
    info, otp = accounts.add_user(db, admin, "leo", Role.LEGAL)
    accounts.set_active(db, admin, info.id, False)
    with pytest.raises(accounts.AuthError) as refused:
        accounts.authenticate(db, "leo", otp)
    assert str(refused.value) == accounts.SIGN_IN_REFUSED
    assert audit.list_events(db, admin)[-1].details == {"reason": "account disabled"}


def test_init_refuses_a_second_first_admin(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="already has accounts"):
        accounts.bootstrap_admin(db, "mallory", "another long password")


def test_accounts_work_the_same_on_postgresql(any_db: Database, any_admin: Actor) -> None:
    info, otp = accounts.add_user(any_db, any_admin, "pg-user", Role.AUDITOR)
    assert accounts.authenticate(any_db, "pg-user", otp).role is Role.AUDITOR
    assert [u.name for u in accounts.list_users(any_db, any_admin)] == ["admin", "pg-user"]
    assert info.version == 1


def test_every_refused_sign_in_reads_the_same_while_the_trail_keeps_the_true_reason(
    db: Database, admin: Actor
) -> None:
    t0 = datetime.now(UTC)
    leo, leo_otp = accounts.add_user(db, admin, "leo", Role.LEGAL)
    accounts.set_active(db, admin, leo.id, False)
    _, olivia_otp = accounts.add_user(db, admin, "olivia", Role.PRIVACY_OFFICER, otp_hours=1)
    attempts = [
        ("nobody", "whatever password", t0, "unknown user"),
        ("admin", "not the password at all", t0, "wrong password"),
        ("leo", leo_otp, t0, "account disabled"),
        ("olivia", olivia_otp, t0 + timedelta(hours=2), "one-time password expired"),
    ]
    messages, reasons = set(), []
    for name, password, when, _ in attempts:
        with pytest.raises(accounts.AuthError) as refused:
            accounts.authenticate(db, name, password, now=when)
        messages.add(str(refused.value))
        reasons.append(audit.list_events(db, admin)[-1].details["reason"])
    assert messages == {accounts.SIGN_IN_REFUSED}
    assert reasons == [why for *_, why in attempts]


def test_a_one_time_password_expires_after_the_configured_hours(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_ONE_TIME_PASSWORD_HOURS", "24")
    info, otp = accounts.add_user(db, admin, "olivia", Role.PRIVACY_OFFICER)
    assert info.password_expires_at is not None
    made = info.password_expires_at - timedelta(hours=24)
    assert abs(made - datetime.now(UTC)) < timedelta(minutes=1)
    assert accounts.authenticate(db, "olivia", otp, now=made + timedelta(hours=23)).name == "olivia"
    with pytest.raises(accounts.AuthError):
        accounts.authenticate(db, "olivia", otp, now=made + timedelta(hours=25))


def test_a_reset_password_expires_too_and_a_chosen_one_never_does(
    db: Database, admin: Actor
) -> None:
    info, _ = accounts.add_user(db, admin, "olivia", Role.PRIVACY_OFFICER)
    otp = accounts.reset_password(db, admin, info.id, otp_hours=72)
    olivia = accounts.authenticate(db, "olivia", otp)
    accounts.change_own_password(db, olivia, otp, "my own long passphrase")
    assert accounts.find_user(db, admin, "olivia").password_expires_at is None
    years_later = datetime.now(UTC) + timedelta(days=800)
    assert accounts.authenticate(db, "olivia", "my own long passphrase", now=years_later)
