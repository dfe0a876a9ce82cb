"""`dsr` commands: log, list, show and move data-subject requests along; change their clock.

Reviewing found records, redaction and letters are in console.cli.request_review.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from console.cli.common import EXIT_OK, UsageError, add_json_flag, database, emit, sign_in
from console.cli.request_review import (
    cmd_confirm,
    cmd_exclude,
    cmd_letter,
    cmd_records,
    cmd_redact,
    cmd_unredact,
)
from console.cli.request_view import (
    change_request,
    common_change,
    day_arg,
    show_request,
)
from console.cli.request_work import (
    cmd_acknowledge,
    cmd_clock,
    cmd_excessive,
    cmd_my_work,
    cmd_task_add,
    cmd_task_set,
    cmd_types,
)
from console.domain import labels, request_types
from console.errors import ValidationError
from console.services.requests import law_steps
from console.services.requests import lifecycle as dsr
from console.wording import plural


def _correction(text: str) -> Any:
    from console.services.requests.fulfil import Correction

    head, sep, value = text.partition("=")
    rid, colon, column = head.partition(":")
    if not sep or not colon or not column.strip() or not rid.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not RECORD_ID:COLUMN=VALUE: '{text}'")
    return Correction(int(rid), column.strip(), value)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    mw = sub.add_parser("my-work", help="your open requests and legal matters, soonest due first")
    add_json_flag(mw)
    mw.set_defaults(handler=cmd_my_work)

    p = sub.add_parser("dsr", help="data-subject requests")
    dsub = p.add_subparsers(dest="dsr_command", required=True, metavar="COMMAND")

    reg = request_types.registry()
    n = dsub.add_parser(
        "new",
        help="log a request; prints its due date(s)",
        description="Log a request. Which types each law gives (the request-type registry):\n"
        + "\n".join(
            f"  {law}: {', '.join(rules.types_on(None))}" for law, rules in reg.laws.items()
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    n.add_argument(
        "--type",
        required=True,
        choices=list(reg.types),
        dest="rtype",
        help="the request type (a law/type pair the law does not give is refused)",
    )
    n.add_argument("--law", required=True, choices=list(reg.laws))
    n.add_argument("--received", required=True, type=day_arg, metavar="YYYY-MM-DD")
    n.add_argument("--email", action="append", default=[], metavar="E")
    n.add_argument("--phone", action="append", default=[], metavar="P")
    n.add_argument("--customer-id", action="append", default=[], metavar="ID")
    n.add_argument("--name", default="")
    n.add_argument("--address", default="")
    n.add_argument("--channel", default="email", choices=list(dsr.CHANNELS))
    n.add_argument("--country", default=None, metavar="CC", help="for GDPR: holiday calendar")
    n.add_argument("--notes", default="")
    add_json_flag(n)
    n.set_defaults(handler=cmd_new)

    ls = dsub.add_parser("list", help="list requests, soonest due first")
    ls.add_argument("--status", action="append", default=[])
    ls.add_argument("--type", action="append", default=[], dest="rtype")
    ls.add_argument("--law", action="append", default=[])
    ls.add_argument("--open", action="store_true", help="only open requests")
    ls.add_argument("--overdue", action="store_true", help="only overdue requests")
    ls.add_argument("--limit", type=int, default=100)
    add_json_flag(ls)
    ls.set_defaults(handler=cmd_list)

    sh = dsub.add_parser("show", help="one request with its clock, tasks, records and history")
    sh.add_argument("id", type=int)
    add_json_flag(sh)
    sh.set_defaults(handler=cmd_show)

    a = dsub.add_parser("advance", help="move a request to another status")
    a.add_argument("id", type=int)
    a.add_argument("--to", required=True, metavar="STATUS")
    a.add_argument("--note", default="")
    common_change(a, cmd_advance)

    asg = dsub.add_parser("assign", help="assign a request to a privacy officer or admin")
    asg.add_argument("id", type=int)
    who = asg.add_mutually_exclusive_group(required=True)
    who.add_argument("assignee", nargs="?", default=None, metavar="USER")
    who.add_argument("--nobody", action="store_true", help="take the request off anyone's list")
    common_change(asg, cmd_assign)

    v = dsub.add_parser("verify", help="record how the identity was verified (starts the work)")
    v.add_argument("id", type=int)
    v.add_argument("--method", required=True)
    v.add_argument("--evidence", default="")
    common_change(v, cmd_verify)

    e = dsub.add_parser("extend", help="extend the deadline as the law allows")
    e.add_argument("id", type=int)
    e.add_argument("--reason", required=True)
    e.add_argument(
        "--told",
        required=True,
        type=day_arg,
        metavar="YYYY-MM-DD",
        help="the date the requester was told",
    )
    e.add_argument("--on", type=day_arg, default=None, metavar="YYYY-MM-DD")
    common_change(e, cmd_extend)

    pa = dsub.add_parser("pause", help="stop the clock (where the law allows it)")
    pa.add_argument("id", type=int)
    pa.add_argument("--reason", required=True, help="e.g. identity-verification, clarification")
    pa.add_argument("--on", type=day_arg, default=None, metavar="YYYY-MM-DD")
    common_change(pa, cmd_pause)

    r = dsub.add_parser("resume", help="restart a paused clock")
    r.add_argument("id", type=int)
    r.add_argument("--on", type=day_arg, default=None, metavar="YYYY-MM-DD")
    common_change(r, cmd_resume)

    c = dsub.add_parser("close", help="complete, deny (with a reason) or withdraw a request")
    c.add_argument("id", type=int)
    c.add_argument("--outcome", required=True, choices=["completed", "denied", "withdrawn"])
    c.add_argument(
        "--reason",
        choices=[code for code, info in reg.reasons.items() if not info.legacy],
        default=None,
        metavar="REASON",
        help="for a denial: a ground the request's law allows for its type (dsr show ID lists"
        " them; dsr types --law LAW for every type)",
    )
    c.add_argument("--text", default="")
    common_change(c, cmd_close)

    ty = dsub.add_parser("types", help="the request types each law gives, with clock and citation")
    ty.add_argument("--law", choices=list(reg.laws), default=None)
    add_json_flag(ty)
    ty.set_defaults(handler=cmd_types)

    ck = dsub.add_parser(
        "clock",
        help="record identity, a fee or clarification asked for or received (UK GDPR Art. 12A)",
    )
    ck.add_argument("id", type=int)
    ck.add_argument("event", choices=list(law_steps.CLOCK_EVENTS))
    ck.add_argument("--on", type=day_arg, default=None, metavar="YYYY-MM-DD")
    ck.add_argument("--reason", default="")
    common_change(ck, cmd_clock)

    xs = dsub.add_parser(
        "excessive",
        help="decide a request is manifestly unfounded or excessive: a fee or a refusal",
        description="GDPR Art. 12(5) and its peers: charge a reasonable fee or refuse to act; the"
        " reasons are recorded, since the organisation must be able to demonstrate them.",
    )
    xs.add_argument("id", type=int)
    xs.add_argument("--decision", required=True, choices=["fee", "refuse"])
    xs.add_argument("--reasons", required=True, help="why it is manifestly unfounded or excessive")
    common_change(xs, cmd_excessive)

    ak = dsub.add_parser("acknowledge", help="record that receipt was acknowledged")
    ak.add_argument("id", type=int)
    ak.add_argument("--on", type=day_arg, default=None, metavar="YYYY-MM-DD")
    ak.add_argument("--how", default="", help="e.g. e-mail, letter")
    common_change(ak, cmd_acknowledge)

    f = dsub.add_parser("find", help="run the subject search and attach the records found")
    f.add_argument("id", type=int)
    common_change(f, cmd_find)

    fu = dsub.add_parser("fulfil", help="carry out the request (files go to --out)")
    fu.add_argument("id", type=int)
    fu.add_argument("--out", type=Path, default=Path("."))
    fu.add_argument(
        "--correct",
        action="append",
        default=[],
        type=_correction,
        metavar="RECORD_ID:COLUMN=VALUE",
        help="for a correction request: the corrected value (repeatable)",
    )
    fu.add_argument("--force", action="store_true", help="replace files of the same name in --out")
    common_change(fu, cmd_fulfil)

    rr = dsub.add_parser("records", help="the attached records with link, via and review state")
    rr.add_argument("id", type=int)
    add_json_flag(rr)
    rr.set_defaults(handler=cmd_records)

    co = dsub.add_parser("confirm", help="confirm attached records as the requester's")
    co.add_argument("id", type=int)
    co.add_argument("records", type=int, nargs="+", metavar="RECORD")
    co.add_argument(
        "--note", default="", help="why they are this requester's (needed for a possible match)"
    )
    common_change(co, cmd_confirm)

    ex = dsub.add_parser("exclude", help="exclude attached records from the request")
    ex.add_argument("id", type=int)
    ex.add_argument("records", type=int, nargs="*", metavar="RECORD")
    ex.add_argument("--awaiting", action="store_true", help="every record still awaiting review")
    ex.add_argument("--reason", required=True)
    common_change(ex, cmd_exclude)

    rd = dsub.add_parser("redact", help="leave a field of a record out of the access package")
    rd.add_argument("id", type=int)
    rd.add_argument("record", type=int, metavar="RECORD")
    rd.add_argument("field", metavar="FIELD", help="the column, as `dsr records` shows it")
    rd.add_argument("--reason", required=True, help="why (the package tells the requester)")
    add_json_flag(rd)
    rd.set_defaults(handler=cmd_redact)

    ur = dsub.add_parser("unredact", help="put a redacted field back into the access package")
    ur.add_argument("id", type=int)
    ur.add_argument("record", type=int, metavar="RECORD")
    ur.add_argument("field", metavar="FIELD")
    add_json_flag(ur)
    ur.set_defaults(handler=cmd_unredact)

    le = dsub.add_parser("letter", help="write a letter to the requester as a PDF")
    le.add_argument("id", type=int)
    le.add_argument("--kind", required=True, choices=["ack", "extension", "denial", "completion"])
    le.add_argument("--out", required=True, type=Path, metavar="FILE")
    le.add_argument("--force", action="store_true", help="replace FILE if it exists")
    add_json_flag(le)
    le.set_defaults(handler=cmd_letter)

    t = dsub.add_parser("task", help="the work in each source system")
    tsub = t.add_subparsers(dest="task_command", required=True, metavar="COMMAND")
    ta = tsub.add_parser("add", help="add a task for one source system")
    ta.add_argument("id", type=int)
    ta.add_argument("--source", required=True, metavar="NAME")
    ta.add_argument(
        "--action", required=True, metavar="ACTION", help="one of: search, delete, correct, confirm"
    )
    ta.add_argument("--assignee", default=None, metavar="USER")
    ta.add_argument("--due", type=day_arg, default=None, metavar="YYYY-MM-DD")
    add_json_flag(ta)
    ta.set_defaults(handler=cmd_task_add)
    ts = tsub.add_parser("set", help="set a task's status")
    ts.add_argument("id", type=int)
    ts.add_argument("task_id", type=int)
    ts.add_argument("--status", required=True, metavar="STATUS", help="one of: open, done, skipped")
    ts.add_argument("--note", default="")
    add_json_flag(ts)
    ts.set_defaults(handler=cmd_task_set)


def cmd_new(args: argparse.Namespace) -> int:
    intake = dsr.Intake(
        request_type=args.rtype,
        law=args.law,
        received_on=args.received,
        emails=tuple(args.email),
        phones=tuple(args.phone),
        customer_ids=tuple(args.customer_id),
        name=args.name,
        address=args.address,
        channel=args.channel,
        country=args.country,
        notes=args.notes,
    )
    with database(args) as db:
        return show_request(args, dsr.create_request(db, sign_in(db, args), intake))


def cmd_list(args: argparse.Namespace) -> int:
    from console.services.requests import metrics as m

    today = dt.date.today()
    f = m.RequestFilter(
        statuses=tuple(args.status),
        types=tuple(args.rtype),
        laws=tuple(args.law),
        open_only=args.open,
        overdue_on=today if args.overdue else None,
    )
    with database(args) as db:
        actor = sign_in(db, args)
        ids = m.request_ids(db, actor, f)
        rows = m.request_rows(db, actor, ids[: max(args.limit, 0)])
        data = {
            "total": len(ids),
            "requests": [
                {
                    "id": r.id,
                    "type": r.request_type,
                    "law": r.law,
                    "status": r.status,
                    "received": r.received_on,
                    "due_date": r.due_on,
                    "days_left": r.days_left(today),
                    "overdue": r.overdue(today),
                    "assignee": r.assignee,
                }
                for r in rows
            ],
        }
        emit(
            args,
            data,
            lambda: (
                "\n".join(
                    f"{r.id:>7} {labels.label('request_type', r.request_type):24} "
                    f"{labels.label('law', r.law):16} {labels.label('status', r.status):20} "
                    f"due {r.due_on}" + (" OVERDUE" if r.overdue(today) else "")
                    for r in rows
                )
                + f"\n{len(ids)} request{'s' if len(ids) != 1 else ''}"
            ),
        )
        return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with database(args) as db:
        return show_request(args, dsr.get_request(db, sign_in(db, args), args.id), full=True)


def cmd_advance(args: argparse.Namespace) -> int:
    return change_request(
        args,
        lambda db, a: dsr.advance(
            db, a, args.id, args.to, note=args.note, expected_version=args.expected_version
        ),
    )


def cmd_assign(args: argparse.Namespace) -> int:
    return change_request(
        args,
        lambda db, a: dsr.assign(
            db,
            a,
            args.id,
            None if args.nobody else args.assignee,
            expected_version=args.expected_version,
        ),
    )


def cmd_verify(args: argparse.Namespace) -> int:
    return change_request(
        args,
        lambda db, a: dsr.verify_identity(
            db, a, args.id, args.method, args.evidence, expected_version=args.expected_version
        ),
    )


def cmd_extend(args: argparse.Namespace) -> int:
    on = args.on or dt.date.today()
    return change_request(
        args,
        lambda db, a: dsr.extend(
            db, a, args.id, on, args.reason, args.told, expected_version=args.expected_version
        ),
    )


def cmd_pause(args: argparse.Namespace) -> int:
    on = args.on or dt.date.today()
    return change_request(
        args,
        lambda db, a: dsr.pause(
            db, a, args.id, on, args.reason, expected_version=args.expected_version
        ),
    )


def cmd_resume(args: argparse.Namespace) -> int:
    on = args.on or dt.date.today()
    return change_request(
        args, lambda db, a: dsr.resume(db, a, args.id, on, expected_version=args.expected_version)
    )


def cmd_close(args: argparse.Namespace) -> int:
    if args.outcome == "denied":
        if not args.reason:
            raise UsageError(
                "A denial needs --reason: a ground the request's law allows (dsr show ID)."
            )
        return change_request(
            args,
            lambda db, a: dsr.deny(
                db, a, args.id, args.reason, args.text, expected_version=args.expected_version
            ),
        )
    return change_request(
        args,
        lambda db, a: dsr.advance(
            db, a, args.id, args.outcome, note=args.text, expected_version=args.expected_version
        ),
    )


def cmd_find(args: argparse.Namespace) -> int:
    from console.services.requests import fulfil as work

    with database(args) as db:
        r = work.find_records(
            db, sign_in(db, args), args.id, expected_version=args.expected_version
        )
        emit(
            args,
            r,
            f"{plural(r.found, 'record')} found ({r.strong} strong, {r.possible} possible), "
            f"{r.newly_attached} newly attached.",
        )
        return EXIT_OK


def cmd_fulfil(args: argparse.Namespace) -> int:
    from console.services.requests import fulfil as work

    with database(args) as db:
        actor = sign_in(db, args)
        if args.correct and dsr.get_request(db, actor, args.id).request_type != "correction":
            raise ValidationError(f"Request {args.id} is not a correction request: drop --correct.")
        r = work.fulfil(
            db,
            actor,
            args.id,
            args.out,
            corrections=args.correct,
            expected_version=args.expected_version,
            force=args.force,
        )
        emit(
            args,
            {"id": r.request_id, **r.summary(), "paths": [str(p) for p in r.files]},
            lambda: "\n".join(
                [f"Request {r.request_id} fulfilled ({r.kind}).", *(f"  {p}" for p in r.files)]
            ),
        )
        return EXIT_OK
