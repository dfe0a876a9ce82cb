"""Work on a data-subject request: find the requester's records, tasks per source system, and
fulfilment (access package, portability files, erasure, correction, opt-out) or its refusal.

Records are reached through the records services (search, erasure, suppression).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console import outfiles
from console.domain import labels
from console.domain.permissions import Permission
from console.domain.workflow import DsrStatus
from console.errors import NotFound, ValidationError
from console.filemodes import make_private_dir
from console.services.audit import record
from console.services.context import Actor
from console.services.records import erasure
from console.services.records import search as records
from console.services.requests import review
from console.services.requests.access_doc import StagedPackage, stage_package
from console.services.requests.model import (
    OBJECT_TYPE,
    RequestError,
    RequestView,
    identifiers_of,
    load_for_update,
    touch,
    writing,
)
from console.services.requests.read import get_request
from console.store.db import Database
from console.store.models import User
from console.store.requests_models import DsrRecord, DsrRequest, DsrTask

TASK_ACTIONS = ("search", "delete", "correct", "confirm")
TASK_STATUSES = ("open", "done", "skipped")
OPT_OUT_TYPES = ("opt-out-marketing", "opt-out-sale", "withdraw-consent", "limit-spi")
FULFILLABLE = ("access", "portability", "deletion", "correction", *OPT_OUT_TYPES)
_WORKING = (DsrStatus.IN_PROGRESS.value, DsrStatus.REVIEW.value)


def request_ref(request_id: int) -> str:
    return f"DSR-{request_id}"


# --- finding records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindResult:
    found: int
    newly_attached: int
    strong: int
    possible: int
    not_followed: list[str]


def find_records(
    db: Database, actor: Actor, request_id: int, *, expected_version: int | None = None
) -> FindResult:
    """Run the subject search from the request's identifiers and attach what it finds."""
    actor.require(Permission.MANAGE_DSR)
    actor.require(Permission.SEARCH_RECORDS)
    with db.read() as s:
        idents = identifiers_of(s, request_id)
        if s.get(DsrRequest, request_id) is None:
            raise NotFound(f"No data-subject request with id {request_id}.")
    result = records.find_subject(db, actor, idents)
    now = actor.clock.now()
    with writing(db) as s:
        req = load_for_update(s, request_id, expected_version)
        have = set(
            s.execute(select(DsrRecord.record_id).where(DsrRecord.request_id == req.id)).scalars()
        )
        new = 0
        for rec in result.records:
            if rec.record_id in have:
                continue
            have.add(rec.record_id)
            new += 1
            s.add(
                DsrRecord(
                    request_id=req.id,
                    record_id=rec.record_id,
                    source=rec.source,
                    row=rec.row,
                    link=rec.link,
                    via=json.dumps([str(v) for v in rec.via], ensure_ascii=False),
                    outcome=None,
                    outcome_detail="",
                    attached_at=now,
                    review=review.initial_review(rec.link),
                    review_note="",
                )
            )
        strong = sum(1 for r in result.records if r.link == "strong")
        touch(req, actor)
        not_followed = [str(n) for n in result.not_followed]
        record(
            s,
            actor,
            "dsr.records_found",
            OBJECT_TYPE,
            req.id,
            {
                "found": len(result.records),
                "attached": new,
                "strong": strong,
                "possible": len(result.records) - strong,
                "not_followed": len(not_followed),
            },
        )
    return FindResult(len(result.records), new, strong, len(result.records) - strong, not_followed)


# --- tasks ----------------------------------------------------------------------------------------


def _user_id(s: Any, name: str | None) -> int | None:
    if not name:
        return None
    uid = s.execute(select(User.id).where(User.name == name)).scalar_one_or_none()
    if uid is None:
        raise NotFound(f"No user named '{name}'.")
    return int(uid)


