"""Commands of the foundation: init, user, audit verify, demo."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from datetime import datetime
from pathlib import Path

from console.cli.common import (
    EXIT_OK,
    EXIT_USER_ERROR,
    UsageError,
    add_json_flag,
    database,
    emit,
    password_from_env_or_prompt,
    sign_in,
)
from console.domain.auditchain import Anchor
from console.domain.permissions import Role
from console.errors import ConsoleError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="create or upgrade the database and its first admin account")
    p.add_argument("--admin", required=True, metavar="NAME", help="the first admin's user name")
    add_json_flag(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("user", help="manage accounts")
    usub = p.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
    a = usub.add_parser("add", help="add an account; prints a one-time password")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=[r.value for r in Role])
    a.add_argument("--full-name", default="")
    add_json_flag(a)
    a.set_defaults(handler=cmd_user_add)
    ls = usub.add_parser("list", help="list accounts")
    add_json_flag(ls)
    ls.set_defaults(handler=cmd_user_list)
    for verb, active in (("disable", False), ("enable", True)):
        d = usub.add_parser(verb, help=f"{verb} an account (admins)")
        d.add_argument("name")
        add_json_flag(d)
        d.set_defaults(handler=cmd_user_set_active, active=active)
    pw = usub.add_parser(
        "passwd",
        help="change your own password (also the way off a one-time password)",
        description="The current password comes from CONSOLE_PASSWORD (or a prompt), the new "
        "one from CONSOLE_NEW_PASSWORD (or a prompt, asked twice).",
    )
    add_json_flag(pw)
    pw.set_defaults(handler=cmd_user_passwd)
    r = usub.add_parser("reset", help="give an account a new one-time password (admins)")
    r.add_argument("name")
    add_json_flag(r)
    r.set_defaults(handler=cmd_user_reset)

    p = sub.add_parser("audit", help="the audit trail")
    asub = p.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    v = asub.add_parser(
        "verify", help="verify the hash chain; exit 1 naming the first broken event"
    )
    v.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="SEQ:HASH",
        help="fail if the chain was rewritten before this point (repeatable)",
    )
    add_json_flag(v)
    v.set_defaults(handler=cmd_audit_verify)
    h = asub.add_parser("head", help="print the chain head as SEQ:HASH")
    add_json_flag(h)
    h.set_defaults(handler=cmd_audit_head)
    q = asub.add_parser(
        "searched-for",
        help="did anyone search for TEXT? (the trail keeps keyed hashes, never the text)",
        description="Lists the events in which TEXT was typed: searched, looked up as an "
        "identifier, used as a report's query, or written as a corrected value. TEXT is "
        "hashed the same ways under this database's key; the trail never holds it.",
    )
    q.add_argument("text", metavar="TEXT")
    q.add_argument("--kind", metavar="KIND", help="read TEXT only as this identifier kind")
    add_json_flag(q)
    q.set_defaults(handler=cmd_audit_searched_for)

    p = sub.add_parser("policy", help="policy packs: load a new version, list versions, check")
    psub = p.add_subparsers(dest="policy_command", required=True, metavar="COMMAND")
    load = psub.add_parser("load", help="validate a policy pack file and store it as a version")
    load.add_argument("file", type=Path)
    add_json_flag(load)
    load.set_defaults(handler=cmd_policy_load)
    versions = psub.add_parser("list", help="the pack versions and their effective dates")
    add_json_flag(versions)
    versions.set_defaults(handler=cmd_policy_list)
    check = psub.add_parser(
        "check",
        help="what the pack in force lacks or only assumes, with citations",
        description="The policy health check: each finding gives its severity, citation, what"
        " the statement says and what to add (GDPR Art. 13/14, CCPA §1798.130, 11 CCR §7011 and"
        " §7025). Export it with `report policy-check --format pdf|xlsx --out FILE`.",
    )
    check.add_argument(
        "--on", default=None, metavar="YYYY-MM-DD", help="check the pack in force on this day"
    )
    add_json_flag(check)
    check.set_defaults(handler=cmd_policy_check)

    p = sub.add_parser("demo", help="load demo accounts, policy pack and demo data")
    add_json_flag(p)
    p.set_defaults(handler=cmd_demo)


def cmd_init(args: argparse.Namespace) -> int:
    from console.services import accounts, policy

    with database(args) as db:
        report = db.open_report
        if accounts.has_users(db):
            emit(
                args,
                {"database": db.describe(), "created_admin": False},
                f"Database ready ({db.describe()}); it already has accounts.",
            )
            return EXIT_OK
        password = password_from_env_or_prompt(f"Password for {args.admin}: ")
        actor = accounts.bootstrap_admin(db, args.admin, password)
        policy.ensure_default_pack(db, actor)
        upgraded = report.upgraded_from is not None
        emit(
            args,
            {
                "database": db.describe(),
                "created_admin": True,
                "admin": actor.name,
                "schema_upgraded": upgraded,
            },
            f"Database ready ({db.describe()}); admin '{actor.name}' created.",
        )
        return EXIT_OK


def cmd_user_add(args: argparse.Namespace) -> int:
    from console.services import accounts

    with database(args) as db:
        actor = sign_in(db, args)
        info, otp = accounts.add_user(db, actor, args.name, args.role, full_name=args.full_name)
        emit(
            args,
            {
                "id": info.id,
                "name": info.name,
                "role": info.role,
                "one_time_password": otp,
                "one_time_password_expires_at": info.password_expires_at,
            },
            f"User '{info.name}' ({info.role.label}) added.\n"
            f"One-time password (shown once; must be changed at first sign-in"
            f"{_until(info.password_expires_at)}): {otp}",
        )
        return EXIT_OK


def _until(moment: datetime | None) -> str:
    return f"; works until {moment:%Y-%m-%d %H:%M} UTC" if moment else ""


def cmd_user_set_active(args: argparse.Namespace) -> int:
    from console.services import accounts

    with database(args) as db:
        actor = sign_in(db, args)
        user = accounts.find_user(db, actor, args.name)
        info = accounts.set_active(db, actor, user.id, args.active, expected_version=user.version)
        state = "enabled" if info.active else "disabled"
        emit(args, {"name": info.name, "active": info.active}, f"User '{info.name}' {state}.")
        return EXIT_OK


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from console.services import accounts

    with database(args) as db:
        actor = sign_in(db, args, one_time_password_ok=True)
        old = password_from_env_or_prompt(f"Current password for {actor.name}: ", args)
        accounts.change_own_password(db, actor, old, _new_password())
        emit(args, {"name": actor.name, "changed": True}, f"Password of '{actor.name}' changed.")
        return EXIT_OK


def _new_password() -> str:
    import getpass
    import sys

    from console.logs import remember_secret

    env = os.environ.get("CONSOLE_NEW_PASSWORD")
    if env is not None:
        return remember_secret(env)
    if not sys.stdin or not sys.stdin.isatty():
        raise ConsoleError(
            "No new password: set CONSOLE_NEW_PASSWORD or run the command in a terminal."
        )
    first = remember_secret(getpass.getpass("New password (12+ characters): "))
    if remember_secret(getpass.getpass("Repeat the new password: ")) != first:
        raise ConsoleError("The two new passwords differ: nothing was changed.")
    return first


def cmd_user_reset(args: argparse.Namespace) -> int:
    from console.services import accounts

    with database(args) as db:
        actor = sign_in(db, args)
        user = accounts.find_user(db, actor, args.name)
        otp = accounts.reset_password(db, actor, user.id)
        expires = accounts.find_user(db, actor, args.name).password_expires_at
        emit(
            args,
            {"name": user.name, "one_time_password": otp, "one_time_password_expires_at": expires},
            f"New one-time password for '{user.name}' (shown once; must be changed at "
            f"sign-in{_until(expires)}): {otp}",
        )
        return EXIT_OK


def cmd_user_list(args: argparse.Namespace) -> int:
    from console.services import accounts

    with database(args) as db:
        users = accounts.list_users(db, sign_in(db, args))
        emit(
            args,
            users,
            lambda: "\n".join(
                f"{u.name:20} {u.role.value:16} {'active' if u.active else 'disabled'}"
                for u in users
            ),
        )
        return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from console.services import audit

    try:
        anchors = tuple(Anchor.parse(a) for a in args.anchor)
    except ValueError as exc:
        raise ConsoleError(str(exc)) from None
    with database(args) as db:
        result = audit.verify(db, sign_in(db, args), anchors=anchors)
        emit(
            args,
            {
                "ok": result.ok,
                "events_checked": result.events_checked,
                "head": str(result.head) if result.head else None,
                "broken_seq": result.broken_seq,
                "reason": result.reason,
            },
            result.summary(),
        )
        return EXIT_OK if result.ok else EXIT_USER_ERROR


def cmd_audit_head(args: argparse.Namespace) -> int:
    from console.services import audit

    with database(args) as db:
        head = audit.head(db, sign_in(db, args))
        emit(args, {"head": str(head) if head else None}, str(head) if head else "(empty trail)")
        return EXIT_OK


def cmd_audit_searched_for(args: argparse.Namespace) -> int:
    from console.services import audit_queries

    with database(args) as db:
        found = audit_queries.searched_for(db, sign_in(db, args), args.text, kind=args.kind)
        emit(
            args,
            [
                {
                    "seq": m.event.seq,
                    "at": m.event.at,
                    "actor": m.event.actor,
                    "action": m.event.action,
                    "matched": m.matched,
                }
                for m in found
            ],
            lambda: (
                "\n".join(
                    f"{m.event.seq:>8}  {m.event.at[:19].replace('T', ' ')}  "
                    f"{m.event.actor:16} {m.event.action:22} {m.matched}"
                    for m in found
                )
                or "No event records this text."
            ),
        )
        return EXIT_OK


def cmd_policy_load(args: argparse.Namespace) -> int:
    from console.services import policy

    with database(args) as db:
        pack = policy.load_pack_file(db, sign_in(db, args), args.file)
        emit(
            args,
            {
                "pack_id": pack.pack_id,
                "version": pack.version,
                "effective_date": pack.effective_date.isoformat(),
                "digest": pack.digest(),
            },
            f"Policy pack {pack.pack_id} version {pack.version} stored; in force from "
            f"{pack.effective_date.isoformat()}.",
        )
        return EXIT_OK


def cmd_policy_list(args: argparse.Namespace) -> int:
    from console.services import policy

    with database(args) as db:
        versions = policy.list_versions(db, sign_in(db, args))
        emit(
            args,
            versions,
            lambda: "\n".join(
                f"{v.effective_date}  {v.pack_id} {v.version}  {v.digest[:16]}" for v in versions
            ),
        )
        return EXIT_OK


def cmd_policy_check(args: argparse.Namespace) -> int:
    from console.services import policy_health

    on = None
    if args.on:
        try:
            on = dt.date.fromisoformat(args.on)
        except ValueError:
            raise UsageError(f"--on must be a date like 2026-01-31, not '{args.on}'.") from None
    with database(args) as db:
        report = policy_health.health_check(db, sign_in(db, args), on)

    def text() -> str:
        counts = report.counts()
        lines = [
            f"Policy pack {report.pack_id} version {report.pack_version}, checked on"
            f" {report.checked_on.isoformat()}: {len(report.findings)} findings"
            f" ({counts['high']} high, {counts['medium']} medium, {counts['low']} low)"
        ]
        for f in report.findings:
            lines.append(f"{f.rule_id:7} {f.severity_label:6} {f.element} — {f.status_label}")
            lines.append(f"{'':14} {f.citation}")
            lines.append(f"{'':14} Add: {f.add}")
        lines.append(f"Passed: {', '.join(report.passed) or 'none'}")
        return "\n".join(lines)

    emit(args, report.to_dict(), text)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from console.services.demo import seed as demo

    with database(args) as db:
        actor = sign_in(db, args) if _wants_sign_in(args) else None
        summary = demo.load(db, actor)
        emit(args, summary, summary.text())
        return EXIT_OK


def _wants_sign_in(args: argparse.Namespace) -> bool:
    return bool(args.user or os.environ.get("CONSOLE_USER"))
