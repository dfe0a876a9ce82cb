"""`privacy-console team setup`: team mode's roles, grants and functions (the DBA, owner's URL)."""

from __future__ import annotations

import argparse

from console.cli.common import EXIT_OK, add_json_flag, database, emit


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("team", help="team mode on PostgreSQL (database administrators)")
    tsub = p.add_subparsers(dest="team_command", required=True, metavar="COMMAND")
    s = tsub.add_parser(
        "setup",
        help="(DBA, owner URL) roles and grants for team mode",
        description="Run with --db set to the URL of the role that owns the console's tables "
        "(it needs CREATEROLE). Makes one group role per console role, grants them what the "
        "permission matrix allows, and installs the functions through which desks append to "
        "the audit trail and manage accounts. The first time, every account becomes a login "
        "role with a one-time password (printed once), or --admin NAME makes the first "
        "administrator of an empty database. Run it again after each upgrade: it upgrades the "
        "schema and brings the grants up to date.",
    )
    s.add_argument(
        "--prefix",
        help="start of the group roles' names (default: console_); "
        "each console database on one server needs its own",
    )
    s.add_argument("--admin", metavar="NAME", help="first administrator of an empty database")
    add_json_flag(s)
    s.set_defaults(handler=cmd_team_setup)


def cmd_team_setup(args: argparse.Namespace) -> int:
    from console.services import team_mode

    with database(args) as db:
        report = team_mode.setup(db, prefix=args.prefix, admin=args.admin)
        groups = report.info.groups()
        until = f"{report.expires_at:%Y-%m-%d %H:%M} UTC" if report.expires_at else ""
        given = {n: p for n, p in report.new_logins.items() if p is not None}
        disabled = sorted(n for n, p in report.new_logins.items() if p is None)
        lines = [
            f"Team mode is set up ({db.describe()}): group roles "
            f"{', '.join(groups.values())}; owner {report.info.owner}."
        ]
        if given:
            lines.append(
                f"One-time passwords (shown once; each works until {until} and must "
                "be changed at first sign-in):"
            )
            lines += [f"  {name}  {otp}" for name, otp in sorted(given.items())]
        if disabled:
            lines.append(f"Disabled accounts (no sign-in until enabled): {', '.join(disabled)}")
        emit(
            args,
            {
                "database": db.describe(),
                "owner": report.info.owner,
                "role_prefix": report.info.role_prefix,
                "groups": {role.value: name for role, name in groups.items()},
                "first_time": report.first_time,
                "one_time_passwords": given,
                "one_time_passwords_expire_at": report.expires_at if given else None,
                "disabled_accounts": disabled,
            },
            "\n".join(lines),
        )
        return EXIT_OK