def add_task(
    db: Database,
    actor: Actor,
    request_id: int,
    source: str,
    action: str,
    *,
    assignee: str | None = None,
    due_on: dt.date | None = None,
    note: str = "",
) -> int:
    """A piece of work in one source system; returns the task id."""
    actor.require(Permission.MANAGE_DSR)
    if action not in TASK_ACTIONS:
        raise ValidationError(
            f"Task action '{action}' is unknown; use one of: " + ", ".join(TASK_ACTIONS)
        )
    if not source.strip():
        raise ValidationError("Task source: name the source system.")
    with writing(db) as s:
        req = load_for_update(s, request_id, None)
        task = DsrTask(
            request_id=req.id,
            source=source.strip(),
            action=action,
            assignee_id=_user_id(s, assignee),
            due_on=due_on or req.due_on,
            status="open",
            note=note.strip(),
            created_at=actor.clock.now(),
        )
        s.add(task)
        touch(req, actor)
        s.flush()
        record(
            s,
            actor,
            "dsr.task.add",
            OBJECT_TYPE,
            req.id,
            {"task": task.id, "source": task.source, "action": action, "assignee": assignee},
        )
        return task.id


def tasks_per_source(
    db: Database, actor: Actor, request_id: int, action: str, *, assignee: str | None = None
) -> list[int]:
    """One task of `action` per source system among the attached records (not already there)."""
    with db.read() as s:
        sources = sorted(
            set(
                s.execute(
                    select(DsrRecord.source).where(DsrRecord.request_id == request_id)
                ).scalars()
            )
        )
        existing = set(
            s.execute(
                select(DsrTask.source).where(
                    DsrTask.request_id == request_id, DsrTask.action == action
                )
            ).scalars()
        )
    return [
        add_task(db, actor, request_id, src, action, assignee=assignee)
        for src in sources
        if src not in existing
    ]


def set_task_status(db: Database, actor: Actor, task_id: int, status: str, note: str = "") -> None:
    actor.require(Permission.MANAGE_DSR)
    if status not in TASK_STATUSES:
        raise ValidationError(
            f"Task status '{status}' is unknown; use one of: " + ", ".join(TASK_STATUSES)
        )
    with writing(db) as s:
        task = s.get(DsrTask, task_id)
        if task is None:
            raise NotFound(f"No task with id {task_id}.")
        req = load_for_update(s, task.request_id, None)
        before = task.status
        task.status = status
        if note.strip():
            task.note = note.strip()
        done = status != "open"
        task.done_at = actor.clock.now() if done else None
        task.done_by = actor.name if done else None
        touch(req, actor)
        record(
            s,
            actor,
            "dsr.task.status",
            OBJECT_TYPE,
            req.id,
            {"task": task.id, "from": before, "to": status},
        )


# --- fulfilment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FulfilmentResult:
    request_id: int
    kind: str
    files: list[Path] = field(default_factory=list)
    erased: list[int] = field(default_factory=list)
    held: dict[int, list[str]] = field(default_factory=dict)
    corrected: list[int] = field(default_factory=list)
    suppressed: int = 0
    opted_out: int = 0
    skipped: dict[int, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "files": [p.name for p in self.files],
            "erased": self.erased,
            "held": {str(k): v for k, v in self.held.items()},
            "corrected": self.corrected,
            "suppressed": self.suppressed,
            "opted_out": self.opted_out,
            "skipped": {str(k): v for k, v in self.skipped.items()},
        }


@dataclass(frozen=True)
class Correction:
    record_id: int
    column: str
    new_value: str


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _category_ids(categories: Any) -> list[str]:
    if isinstance(categories, Mapping):
        return [str(c) for c in categories.values() if c]
    return [str(c) for c in categories or ()]


def _attached(db: Database, actor: Actor, view: RequestView) -> list[Any]:
    """The confirmed records with their current values, fresh from the records area.

    Only confirmed records: a possible match nobody confirmed, or an excluded record, never
    leaves the console. Erased records (tombstones) have nothing left to give.
    """
    ids = [r.record_id for r in view.records if r.review == review.CONFIRMED]
    if not ids:
        return []
    return [r for r in records.records_by_id(db, actor, ids) if not r.erased]


def _write_json(out: outfiles.Outgoing, path: Path, data: Any) -> Path:
    part = out.stage(path)
    part.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out.targets()[-1]


