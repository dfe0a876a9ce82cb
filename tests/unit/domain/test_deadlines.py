"""The statutory clock: worked examples per law, the ledger's refusals, due-date properties."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.deadlines import (
    ClockError,
    DeadlineError,
    Law,
    Ledger,
    RequestType,
    add_months,
    calendar_for,
    compute,
    days_left,
    default_rules,
    due_this_week,
    is_overdue,
)
from console.domain.request_types import RegistryFileError, parse_registry, registry_path
from console.errors import ConsoleError

D = dt.date


def received(on: dt.date) -> Ledger:
    return Ledger().start(on)


# --- worked examples ------------------------------------------------------------------------------

# (law, request type, received, country, due date, why)
DUE_DATES = [
    # GDPR: Regulation 1182/71 month ends, then the next working day in the member state.
    ("gdpr", "access", D(2026, 1, 31), None, D(2026, 3, 2), "28 Feb 2026 is a Saturday"),
    ("gdpr", "access", D(2028, 1, 31), None, D(2028, 2, 29), "2028 is a leap year"),
    ("gdpr", "access", D(2027, 1, 31), None, D(2027, 3, 1), "28 Feb 2027 is a Sunday"),
    ("gdpr", "deletion", D(2026, 3, 31), None, D(2026, 4, 30), "April has no 31st"),
    ("gdpr", "access", D(2026, 6, 10), None, D(2026, 7, 10), "same date, a Friday"),
    ("gdpr", "access", D(2026, 11, 25), None, D(2026, 12, 28), "Christmas, St Stephen's, Sunday"),
    ("gdpr", "access", D(2026, 2, 17), None, D(2026, 3, 18), "St Patrick's Day in Ireland"),
    ("gdpr", "access", D(2026, 2, 17), "IE", D(2026, 3, 18), "Ireland named explicitly"),
    ("gdpr", "access", D(2026, 2, 17), "DE", D(2026, 3, 17), "no St Patrick's Day in Germany"),
    ("gdpr", "access", D(2026, 5, 4), "DE-BY", D(2026, 6, 5), "Corpus Christi in Bavaria"),
    ("gdpr", "access", D(2026, 5, 4), "DE", D(2026, 6, 4), "but not across Germany"),
    # UK GDPR: England's bank holidays, including substitute days.
    ("uk-gdpr", "access", D(2026, 11, 28), None, D(2026, 12, 29), "Boxing Day observed on 28th"),
    ("uk-gdpr", "access", D(2026, 3, 3), None, D(2026, 4, 7), "Good Friday to Easter Monday"),
    ("uk-gdpr", "access", D(2026, 2, 17), None, D(2026, 3, 17), "St Patrick's is not English"),
    # CCPA: 45 calendar days, no roll forward; opt-out of sale in 15 business days.
    ("ccpa", "access", D(2026, 11, 20), None, D(2027, 1, 4), "45 calendar days"),
    ("ccpa", "deletion", D(2026, 1, 2), None, D(2026, 2, 16), "stays on Presidents' Day"),
    ("ccpa", "opt-out-sale", D(2026, 11, 20), None, D(2026, 12, 15), "skips Thanksgiving + day"),
    ("ccpa", "opt-out-sale", D(2026, 1, 31), None, D(2026, 2, 23), "skips Presidents' Day"),
    # LGPD: 15 days, moved off weekends and Brazilian holidays (Código Civil Art. 132 §1).
    ("lgpd", "access", D(2026, 3, 1), None, D(2026, 3, 16), "15 days, a Monday"),
    ("lgpd", "access", D(2026, 3, 20), None, D(2026, 4, 6), "4 April 2026 is a Saturday"),
    ("lgpd", "access", D(2026, 4, 6), None, D(2026, 4, 22), "Tiradentes' Day"),
    # PIPEDA: 30 days; the Interpretation Act moves Sundays and holidays, not Saturdays.
    ("pipeda", "access", D(2026, 6, 1), None, D(2026, 7, 2), "Canada Day"),
    ("pipeda", "access", D(2026, 1, 1), None, D(2026, 1, 31), "a Saturday stays"),
    ("pipeda", "access", D(2026, 1, 2), None, D(2026, 2, 2), "a Sunday moves to Monday"),
    # Virginia, Colorado, Connecticut: 45 days.
    ("vcdpa", "access", D(2026, 1, 2), None, D(2026, 2, 16), "45 days"),
    ("cpa", "deletion", D(2026, 1, 2), None, D(2026, 2, 16), "45 days"),
    ("ctdpa", "correction", D(2026, 1, 2), None, D(2026, 2, 16), "45 days"),
]


@pytest.mark.parametrize(
    ("law", "request_type", "received_on", "country", "due", "why"),
    DUE_DATES,
    ids=[f"{row[0]}-{row[2]}-{row[5]}" for row in DUE_DATES],
)
def test_due_date_follows_the_law_and_its_calendar(
    law: str,
    request_type: str,
    received_on: dt.date,
    country: str | None,
    due: dt.date,
    why: str,
) -> None:
    state = compute(law, request_type, received(received_on), country=country)
    assert state.due_date == due, why
    assert state.received == received_on


# (law, request type, received, extended due date)
EXTENDED = [
    ("gdpr", "access", D(2026, 1, 31), D(2026, 4, 30)),  # three months from receipt, not 28 Apr
    ("gdpr", "access", D(2026, 9, 25), D(2026, 12, 28)),  # Christmas + St Stephen's + Sunday
    ("uk-gdpr", "access", D(2026, 2, 3), D(2026, 5, 5)),  # 4 May is the May Day bank holiday
    ("ccpa", "access", D(2026, 11, 20), D(2027, 2, 18)),  # 90 days
    ("pipeda", "access", D(2026, 6, 1), D(2026, 7, 31)),  # 30 + 30
    ("vcdpa", "access", D(2026, 1, 2), D(2026, 4, 2)),
    ("cpa", "access", D(2026, 1, 2), D(2026, 4, 2)),
    ("ctdpa", "access", D(2026, 1, 2), D(2026, 4, 2)),
]


@pytest.mark.parametrize(("law", "request_type", "received_on", "due"), EXTENDED)
def test_an_extension_adds_its_period_to_the_original_one(
    law: str, request_type: str, received_on: dt.date, due: dt.date
) -> None:
    ledger = received(received_on).extend(received_on, "many records", received_on)
    state = compute(law, request_type, ledger)
    assert state.due_date == due
    assert state.extended
    assert state.extensions_left == 0
    assert state.extension_notice_by is None
    assert state.original_due_date == compute(law, request_type, received(received_on)).due_date


def test_ccpa_acknowledgement_counts_business_days_across_thanksgiving() -> None:
    # Fri 20 Nov 2026; Thanksgiving (26th) and the day after are California state holidays.
    state = compute("ccpa", "access", received(D(2026, 11, 20)))
    assert state.acknowledge_by == D(2026, 12, 8)


def test_ccpa_acknowledgement_is_ten_business_days_in_an_ordinary_fortnight() -> None:
    state = compute("ccpa", "deletion", received(D(2026, 1, 30)))
    assert state.acknowledge_by == D(2026, 2, 13)


def test_ccpa_opt_out_of_sale_needs_no_acknowledgement_and_cannot_be_extended() -> None:
    state = compute("ccpa", "opt-out-sale", received(D(2026, 11, 20)))
    assert state.acknowledge_by is None
    assert state.extensions_left == 0
    assert any("§7026" in c for c in state.citations)
    ledger = received(D(2026, 11, 20)).extend(D(2026, 11, 23), "busy", D(2026, 11, 23))
    with pytest.raises(ClockError, match="allows no extension for a opt-out-sale request"):
        compute("ccpa", "opt-out-sale", ledger)


@pytest.mark.parametrize("law", ["gdpr", "uk-gdpr", "lgpd", "pipeda", "vcdpa", "cpa", "ctdpa"])
def test_only_ccpa_sets_an_acknowledgement_deadline(law: str) -> None:
    assert compute(law, "access", received(D(2026, 5, 4))).acknowledge_by is None


def test_every_law_and_request_type_has_a_rule_with_citations() -> None:
    for law in Law:
        for request_type in RequestType:
            state = compute(law, request_type, received(D(2026, 5, 4)))
            assert state.due_date > state.received
            assert state.citations, (law, request_type)


def test_the_clock_cites_the_article_it_applies() -> None:
    state = compute("gdpr", "access", received(D(2026, 5, 4)))
    assert any("Art. 12(3)" in c for c in state.citations)
    assert any("1182/71" in c for c in state.citations)
    assert state.calendar == "IE"
    assert compute("uk-gdpr", "access", received(D(2026, 5, 4))).calendar == "GB-ENG"


def test_a_country_is_ignored_by_laws_with_a_fixed_calendar() -> None:
    assert compute("ccpa", "access", received(D(2026, 5, 4)), country="DE").calendar == "US-CA"


def test_an_unknown_law_request_type_or_country_is_a_known_error() -> None:
    with pytest.raises(DeadlineError, match="Unknown law 'hipaa'"):
        compute("hipaa", "access", received(D(2026, 5, 4)))
    with pytest.raises(DeadlineError, match="Unknown request type 'audit'"):
        compute("gdpr", "audit", received(D(2026, 5, 4)))
    with pytest.raises(DeadlineError, match="country 'XX'"):
        compute("gdpr", "access", received(D(2026, 5, 4)), country="XX")
    with pytest.raises(DeadlineError, match="'ZZ' is not a known part"):
        compute("gdpr", "access", received(D(2026, 5, 4)), country="DE-ZZ")


# --- pauses ---------------------------------------------------------------------------------------


def test_a_gdpr_pause_for_identity_proof_pushes_the_due_date_by_the_days_paused() -> None:
    # Received Mon 2 Mar (due Thu 2 Apr); paused 5-15 Mar: ten days, so 12 Apr, a Sunday -> 13 Apr.
    ledger = (
        received(D(2026, 3, 2)).pause(D(2026, 3, 5), "identity-verification").resume(D(2026, 3, 15))
    )
    state = compute("gdpr", "access", ledger)
    assert state.paused_days == 10
    assert not state.paused
    assert state.due_date == D(2026, 4, 13)


def _identity_then_clarification() -> Ledger:
    return (
        received(D(2026, 6, 1))
        .pause(D(2026, 6, 2), "identity-verification")
        .resume(D(2026, 6, 4))
        .pause(D(2026, 6, 10), "clarification")
        .resume(D(2026, 6, 13))
    )


def test_eu_gdpr_pauses_add_up() -> None:
    # EDPB Guidelines 01/2022 (guidance): each pause leaves out resume - pause days: 2 + 3 = 5.
    state = compute("gdpr", "access", _identity_then_clarification(), country="DE")
    assert state.paused_days == 5
    assert state.due_date == D(2026, 7, 6)


def test_uk_gdpr_art_12a_reads_a_stored_identity_pause_as_a_new_start_and_stops_both_days() -> None:
    """UK GDPR Art. 12A(2)(b) and 12A(5), in force 5 Feb 2026.

    This test used to expect 6 Jul (five paused days). Under Art. 12A the identity information
    arriving on 4 Jun is the relevant time (one month: 4 Jul), and the clarification asked on the
    10th and answered on the 13th leaves out four days, both ends included: Wed 8 Jul 2026.
    """
    state = compute("uk-gdpr", "access", _identity_then_clarification())
    assert state.start == D(2026, 6, 4)
    assert state.stopped_days == state.paused_days == 4
    assert state.due_date == D(2026, 7, 8)


def test_a_pause_and_resume_on_the_same_day_costs_nothing() -> None:
    ledger = received(D(2026, 6, 1)).pause(D(2026, 6, 2), "clarification").resume(D(2026, 6, 2))
    assert compute("gdpr", "access", ledger).due_date == D(2026, 7, 1)


def test_a_paused_clock_keeps_its_days_left_until_it_resumes() -> None:
    ledger = received(D(2026, 6, 1)).pause(D(2026, 6, 11), "identity-verification")
    state = compute("gdpr", "access", ledger)
    assert state.paused
    assert state.paused_since == D(2026, 6, 11)
    assert state.due_date == D(2026, 7, 1)  # as if it resumed the day it paused
    assert days_left(state, D(2026, 6, 11)) == 20
    assert days_left(state, D(2026, 8, 30)) == 20
    assert not is_overdue(state, D(2026, 8, 30))
    assert not due_this_week(state, D(2026, 6, 28))


def test_an_extension_during_and_after_a_pause_keeps_the_pause() -> None:
    ledger = (
        received(D(2026, 3, 2))
        .pause(D(2026, 3, 5), "identity-verification")
        .resume(D(2026, 3, 15))
        .extend(D(2026, 4, 10), "complex request", D(2026, 4, 10))
    )
    state = compute("gdpr", "access", ledger)
    # 2 Jun + 10 paused days = 12 Jun 2026, a Friday.
    assert state.due_date == D(2026, 6, 12)
    assert state.paused_days == 10


@pytest.mark.parametrize("law", ["ccpa", "lgpd", "pipeda", "vcdpa", "cpa", "ctdpa"])
def test_laws_without_a_pause_refuse_one(law: str) -> None:
    ledger = received(D(2026, 6, 1)).pause(D(2026, 6, 2), "identity-verification")
    with pytest.raises(ClockError, match=f"{law} does not allow the clock to be paused"):
        compute(law, "access", ledger)


def test_a_pause_needs_a_reason_the_law_recognises() -> None:
    ledger = received(D(2026, 6, 1)).pause(D(2026, 6, 2), "holiday season")
    with pytest.raises(ClockError, match="clarification, identity-verification"):
        compute("gdpr", "access", ledger)
    with pytest.raises(ClockError, match="a pause needs a reason"):
        received(D(2026, 6, 1)).pause(D(2026, 6, 2), "  ")


def test_a_clock_cannot_be_paused_after_its_deadline() -> None:
    ledger = received(D(2026, 6, 1)).pause(D(2026, 7, 2), "clarification")
    with pytest.raises(ClockError, match="deadline of 2026-07-01 had passed"):
        compute("gdpr", "access", ledger)


# --- extensions -----------------------------------------------------------------------------------


def test_a_second_ccpa_extension_is_refused() -> None:
    ledger = (
        received(D(2026, 11, 20))
        .extend(D(2026, 12, 1), "volume of records", D(2026, 12, 1))
        .extend(D(2027, 1, 20), "still more records", D(2027, 1, 20))
    )
    with pytest.raises(ClockError, match=r"entry 3 .* no further extension \(1 at most"):
        compute("ccpa", "access", ledger)


def test_an_extension_without_a_reason_is_refused() -> None:
    with pytest.raises(ClockError, match="an extension needs a reason"):
        received(D(2026, 11, 20)).extend(D(2026, 12, 1), "", D(2026, 12, 1))


@pytest.mark.parametrize(
    ("law", "received_on", "last_notice_day"),
    [
        ("ccpa", D(2026, 11, 20), D(2027, 1, 4)),  # within the first 45 days
        ("gdpr", D(2026, 1, 31), D(2026, 3, 2)),  # within the (rolled) first month
        ("pipeda", D(2026, 6, 1), D(2026, 7, 2)),
        ("vcdpa", D(2026, 1, 2), D(2026, 2, 16)),
    ],
)
def test_an_extension_notice_is_accepted_on_the_last_day_and_refused_a_day_later(
    law: str, received_on: dt.date, last_notice_day: dt.date
) -> None:
    assert compute(law, "access", received(received_on)).extension_notice_by == last_notice_day
    on_time = received(received_on).extend(last_notice_day, "complex", last_notice_day)
    assert compute(law, "access", on_time).extended
    late_day = last_notice_day + dt.timedelta(days=1)
    late = received(received_on).extend(late_day, "complex", late_day)
    with pytest.raises(ClockError, match=f"too late; {law} requires telling the requester by"):
        compute(law, "access", late)


def test_lgpd_allows_no_extension() -> None:
    ledger = received(D(2026, 3, 1)).extend(D(2026, 3, 2), "complex", D(2026, 3, 2))
    with pytest.raises(ClockError, match="lgpd allows no extension"):
        compute("lgpd", "access", ledger)


def test_a_late_recorded_extension_counts_when_the_requester_was_told_in_time() -> None:
    ledger = received(D(2026, 11, 20)).extend(D(2027, 1, 10), "volume", D(2026, 12, 30))
    assert compute("ccpa", "access", ledger).due_date == D(2027, 2, 18)


# --- the ledger's own order -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Ledger().pause(D(2026, 1, 5), "clarification"), "must begin with its start"),
        (lambda: received(D(2026, 1, 5)).start(D(2026, 1, 6)), "already started"),
        (lambda: received(D(2026, 1, 5)).resume(D(2026, 1, 6)), "not paused"),
        (
            lambda: (
                received(D(2026, 1, 5))
                .pause(D(2026, 1, 6), "clarification")
                .pause(D(2026, 1, 7), "clarification")
            ),
            "already paused",
        ),
        (
            lambda: received(D(2026, 1, 5)).pause(D(2026, 1, 4), "clarification"),
            "entry 2 .*date order",
        ),
        (
            lambda: received(D(2026, 1, 5)).extend(D(2026, 1, 6), "complex", D(2026, 1, 4)),
            "cannot be told before the request came in",
        ),
    ],
)
def test_the_ledger_refuses_entries_out_of_order(build: Any, message: str) -> None:
    with pytest.raises(ClockError, match=message):
        build()


def test_an_empty_ledger_has_no_deadline() -> None:
    with pytest.raises(ClockError, match="has not been started"):
        compute("gdpr", "access", Ledger())


def test_clock_errors_are_known_errors_fit_for_the_user() -> None:
    assert issubclass(ClockError, ConsoleError)
    assert issubclass(RegistryFileError, ConsoleError)


# --- days left ------------------------------------------------------------------------------------


def test_days_left_overdue_and_due_this_week() -> None:
    state = compute("ccpa", "access", received(D(2026, 11, 20)))  # due Mon 4 Jan 2027
    assert days_left(state, D(2027, 1, 4)) == 0
    assert not is_overdue(state, D(2027, 1, 4))
    assert is_overdue(state, D(2027, 1, 5))
    assert days_left(state, D(2027, 1, 5)) == -1
    assert due_this_week(state, D(2026, 12, 29))  # six days ahead
    assert not due_this_week(state, D(2026, 12, 28))  # seven days ahead
    assert due_this_week(state, D(2027, 1, 1))  # a Friday sees Monday's deadline
    assert not due_this_week(state, D(2027, 1, 5))  # overdue is not "due this week"


# --- calendars ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 1, 31), 3, D(2026, 4, 30)),
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
    ],
)
def test_months_end_on_the_same_date_or_the_months_last_day(
    start: dt.date, months: int, end: dt.date
) -> None:
    assert add_months(start, months) == end


def test_working_days_come_from_the_laws_calendar() -> None:
    ie = calendar_for("gdpr")
    assert not ie.is_working_day(D(2026, 3, 17))
    assert calendar_for("gdpr", country="de").is_working_day(D(2026, 3, 17))
    assert not calendar_for("ccpa").is_working_day(D(2026, 11, 27))  # day after Thanksgiving
    assert calendar_for("vcdpa").is_working_day(D(2026, 3, 31))  # Cesar Chavez Day is Californian
    assert not calendar_for("ccpa").is_working_day(D(2026, 3, 31))
    assert calendar_for("pipeda").is_working_day(D(2026, 1, 3))  # a Saturday, under s. 35


# --- the rules, as read from the registry ----------------------------------------------------------
# (The file's own checks, formerly of data/deadlines/rules.json, are in test_request_types.py.)


def _bundled() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(registry_path().read_text(encoding="utf-8"))
    return data


def test_the_bundled_rules_cover_every_law_and_request_type() -> None:
    book = default_rules()
    assert set(book.laws) == {law.value for law in Law}
    assert set(book.request_types) == {t.value for t in RequestType}


def test_only_the_gdpr_family_allows_pauses_in_the_bundled_rules() -> None:
    book = default_rules()
    pausable = {law for law in book.laws if book.rule_for(law, "access").pause_reasons}
    assert pausable == {"gdpr", "uk-gdpr"}


def test_a_custom_rules_book_drives_the_clock() -> None:
    data = _bundled()
    data["laws"]["lgpd"]["types"]["access"]["clock"]["amount"] = 30
    book = parse_registry(data)
    assert compute("lgpd", "access", received(D(2026, 3, 1)), rules=book).due_date == D(2026, 3, 31)


# --- properties -----------------------------------------------------------------------------------

dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2031, 12, 31))
laws = st.sampled_from(list(Law))
request_types = st.sampled_from(list(RequestType))


@settings(max_examples=200, deadline=None)
@given(law=laws, request_type=request_types, start=dates)
def test_the_due_date_is_never_before_the_received_date(
    law: Law, request_type: RequestType, start: dt.date
) -> None:
    state = compute(law, request_type, received(start))
    assert state.due_date >= state.received
    if state.acknowledge_by is not None:
        assert state.received < state.acknowledge_by <= state.due_date


@settings(max_examples=200, deadline=None)
@given(
    law=st.sampled_from([Law.GDPR, Law.UK_GDPR]),
    start=dates,
    country=st.sampled_from([None, "IE", "DE", "FR", "DE-BY"]),
    offset=st.integers(min_value=0, max_value=40),
    length=st.integers(min_value=0, max_value=120),
    resumed=st.booleans(),
)
def test_a_pause_never_moves_the_due_date_earlier(
    law: Law, start: dt.date, country: str | None, offset: int, length: int, resumed: bool
) -> None:
    before = compute(law, "access", received(start), country=country)
    pause_on = min(start + dt.timedelta(days=offset), before.due_date)
    ledger = received(start).pause(pause_on, "clarification")
    if resumed:
        ledger = ledger.resume(pause_on + dt.timedelta(days=length))
    after = compute(law, "access", ledger, country=country)
    assert after.due_date >= before.due_date
    if law is Law.UK_GDPR and start >= D(2026, 2, 5):
        # UK GDPR Art. 12A(5): the day asked and the day answered both do not count.
        assert after.paused_days == (length + 1 if resumed else 1)
    else:
        assert after.paused_days == (length if resumed else 0)


@settings(max_examples=200, deadline=None)
@given(law=laws, request_type=request_types, start=dates, told_after=st.integers(0, 30))
def test_an_extension_never_moves_the_due_date_earlier(
    law: Law, request_type: RequestType, start: dt.date, told_after: int
) -> None:
    before = compute(law, request_type, received(start))
    if before.extension_notice_by is None:
        return
    told = min(start + dt.timedelta(days=told_after), before.extension_notice_by)
    after = compute(law, request_type, received(start).extend(told, "complex", told))
    assert after.due_date >= before.due_date
    assert after.original_due_date == before.due_date
