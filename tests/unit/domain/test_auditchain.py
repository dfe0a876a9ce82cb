from __future__ import annotations

import dataclasses

import pytest

from console.domain.auditchain import (
    GENESIS_HASH,
    Anchor,
    ChainEvent,
    canonical_details,
    event_hash,
    verify_chain,
)


def make_chain(n: int) -> list[ChainEvent]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        fields = dict(
            seq=seq,
            at=f"2026-01-01T00:00:{seq:02d}+00:00",
            actor="ada",
            action="x.do",
            object_type="thing",
            object_id=str(seq),
            details=canonical_details({"n": seq}),
            prev_hash=prev,
        )
        h = event_hash(**fields)
        events.append(ChainEvent(**fields, hash=h))
        prev = h
    return events


def test_an_untouched_chain_verifies_and_reports_its_head() -> None:
    chain = make_chain(5)
    result = verify_chain(chain)
    assert result.ok and result.events_checked == 5
    assert result.head == Anchor(5, chain[-1].hash)


def test_an_edited_event_is_named() -> None:
    chain = make_chain(5)
    chain[2] = dataclasses.replace(chain[2], actor="mallory")
    result = verify_chain(chain)
    assert not result.ok and result.broken_seq == 3
    assert "edited" in result.reason


def test_a_deleted_event_is_named() -> None:
    chain = make_chain(5)
    del chain[1]
    result = verify_chain(chain)
    assert not result.ok and result.broken_seq == 2
    assert "missing" in result.reason


def test_reordered_events_are_found() -> None:
    chain = make_chain(5)
    chain[1], chain[2] = dataclasses.replace(chain[2], seq=2), dataclasses.replace(chain[1], seq=3)
    result = verify_chain(chain)
    assert not result.ok and result.broken_seq == 2


def test_an_inserted_event_breaks_the_link_of_the_next() -> None:
    chain = make_chain(4)
    forged_fields = dict(
        seq=3,
        at="2026-01-01T00:00:02+00:00",
        actor="mallory",
        action="x.do",
        object_type="thing",
        object_id="9",
        details="{}",
        prev_hash=chain[1].hash,
    )
    forged = ChainEvent(**forged_fields, hash=event_hash(**forged_fields))
    renumbered = [dataclasses.replace(e, seq=e.seq + 1) for e in chain[2:]]
    result = verify_chain([*chain[:2], forged, *renumbered])
    assert not result.ok and result.broken_seq == 4


def test_an_anchor_catches_a_fully_rewritten_chain() -> None:
    original = make_chain(5)
    anchor = Anchor(3, original[2].hash)
    rewritten = make_chain(5)
    rewritten = [dataclasses.replace(e, at=e.at.replace("2026", "2025")) for e in rewritten]
    # Recompute the rewritten chain so that it is internally consistent.
    prev, fixed = GENESIS_HASH, []
    for e in rewritten:
        e = dataclasses.replace(e, prev_hash=prev)
        e = dataclasses.replace(
            e, hash=event_hash(**{k: v for k, v in dataclasses.asdict(e).items() if k != "hash"})
        )
        fixed.append(e)
        prev = e.hash
    assert verify_chain(fixed).ok
    result = verify_chain(fixed, anchors=[anchor])
    assert not result.ok and result.broken_seq == 3 and "rewritten" in result.reason


def test_an_anchor_beyond_a_truncated_chain_fails() -> None:
    chain = make_chain(5)
    result = verify_chain(chain[:3], anchors=[Anchor(5, chain[4].hash)])
    assert not result.ok and result.broken_seq == 5


@pytest.mark.parametrize("text", ["", "12", "x:abc", "3:" + "a" * 63])
def test_a_malformed_anchor_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match="SEQ:HASH"):
        Anchor.parse(text)


def test_verifying_from_an_anchor_checks_what_follows_it_and_the_anchor_itself() -> None:
    chain = make_chain(6)
    anchor = Anchor(3, chain[2].hash)
    result = verify_chain(chain[2:], start=anchor)
    assert result.ok and result.events_checked == 4 and result.head == Anchor(6, chain[-1].hash)
    rewritten = verify_chain(chain[2:], start=Anchor(3, "0" * 64))
    assert not rewritten.ok and rewritten.broken_seq == 3
    edited = list(chain)
    edited[4] = dataclasses.replace(edited[4], actor="mallory")
    assert verify_chain(edited[2:], start=anchor).broken_seq == 5
