"""What the `dsr` commands share: a request printed in words (the window's own summary) or as JSON,
and a change to one run and shown."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from console.cli.common import EXIT_OK, add_json_flag, database, emit, sign_in
from console.services.requests.model import RequestView


def day_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-01-31: '{text}'") from None


def common_change(p: argparse.ArgumentParser, handler: Any) -> None:
    p.add_argument(
        "--version",
        type=int,
        default=None,
        dest="expected_version",
        help="refuse if the request changed since this version",
    )
    add_json_flag(p)
    p.set_defaults(handler=handler)


def request_text(v: RequestView) -> str:
    """The request's summary: the same words as the window's request detail."""
    from console.services.requests import presenter

    lines = [
        f"{presenter.title(v)} (version {v.version})",
        "  " + presenter.clock_line(v, dt.date.today()),
        *("  " + w for w in presenter.warnings(v)),
    ]
    return "\n".join(lines)


def show_request(args: argparse.Namespace, v: RequestView, full: bool = False) -> int:
    data: dict[str, Any] = v.summary()
    data["version"] = v.version
    data["assignee"] = v.assignee
    if full:
        data.update(
            {
                "channel": v.channel,
                "requester": v.requester_name,
                "identifiers": v.identifiers,
                "clock": v.clock,
                "tasks": v.tasks,
                "records": v.records,
                "outcome": v.outcome,
                "denial_reason": v.denial_reason,
                "denial_reasons_allowed": v.denial_reasons,
                "verification": v.verification,
                "citations": v.citations,
                "history": [{"at": e.at, "user": e.actor, "action": e.action} for e in v.timeline],
                "ndo_flags": v.ndo_flags,
            }
        )
    emit(args, data, lambda: request_text(v))
    return EXIT_OK


def change_request(args: argparse.Namespace, fn: Any) -> int:
    with database(args) as db:
        return show_request(args, fn(db, sign_in(db, args)))
