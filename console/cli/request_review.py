"""`requests records|confirm|exclude|redact|unredact|letter`: reviewing the records a request found,
redacting fields before release, and the letters to the requester."""

from __future__ import annotations

import argparse
from typing import Any

from console.cli.common import EXIT_OK, UsageError, database, emit, sign_in
from console.wording import plural


def _review_data(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "record": r.record_id,
            "source": r.source,
            "row": r.row,
            "link": r.link,
            "via": r.via,
            "review": r.review,
            "note": r.note,
            "decided_by": r.decided_by,
            "decided_at": r.reviewed_at,
            "outcome": r.outcome,
        }
        for r in rows
    ]


def _review_text(request_id: int, rows: list[Any]) -> str:
    from console.services.requests.review import via_text

    if not rows:
        return f"Request {request_id} has no attached records: run `dsr find {request_id}`."
    # The source column is as wide as the longest name: a name is never cut.
    width = max(len("Source"), *(len(r.source) for r in rows))
    lines = [f"{'Record':>8}  {'Source':{width}} {'Row':>5}  {'Link':14} {'Review':16} Via"]
    for r in rows:
        lines.append(
            f"{r.record_id:>8}  {r.source:{width}} {r.row:>5}  {r.link_label:14} "
            f"{r.review_label:16} {via_text(r.via)}" + (f"\n{'':10}{r.note}" if r.note else "")
        )
    waiting = sum(1 for r in rows if r.review == "awaiting")
    lines.append(f"{plural(len(rows), 'record')}, {waiting} awaiting review")
    return "\n".join(lines)


def cmd_records(args: argparse.Namespace) -> int:
    from console.services.requests import review

    with database(args) as db:
        rows = review.review_rows(db, sign_in(db, args), args.id)
        emit(
            args,
            {"id": args.id, "records": _review_data(rows)},
            lambda: _review_text(args.id, rows),
        )
        return EXIT_OK


def _after_review(args: argparse.Namespace, db: Any, actor: Any, result: Any) -> int:
    from console.services.requests import review

    rows = review.review_rows(db, actor, args.id)
    verb = "confirmed" if result.state == "confirmed" else "excluded"
    emit(
        args,
        {
            "id": args.id,
            verb: result.changed,
            "awaiting": result.awaiting,
            "records": _review_data(rows),
        },
        f"Request {args.id}: {plural(len(result.changed), 'record')} {verb}; "
        f"{result.awaiting} awaiting review.",
    )
    return EXIT_OK


def cmd_confirm(args: argparse.Namespace) -> int:
    from console.services.requests import review

    with database(args) as db:
        actor = sign_in(db, args)
        result = review.confirm(
            db, actor, args.id, args.records, args.note, expected_version=args.expected_version
        )
        return _after_review(args, db, actor, result)


def cmd_exclude(args: argparse.Namespace) -> int:
    from console.services.requests import review

    if bool(args.records) == args.awaiting:
        raise UsageError("Name the records to exclude, or give --awaiting (not both).")
    with database(args) as db:
        actor = sign_in(db, args)
        if args.awaiting:
            result = review.exclude_awaiting(
                db, actor, args.id, args.reason, expected_version=args.expected_version
            )
        else:
            result = review.exclude(
                db,
                actor,
                args.id,
                args.records,
                args.reason,
                expected_version=args.expected_version,
            )
        return _after_review(args, db, actor, result)


def cmd_redact(args: argparse.Namespace) -> int:
    from console.services.requests import redaction as red

    with database(args) as db:
        r = red.redact(db, sign_in(db, args), args.id, args.record, args.field, args.reason)
        emit(
            args,
            {"id": args.id, "record": r.record_id, "field": r.column, "reason": r.reason},
            f"Request {args.id}: field '{r.column}' of record {r.record_id} is left out of the "
            "access package.",
        )
        return EXIT_OK


def cmd_unredact(args: argparse.Namespace) -> int:
    from console.services.requests import redaction as red

    with database(args) as db:
        red.unredact(db, sign_in(db, args), args.id, args.record, args.field)
        emit(
            args,
            {"id": args.id, "record": args.record, "field": args.field},
            f"Request {args.id}: field '{args.field}' of record {args.record} is back in the "
            "access package.",
        )
        return EXIT_OK


def cmd_letter(args: argparse.Namespace) -> int:
    from console.services.requests import letters

    with database(args) as db:
        r = letters.write_letter(
            db, sign_in(db, args), args.id, args.kind, args.out, force=args.force
        )
        emit(
            args,
            {
                "id": r.request_id,
                "kind": r.kind,
                "path": str(r.path),
                "sha256": r.sha256,
                "manifest": str(r.manifest_path),
            },
            f"Letter ({r.kind}) for request {r.request_id} written to {r.path}",
        )
        return EXIT_OK
