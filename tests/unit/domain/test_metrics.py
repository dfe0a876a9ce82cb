"""Metrics per law, checked against figures worked out by hand: the CCPA §7102 table (CCPA
requests only) and a timeliness table for each other law."""

from __future__ import annotations

import datetime as dt

import pytest

from console.domain.metrics import (
    CCPA_7102_ROWS,
    RequestFacts,
    ccpa_7102,
    laws_with_requests,
    timeliness,
)

D = dt.date


def fact(n: int, law: str, rtype: str, received: dt.date, **kw: object) -> RequestFacts:
    return RequestFacts(n, law, rtype, received, **kw)  # type: ignore[arg-type]


# The demo shape issue 16 describes: four CCPA requests to know (two answered in 15 and 25 days,
# one withdrawn, one open) and a GDPR access request that must not be counted.
DEMO = [
    fact(1, "ccpa", "access", D(2026, 3, 2), outcome="complied", closed_on=D(2026, 3, 17)),
    fact(2, "ccpa", "access", D(2026, 4, 1), outcome="complied", closed_on=D(2026, 4, 26)),
    fact(3, "ccpa", "access", D(2026, 5, 4), outcome="withdrawn", closed_on=D(2026, 5, 6)),
    fact(4, "ccpa", "access", D(2026, 11, 30)),
    fact(5, "gdpr", "access", D(2026, 2, 2), outcome="complied", closed_on=D(2026, 3, 1)),
]


def test_the_ccpa_7102_access_row_counts_ccpa_requests_only() -> None:
    """11 CCR §7102(a)(1)(C): 4 received, 2 complied, mean and median 20.0 days ((15 + 25) / 2).
    Mixing in the GDPR request (27 days) would give 5 received, 3 complied and 22.3 days."""
    row = ccpa_7102(DEMO, 2026).row("access")
    assert (row.received, row.complied, row.denied) == (4, 2, 0)
    assert (row.mean_days, row.median_days) == (20.0, 20.0)


def test_withdrawn_requests_are_counted_apart_not_as_pending() -> None:
    """§7102 counts received, complied and denied; a withdrawn request is none of those."""
    row = ccpa_7102(DEMO, 2026).row("access")
    assert (row.withdrawn, row.pending) == (1, 1)


def test_the_table_has_the_five_rows_of_section_7102_in_order() -> None:
    table = ccpa_7102([], 2026)
    assert [r.request_type for r in table.rows] == [t for t, _ in CCPA_7102_ROWS]
    assert [r.label for r in table.rows][:3] == [
        "Requests to delete",
        "Requests to correct",
        "Requests to know",
    ]
    assert all(r.received == 0 and r.mean_days is None for r in table.rows)
    assert "§7102(a)(1)" in table.citation


def test_a_deletion_with_every_record_held_counts_as_denied_on_an_exception() -> None:
    """11 CCR §7022(f): stored by an earlier build as 'complied in part', it is a denial on the
    legal-claims exception (§1798.145(a)(1)(E)), in the 'exempt' category of §7102(a)(2)."""
    facts = [
        fact(
            1,
            "ccpa",
            "deletion",
            D(2026, 1, 5),
            outcome="complied_in_part",
            closed_on=D(2026, 1, 25),
            records_found=3,
            records_held=3,
        ),
        fact(
            2,
            "ccpa",
            "deletion",
            D(2026, 1, 6),
            outcome="complied_in_part",
            closed_on=D(2026, 1, 16),
            records_found=3,
            records_held=1,
        ),
    ]
    row = ccpa_7102(facts, 2026).row("deletion")
    assert (row.denied, row.complied_in_part, row.complied) == (1, 1, 1)
    assert row.denied_by_reason == {"legal_claims": 1}
    assert row.denied_by_category == {"exempt": 1}
    assert (row.mean_days, row.median_days) == (15.0, 15.0)  # (20 + 10) / 2


def test_denials_are_broken_down_by_the_four_categories_of_section_7102_a_2() -> None:
    facts = [
        fact(
            1,
            "ccpa",
            "access",
            D(2026, 2, 2),
            outcome="denied",
            closed_on=D(2026, 2, 12),
            denial_reason="identity_not_verified",
        ),
        fact(
            2,
            "ccpa",
            "access",
            D(2026, 2, 3),
            outcome="denied",
            closed_on=D(2026, 2, 4),
            denial_reason="not_a_consumer",
        ),
        fact(
            3,
            "ccpa",
            "access",
            D(2026, 2, 4),
            outcome="denied",
            closed_on=D(2026, 3, 21),
            denial_reason="exemption",
        ),
        fact(
            4,
            "ccpa",
            "access",
            D(2026, 2, 5),
            outcome="denied",
            closed_on=D(2026, 2, 6),
            denial_reason="manifestly_unfounded_or_excessive",
        ),
    ]
    row = ccpa_7102(facts, 2026).row("access")
    assert row.denied == 4
    assert row.denied_by_category == {
        "exempt": 1,
        "not_a_consumer": 1,
        "not_verifiable": 1,
        "other": 1,
    }
    # Days 10, 1, 45 and 1: mean 14.25 -> 14.2 (round half to even), median (1 + 10) / 2 = 5.5.
    assert (row.mean_days, row.median_days) == (14.2, 5.5)


