"""Accounts: first admin, sign-in with slowdown, adding and managing users, password changes.

On a SQLite file (and a PostgreSQL database not set up for team mode) the console checks
passwords itself (argon2id). In team mode each account is a PostgreSQL login role: the server
checks passwords, and accounts change only through its definer functions (console.store.team).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain import accounts as rules
from console.domain.permissions import Permission, Role, parse_role
from console.errors import ConflictError, ConsoleError, NotFound, ValidationError
from console.services.account_guard import AccountGuard
from console.services.audit import record
from console.services.context import Actor
from console.store import team
from console.store.db import Database
from console.store.models import User
from console.store.versioning import check_version, conflict_message, flush_or_conflict, last_change

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# One message for every refused sign-in, whatever the reason (unknown name, wrong password,
# disabled, slowed down after failures, expired one-time password): the reason is told only to
# the audit trail, so the message reveals nothing about the account to whoever is typing.
SIGN_IN_REFUSED = (
    "Wrong user name or password, or the account may not sign in now. "
    "Try again in a minute, or ask an administrator."
)


class AuthError(ConsoleError):
    """Sign-in refused. The message never says whether the user name exists."""


@dataclass(frozen=True)
class UserInfo:
    id: int
    name: str
    full_name: str
    role: Role
    active: bool
    must_change_password: bool
    last_login_at: datetime | None
    created_at: datetime
    version: int
    password_expires_at: datetime | None = None


def _info(u: User) -> UserInfo:
    return UserInfo(
        u.id,
        u.name,
        u.full_name,
        Role(u.role),
        u.active,
        u.must_change_password,
        u.last_login_at,
        u.created_at,
        u.version,
        _aware(u.password_expires_at),
    )


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def one_time_password_hours() -> int:
    """How long a one-time password works: the site configuration's one_time_password_hours."""
    from console import config

    return int(config.load()["one_time_password_hours"])


def _expiry(now: datetime, hours: int | None) -> datetime:
    return now + timedelta(hours=one_time_password_hours() if hours is None else hours)


def signed_in(db: Database, user_id: int, name: str, role: Role) -> Actor:
    """The acting user after sign-in: every permission check re-reads the account."""
    return Actor(user_id, name, role, AccountGuard(db))


def has_users(db: Database) -> bool:
    if db.team is not None:  # team setup makes the first administrator
        return True
    with db.read() as s:
        return bool(s.execute(select(func.count()).select_from(User)).scalar_one())


def bootstrap_admin(db: Database, name: str, password: str, *, full_name: str = "") -> Actor:
    """Create the first admin of an empty database (init). Refused once any account exists."""
    if db.team is not None:
        raise ValidationError(
            "In team mode the first administrator is made by `privacy-console team setup "
            "--admin NAME`, run by the database administrator with the owner's URL."
        )
    name = rules.check_user_name(name)
    rules.check_new_password(password, user_name=name)
    with db.transaction() as s:
        if s.execute(select(func.count()).select_from(User)).scalar_one():
            existing = s.execute(select(User).where(User.name == name)).scalar_one_or_none()
            if existing is not None and existing.role == Role.ADMIN.value:
                raise ValidationError(f"The database already has accounts; '{name}' is an admin.")
            raise ValidationError(
                "The database already has accounts: sign in as an admin and use 'user add'."
            )
        user = User(
            name=name,
            full_name=full_name,
            role=Role.ADMIN.value,
            password_hash=_hasher.hash(password),
            must_change_password=False,
            active=True,
            failed_logins=0,
            created_at=datetime.now(UTC),
        )
        s.add(user)
        s.flush()
        actor = signed_in(db, user.id, user.name, Role.ADMIN)
        record(
            s, actor, "user.create", "user", user.id, {"name": name, "role": "admin", "first": True}
        )
    return actor


def authenticate(db: Database, name: str, password: str, *, now: datetime | None = None) -> Actor:
    """Sign in. Failures are recorded with their reason and slow the next attempts down.

    In team mode the server has already checked the password (the connection is the desk's own
    database role): this confirms the role is an enabled account of this console, named `name`
    when a name is given, and records the sign-in.
    """
    moment = _now(now)
    if db.team is not None:
        return _team_sign_in(db, name.strip(), moment)
    failure: str | None = None
    with db.transaction() as s:
        # FOR UPDATE: two desks signing in as one user queue here instead of one failing with
        # a stale version when both record the sign-in (PostgreSQL; SQLite writers queue anyway).
        user = s.execute(
            select(User).where(User.name == name.strip()).with_for_update()
        ).scalar_one_or_none()
        if user is None:
            # Same cost as a real check, so timing does not reveal which names exist.
            _hasher.hash(password or "x")
            record(
                s,
                Actor(None, "anonymous", Role.AUDITOR),
                "login.failed",
                "user",
                "",
                {"reason": "unknown user"},
            )
            failure = "unknown user"
        else:
            failure = _check_user(s, user, password, moment)
        if failure is None and user is not None:
            return signed_in(db, user.id, user.name, Role(user.role))
    raise AuthError(SIGN_IN_REFUSED)


