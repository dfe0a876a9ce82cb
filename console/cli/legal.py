"""Commands of legal requests: legal new|list|show|assign|check|decide|notice|hold|release|produce."""

from __future__ import annotations

import argparse
import mimetypes
from datetime import UTC, datetime
from pathlib import Path

from console.cli.common import EXIT_OK, UsageError, add_json_flag, database, emit, sign_in
from console.cli.legal_view import (
    day_arg,
    detail_json,
    identifiers_arg,
    iso_day,
    legal_ref,
    summary_json,
    when_arg,
)
from console.domain import labels
from console.domain.legal import Decision, ProcessType
from console.domain.workflow import LegalStatus
from console.errors import ValidationError
from console.services.legal import presenter
from console.wording import plural


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("legal", help="legal and law-enforcement requests")
    lsub = p.add_subparsers(dest="legal_command", required=True, metavar="COMMAND")

    n = lsub.add_parser("new", help="log a legal request")
    n.add_argument("--type", required=True, choices=[t.value for t in ProcessType])
    n.add_argument("--agency", required=True)
    n.add_argument("--country", required=True, help="two-letter ISO code")
    n.add_argument("--officer", default="")
    n.add_argument("--contact", default="")
    n.add_argument("--jurisdiction", default="")
    n.add_argument("--case", default="", help="case or docket number")
    n.add_argument("--served", metavar="YYYY-MM-DD")
    n.add_argument("--received", metavar="WHEN", help="date or ISO date-time (default: now)")
    due = n.add_mutually_exclusive_group()
    due.add_argument("--due", metavar="WHEN", help="response deadline, date or ISO date-time")
    due.add_argument("--hours", type=int, help="response deadline in hours after receipt")
    for kind in ("email", "phone", "customer_id", "cookie_id"):
        n.add_argument(f"--{kind.replace('_', '-')}", dest=kind, action="append", default=[])
    n.add_argument(
        "--ip",
        action="append",
        default=[],
        metavar="IP[@FROM/TO]",
        help="an IP address, optionally with the ISO time range it was seen in",
    )
    n.add_argument("--id", dest="other_ids", action="append", default=[], metavar="KIND=VALUE")
    n.add_argument("--category", action="append", default=[], help="policy category id sought")
    n.add_argument("--from", dest="data_from", metavar="YYYY-MM-DD")
    n.add_argument("--to", dest="data_to", metavar="YYYY-MM-DD")
    n.add_argument("--description", default="")
    n.add_argument("--ndo", action="store_true", help="a non-disclosure order accompanies it")
    n.add_argument("--ndo-until", metavar="YYYY-MM-DD")
    n.add_argument("--document", type=Path, help="the served document (stored with its SHA-256)")
    add_json_flag(n)
    n.set_defaults(handler=cmd_new)

    ls = lsub.add_parser("list", help="list legal requests, soonest deadline first")
    ls.add_argument("--type", choices=[t.value for t in ProcessType])
    ls.add_argument("--status", choices=[s.value for s in LegalStatus])
    ls.add_argument("--country")
    ls.add_argument("--open", action="store_true", help="only requests not yet finished")
    add_json_flag(ls)
    ls.set_defaults(handler=cmd_list)

    sh = lsub.add_parser("show", help="one request in full, with holds, disclosures and timeline")
    sh.add_argument("id")
    add_json_flag(sh)
    sh.set_defaults(handler=cmd_show)

    a = lsub.add_parser("assign", help="assign counsel (puts the request under review)")
    a.add_argument("id")
    a.add_argument("--counsel", required=True, metavar="USER")
    add_json_flag(a)
    a.set_defaults(handler=cmd_assign)

    c = lsub.add_parser("check", help="tick legal-sufficiency checklist items")
    c.add_argument("id")
    c.add_argument("items", nargs="*", metavar="ITEM", help="item keys (see `legal show`)")
    c.add_argument("--all", action="store_true", help="tick every item")
    c.add_argument("--uncheck", action="store_true")
    c.add_argument("--note", default="")
    add_json_flag(c)
    c.set_defaults(handler=cmd_check)

    d = lsub.add_parser("decide", help="record the decision (legal reviewers only)")
    d.add_argument("id")
    d.add_argument("--decision", required=True, choices=[x.value for x in Decision])
    d.add_argument("--reason", required=True)
    d.add_argument(
        "--emergency",
        metavar="JUSTIFICATION",
        help="emergency fast path: decide at once, recording why it is an emergency",
    )
    add_json_flag(d)
    d.set_defaults(handler=cmd_decide)

    no = lsub.add_parser(
        "notice",
        help="record the decision on telling the user: notify, delay or prohibited (by an NDO)",
    )
    no.add_argument("id")
    no.add_argument("--decision", required=True, choices=["notify", "delay", "prohibited"])
    no.add_argument(
        "--until", type=iso_day, default=None, metavar="YYYY-MM-DD", help="with delay: until when"
    )
    nd = no.add_mutually_exclusive_group()
    nd.add_argument("--ndo", action="store_true", default=None, help="a non-disclosure order")
    nd.add_argument("--no-ndo", action="store_false", dest="ndo", help="no non-disclosure order")
    no.add_argument("--ndo-until", type=iso_day, default=None, metavar="YYYY-MM-DD")
    add_json_flag(no)
    no.set_defaults(handler=cmd_notice)

    h = lsub.add_parser("hold", help="place, renew or list preservation holds")
    h.add_argument("id", nargs="?", help="the request to place a hold for")
    h.add_argument("--days", type=int, default=90)
    h.add_argument("--renew", metavar="HOLD", help="renew this hold (LH-N) by --days")
    h.add_argument("--expiring", type=int, metavar="DAYS", help="list holds ending within DAYS")
    add_json_flag(h)
    h.set_defaults(handler=cmd_hold)

    r = lsub.add_parser("release", help="release a hold")
    r.add_argument("hold", help="LH-N")
    r.add_argument("--reason", required=True)
    add_json_flag(r)
    r.set_defaults(handler=cmd_release)

    pr = lsub.add_parser("produce", help="produce records as a numbered production")
    pr.add_argument("id")
    pr.add_argument("--out", required=True, type=Path, help="folder for the production")
    pr.add_argument(
        "--record", dest="records", type=int, action="append", default=[], metavar="RECORD_ID"
    )
    pr.add_argument(
        "--all", action="store_true", help="every record the request's identifiers reach"
    )
    pr.add_argument("--method", default="Secure file transfer")
    pr.add_argument("--recipient")
    pr.add_argument("--certifier", help="the custodian's name (default: you)")
    pr.add_argument("--certifier-title", default="Custodian of Records")
    pr.add_argument(
        "--include-undated",
        action="store_true",
        help="legal's decision to include records that have no collection time",
    )
    pr.add_argument(
        "--override",
        metavar="REASON",
        help="legal's override to produce beyond the request's scope, and why",
    )
    pr.add_argument(
        "--all-fields",
        action="store_true",
        help="with --override: fields of every category, not only those sought",
    )
    add_json_flag(pr)
    pr.set_defaults(handler=cmd_produce)

    sc = lsub.add_parser("scope", help="show or set what a request seeks, and what falls in it")
    sc.add_argument("id")
    sc.add_argument("--category", action="append", default=None, help="policy category id sought")
    sc.add_argument("--from", dest="data_from", metavar="YYYY-MM-DD", help="collected from")
    sc.add_argument("--to", dest="data_to", metavar="YYYY-MM-DD", help="collected to")
    add_json_flag(sc)
    sc.set_defaults(handler=cmd_scope)


