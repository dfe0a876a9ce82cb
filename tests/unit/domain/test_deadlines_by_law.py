"""The clock rules of the second legal pass, each worked by hand and cited: UK GDPR Art. 12A,
DPA 2018 s.164A, CAN-SPAM and CASL, CCPA §7026 and §7027, the state appeals, and the calendars."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from console.domain.calendars import WorkingCalendar, public_holidays
from console.domain.deadlines import (
    ClockError,
    EntryKind,
    Ledger,
    calendar_for,
    compute,
    days_left,
)

D = dt.date
K = EntryKind


def received(on: dt.date, *, sent_on: dt.date | None = None) -> Ledger:
    return Ledger().start(on, sent_on=sent_on)


# --- UK GDPR Art. 12A (in force 5 Feb 2026) -------------------------------------------------------


def test_art_12a_identity_then_clarification_worked_example_one() -> None:
    """Art. 12A(2)(b) and (5): identity asked 3 Mar, received 9 Mar, so the month runs from 9 Mar
    (to Thu 9 Apr); scope question asked 13 Mar and answered 16 Mar stops four days (13-16):
    due Mon 13 Apr 2026."""
    ledger = (
        received(D(2026, 3, 2))
        .ask(K.IDENTITY_REQUESTED, D(2026, 3, 3))
        .answer(K.IDENTITY_RECEIVED, D(2026, 3, 9))
        .ask(K.CLARIFICATION_REQUESTED, D(2026, 3, 13))
        .answer(K.CLARIFICATION_RECEIVED, D(2026, 3, 16))
    )
    state = compute("uk-gdpr", "access", ledger)
    assert state.start == D(2026, 3, 9)
    assert state.stopped_days == 4
    assert state.due_date == D(2026, 4, 13)
    assert any("Art. 12A(5)" in c for c in state.citations)


def test_art_12a_identity_asked_late_starts_the_month_again_worked_example_two() -> None:
    """Art. 12A(2)(b): days already spent are not kept. Identity asked 20 Mar, received 23 Mar:
    due Thu 23 Apr 2026. The old pause model gave Tue 7 Apr, 16 days earlier than the law allows."""
    ledger = (
        received(D(2026, 3, 2))
        .ask(K.IDENTITY_REQUESTED, D(2026, 3, 20))
        .answer(K.IDENTITY_RECEIVED, D(2026, 3, 23))
    )
    assert compute("uk-gdpr", "access", ledger).due_date == D(2026, 4, 23)


def test_art_12a_a_fee_paid_moves_the_start_of_the_month() -> None:
    """Art. 12A(2)(c) with Art. 12(5): the relevant time is when the fee is paid."""
    ledger = (
        received(D(2026, 5, 4))
        .ask(K.FEE_REQUESTED, D(2026, 5, 5))
        .answer(K.FEE_PAID, D(2026, 5, 20))
    )
    state = compute("uk-gdpr", "deletion", ledger)
    assert state.start == D(2026, 5, 20) and state.due_date == D(
        2026, 6, 22
    )  # 20 Jun is a Saturday


def test_art_12a_while_identity_is_awaited_no_clock_runs() -> None:
    """Art. 12(6)(b): the controller may delay dealing with the request until identity is confirmed."""
    ledger = received(D(2026, 5, 4)).ask(K.IDENTITY_REQUESTED, D(2026, 5, 6))
    state = compute("uk-gdpr", "access", ledger)
    assert state.paused and state.waiting_for == ("identity",)
    assert state.paused_since == D(2026, 5, 6)
    assert days_left(state, D(2026, 5, 20)) == days_left(state, D(2026, 9, 1))


def test_art_12a_stopped_days_also_push_back_the_extension_notice() -> None:
    """Art. 12A(5)(b)(ii): the stop does not count towards the period for the extension notice
    either. Received 4 May; clarification 11-12 May: notice by 4 Jun + 2 = Sat 6 Jun, so Mon 8 Jun."""
    base = (
        received(D(2026, 5, 4))
        .ask(K.CLARIFICATION_REQUESTED, D(2026, 5, 11))
        .answer(K.CLARIFICATION_RECEIVED, D(2026, 5, 12))
    )
    assert compute("uk-gdpr", "access", base).extension_notice_by == D(2026, 6, 8)
    extended = compute("uk-gdpr", "access", base.extend(D(2026, 6, 8), "complex", D(2026, 6, 8)))
    assert extended.due_date == D(2026, 8, 6)  # 4 Aug + 2 stopped days
    with pytest.raises(
        ClockError, match="too late; uk-gdpr requires telling the requester by 2026-06-08"
    ):
        compute("uk-gdpr", "access", base.extend(D(2026, 6, 9), "complex", D(2026, 6, 9)))


def test_art_12a_clarification_stops_the_clock_for_access_requests_only() -> None:
    """Art. 12A(5) applies to 'a request under Article 15'; a deletion's clock keeps running."""
    ledger = received(D(2026, 5, 4)).ask(K.CLARIFICATION_REQUESTED, D(2026, 5, 6))
    with pytest.raises(
        ClockError,
        match=r"uk-gdpr stops the clock for clarification only on access requests \(UK GDPR Art\. 12A\(5\)",
    ):
        compute("uk-gdpr", "deletion", ledger)


