"""Non-disclosure orders seen from elsewhere: the warnings a data-subject request shows when a legal
request whose NDO is in force concerns the same person."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from console.domain import identifiers as ident
from console.domain import legal as rules
from console.domain.permissions import Permission
from console.services.context import Actor
from console.services.legal.model import identifiers_of, ndo_in_force
from console.services.records import search as records
from console.store.db import Database
from console.store.legal_models import LegalRequest


def ndo_flags_for_identifiers(
    db: Database, actor: Actor, identifiers: list[tuple[str, str]], *, today: date | None = None
) -> list[str]:
    """Warnings for every legal request whose NDO is in force and that concerns the same person.

    A request matches when it names one of the identifiers, or when the records its identifiers
    reach (through the subject search) overlap the records these identifiers reach.
    """
    actor.require(Permission.VIEW_LEGAL)
    day = today or actor.clock.now().date()
    wanted = set()
    for kind, value in identifiers:
        normal = ident.normalise(kind.strip().lower(), value)
        if normal is not None:
            wanted.add((kind.strip().lower(), normal))
    if not wanted:
        return []
    with db.read() as s:
        rows = {
            r.id: r.ndo_until
            for r in s.execute(select(LegalRequest).where(LegalRequest.ndo.is_(True))).scalars()
            if ndo_in_force(r, day)
        }
        specs = {rid: [(i.kind, i.value) for i in identifiers_of(s, rid)] for rid in rows}
    if not rows:
        return []
    matched = {rid for rid in rows if any(pair in wanted for pair in specs[rid])}
    unmatched = [rid for rid in rows if rid not in matched and specs[rid]]
    if unmatched:
        reached = reached_record_ids(db, actor, sorted(wanted))
        for rid in unmatched:
            if reached and reached & reached_record_ids(db, actor, specs[rid]):
                matched.add(rid)
    flags = []
    for rid in sorted(matched):
        until = rows[rid]
        shown = f" until {until.isoformat()}" if until else " (no expiry)"
        flags.append(
            f"Non-disclosure order on legal request {rules.request_ref(rid)}{shown}: "
            "do not notify this person"
        )
    return flags


def reached_record_ids(db: Database, actor: Actor, identifiers: list[tuple[str, str]]) -> set[int]:
    """Records the subject search reaches from these identifiers."""
    if not identifiers:
        return set()
    result = records.find_subject(db, actor, list(identifiers))
    return {r.record_id for r in result.records}