def cmd_new(args: argparse.Namespace) -> int:
    from console.services.legal import intake as legal
    from console.services.legal.documents import read_served_file
    from console.services.legal.model import LegalIntake

    document = None
    if args.document is not None:
        content = read_served_file(args.document)
        media = mimetypes.guess_type(args.document.name)[0] or "application/octet-stream"
        document = (args.document.name, content, media)
    intake = LegalIntake(
        process_type=args.type,
        agency=args.agency,
        country=args.country,
        officer=args.officer,
        contact=args.contact,
        jurisdiction=args.jurisdiction,
        case_number=args.case,
        served_on=day_arg(args.served, "served date"),
        received_at=when_arg(args.received, "received time") or datetime.now(UTC),
        due_at=when_arg(args.due, "deadline", end_of_day=True),
        deadline_hours=args.hours,
        identifiers=identifiers_arg(args),
        categories=args.category,
        data_from=day_arg(args.data_from, "--from date"),
        data_to=day_arg(args.data_to, "--to date"),
        description=args.description,
        ndo=args.ndo,
        ndo_until=day_arg(args.ndo_until, "NDO expiry"),
    )
    with database(args) as db:
        detail = legal.create_request(db, sign_in(db, args), intake, document=document)
        emit(
            args,
            detail_json(detail),
            lambda: (
                f"{detail.summary.ref} logged; response due "
                f"{detail.summary.due_at:%Y-%m-%d %H:%M} UTC."
            ),
        )
        return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from console.services.legal import read as legal_read
    from console.services.legal.model import LegalFilter

    with database(args) as db:
        rows = legal_read.list_requests(
            db,
            sign_in(db, args),
            LegalFilter(
                process_type=args.type,
                status=args.status,
                country=args.country,
                open_only=args.open,
            ),
        )
        emit(
            args,
            [summary_json(r) for r in rows],
            lambda: (
                "\n".join(
                    f"{r.ref:7} {r.process_type.value:17} {r.status.value:13} {r.country} "
                    f"due {r.due_at:%Y-%m-%d %H:%M}{' OVERDUE' if r.overdue else ''}  {r.agency}"
                    for r in rows
                )
                or "No legal requests."
            ),
        )
        return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from console.services.legal import disclosures as legal_disclosures
    from console.services.legal import holds as legal_holds
    from console.services.legal import intake as legal
    from console.services.legal import review as legal_review

    with database(args) as db:
        actor = sign_in(db, args)
        request_id = legal_ref(args.id, "LR")
        detail = legal.get(db, actor, request_id)
        holds = legal_holds.holds_for(db, actor, request_id)
        disclosures = legal_disclosures.disclosure_log(db, actor, request_id=request_id)
        events = legal_review.timeline(db, actor, request_id)
        data = detail_json(detail)
        data.update({"holds": holds, "disclosures": disclosures, "timeline": events})

        def text() -> str:
            s = detail.summary
            lines = [
                f"{s.ref}  {s.process_type.label}  [{s.status.label}]",
                f"Due: {presenter.utc_moment(s.due_at)}",
                *presenter.facts(detail).splitlines(),
                f"Checklist: {sum(c.checked for c in detail.checklist)} of "
                f"{len(detail.checklist)} ticked",
            ]
            lines += [f"  [{'x' if c.checked else ' '}] {c.label}" for c in detail.checklist]
            lines += [
                f"Hold {h.ref}: until {h.until} ({'active' if h.active else 'released'}, "
                f"{plural(h.record_count, 'record')})"
                for h in holds
            ]
            lines += [f"Disclosed {x.disclosed_at:%Y-%m-%d}: {x.what}" for x in disclosures]
            lines += [f"{e.at:%Y-%m-%d %H:%M} UTC  {e.text}" for e in events]
            return "\n".join(lines)

        emit(args, data, text)
        return EXIT_OK


