"""Commands of the records area: source add/list, import, batch list/undo, search, subject find."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from console.cli.common import EXIT_OK, UsageError, add_json_flag, database, emit, sign_in
from console.domain import identifiers as ids
from console.errors import ConsoleError
from console.services.records.sources import KINDS
from console.wording import plural, plural_word


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("source", help="the catalogue of data sources")
    ssub = p.add_subparsers(dest="source_command", required=True, metavar="COMMAND")
    a = ssub.add_parser("add", help="add a data source")
    a.add_argument("name")
    a.add_argument("--kind", required=True, choices=KINDS)
    a.add_argument("--owner", default="")
    a.add_argument("--system", default="")
    a.add_argument("--region", default="US", help="country for phone numbers without one (US)")
    a.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="ID",
        dest="categories",
        help="a data category it holds, as the policy pack names it (repeat for more)",
    )
    a.add_argument("--retention", default="", help='how long it keeps data ("3 years")')
    add_json_flag(a)
    a.set_defaults(handler=cmd_source_add)
    ls = ssub.add_parser("list", help="list data sources")
    add_json_flag(ls)
    ls.set_defaults(handler=cmd_source_list)

    p = sub.add_parser("batch", help="import batches: list them, undo one")
    bsub = p.add_subparsers(dest="batch_command", required=True, metavar="COMMAND")
    bl = bsub.add_parser("list", help="import batches, newest first")
    bl.add_argument("--source", metavar="NAME", help="only this source's")
    add_json_flag(bl)
    bl.set_defaults(handler=cmd_batch_list)
    bu = bsub.add_parser("undo", help="remove the records a completed import added (audited)")
    bu.add_argument("batch_id", type=int, metavar="ID")
    add_json_flag(bu)
    bu.set_defaults(handler=cmd_batch_undo)

    p = sub.add_parser("import", help="import a CSV, XLSX or JSON lines export into a source")
    p.add_argument("file")
    p.add_argument("--source", required=True, metavar="NAME")
    p.add_argument(
        "--mapping",
        default=None,
        metavar="auto|MAPPING.json",
        help="auto proposes one; default: the source's saved mapping, else auto",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("search", help="search every imported record")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=100, metavar="N")
    add_json_flag(p)
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("subject", help="find a person across sources")
    subsub = p.add_subparsers(dest="subject_command", required=True, metavar="COMMAND")
    f = subsub.add_parser("find", help="records reachable from the identifiers given")
    f.add_argument("--email", action="append", default=[], metavar="E")
    f.add_argument("--phone", action="append", default=[], metavar="P")
    f.add_argument("--id", action="append", default=[], metavar="KIND=VALUE", dest="ids")
    add_json_flag(f)
    f.set_defaults(handler=cmd_subject_find)


def cmd_source_add(args: argparse.Namespace) -> int:
    from console.services.records import sources

    with database(args) as db:
        info = sources.add_source(
            db,
            sign_in(db, args),
            args.name,
            args.kind,
            owner=args.owner,
            system=args.system,
            default_region=args.region,
            categories=args.categories,
            retention=args.retention,
        )
        emit(args, info, f"Source '{info.name}' ({info.kind}) added.")
        return EXIT_OK


def cmd_batch_list(args: argparse.Namespace) -> int:
    from console.services.records import batches as import_batches

    with database(args) as db:
        found = import_batches.list_batches(db, sign_in(db, args), args.source)
        emit(
            args,
            found,
            lambda: (
                "\n".join(
                    f"{b.id:>6} {b.source:20} {b.status:11} {b.rows_imported:>10,} "
                    f"{b.file_name}  {' '.join(b.message.split())}"
                    for b in found
                )
                or "No imports yet."
            ),
        )
        return EXIT_OK


def cmd_batch_undo(args: argparse.Namespace) -> int:
    from console.services.records import batches as import_batches

    with database(args) as db:
        actor = sign_in(db, args)
        removed = import_batches.undo_batch(db, actor, args.batch_id)
        (undone,) = import_batches.list_batches(db, actor, batch_id=args.batch_id)
        note = undone.message
        emit(
            args,
            {"batch_id": args.batch_id, "records_removed": removed, "message": note},
            f"Import batch {args.batch_id} undone: {plural(removed, 'record')} removed."
            + note.partition("removed.")[2],  # what later imports it shared rows with can do
        )
        return EXIT_OK


def cmd_source_list(args: argparse.Namespace) -> int:
    from console.services.records import sources

    with database(args) as db:
        found = sources.list_sources(db, sign_in(db, args))
        emit(
            args,
            found,
            lambda: (
                "\n".join(
                    f"{s.name:30} {s.kind:12} {s.record_count:>10,} {plural_word(s.record_count, 'record')}"
                    for s in found
                )
                or "No sources yet."
            ),
        )
        return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from console import config
    from console.importers.mapping import Mapping
    from console.importers.pipeline import propose_mapping
    from console.services.records import imports, sources

    with database(args) as db:
        actor = sign_in(db, args)
        try:
            mapping = None
            if args.mapping == "auto":
                info = sources.get_source(db, actor, args.source)
                mapping = propose_mapping(
                    args.file, default_region=info.default_region, **config.input_limits()
                )
            elif args.mapping:
                mapping = Mapping.load(args.mapping)
            result = imports.run_import(db, actor, args.file, args.source, mapping)
        except ConsoleError as exc:
            # With --json a script gets a document however the import ends (this one before a
            # batch was written: the file, its mapping or the source could not be used).
            if getattr(args, "json", False):
                emit(args, _not_started(args.file, exc.message), "")
            raise
        data = {k: v for k, v in vars(result).items() if k not in ("rejected", "unusable")}
        data["unusable"] = [vars(u) for u in result.unusable]
        data["rejected"] = [
            {"row": p.row, "column": p.column, "reason": p.reason} for p in result.rejected
        ]
        if result.status != "completed":
            if getattr(args, "json", False):
                emit(args, data, "")
            raise ConsoleError(result.message)
        if result.rows_read and result.rows_rejected == result.rows_read:
            # Nothing of the file made it in: a script must not take that for success.
            if getattr(args, "json", False):
                emit(args, data, "")
            first = result.rejected[0].message(result.file_name) if result.rejected else ""
            raise ConsoleError(
                f"No row of {result.file_name} was imported: all {result.rows_rejected:,} were "
                f"rejected (the first: {first})."
            )
        emit(args, data, result.message)
        for problem in result.rejected[:20]:
            sys.stderr.write(f"privacy-console: {problem.message(result.file_name)}\n")
        if len(result.rejected) > 20:
            sys.stderr.write(
                f"privacy-console: … and {result.rows_rejected - 20:,} more rejected rows\n"
            )
        return EXIT_OK


def _not_started(file: str, message: str) -> dict[str, Any]:
    return {
        "batch_id": None,
        "status": "failed",
        "rows_read": 0,
        "rows_imported": 0,
        "rows_duplicate": 0,
        "rows_suppressed": 0,
        "rows_rejected": 0,
        "message": message,
        "file_name": Path(file).name,
        "unusable": [],
        "rejected": [],
    }


def cmd_search(args: argparse.Namespace) -> int:
    from console.services.records import search as records

    if args.limit < 1:
        raise UsageError("--limit must be at least 1.")
    with database(args) as db:
        actor = sign_in(db, args)
        found = records.records_by_id(
            db, actor, records.search_ids(db, actor, args.text, limit=args.limit)
        )
        data = [
            {"id": r.id, "source": r.source, "row": r.row_number, "values": r.values} for r in found
        ]
        emit(
            args,
            {"records": data},
            lambda: (
                "\n".join(
                    f"{r.source} row {r.row_number}: "
                    + ", ".join(f"{k}={v}" for k, v in r.values.items() if v)
                    for r in found
                )
                or "No records found."
            ),
        )
        return EXIT_OK


def _identifiers(args: argparse.Namespace) -> list[tuple[str, str]]:
    pairs = [(ids.EMAIL, e) for e in args.email] + [(ids.PHONE, p) for p in args.phone]
    for item in args.ids:
        kind, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise UsageError(f"--id takes KIND=VALUE, not '{item}'.")
        pairs.append((ids.parse_kind(kind), value))
    if not pairs:
        raise UsageError("subject find needs --email, --phone or --id KIND=VALUE.")
    return pairs


def cmd_subject_find(args: argparse.Namespace) -> int:
    from console.services.records import search as records

    pairs = _identifiers(args)
    with database(args) as db:
        result = records.find_subject(db, sign_in(db, args), pairs, typed=True)
        data: dict[str, Any] = {
            "records": [
                {
                    "source": r.source,
                    "row": r.row,
                    "link": r.link,
                    "via": r.via,
                    "values": r.values,
                    "held_by": r.held_by,
                }
                for r in result.records
            ],
            "not_followed": [
                {"identifier": n.identifier, "record_count": n.record_count, "reason": n.reason}
                for n in result.not_followed
            ],
        }
        emit(args, data, lambda: _subject_text(result))
        return EXIT_OK


def _subject_text(result: Any) -> str:
    lines = [
        f"{r.link:8} {r.source} row {r.row} via {', '.join(r.via)}"
        + (f" [on hold: {'; '.join(r.held_by)}]" if r.held_by else "")
        for r in result.records
    ]
    lines += [
        f"not followed: {n.identifier} ({plural(n.record_count, 'record')}): {n.reason}"
        for n in result.not_followed
    ]
    return "\n".join(lines) or "No records found."
