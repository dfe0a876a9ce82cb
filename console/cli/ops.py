"""Operations commands for admins: backup, restore, the integrity check, the effective configuration."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from console.cli.common import (
    EXIT_OK,
    EXIT_USER_ERROR,
    UsageError,
    add_json_flag,
    database,
    database_url,
    emit,
    password_from_env_or_prompt,
    sign_in,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("backup", help="back up the SQLite database to FILE (admins)")
    p.add_argument("file", type=Path, metavar="FILE", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    add_json_flag(p)
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="replace the SQLite database with a checked backup (admins)",
        description="Checks the backup's integrity and audit trail first; keeps the replaced "
        "database in backups/ as a .before-restore file. Refused while the database is open "
        "anywhere else.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the backup file to restore")
    add_json_flag(p)
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser(
        "check",
        help="check the database's integrity now (no sign-in; writes nothing)",
        description="The file's header, the schema revision and the newest audit events (what "
        "every open checks), then SQLite's quick_check. --full runs integrity_check instead and "
        "verifies the whole audit chain. Exit 0 when everything is sound, 1 otherwise.",
    )
    p.add_argument("--full", action="store_true", help="the slower, complete checks")
    add_json_flag(p)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("config", help="site configuration and your settings")
    csub = p.add_subparsers(dest="config_command", required=True, metavar="COMMAND")
    s = csub.add_parser("show", help="each setting's value and where it comes from")
    add_json_flag(s)
    s.set_defaults(handler=cmd_config_show)


def cmd_backup(args: argparse.Namespace) -> int:
    from console.services import backups

    with database(args) as db:
        info = backups.backup(db, sign_in(db, args), args.file, force=args.force)
        emit(
            args,
            {"file": str(info.path), "bytes": info.size, "audit_events": info.events},
            f"Backup written to {info.path} ({info.size:,} bytes, {info.events} audit events).",
        )
        return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from console.services import backups

    name = args.user or os.environ.get("CONSOLE_USER")
    if not name:
        raise UsageError("Restoring needs an admin: --user NAME (password from CONSOLE_PASSWORD).")
    password = password_from_env_or_prompt(f"Password for {name}: ")
    info = backups.restore(database_url(args), args.file, name, password)
    kept = (
        f"\nThe replaced database is kept as {info.previous_kept_as}."
        if info.previous_kept_as
        else ""
    )
    emit(
        args,
        {
            "restored_from": str(info.restored_from),
            "database": str(info.database),
            "previous_kept_as": str(info.previous_kept_as) if info.previous_kept_as else None,
            "audit_events_verified": info.events_verified,
        },
        f"Restored {info.database} from {info.restored_from} "
        f"({info.events_verified} audit events verified).{kept}",
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from console.store.health import check_database

    report = check_database(database_url(args), full=args.full)
    emit(
        args,
        {
            "database": report.database,
            "ok": report.ok,
            "full": report.full,
            "checks": [{"name": i.name, "ok": i.ok, "detail": i.detail} for i in report.items],
            "advice": report.advice or None,
        },
        lambda: "\n".join(
            [f"{report.database}"]
            + [f"{'ok    ' if i.ok else 'FAILED'} {i.name}: {i.detail}" for i in report.items]
            + ([report.advice] if report.advice else [])
        ),
    )
    if not report.ok:
        failed = next(i for i in report.items if not i.ok)
        sys.stderr.write(f"privacy-console: the database check failed ({failed.name}).\n")
        return EXIT_USER_ERROR
    return EXIT_OK


def cmd_config_show(args: argparse.Namespace) -> int:
    from console import config

    cfg = config.load({"database_url": args.db})
    rows = cfg.explain()
    data = {
        "site_file": str(cfg.site.path) if cfg.site.path else None,
        "user_file": str(cfg.user_path),
        "settings": {
            e.key: {
                "value": _shown(e.key, e.value),
                "source": e.source.name.lower(),
                "origin": e.origin,
                "locked": e.locked,
            }
            for e in rows
        },
    }
    emit(
        args,
        data,
        lambda: "\n".join(f"{e.key:18} {_shown(e.key, e.value)!s:40} {e.describe()}" for e in rows),
    )
    return EXIT_OK


def _shown(key: str, value: object) -> object:
    if key == "database_url" and isinstance(value, str):
        from sqlalchemy.engine import make_url

        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL is shown as the user wrote it
            return value
    return value
