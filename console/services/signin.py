"""Signing in at a desk: on a SQLite file (or a shared login) the console checks the password; in
team mode the desk connects to PostgreSQL as its own role, and the server checks it."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from console.services import accounts
from console.services.context import Actor
from console.store.db import Database, SignInRefused, open_database


def desk_url(url: str, user: str | None, password: str | None) -> tuple[str, bool]:
    """(URL, is a desk's own login): a PostgreSQL URL without a user name gets this user.

    A URL that names another user is a shared login (a database from before team mode): it is
    left alone, and the console checks the user's password itself.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not user:
        return url, False
    if parsed.username and parsed.username != user:
        return url, False
    parsed = parsed.set(username=user)
    if password and not parsed.password:
        parsed = parsed.set(password=password)
    return parsed.render_as_string(hide_password=False), True


def connect(
    url: str, name: str, password: str, *, daily_backups: int = 0
) -> tuple[Database, Actor]:
    """Open the database as `name` and sign in: the window's sign-in where the server decides.

    Any refusal, by the server or by the console, is the one sign-in message (AuthError).
    """
    target, _ = desk_url(url, name.strip(), password)
    try:
        db = open_database(target, daily_backups=daily_backups)
    except SignInRefused:
        raise accounts.AuthError(accounts.SIGN_IN_REFUSED) from None
    try:
        return db, accounts.authenticate(db, name, password)
    except BaseException:
        db.dispose()
        raise
