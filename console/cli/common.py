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
    from console import config

    db = open_database(database_url(args), daily_backups=int(config.load()["backup_keep"]))
    for warning in db.open_report.warnings:
        sys.stderr.write(f"privacy-console: warning: {warning}\n")
    return db


@contextmanager
def database(args: argparse.Namespace) -> Iterator[Database]:
    """The database for one command, released when the command ends (even on an error)."""
    db = open_db(args)
    try:
        yield db
    finally:
        db.dispose()


def password_from_env_or_prompt(prompt: str) -> str:
    from console.logs import remember_secret

    env = os.environ.get("CONSOLE_PASSWORD")
    if env is not None:
        return remember_secret(env)
    if not sys.stdin or not sys.stdin.isatty():
        raise ConsoleError("No password: set CONSOLE_PASSWORD or run the command in a terminal.")
    return remember_secret(getpass.getpass(prompt))


def sign_in(db: Database, args: argparse.Namespace) -> Actor:
    from console.services import accounts

    name = args.user or os.environ.get("CONSOLE_USER")
    if not name:
        raise UsageError("Sign in with --user NAME (password from CONSOLE_PASSWORD or a prompt).")
    actor = accounts.authenticate(db, name, password_from_env_or_prompt(f"Password for {name}: "))
    if accounts.must_change_password(db, actor):
        raise ConsoleError(
            f"'{name}' must change the one-time password first: sign in to the window once."
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