def cmd_assign(args: argparse.Namespace) -> int:
    from console.services.legal import review as legal_review

    with database(args) as db:
        detail = legal_review.assign(db, sign_in(db, args), legal_ref(args.id, "LR"), args.counsel)
        emit(args, detail_json(detail), f"{detail.summary.ref}: counsel {args.counsel}.")
        return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from console.domain.legal import CHECKLIST
    from console.services.legal import review as legal_review

    keys = [k for k, _ in CHECKLIST] if args.all else args.items
    if not keys:
        raise UsageError("Name checklist items, or give --all.")
    with database(args) as db:
        actor = sign_in(db, args)
        detail = None
        for key in keys:
            detail = legal_review.set_checklist(
                db, actor, legal_ref(args.id, "LR"), key, not args.uncheck, args.note
            )
        assert detail is not None
        emit(args, detail_json(detail), f"{detail.summary.ref}: checklist updated.")
        return EXIT_OK


def cmd_decide(args: argparse.Namespace) -> int:
    from console.services.legal import review as legal_review

    with database(args) as db:
        actor = sign_in(db, args)
        request_id = legal_ref(args.id, "LR")
        if args.emergency:
            detail = legal_review.emergency_decide(
                db, actor, request_id, args.decision, args.emergency, args.reason
            )
        else:
            detail = legal_review.decide(db, actor, request_id, args.decision, args.reason)
        emit(args, detail_json(detail), f"{detail.summary.ref}: decided '{args.decision}'.")
        return EXIT_OK


_NOTICE = {"notify": "notify", "delay": "delay_until", "prohibited": "prohibited"}


def cmd_notice(args: argparse.Namespace) -> int:
    from console.services.legal import intake as legal
    from console.services.legal import review as legal_review

    if args.decision == "delay" and args.until is None:
        raise UsageError("--decision delay needs --until YYYY-MM-DD.")
    if args.decision != "delay" and args.until is not None:
        raise UsageError("--until goes only with --decision delay.")
    with database(args) as db:
        actor = sign_in(db, args)
        request_id = legal_ref(args.id, "LR")
        current = legal.get(db, actor, request_id)
        ndo = current.summary.ndo if args.ndo is None else args.ndo
        ndo_until = args.ndo_until if args.ndo_until or args.ndo is not None else current.ndo_until
        detail = legal_review.set_notice(
            db,
            actor,
            request_id,
            ndo=ndo,
            ndo_until=ndo_until if ndo else None,
            notice=_NOTICE[args.decision],
            delay_until=args.until,
        )
        said = labels.label("notice", detail.notice_decision)
        if detail.notice_delay_until:
            said += f" {detail.notice_delay_until.isoformat()}"
        emit(args, detail_json(detail), f"{detail.summary.ref}: {said}.")
        return EXIT_OK