def _check_user(s: Session, user: User, password: str, moment: datetime) -> str | None:
    """None when the password is right and the account may sign in; else the reason (recorded)."""
    actor = Actor(user.id, user.name, Role(user.role))
    retry_after = _aware(user.retry_after)
    if not rules.is_after(moment, retry_after):
        assert retry_after is not None
        _hasher.hash(password or "x")  # as long as a real check: timing tells nothing either
        wait = math.ceil((retry_after - moment).total_seconds())
        record(
            s,
            actor,
            "login.failed",
            "user",
            user.id,
            {"reason": "too soon after failures", "wait_seconds": wait},
        )
        return "too soon after failures"
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        delay = rules.retry_delay(user.failed_logins)
        user.retry_after = moment + delay if delay else None
        record(
            s,
            actor,
            "login.failed",
            "user",
            user.id,
            {"reason": "wrong password", "consecutive": user.failed_logins},
        )
        return "wrong password"
    expires = _aware(user.password_expires_at)
    reason = None
    if not user.active:
        reason = "account disabled"
    elif user.must_change_password and expires is not None and moment >= expires:
        reason = "one-time password expired"
    if reason is not None:
        record(s, actor, "login.failed", "user", user.id, {"reason": reason})
        return reason
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.retry_after = None
    user.last_login_at = moment
    record(s, actor, "login", "user", user.id, {})
    return None


def _team_sign_in(db: Database, name: str, moment: datetime) -> Actor:
    with db.transaction() as s:
        account = team.whoami(s)
        refused = (
            account is None
            or (bool(name) and name != account.name)
            or not account.active
            # The server stops an expired one-time password by itself (VALID UNTIL) where it
            # checks passwords; this also stops it where it trusts the connection (trust, peer).
            or (
                account.must_change_password
                and account.password_expires_at is not None
                and moment >= account.password_expires_at
            )
        )
        if not refused:
            assert account is not None
            team.signed_in(s)
            return signed_in(db, account.id, account.name, account.role)
    raise AuthError(SIGN_IN_REFUSED)


def must_change_password(db: Database, actor: Actor) -> bool:
    if db.team is not None:
        # A desk on its one-time password may read nothing yet but its own account.
        with db.read() as s:
            account = team.whoami(s)
        return bool(account and account.must_change_password)
    with db.read() as s:
        user = s.get(User, actor.id)
        return bool(user and user.must_change_password)


def change_own_password(db: Database, actor: Actor, old: str, new: str) -> None:
    """Change one's own password; the old one must be right (in team mode the server checks it)."""
    rules.check_new_password(new, user_name=actor.name)
    if old == new:
        raise ValidationError("The new password must differ from the current one.")
    if db.team is not None:
        if not db.password_works(actor.name, old):
            raise AuthError("The current password is wrong.")
        with db.transaction() as s, _team_errors("The account"):
            team.passwd(s, team.verifier(s, actor.name, new))
        return
    with db.transaction() as s:
        user = _get(s, actor.id)
        try:
            _hasher.verify(user.password_hash, old)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise AuthError("The current password is wrong.") from None
        user.password_hash = _hasher.hash(new)
        user.must_change_password = False
        user.password_expires_at = None
        record(s, actor, "user.password_change", "user", user.id, {})


def list_users(db: Database, actor: Actor) -> list[UserInfo]:
    actor.require(Permission.VIEW_USERS)
    with db.read() as s:
        return [_info(u) for u in s.execute(select(User).order_by(User.name)).scalars()]


def find_user(db: Database, actor: Actor, name: str) -> UserInfo:
    """The account named `name` (the command line names accounts; the window picks them)."""
    actor.require(Permission.VIEW_USERS)
    with db.read() as s:
        user = s.execute(select(User).where(User.name == name.strip())).scalar_one_or_none()
        if user is None:
            raise NotFound(f"No user named '{name.strip()}'.")
        return _info(user)


def add_user(
    db: Database,
    actor: Actor,
    name: str,
    role: Role | str,
    *,
    full_name: str = "",
    otp_hours: int | None = None,
) -> tuple[UserInfo, str]:
    """Create an account with a one-time password that must be changed at first sign-in.

    The one-time password stops working after otp_hours (None: the site configuration's).
    """
    actor.require(Permission.MANAGE_USERS)
    name = rules.check_user_name(name)
    role = parse_role(role) if isinstance(role, str) else role
    otp = rules.one_time_password()
    expires = _expiry(actor.clock.now(), otp_hours)
    with db.transaction() as s:
        if s.execute(select(User.id).where(User.name == name)).first():
            raise ValidationError(f"A user named '{name}' already exists.")
        if db.team is not None:
            with _team_errors("The account"):
                user_id = team.add_user(
                    s,
                    name=name,
                    full_name=full_name.strip(),
                    role=role,
                    verifier=team.verifier(s, name, otp),
                    valid_until=expires,
                )
            return _info(_get(s, user_id)), otp
        user = User(
            name=name,
            full_name=full_name.strip(),
            role=role.value,
            password_hash=_hasher.hash(otp),
            must_change_password=True,
            active=True,
            failed_logins=0,
            created_at=actor.clock.now(),
            password_expires_at=expires,
        )
        s.add(user)
        s.flush()
        record(s, actor, "user.create", "user", user.id, {"name": name, "role": role.value})
        return _info(user), otp


