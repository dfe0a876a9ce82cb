"""Accounts: first admin, sign-in with slowdown, adding and managing users, password changes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain import accounts as rules
from console.domain.permissions import Permission, Role, parse_role
from console.errors import ConsoleError, NotFound, ValidationError
from console.services.audit import record
from console.services.context import Actor
from console.store.db import Database
from console.store.models import User
from console.store.versioning import check_version, flush_or_conflict

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


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


def _info(u: User) -> UserInfo:
    return UserInfo(
        u.id, u.name, u.full_name, Role(u.role), u.active, u.must_change_password,
        u.last_login_at, u.created_at, u.version,
    )


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def has_users(db: Database) -> bool:
    with db.read() as s:
        return bool(s.execute(select(func.count()).select_from(User)).scalar_one())


def bootstrap_admin(db: Database, name: str, password: str, *, full_name: str = "") -> Actor:
    """Create the first admin of an empty database (init). Refused once any account exists."""
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
            name=name, full_name=full_name, role=Role.ADMIN.value,
            password_hash=_hasher.hash(password), must_change_password=False, active=True,
            failed_logins=0, created_at=datetime.now(UTC),
        )
        s.add(user)
        s.flush()
        actor = Actor(user.id, user.name, Role.ADMIN)
        record(s, actor, "user.create", "user", user.id, {"name": name, "role": "admin", "first": True})
    return actor


def authenticate(db: Database, name: str, password: str, *, now: datetime | None = None) -> Actor:
    """Check a password. Failures are recorded and slow the next attempts down (never a lockout)."""
    moment = _now(now)
    failure: AuthError | None = None
    with db.transaction() as s:
        # FOR UPDATE: two desks signing in as one user queue here instead of one failing with
        # a stale version when both record the sign-in (PostgreSQL; SQLite writers queue anyway).
        user = s.execute(
            select(User).where(User.name == name.strip()).with_for_update()
        ).scalar_one_or_none()
        if user is None:
            # Same cost as a real check, so timing does not reveal which names exist.
            _hasher.hash(password or "x")
            record(s, Actor(None, "anonymous", Role.AUDITOR), "login.failed", "user", "",
                   {"reason": "unknown user"})
            failure = AuthError("Wrong user name or password.")
        else:
            failure = _check_user(s, user, password, moment)
        if failure is None and user is not None:
            return Actor(user.id, user.name, Role(user.role))
    assert failure is not None
    raise failure


def _check_user(s: Session, user: User, password: str, moment: datetime) -> AuthError | None:
    actor = Actor(user.id, user.name, Role(user.role))
    retry_after = _aware(user.retry_after)
    if not rules.is_after(moment, retry_after):
        assert retry_after is not None
        wait = math.ceil((retry_after - moment).total_seconds())
        record(s, actor, "login.failed", "user", user.id, {"reason": "too soon after failures"})
        return AuthError(f"Too many failed sign-ins: wait {wait} s and try again.")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        delay = rules.retry_delay(user.failed_logins)
        user.retry_after = moment + delay if delay else None
        record(s, actor, "login.failed", "user", user.id,
               {"reason": "wrong password", "consecutive": user.failed_logins})
        return AuthError("Wrong user name or password.")
    if not user.active:
        record(s, actor, "login.failed", "user", user.id, {"reason": "account disabled"})
        return AuthError("This account is disabled: ask an administrator.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.retry_after = None
    user.last_login_at = moment
    record(s, actor, "login", "user", user.id, {})
    return None


def must_change_password(db: Database, actor: Actor) -> bool:
    with db.read() as s:
        user = s.get(User, actor.id)
        return bool(user and user.must_change_password)


def change_own_password(db: Database, actor: Actor, old: str, new: str) -> None:
    rules.check_new_password(new, user_name=actor.name)
    with db.transaction() as s:
        user = _get(s, actor.id)
        try:
            _hasher.verify(user.password_hash, old)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise AuthError("The current password is wrong.") from None
        if old == new:
            raise ValidationError("The new password must differ from the current one.")
        user.password_hash = _hasher.hash(new)
        user.must_change_password = False
        record(s, actor, "user.password_change", "user", user.id, {})


def list_users(db: Database, actor: Actor) -> list[UserInfo]:
    actor.require(Permission.VIEW_USERS)
    with db.read() as s:
        return [_info(u) for u in s.execute(select(User).order_by(User.name)).scalars()]


def add_user(
    db: Database, actor: Actor, name: str, role: Role | str, *, full_name: str = ""
) -> tuple[UserInfo, str]:
    """Create an account with a one-time password that must be changed at first sign-in."""
    actor.require(Permission.MANAGE_USERS)
    name = rules.check_user_name(name)
    role = parse_role(role) if isinstance(role, str) else role
    otp = rules.one_time_password()
    with db.transaction() as s:
        if s.execute(select(User.id).where(User.name == name)).first():
            raise ValidationError(f"A user named '{name}' already exists.")
        user = User(
            name=name, full_name=full_name.strip(), role=role.value,
            password_hash=_hasher.hash(otp), must_change_password=True, active=True,
            failed_logins=0, created_at=datetime.now(UTC),
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
    return int(s.execute(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
    ).scalar_one())


def change_role(
    db: Database, actor: Actor, user_id: int, role: Role | str, *,
    expected_version: int | None = None,
) -> UserInfo:
    """expected_version: the version the user saw (team mode: a stale save is a ConflictError)."""
    actor.require(Permission.MANAGE_USERS)
    role = parse_role(role) if isinstance(role, str) else role
    with db.transaction() as s:
        user = _get(s, user_id)
        check_version(s, user, expected_version, object_type="user", what=f"The account '{user.name}'")
        before = user.role
        if before == role.value:
            return _info(user)
        if before == Role.ADMIN.value and user.active and _active_admins(s) <= 1:
            raise ValidationError(f"'{user.name}' is the last admin and cannot be demoted.")
        user.role = role.value
        flush_or_conflict(s, object_type="user", object_id=user.id, what=f"The account '{user.name}'")
        record(s, actor, "user.role_change", "user", user.id,
               {"name": user.name, "before": before, "after": role.value})
        return _info(user)


def set_active(
    db: Database, actor: Actor, user_id: int, active: bool, *,
    expected_version: int | None = None,
) -> UserInfo:
    actor.require(Permission.MANAGE_USERS)
    with db.transaction() as s:
        user = _get(s, user_id)
        check_version(s, user, expected_version, object_type="user", what=f"The account '{user.name}'")
        if user.active == active:
            return _info(user)
        if not active and user.role == Role.ADMIN.value and _active_admins(s) <= 1:
            raise ValidationError(f"'{user.name}' is the last admin and cannot be disabled.")
        if not active and user.id == actor.id:
            raise ValidationError("You cannot disable your own account.")
        user.active = active
        flush_or_conflict(s, object_type="user", object_id=user.id, what=f"The account '{user.name}'")
        record(s, actor, "user.enable" if active else "user.disable", "user", user.id,
               {"name": user.name})
        return _info(user)


def reset_password(db: Database, actor: Actor, user_id: int) -> str:
    """Give a user a new one-time password (shown once) that must be changed at sign-in."""
    actor.require(Permission.MANAGE_USERS)
    otp = rules.one_time_password()
    with db.transaction() as s:
        user = _get(s, user_id)
        user.password_hash = _hasher.hash(otp)
        user.must_change_password = True
        user.failed_logins = 0
        user.retry_after = None
        record(s, actor, "user.password_reset", "user", user.id, {"name": user.name})
    return otp


def set_password_for_demo(db: Database, name: str, password: str) -> None:
    """Demo data only: give a demo account a known password (never used for real accounts)."""
    with db.transaction() as s:
        user = s.execute(select(User).where(User.name == name)).scalar_one()
        user.password_hash = _hasher.hash(password)
        user.must_change_password = False