def _csv_safe(value: Any) -> str:
    # A value that starts like a formula must not become one in the vendor's spreadsheet.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _fulfil_access(
    db: Database, actor: Actor, view: RequestView, folder: Path, out: outfiles.Outgoing
) -> tuple[FulfilmentResult, StagedPackage]:
    actor.require(Permission.EXPORT_PERSONAL_DATA)
    package = stage_package(db, actor, view.id, folder, out)
    return FulfilmentResult(view.id, "access", [f.path for f in package.files]), package


def _fulfil_portability(
    db: Database, actor: Actor, view: RequestView, folder: Path, out: outfiles.Outgoing
) -> FulfilmentResult:
    actor.require(Permission.EXPORT_PERSONAL_DATA)
    strong = _attached(db, actor, view)
    stem = f"dsr-{view.id}-portability"
    data = {
        "request": request_ref(view.id),
        "records": [
            {"source": r.source, "row": r.row_number, "values": _plain(r.values)} for r in strong
        ],
    }
    json_path = _write_json(out, folder / f"{stem}.json", data)
    part = out.stage(folder / f"{stem}.csv")
    with part.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "row", "field", "value"])
        for r in strong:
            for col, value in _plain(r.values).items():
                w.writerow([_csv_safe(r.source), r.row_number, _csv_safe(col), _csv_safe(value)])
    return FulfilmentResult(view.id, "portability", [json_path, out.targets()[-1]])


def fulfil(
    db: Database,
    actor: Actor,
    request_id: int,
    out_dir: Path,
    *,
    corrections: Sequence[Correction] = (),
    expected_version: int | None = None,
    force: bool = False,
) -> FulfilmentResult:
    """Carry out the request by its type; the outcome is kept on the request and audited.

    Files (packages, lists) go through console.outfiles: staged beside their names in out_dir,
    published only after the dsr.fulfil event is committed, never over an existing file unless
    force.
    """
    actor.require(Permission.FULFIL_DSR)
    view = get_request(db, actor, request_id)
    if expected_version is not None and view.version != expected_version:
        with writing(db) as s:
            load_for_update(s, request_id, expected_version)  # raises ConflictError naming who
    if view.status not in _WORKING:
        raise RequestError(
            f"Request {view.id} must be in progress or in review to be fulfilled "
            f"(it is {view.status_label.lower()})."
        )
    if view.request_type not in FULFILLABLE:
        raise RequestError(
            f"A {view.request_type} request is handled by hand: record the work as "
            "tasks, then send it to review."
        )
    waiting = sum(1 for r in view.records if r.review == review.AWAITING)
    if waiting:
        raise RequestError(review.awaiting_message(view.id, waiting))
    if view.request_type in ("access", "portability", *OPT_OUT_TYPES) and not out_dir.exists():
        make_private_dir(out_dir)
    package: StagedPackage | None = None
    with outfiles.Outgoing(force=force) as out:
        if view.request_type == "access":
            result, package = _fulfil_access(db, actor, view, out_dir, out)
        elif view.request_type == "portability":
            result = _fulfil_portability(db, actor, view, out_dir, out)
        elif view.request_type == "deletion":
            result = _fulfil_deletion(db, actor, view)
        elif view.request_type == "correction":
            result = _fulfil_correction(db, actor, view, corrections)
        else:
            result = _fulfil_opt_out(db, actor, view, out_dir, out)
        with writing(db) as s:
            req = load_for_update(s, request_id, None)
            req.fulfilment = json.dumps(result.summary(), ensure_ascii=False)
            touch(req, actor)
            if package is not None:
                package.record(s, actor)  # the events `report verify` finds for each file
            record(
                s,
                actor,
                "dsr.fulfil",
                OBJECT_TYPE,
                req.id,
                {
                    **result.summary(),
                    "sha256": {p.name: outfiles.sha256_of(out.staged(p)) for p in result.files},
                },
            )
        out.publish()
    return result


