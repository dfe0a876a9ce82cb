"""`dsr` commands beyond the workflow: what a law gives (types), its clock events, Art. 12(5)
decisions, acknowledgements, tasks, and `my-work`."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from console.cli.common import EXIT_OK, database, emit, sign_in
from console.cli.request_view import change_request
from console.domain import request_types
from console.errors import NotFound
from console.services.requests import law_steps
from console.services.requests import lifecycle as dsr
from console.services.requests.model import RequestView


def cmd_types(args: argparse.Namespace) -> int:
    reg = request_types.registry()
    laws = [args.law] if args.law else list(reg.laws)
    data = []
    for law in laws:
        for rtype in reg.law(law).types_on(None):
            rule = reg.entry(law, rtype)
            period = rule.clock.period
            data.append(
                {
                    "law": law,
                    "type": rtype,
                    "clock": f"{period.amount} {period.unit.value.replace('_', ' ')}",
                    "verification": rule.verification.mode.value,
                    "extension": rule.extension is not None,
                    "denial_reasons": list(rule.denial_reasons),
                    "citation": rule.citation.text,
                }
            )

    def text() -> str:
        return "\n".join(
            f"{d['law']:8} {d['type']:18} {d['clock']:18} {d['citation']}" for d in data
        )

    emit(args, data, text)
    return EXIT_OK


def cmd_clock(args: argparse.Namespace) -> int:
    on = args.on or dt.date.today()
    return change_request(
        args,
        lambda db, a: law_steps.clock_event(
            db, a, args.id, args.event, on, args.reason, expected_version=args.expected_version
        ),
    )


def cmd_excessive(args: argparse.Namespace) -> int:
    return change_request(
        args,
        lambda db, a: law_steps.decide_manifestly_unfounded(
            db, a, args.id, args.decision, args.reasons, expected_version=args.expected_version
        ),
    )


def cmd_acknowledge(args: argparse.Namespace) -> int:
    on = args.on or dt.date.today()
    return change_request(
        args,
        lambda db, a: law_steps.acknowledge(
            db, a, args.id, on, how=args.how, expected_version=args.expected_version
        ),
    )


def _task_data(v: RequestView, task_id: int) -> dict[str, Any]:
    task = next(t for t in v.tasks if t.id == task_id)
    return {
        "request": v.id,
        "version": v.version,
        "id": task.id,
        "source": task.source,
        "action": task.action,
        "assignee": task.assignee,
        "due_date": task.due_on,
        "status": task.status,
        "note": task.note,
        "done_by": task.done_by,
    }


def _task_line(data: dict[str, Any]) -> str:
    return (
        f"Task {data['id']} of request {data['request']}: {data['action']} in "
        f"{data['source']}, {data['status']}, due {data['due_date']}"
        + (f", assigned to {data['assignee']}" if data["assignee"] else "")
    )


def cmd_task_add(args: argparse.Namespace) -> int:
    from console.services.requests import fulfil as work

    with database(args) as db:
        actor = sign_in(db, args)
        task_id = work.add_task(
            db, actor, args.id, args.source, args.action, assignee=args.assignee, due_on=args.due
        )
        data = _task_data(dsr.get_request(db, actor, args.id), task_id)
        emit(args, data, lambda: _task_line(data))
        return EXIT_OK


def cmd_task_set(args: argparse.Namespace) -> int:
    from console.services.requests import fulfil as work

    with database(args) as db:
        actor = sign_in(db, args)
        if all(t.id != args.task_id for t in dsr.get_request(db, actor, args.id).tasks):
            raise NotFound(f"Request {args.id} has no task {args.task_id}.")
        work.set_task_status(db, actor, args.task_id, args.status, args.note)
        data = _task_data(dsr.get_request(db, actor, args.id), args.task_id)
        emit(args, data, lambda: _task_line(data))
        return EXIT_OK


def cmd_my_work(args: argparse.Namespace) -> int:
    from console.services.requests.my_work import my_work

    with database(args) as db:
        items = my_work(db, sign_in(db, args))
    data = [
        {
            "kind": i.kind,
            "id": i.id,
            "ref": i.ref,
            "title": i.title,
            "status": i.status,
            "due_date": i.due_on.isoformat(),
            "days_left": i.days_left,
            "next": i.next_action,
        }
        for i in items
    ]

    def text() -> str:
        if not items:
            return "Nothing is assigned to you."
        return "\n".join(
            f"{i.ref:<12} {i.due_on.isoformat()}  {i.when():<16} {i.status:<20} {i.title}\n"
            f"{'':<12} next: {i.next_action}"
            for i in items
        )

    emit(args, data, text)
    return EXIT_OK