def test_art_12a_a_stored_clarification_pause_on_a_deletion_is_kept_but_has_no_effect() -> None:
    """A ledger written by an earlier build still reads: the entry stays, noted, and the due date
    is the one the law gives (Art. 12A(5) stops no deletion clock)."""
    ledger = received(D(2026, 5, 4)).pause(D(2026, 5, 6), "clarification").resume(D(2026, 5, 20))
    state = compute("uk-gdpr", "deletion", ledger)
    assert state.due_date == compute("uk-gdpr", "deletion", received(D(2026, 5, 4))).due_date
    assert not state.paused and state.paused_days == 0
    assert state.notes and "has no effect" in state.notes[0] and "Art. 12A(5)" in state.notes[0]


def test_a_uk_request_received_before_art_12a_keeps_the_old_pause() -> None:
    """SI 2026/82 reg 2: Art. 12A applies from 5 Feb 2026; earlier requests keep Art. 12(3) and
    the ICO's stop-the-clock counted resume − pause (here 5 days, 20 Feb -> 25 Feb)."""
    ledger = received(D(2026, 1, 20)).pause(D(2026, 1, 22), "clarification").resume(D(2026, 1, 27))
    state = compute("uk-gdpr", "deletion", ledger)
    assert state.paused_days == 5 and state.due_date == D(2026, 2, 25)


def test_eu_gdpr_identity_requests_pause_the_clock_as_the_edpb_guidance_says() -> None:
    ledger = (
        received(D(2026, 3, 2))
        .ask(K.IDENTITY_REQUESTED, D(2026, 3, 5))
        .answer(K.IDENTITY_RECEIVED, D(2026, 3, 15))
    )
    state = compute("gdpr", "access", ledger, country="DE")
    assert state.paused_days == 10 and state.due_date == D(2026, 4, 13)


# --- CCPA ---------------------------------------------------------------------------------------


def test_the_ccpa_clock_runs_while_identity_is_checked() -> None:
    """11 CCR §7021(b): the 45 days begin on receipt regardless of the time needed to verify."""
    ledger = received(D(2026, 6, 1)).ask(K.IDENTITY_REQUESTED, D(2026, 6, 2))
    with pytest.raises(ClockError, match=r"runs while identity is checked .*§7021\(b\)"):
        compute("ccpa", "access", ledger)


@pytest.mark.parametrize(
    ("rtype", "cites"), [("opt-out-sale", "§7026(d)"), ("limit-spi", "§7027(d)")]
)
def test_a_ccpa_opt_out_or_limit_cannot_wait_for_identity(rtype: str, cites: str) -> None:
    ledger = received(D(2026, 6, 1)).ask(K.IDENTITY_REQUESTED, D(2026, 6, 2))
    with pytest.raises(
        ClockError, match=f"does not allow identity to be verified.*{re.escape(cites)}"
    ):
        compute("ccpa", rtype, ledger)