def _fulfil_deletion(db: Database, actor: Actor, view: RequestView) -> FulfilmentResult:
    strong = [
        r.record_id for r in view.records if r.review == review.CONFIRMED and r.outcome != "erased"
    ]
    # The exclusion's reason stays with the record's review (it may name someone): not copied here.
    skipped = {
        r.record_id: "excluded at review" for r in view.records if r.review == review.EXCLUDED
    }
    with writing(db) as s:
        req = load_for_update(s, view.id, None)
        outcome = erasure.erase_records(
            s, actor, strong, reason=f"{view.request_type} request", request_ref=request_ref(req.id)
        )
        held = {int(k): [str(x) for x in v] for k, v in outcome.held.items()}
        for row in s.execute(select(DsrRecord).where(DsrRecord.request_id == req.id)).scalars():
            if row.record_id in outcome.erased:
                row.outcome, row.outcome_detail = "erased", ""
            elif row.record_id in held:
                row.outcome = "held"
                row.outcome_detail = "Under legal hold: " + ", ".join(held[row.record_id])
            elif row.record_id in skipped:
                row.outcome, row.outcome_detail = "skipped", skipped[row.record_id]
        touch(req, actor)
    return FulfilmentResult(
        view.id, "deletion", erased=sorted(outcome.erased), held=held, skipped=skipped
    )


def _fulfil_correction(
    db: Database, actor: Actor, view: RequestView, corrections: Sequence[Correction]
) -> FulfilmentResult:
    if not corrections:
        raise ValidationError("Correction: give the record, field and corrected value.")
    attached = {r.record_id: r.review for r in view.records}
    done: list[int] = []
    with writing(db) as s:
        req = load_for_update(s, view.id, None)
        for c in corrections:
            if c.record_id not in attached:
                raise ValidationError(f"Record {c.record_id} is not attached to request {req.id}.")
            if attached[c.record_id] != review.CONFIRMED:
                raise ValidationError(
                    f"Record {c.record_id} is {review.REVIEW_LABELS[attached[c.record_id]].lower()}"
                    f" on request {req.id}: only a confirmed record is corrected."
                )
            erasure.correct_record(
                s, actor, c.record_id, c.column, c.new_value, request_ref=request_ref(req.id)
            )
            done.append(c.record_id)
        for row in s.execute(
            select(DsrRecord).where(DsrRecord.request_id == req.id, DsrRecord.record_id.in_(done))
        ).scalars():
            row.outcome, row.outcome_detail = "corrected", ""
        touch(req, actor)
    return FulfilmentResult(view.id, "correction", corrected=sorted(set(done)))


# What an opt-out stops, for the systems that must honour it. It never suppresses re-imports:
# the suppression list is for erased people (an opted-out person's data is still theirs to see,
# correct or delete, so later imports must keep finding it).
OPT_OUT_STOPS: dict[str, str] = {
    "opt-out-marketing": "Sending marketing messages",
    "opt-out-sale": "Selling or sharing personal information (incl. cross-context ads)",
    "withdraw-consent": "Processing that relied on the consent withdrawn",
    "limit-spi": "Using sensitive personal information beyond the purposes 11 CCR §7027(m) allows",
}


def _fulfil_opt_out(
    db: Database, actor: Actor, view: RequestView, folder: Path, out: outfiles.Outgoing
) -> FulfilmentResult:
    """The opt-out as a notice for the systems concerned (marketing, advertising partners): who
    opted out of what, from when. Nothing is added to the import suppression list."""
    actor.require(Permission.EXPORT_PERSONAL_DATA)
    part = out.stage(
        folder / f"dsr-{view.id}-{view.request_type}-{actor.clock.today().isoformat()}.csv"
    )
    stop = OPT_OUT_STOPS.get(view.request_type, labels.label("request_type", view.request_type))
    with part.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Request", "Stop", "Identifier", "Value", "Received"])
        for kind, value in view.identifiers:
            w.writerow(
                [
                    request_ref(view.id),
                    stop,
                    labels.label("identifier", kind),
                    _csv_safe(value),
                    view.received_on.isoformat(),
                ]
            )
    with writing(db) as s:
        touch(load_for_update(s, view.id, None), actor)
    return FulfilmentResult(
        view.id, view.request_type, [out.targets()[-1]], opted_out=len(view.identifiers)
    )
