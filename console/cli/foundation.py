"""Commands of the foundation: init, user, audit verify, demo."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from console.cli.common import (
    EXIT_OK,
    EXIT_USER_ERROR,
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

    p = sub.add_parser("audit", help="the audit trail")
    asub = p.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    v = asub.add_parser("verify", help="verify the hash chain; exit 1 naming the first broken event")
    v.add_argument("--anchor", action="append", default=[], metavar="SEQ:HASH",
                   help="fail if the chain was rewritten before this point (repeatable)")
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

    p = sub.add_parser("policy", help="policy packs: load a new version, list versions")
    psub = p.add_subparsers(dest="policy_command", required=True, metavar="COMMAND")
    load = psub.add_parser("load", help="validate a policy pack file and store it as a version")
    load.add_argument("file", type=Path)
    add_json_flag(load)
    load.set_defaults(handler=cmd_policy_load)
    versions = psub.add_parser("list", help="the pack versions and their effective dates")
    add_json_flag(versions)
    versions.set_defaults(handler=cmd_policy_list)

    p = sub.add_parser("demo", help="load demo accounts, policy pack and demo data")
    add_json_flag(p)
    p.set_defaults(handler=cmd_demo)


def cmd_init(args: argparse.Namespace) -> int:
    from console.services import accounts, policy

    with database(args) as db:
        report = db.open_report
        if accounts.has_users(db):
            emit(args, {"database": db.describe(), "created_admin": False},
                 f"Database ready ({db.describe()}); it already has accounts.")
            return EXIT_OK
        password = password_from_env_or_prompt(f"Password for {args.admin}: ")
        actor = accounts.bootstrap_admin(db, args.admin, password)
        policy.ensure_default_pack(db, actor)
        upgraded = report.upgraded_from is not None
        emit(args, {"database": db.describe(), "created_admin": True, "admin": actor.name,
                    "schema_upgraded": upgraded},
             f"Database ready ({db.describe()}); admin '{actor.name}' created.")
        return EXIT_OK


def cmd_user_add(args: argparse.Namespace) -> int:
    from console.services import accounts

    with database(args) as db:
        actor = sign_in(db, args)
        info, otp = accounts.add_user(db, actor, args.name, args.role, full_name=args.full_name)
        emit(args, {"id": info.id, "name": info.name, "role": info.role,
                    "one_time_password": otp},
             f"User '{info.name}' ({info.role.label}) added.\n"
             f"One-time password (shown once; must be changed at first sign-in): {otp}")
        return EXIT_OK


def cmd_user_list(args: argparse.Namespace) -> int:
    from console.services import accounts

    with database(args) as db:
        users = accounts.list_users(db, sign_in(db, args))
        emit(args, users, lambda: "\n".join(
            f"{u.name:20} {u.role.value:16} {'active' if u.active else 'disabled'}" for u in users))
        return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from console.services import audit

    try:
        anchors = tuple(Anchor.parse(a) for a in args.anchor)
    except ValueError as exc:
        raise ConsoleError(str(exc)) from None
    with database(args) as db:
        result = audit.verify(db, sign_in(db, args), anchors=anchors)
        emit(args, {"ok": result.ok, "events_checked": result.events_checked,
                    "head": str(result.head) if result.head else None,
                    "broken_seq": result.broken_seq, "reason": result.reason},
             result.summary())
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
        emit(args, [{"seq": m.event.seq, "at": m.event.at, "actor": m.event.actor,
                     "action": m.event.action, "matched": m.matched} for m in found],
             lambda: "\n".join(f"{m.event.seq:>8}  {m.event.at[:19].replace('T', ' ')}  "
                               f"{m.event.actor:16} {m.event.action:22} {m.matched}"
                               for m in found) or "No event records this text.")
        return EXIT_OK


def cmd_policy_load(args: argparse.Namespace) -> int:
    from console.services import policy

    with database(args) as db:
        pack = policy.load_pack_file(db, sign_in(db, args), args.file)
        emit(args, {"pack_id": pack.pack_id, "version": pack.version,
                    "effective_date": pack.effective_date.isoformat(), "digest": pack.digest()},
             f"Policy pack {pack.pack_id} version {pack.version} stored; in force from "
             f"{pack.effective_date.isoformat()}.")
        return EXIT_OK


def cmd_policy_list(args: argparse.Namespace) -> int:
    from console.services import policy

    with database(args) as db:
        versions = policy.list_versions(db, sign_in(db, args))
        emit(args, versions, lambda: "\n".join(
            f"{v.effective_date}  {v.pack_id} {v.version}  {v.digest[:16]}" for v in versions))
        return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from console.services import demo

    with database(args) as db:
        actor = sign_in(db, args) if _wants_sign_in(args) else None
        summary = demo.load(db, actor)
        emit(args, summary, summary.text())
        return EXIT_OK


def _wants_sign_in(args: argparse.Namespace) -> bool:
    return bool(args.user or os.environ.get("CONSOLE_USER"))