def test_a_ccpa_request_to_limit_is_answered_in_15_business_days() -> None:
    """11 CCR §7027(g)(1): Fri 20 Nov 2026, across Thanksgiving and the day after: Tue 15 Dec."""
    state = compute("ccpa", "limit-spi", received(D(2026, 11, 20)))
    assert state.due_date == D(2026, 12, 15)
    assert state.acknowledge_by is None and state.extensions_left == 0
    assert any("§7027(g)(1)" in c for c in state.citations)


# --- marketing e-mail opt-outs ------------------------------------------------------------------


@pytest.mark.parametrize("law", ["ccpa", "vcdpa", "cpa", "ctdpa"])
def test_can_spam_gives_ten_business_days_on_the_federal_calendar(law: str) -> None:
    """15 U.S.C. §7704(a)(4): Fri 20 Nov 2026 with Thanksgiving on the 26th is due Mon 7 Dec; the
    day after Thanksgiving is a California holiday, not a federal one. It used to be 45 days."""
    state = compute(law, "opt-out-marketing", received(D(2026, 11, 20)))
    assert state.due_date == D(2026, 12, 7)
    assert state.calendar == "US"
    assert any("§7704(a)(4)" in c for c in state.citations)
    with pytest.raises(ClockError, match="allows no extension"):
        compute(
            law,
            "opt-out-marketing",
            received(D(2026, 11, 20)).extend(D(2026, 11, 23), "busy", D(2026, 11, 23)),
        )


def test_casl_counts_ten_business_days_from_when_the_unsubscribe_was_sent() -> None:
    """CASL s.11(3): sent Fri 26 Jun 2026, received Mon 29 Jun; Canada Day on 1 Jul: due Mon 13 Jul.
    Saturdays are not business days here, though the PIPEDA roll only skips Sundays. It used to be
    30 days from receipt."""
    state = compute("pipeda", "opt-out-marketing", received(D(2026, 6, 29), sent_on=D(2026, 6, 26)))
    assert state.start == D(2026, 6, 26)
    assert state.due_date == D(2026, 7, 13)
    assert state.calendar == "CA"
    without_sending_date = compute("pipeda", "opt-out-marketing", received(D(2026, 6, 29)))
    assert without_sending_date.due_date == D(2026, 7, 14)


def test_a_sending_date_belongs_to_the_start_and_cannot_follow_receipt() -> None:
    with pytest.raises(ClockError, match="a sending date belongs to the start"):
        received(D(2026, 6, 1), sent_on=D(2026, 6, 2))


# --- appeals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("law", "cites"), [("vcdpa", "§59.1-577(C)"), ("ctdpa", "§42-518(d)")])
def test_virginia_and_connecticut_decide_an_appeal_in_60_days_without_extension(
    law: str, cites: str
) -> None:
    state = compute(law, "appeal", received(D(2026, 1, 2)))
    assert state.due_date == D(2026, 3, 3)
    assert any(cites in c for c in state.citations)
    with pytest.raises(ClockError, match="allows no extension for a appeal request"):
        compute(law, "appeal", received(D(2026, 1, 2)).extend(D(2026, 1, 5), "many", D(2026, 1, 5)))


def test_colorado_decides_an_appeal_in_45_days_extendable_by_60() -> None:
    """C.R.S. §6-1-1306(3)(c): 2 Jan + 45 = 16 Feb; extended, + 60 = 17 Apr 2026."""
    assert compute("cpa", "appeal", received(D(2026, 1, 2))).due_date == D(2026, 2, 16)
    ledger = received(D(2026, 1, 2)).extend(D(2026, 2, 16), "complex", D(2026, 2, 16))
    assert compute("cpa", "appeal", ledger).due_date == D(2026, 4, 17)