def _get(s: Session, user_id: int | None) -> User:
    user = s.get(User, user_id) if user_id is not None else None
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def _active_admins(s: Session) -> int:
    return int(
        s.execute(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
        ).scalar_one()
    )


@contextmanager
def _team_errors(
    what: str, user_id: int | None = None, db: Database | None = None
) -> Iterator[None]:
    """A definer function's "changed meanwhile" becomes the usual conflict naming who did it."""
    try:
        yield
    except team.TeamConflict:
        change = None
        if db is not None and user_id is not None:
            with db.read() as s:
                change = last_change(s, "user", user_id)
        raise ConflictError(conflict_message(what, change)) from None


def change_role(
    db: Database,
    actor: Actor,
    user_id: int,
    role: Role | str,
    *,
    expected_version: int | None = None,
) -> UserInfo:
    """expected_version: the version the user saw (team mode: a stale save is a ConflictError)."""
    actor.require(Permission.MANAGE_USERS)
    role = parse_role(role) if isinstance(role, str) else role
    if db.team is not None:
        with db.transaction() as s, _team_errors(_what(s, user_id), user_id, db):
            team.set_role(s, user_id, role, expected_version)
        return _reread(db, user_id)
    with db.transaction() as s:
        user = _get(s, user_id)
        check_version(
            s, user, expected_version, object_type="user", what=f"The account '{user.name}'"
        )
        before = user.role
        if before == role.value:
            return _info(user)
        if before == Role.ADMIN.value and user.active and _active_admins(s) <= 1:
            raise ValidationError(f"'{user.name}' is the last admin and cannot be demoted.")
        user.role = role.value
        flush_or_conflict(
            s, object_type="user", object_id=user.id, what=f"The account '{user.name}'"
        )
        record(
            s,
            actor,
            "user.role_change",
            "user",
            user.id,
            {"name": user.name, "before": before, "after": role.value},
        )
        return _info(user)


def _what(s: Session, user_id: int) -> str:
    return f"The account '{_get(s, user_id).name}'"


def _reread(db: Database, user_id: int) -> UserInfo:
    with db.read() as s:
        return _info(_get(s, user_id))


def set_active(
    db: Database,
    actor: Actor,
    user_id: int,
    active: bool,
    *,
    expected_version: int | None = None,
) -> UserInfo:
    """Disable or enable an account (team mode: its database role gets NOLOGIN or LOGIN)."""
    actor.require(Permission.MANAGE_USERS)
    if db.team is not None:
        with db.transaction() as s, _team_errors(_what(s, user_id), user_id, db):
            team.set_active(s, user_id, active, expected_version)
        return _reread(db, user_id)
    with db.transaction() as s:
        user = _get(s, user_id)
        check_version(
            s, user, expected_version, object_type="user", what=f"The account '{user.name}'"
        )
        if user.active == active:
            return _info(user)
        if not active and user.role == Role.ADMIN.value and _active_admins(s) <= 1:
            raise ValidationError(f"'{user.name}' is the last admin and cannot be disabled.")
        if not active and user.id == actor.id:
            raise ValidationError("You cannot disable your own account.")
        user.active = active
        flush_or_conflict(
            s, object_type="user", object_id=user.id, what=f"The account '{user.name}'"
        )
        record(
            s,
            actor,
            "user.enable" if active else "user.disable",
            "user",
            user.id,
            {"name": user.name},
        )
        return _info(user)


def reset_password(
    db: Database, actor: Actor, user_id: int, *, otp_hours: int | None = None
) -> str:
    """Give a user a new one-time password (shown once) that must be changed at sign-in."""
    actor.require(Permission.MANAGE_USERS)
    otp = rules.one_time_password()
    expires = _expiry(actor.clock.now(), otp_hours)
    with db.transaction() as s:
        user = _get(s, user_id)
        if db.team is not None:
            with _team_errors(f"The account '{user.name}'"):
                team.reset(s, user.id, team.verifier(s, user.name, otp), expires)
            return otp
        user.password_hash = _hasher.hash(otp)
        user.must_change_password = True
        user.password_expires_at = expires
        user.failed_logins = 0
        user.retry_after = None
        record(s, actor, "user.password_reset", "user", user.id, {"name": user.name})
    return otp


def set_password_for_demo(db: Database, name: str, password: str) -> None:
    """Demo data only: give a demo account a known password (never used for real accounts)."""
    if db.team is not None:
        raise ValidationError("Demo accounts are for a single desk, not team mode.")
    with db.transaction() as s:
        user = s.execute(select(User).where(User.name == name)).scalar_one()
        user.password_hash = _hasher.hash(password)
        user.must_change_password = False
        user.password_expires_at = None
