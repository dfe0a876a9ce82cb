"""What every command shares: opening the database, signing in, printing results, exit codes."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.engine import make_url

from console.errors import ConsoleError
from console.services.context import Actor
from console.store.db import Database, open_database

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2


class UsageError(ConsoleError):
    """The command line itself is wrong (exit status 2)."""


def database_url(args: argparse.Namespace) -> str:
    """--db, else CONSOLE_DB_URL, else settings/site config (a locked site URL beats them all)."""
    from console import config

    return str(config.load({"database_url": getattr(args, "db", None)})["database_url"])


def open_db(args: argparse.Namespace) -> Database:
    """Open the database named by --db/config; in team mode, connect as the signing-in user.

    A PostgreSQL URL without a user name is a team desk's: it connects as --user (or
    CONSOLE_USER), with CONSOLE_PASSWORD if set, else what libpq finds (a pgpass file), else a
    prompt. A server that refuses the sign-in gets the one sign-in message.
    """
    from console import config
    from console.services.accounts import SIGN_IN_REFUSED, AuthError
    from console.services.signin import desk_url
    from console.store.db import SignInRefused

    url, desk = desk_url(database_url(args), _user_name(args), _env_password())
    keep = int(config.load()["backup_keep"])
    try:
        try:
            db = open_database(url, daily_backups=keep)
        except SignInRefused:
            if not desk or make_url(url).password or not _can_prompt():
                raise
            url, _ = desk_url(
                url,
                _user_name(args),
                password_from_env_or_prompt(f"Password for {_user_name(args)}: ", args),
            )
            db = open_database(url, daily_backups=keep)
    except SignInRefused:
        raise AuthError(SIGN_IN_REFUSED) from None
    for warning in db.open_report.warnings:
        sys.stderr.write(f"privacy-console: warning: {warning}\n")
    return db


def _user_name(args: argparse.Namespace) -> str | None:
    return getattr(args, "user", None) or os.environ.get("CONSOLE_USER")


def _env_password() -> str | None:
    from console.logs import remember_secret

    env = os.environ.get("CONSOLE_PASSWORD")
    return remember_secret(env) if env is not None else None


def _can_prompt() -> bool:
    return bool(sys.stdin and sys.stdin.isatty())


@contextmanager
def database(args: argparse.Namespace) -> Iterator[Database]:
    """The database for one command, released when the command ends (even on an error)."""
    db = open_db(args)
    try:
        yield db
    finally:
        db.dispose()


def password_from_env_or_prompt(prompt: str, args: argparse.Namespace | None = None) -> str:
    """CONSOLE_PASSWORD, else a prompt (asked once per command: kept on args)."""
    from console.logs import remember_secret

    env = _env_password()
    if env is not None:
        return env
    asked = getattr(args, "typed_password", None) if args is not None else None
    if asked is not None:
        return str(asked)
    if not _can_prompt():
        raise ConsoleError("No password: set CONSOLE_PASSWORD or run the command in a terminal.")
    typed = remember_secret(getpass.getpass(prompt))
    if args is not None:
        args.typed_password = typed
    return typed


def sign_in(db: Database, args: argparse.Namespace, *, one_time_password_ok: bool = False) -> Actor:
    """The acting user of a command. Team mode: the database role the command connected as
    (the server checked its password); else the console checks --user's password.

    An account still on its one-time password may only change it (one_time_password_ok).
    """
    from console.services import accounts, audit

    name = _user_name(args)
    if db.team is not None:
        actor = accounts.authenticate(db, name or "", "")
    else:
        if not name:
            raise UsageError(
                "Sign in with --user NAME (password from CONSOLE_PASSWORD or a prompt)."
            )
        actor = accounts.authenticate(
            db, name, password_from_env_or_prompt(f"Password for {name}: ", args)
        )
    if not one_time_password_ok and accounts.must_change_password(db, actor):
        audit.record_refusal(db, actor, "command", "one-time password not changed")
        raise ConsoleError(
            f"'{actor.name}' must change the one-time password first: run "
            f"`privacy-console --user {actor.name} user passwd`."
        )
    return actor


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def emit(args: argparse.Namespace, data: Any, text: Callable[[], str] | str) -> None:
    """Print a result: one JSON document with --json, else human-readable text."""
    if getattr(args, "json", False):
        json.dump(to_jsonable(data), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        out = text() if callable(text) else text
        if out:
            print(out)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