def test_connecticut_revocation_of_consent_within_15_days() -> None:
    """Conn. Gen. Stat. §42-520 (recalled, marked for review)."""
    assert compute("ctdpa", "withdraw-consent", received(D(2026, 3, 2))).due_date == D(2026, 3, 17)


# --- UK complaints ------------------------------------------------------------------------------


def test_uk_complaints_are_acknowledged_within_30_days_beginning_with_receipt() -> None:
    """DPA 2018 s.164A(3): received 1 Jul 2026 is day one, so acknowledge by 30 Jul 2026."""
    state = compute("uk-gdpr", "complaint", received(D(2026, 7, 1)))
    assert state.acknowledge_by == D(2026, 7, 30)
    assert not state.statutory  # s.164A(4): the outcome without undue delay, no fixed period


def test_uk_complaints_received_before_section_164a_have_no_acknowledgement_date() -> None:
    assert compute("uk-gdpr", "complaint", received(D(2026, 6, 18))).acknowledge_by is None


# --- statutory or not ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("law", "rtype", "statutory"),
    [
        ("pipeda", "access", True),
        ("pipeda", "withdraw-consent", False),
        ("lgpd", "access", True),
        ("lgpd", "correction", False),
        ("gdpr", "complaint", False),
        ("ccpa", "restriction", False),
    ],
)
def test_the_clock_says_when_its_period_is_an_organisation_default(
    law: str, rtype: str, statutory: bool
) -> None:
    state = compute(law, rtype, received(D(2026, 3, 2)))
    assert state.statutory is statutory


def test_a_stored_request_of_a_type_the_law_lacks_still_has_a_clock_saying_so() -> None:
    state = compute("ccpa", "restriction", received(D(2024, 6, 3)))
    assert not state.recognised
    assert state.citations[0].startswith("Not a request type of the CCPA/CPRA")
    assert state.due_date == D(2024, 7, 18)


# --- calendars ----------------------------------------------------------------------------------


def test_a_pipeda_deadline_on_thanksgiving_runs_to_the_next_day() -> None:
    """Interpretation Act s.35(1) (Thanksgiving by proclamation) and s.26: 12 Sep 2026 + 30 days is
    Mon 12 Oct, Thanksgiving, so Tue 13 Oct. The library's national list alone missed it."""
    assert compute("pipeda", "access", received(D(2026, 9, 12))).due_date == D(2026, 10, 13)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2026, 4, 6), "Easter Monday"),
        (D(2026, 5, 18), "Victoria Day"),
        (D(2026, 9, 30), "National Day for Truth and Reconciliation"),
        (D(2026, 10, 12), "Thanksgiving Day"),
        (D(2026, 11, 11), "Remembrance Day"),
        (D(2029, 7, 2), "Holiday (s.35(2): the day after a Sunday holiday)"),
    ],
)
def test_the_canadian_calendar_has_the_interpretation_act_holidays(day: dt.date, name: str) -> None:
    assert public_holidays("CA", None, day.year)[day] == name
    assert not calendar_for("pipeda").is_working_day(day)


def test_boxing_day_is_not_an_interpretation_act_holiday() -> None:
    assert D(2026, 12, 26) not in public_holidays("CA", None, 2026)


def test_susan_b_anthony_day_is_not_a_california_holiday() -> None:
    """Cal. Gov. Code §6700 does not list 15 February. In 2028 it is a Tuesday: a CCPA opt-out of
    sale received Mon 7 Feb 2028 is due Tue 29 Feb (15 business days), not Wed 1 Mar."""
    cal = calendar_for("ccpa")
    assert cal.is_working_day(D(2028, 2, 15))
    assert compute("ccpa", "opt-out-sale", received(D(2028, 2, 7))).due_date == D(2028, 2, 29)


def test_business_days_between_counts_working_days_after_the_start() -> None:
    cal = WorkingCalendar("US")
    assert cal.business_days_between(D(2026, 11, 20), D(2026, 12, 7)) == 10
    assert cal.business_days_between(D(2026, 11, 20), D(2026, 11, 20)) == 0
