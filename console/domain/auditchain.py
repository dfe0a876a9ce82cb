"""Hash-chain maths for the audit trail: canonical event encoding, event hashes and chain verification.

Each event's hash is SHA-256 over a canonical JSON encoding of its fields plus the previous event's
hash, so editing, deleting, inserting or reordering any event breaks the chain at that event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainEvent:
    seq: int
    at: str  # ISO 8601 UTC, as stored
    actor: str
    action: str
    object_type: str
    object_id: str
    details: str  # canonical JSON text, as stored
    prev_hash: str
    hash: str


def canonical_details(details: dict[str, Any] | None) -> str:
    """The stored form of an event's details: canonical JSON, so re-encoding never changes a hash."""
    return json.dumps(
        details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def event_hash(
    *,
    seq: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: str,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [seq, at, actor, action, object_type, object_id, details, prev_hash],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """A (sequence, hash) pair written down earlier, e.g. printed on a report."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        seq_text, sep, hash_text = text.partition(":")
        if not sep or not seq_text.isdigit() or len(hash_text) != 64:
            raise ValueError(f"An anchor looks like SEQ:HASH (e.g. 42:{'ab' * 32}), not '{text}'.")
        return cls(int(seq_text), hash_text.lower())

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events_checked: int
    head: Anchor | None
    broken_seq: int | None = None
    reason: str = ""

    def summary(self) -> str:
        if self.ok:
            head = f"; head {self.head}" if self.head else ""
            return f"Audit trail intact: {self.events_checked} events verified{head}."
        return f"Audit trail broken at event {self.broken_seq}: {self.reason}"


def verify_chain(
    events: Iterable[ChainEvent], *, anchors: Iterable[Anchor] = (), start: Anchor | None = None
) -> VerifyResult:
    """Check an ordered stream of events; stop at the first broken one and say why.

    start: verify from this anchor on (the events before it are taken as written down): the
    stream begins with event start.seq, whose hash must be start.hash.
    """
    pending = {a.seq: a for a in anchors}
    if start is not None:
        pending[start.seq] = start
    expected_seq = start.seq if start is not None else 1
    prev_hash: str | None = None if start is not None else GENESIS_HASH
    checked = 0
    last: ChainEvent | None = None
    for ev in events:
        if ev.seq != expected_seq:
            what = "missing (deleted?)" if ev.seq > expected_seq else "out of order or duplicated"
            return VerifyResult(
                False,
                checked,
                None,
                expected_seq if ev.seq > expected_seq else ev.seq,
                f"expected event {expected_seq} next but found event {ev.seq}: "
                f"event {expected_seq} is {what}.",
            )
        if prev_hash is not None and ev.prev_hash != prev_hash:
            return VerifyResult(
                False,
                checked,
                None,
                ev.seq,
                "its link to the previous event does not match (an event was inserted, removed "
                "or reordered before it).",
            )
        recomputed = event_hash(
            seq=ev.seq,
            at=ev.at,
            actor=ev.actor,
            action=ev.action,
            object_type=ev.object_type,
            object_id=ev.object_id,
            details=ev.details,
            prev_hash=ev.prev_hash,
        )
        if recomputed != ev.hash:
            return VerifyResult(
                False,
                checked,
                None,
                ev.seq,
                "its contents do not match its hash (the event was edited after it was written).",
            )
        anchor = pending.pop(ev.seq, None)
        if anchor is not None and anchor.hash != ev.hash:
            return VerifyResult(
                False,
                checked,
                None,
                ev.seq,
                f"the chain was rewritten: the anchor {anchor} does not match the event's hash "
                f"{ev.hash}.",
            )
        prev_hash = ev.hash
        expected_seq += 1
        checked += 1
        last = ev
    if pending:
        first = min(pending)
        return VerifyResult(
            False,
            checked,
            None,
            first,
            f"the anchor {pending[first]} names an event that is no longer in the trail "
            f"(the trail ends at event {expected_seq - 1}).",
        )
    head = Anchor(last.seq, last.hash) if last else None
    return VerifyResult(True, checked, head)