def cmd_hold(args: argparse.Namespace) -> int:
    from console.services.legal import holds as legal_holds

    with database(args) as db:
        actor = sign_in(db, args)
        if args.expiring is not None:
            holds = legal_holds.holds_expiring(db, actor, args.expiring)
            emit(
                args,
                holds,
                lambda: (
                    "\n".join(
                        f"{h.ref} ({h.request_ref}) ends {h.until}: {plural(h.record_count, 'record')}"
                        for h in holds
                    )
                    or "No hold ends in that time."
                ),
            )
            return EXIT_OK
        if args.renew:
            hold = legal_holds.renew_hold(db, actor, legal_ref(args.renew, "LH"), days=args.days)
        elif args.id:
            hold = legal_holds.place_hold(db, actor, legal_ref(args.id, "LR"), days=args.days)
        else:
            raise UsageError("Name the request to hold, or give --renew HOLD or --expiring DAYS.")
        emit(
            args,
            hold,
            f"{hold.ref}: {plural(hold.record_count, 'record')} held until {hold.until}.",
        )
        return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    from console.services.legal import holds as legal_holds

    with database(args) as db:
        hold = legal_holds.release_hold(
            db, sign_in(db, args), legal_ref(args.hold, "LH"), args.reason
        )
        emit(args, hold, f"{hold.ref} released ({plural(hold.record_count, 'record')}).")
        return EXIT_OK


def cmd_produce(args: argparse.Namespace) -> int:
    from console.services.legal import production as legal_production

    if bool(args.records) == bool(args.all):
        raise UsageError("Give --record RECORD_ID (repeatable) or --all.")
    if args.all_fields and not args.override:
        raise UsageError(
            "--all-fields goes beyond the request's scope: it needs --override REASON."
        )
    with database(args) as db:
        actor = sign_in(db, args)
        request_id = legal_ref(args.id, "LR")
        ids = args.records or legal_production.candidate_record_ids(
            db, actor, request_id, include_undated=args.include_undated
        )
        if not ids:
            raise ValidationError(
                f"No record of LR-{request_id} is in its scope: see `legal scope LR-{request_id}`."
            )
        result = legal_production.produce(
            db,
            actor,
            request_id,
            ids,
            args.out,
            method=args.method,
            recipient=args.recipient,
            certifier=args.certifier,
            certifier_title=args.certifier_title,
            include_undated=args.include_undated,
            all_fields=args.all_fields,
            override_reason=args.override,
        )
        data = {
            **vars(result),
            "folder": str(result.folder),
            "manifest_path": str(result.manifest_path),
        }

        def text() -> str:
            lines = [
                f"Produced {result.first}–{result.last} "
                f"({plural(result.record_count, 'record')}) in {result.folder}"
            ]
            if result.undated_left_out:
                lines.append(
                    f"{plural(len(result.undated_left_out), 'record')} in scope "
                    f"{'has' if len(result.undated_left_out) == 1 else 'have'} no collection time "
                    "and were left out: legal decides (--include-undated, or --record ID): "
                    + ", ".join(map(str, result.undated_left_out))
                )
            return "\n".join(lines)

        emit(args, data, text)
        return EXIT_OK


def cmd_scope(args: argparse.Namespace) -> int:
    from console.services.legal import scope as legal_scope

    with database(args) as db:
        actor = sign_in(db, args)
        request_id = legal_ref(args.id, "LR")
        if args.category is not None or args.data_from or args.data_to:
            legal_scope.set_scope(
                db,
                actor,
                request_id,
                categories=args.category,
                data_from=day_arg(args.data_from, "--from date"),
                data_to=day_arg(args.data_to, "--to date"),
            )
        result = legal_scope.evaluate(db, actor, request_id)
        scope = result.scope
        data = {
            "id": request_id,
            "identifiers": [f"{i.kind}:{i.value}" for i in scope.identifiers],
            "categories": scope.categories,
            "data_from": scope.data_from,
            "data_to": scope.data_to,
            "defined": scope.defined,
            "records": [
                {
                    "record": r.record_id,
                    "source": r.source,
                    "row": r.row,
                    "collected_at": r.collected_at,
                    "scope": r.status,
                    "brought_in_by": r.matched,
                    "fields": r.columns,
                    "reason": r.reason,
                }
                for r in result.records
            ],
        }

        def text() -> str:
            lines = [
                f"LR-{request_id}: categories {', '.join(scope.categories) or '(none)'}; "
                f"collected {scope.data_from or 'any time'} to {scope.data_to or 'any time'}"
            ]
            if not scope.defined:
                lines.append(
                    "No production scope yet: name the identifiers and the categories sought."
                )
            for r in result.records:
                lines.append(
                    f"{r.record_id:>8}  {r.source[:20]:20} row {r.row:<5} {r.status_label}"
                    + (f" ({r.reason})" if r.reason else "")
                )
            return "\n".join(lines)

        emit(args, data, text)
        return EXIT_OK