def test_portability_counts_as_a_request_to_know_and_e_mail_opt_outs_are_not_counted() -> None:
    """Cal. Civ. Code §1798.130(a)(2): the CCPA answers portability within the request to know;
    CAN-SPAM opt-outs are not §7102 requests."""
    facts = [
        fact(1, "ccpa", "portability", D(2026, 6, 1), outcome="complied", closed_on=D(2026, 6, 11)),
        fact(
            2,
            "ccpa",
            "opt-out-marketing",
            D(2026, 6, 1),
            outcome="complied",
            closed_on=D(2026, 6, 2),
        ),
        fact(3, "ccpa", "limit-spi", D(2026, 6, 1), outcome="complied", closed_on=D(2026, 6, 8)),
    ]
    table = ccpa_7102(facts, 2026)
    assert table.row("access").received == 1
    assert table.row("limit-spi").received == 1 and table.row("limit-spi").mean_days == 7.0
    assert sum(r.received for r in table.rows) == 2


def test_requests_count_in_the_calendar_year_they_were_received() -> None:
    facts = [
        fact(1, "ccpa", "access", D(2025, 12, 31), outcome="complied", closed_on=D(2026, 1, 9)),
        fact(2, "ccpa", "access", D(2026, 1, 1), outcome="complied", closed_on=D(2026, 1, 2)),
    ]
    assert ccpa_7102(facts, 2026).row("access").received == 1
    assert ccpa_7102(facts, 2025).row("access").mean_days == 9.0


# --- timeliness -----------------------------------------------------------------------------------


def test_a_gdpr_timeliness_table_counts_on_time_late_overdue_and_waiting() -> None:
    today = D(2026, 6, 15)
    facts = [
        fact(
            1,
            "gdpr",
            "access",
            D(2026, 3, 2),
            outcome="complied",
            closed_on=D(2026, 4, 1),
            due_on=D(2026, 4, 2),
        ),
        fact(
            2,
            "gdpr",
            "access",
            D(2026, 3, 3),
            outcome="complied",
            closed_on=D(2026, 4, 10),
            due_on=D(2026, 4, 3),
        ),
        fact(3, "gdpr", "access", D(2026, 4, 1), due_on=D(2026, 5, 4)),
        fact(4, "gdpr", "access", D(2026, 6, 1), due_on=D(2026, 7, 1)),
        fact(5, "gdpr", "access", D(2026, 4, 1), due_on=D(2026, 5, 4), waiting=True),
        fact(6, "gdpr", "access", D(2026, 4, 2), outcome="withdrawn", closed_on=D(2026, 4, 3)),
        fact(
            7,
            "gdpr",
            "deletion",
            D(2026, 4, 2),
            outcome="denied",
            closed_on=D(2026, 4, 12),
            due_on=D(2026, 5, 4),
            denial_reason="legal_claims",
            extended=True,
        ),
        fact(8, "ccpa", "access", D(2026, 4, 2)),
    ]
    table = timeliness(facts, "gdpr", 2026, today)
    assert table.law_label == "GDPR"
    access = next(r for r in table.rows if r.request_type == "access")
    assert (access.received, access.closed_on_time, access.closed_late) == (6, 1, 1)
    assert (access.open_overdue, access.open_not_due, access.waiting) == (1, 2, 1)
    assert access.withdrawn == 1
    assert (access.mean_days, access.median_days, access.unit) == (34.0, 34.0, "calendar days")
    deletion = next(r for r in table.rows if r.request_type == "deletion")
    assert deletion.denied_by_reason == {"legal_claims": 1} and deletion.extended == 1


def test_can_spam_opt_outs_are_measured_in_business_days() -> None:
    """15 U.S.C. §7704(a)(4): received Fri 20 Nov 2026, done Mon 7 Dec: 10 business days."""
    facts = [
        fact(
            1,
            "ccpa",
            "opt-out-marketing",
            D(2026, 11, 20),
            outcome="complied",
            closed_on=D(2026, 12, 7),
            due_on=D(2026, 12, 7),
        ),
    ]
    row = timeliness(facts, "ccpa", 2026, D(2026, 12, 31)).rows[0]
    assert (row.unit, row.mean_days, row.closed_on_time) == ("business days", 10.0, 1)


def test_a_ccpa_acknowledgement_is_measured_apart() -> None:
    """11 CCR §7021(a): confirm receipt within 10 business days."""
    facts = [
        fact(
            1,
            "ccpa",
            "access",
            D(2026, 1, 5),
            acknowledge_by=D(2026, 1, 19),
            acknowledged_on=D(2026, 1, 9),
            due_on=D(2026, 2, 19),
        ),
        fact(
            2,
            "ccpa",
            "access",
            D(2026, 1, 5),
            acknowledge_by=D(2026, 1, 19),
            acknowledged_on=D(2026, 1, 20),
            due_on=D(2026, 2, 19),
        ),
    ]
    row = timeliness(facts, "ccpa", 2026, D(2026, 1, 25)).rows[0]
    assert (row.acknowledged_on_time, row.acknowledged_late) == (1, 1)


def test_an_unknown_law_is_refused() -> None:
    with pytest.raises(Exception, match="Unknown law 'hipaa'"):
        timeliness([], "hipaa", 2026, D(2026, 1, 1))


def test_laws_with_requests_follow_the_registry_order() -> None:
    assert laws_with_requests(DEMO, 2026) == ("gdpr", "ccpa")
