"""Report commands: `report NAME --format pdf|xlsx --out FILE [...]` and `report verify FILE`."""

from __future__ import annotations

import argparse
from pathlib import Path

from console.cli.common import EXIT_OK, EXIT_USER_ERROR, add_json_flag, database, emit, sign_in
from console.domain.auditchain import Anchor
from console.wording import plural


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "report",
        help="export a report (PDF or XLSX), or verify an exported file",
        description="Reports: NAME --format pdf|xlsx --out FILE, or: verify FILE. "
        "`report list` shows the catalogue.",
    )
    p.add_argument("name", help="report name, 'list', or 'verify'")
    p.add_argument("file", nargs="?", help="with verify: the exported file")
    p.add_argument("--format", choices=["pdf", "xlsx"], dest="fmt")
    p.add_argument("--out", type=Path, help="the file to write")
    p.add_argument("--from", dest="since", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="until", metavar="YYYY-MM-DD")
    p.add_argument("--actor", dest="actor_name", metavar="USER", help="audit trail: only this user")
    p.add_argument("--action", help="audit trail: actions starting with this")
    p.add_argument("--query", help="records: the search text")
    p.add_argument("--source", help="records: only this source")
    p.add_argument("--category", help="records: only this data category (e.g. contact.email)")
    p.add_argument(
        "--id", dest="object_id", type=int, help="case file / access package: request id"
    )
    p.add_argument(
        "--anchor",
        metavar="SEQ:HASH",
        help="verify: check the audit chain from this point written down earlier "
        "(e.g. the chain head printed on a report) instead of from its start",
    )
    p.add_argument(
        "--force", action="store_true", help="replace FILE (and its manifest) if it exists"
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from console.cli.common import UsageError
    from console.services.reporting import catalogue as reports

    if args.name == "list":
        specs = reports.catalogue()
        emit(
            args,
            [
                {
                    "name": s.name,
                    "title": s.title,
                    "parameters": list(s.takes),
                    "personal_data": s.personal_data,
                    "classification": s.classification,
                }
                for s in specs
            ],
            lambda: "\n".join(
                f"{s.name:18} {reports.CLASSIFICATION_LABELS[s.classification]:29} {s.title}"
                for s in specs
            ),
        )
        return EXIT_OK
    if args.name == "verify":
        if not args.file:
            raise UsageError("report verify needs the FILE to check.")
        try:
            anchor = Anchor.parse(args.anchor) if args.anchor else None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        with database(args) as db:
            check = reports.verify_report(db, sign_in(db, args), Path(args.file), anchor=anchor)
        emit(
            args,
            {
                "ok": check.ok,
                "reason": check.reason,
                "sha256": check.sha256,
                "audit_seq": check.audit_seq,
            },
            check.reason,
        )
        return EXIT_OK if check.ok else EXIT_USER_ERROR
    if args.fmt is None or args.out is None:
        raise UsageError("report NAME needs --format pdf|xlsx and --out FILE.")
    params = reports.ReportParams(
        since=reports.parse_day(args.since, "--from"),
        until=reports.parse_day(args.until, "--to"),
        actor_name=args.actor_name,
        action=args.action,
        query=args.query,
        object_id=args.object_id,
        source=args.source,
        category=args.category,
    )
    with database(args) as db:
        result = reports.run_report(
            db, sign_in(db, args), args.name, args.fmt, args.out, params, force=args.force
        )
    rows = sum(result.row_counts.values())
    emit(
        args,
        {
            "file": str(result.path),
            "sha256": result.sha256,
            "rows": result.row_counts,
            "pages": result.pages,
            "manifest": str(result.manifest_path),
        },
        f"Wrote {result.path} ({plural(rows, 'row')}"
        + (f", {plural(result.pages, 'page')}" if result.pages else "")
        + f"); SHA-256 {result.sha256}",
    )
    return EXIT_OK
