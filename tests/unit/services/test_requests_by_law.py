"""Data-subject requests worked by their law's rules (the registry): opt-outs, deletions of held
records, manifestly unfounded requests, UK Art. 12A clock events and acknowledgements. Each test
cites the rule it checks."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from console.domain.workflow import WorkflowError
from console.errors import ValidationError
from console.importers.mapping import Mapping
from console.services import audit
from console.services.records import erasure, imports, suppression
from console.services.requests import fulfil as work
from console.services.requests import law_steps
from console.services.requests import lifecycle as dsr
from console.services.requests import review as review
from console.services.requests.metrics import metrics_by_law, register_rows
from tests.unit.services.records_data import CRM_HEADER, CRM_MAPPING, write_csv
from tests.unit.services.review_data import ANA, open_request, review_world

D = dt.date
TODAY = dt.date.today()


@pytest.fixture
def db(any_db):
    return any_db


@pytest.fixture
def admin(any_admin):
    return any_admin


@pytest.fixture
def officer(any_db, any_admin, any_make_user, tmp_path: Path):
    return review_world(any_db, any_admin, any_make_user, tmp_path)


def _events(db, admin, request_id: int, action: str) -> list:
    return [
        e
        for e in audit.list_events(
            db, admin, audit.EventFilter(object_type="dsr_request", object_id=str(request_id))
        )
        if e.action == action
    ]


def test_an_opt_out_of_sale_is_honoured_without_suppressing_later_imports(
    db, admin, officer, tmp_path
) -> None:
    """11 CCR §7026: an opt-out stops selling and sharing, and (d) needs no verification. It does
    not erase anyone: a later import keeps the person's rows, so a later access or deletion request
    still finds them (suppression on re-import is for erased subjects only)."""
    view = open_request(db, officer, law="ccpa", rtype="opt-out-sale")
    assert view.identity_verified_at is None and view.status == "in_progress"
    review.exclude_awaiting(db, officer, view.id, "not the requester")
    result = work.fulfil(db, officer, view.id, tmp_path / "out")
    assert result.suppressed == 0 and result.opted_out == 1
    with db.read() as s:
        assert not suppression.is_suppressed(s, "email", ANA)
    [notice] = result.files
    with notice.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["Value"] == ANA and rows[0]["Stop"].startswith("Selling or sharing")
    later = write_csv(tmp_path / "crm-later.csv", CRM_HEADER, [["C9", ANA, "", "Ana", ""]])
    batch = imports.run_import(
        db, officer, later, "CRM", Mapping.from_json(CRM_MAPPING, source_name="crm")
    )
    assert (batch.rows_imported, batch.rows_suppressed) == (1, 0)


def test_a_deletion_with_every_record_held_closes_as_denied_on_an_exception(
    db, admin, officer, tmp_path
) -> None:
    """11 CCR §7022(f): records kept on an exception are a denial, and the response explains the
    basis; §7102 counts it as denied, not as complied with in part."""
    view = open_request(db, officer, law="ccpa", rtype="deletion")
    review.exclude_awaiting(db, officer, view.id, "not the requester")
    kept = [r.record_id for r in view.records if r.review != "excluded" and r.link == "strong"]
    with db.transaction() as s:
        erasure.place_hold(s, kept, hold_ref="LH-1", reason="case 1", until=None)
    work.fulfil(db, officer, view.id, tmp_path / "out")
    dsr.advance(db, officer, view.id, "review")
    view = dsr.advance(db, officer, view.id, "completed")
    assert view.status == "denied" and view.outcome == "denied"
    assert view.denial_reason == "legal_claims"
    assert "must be kept under a legal hold" in view.denial_text and "§7022(f)" in view.denial_text
    [row] = [r for r in register_rows(db, officer) if r.id == view.id]
    assert row.response == "Denied"
    [event] = [e for e in _events(db, admin, view.id, "dsr.status") if e.details["to"] == "denied"]
    assert event.details["reason"] == "legal_claims"


def test_a_deletion_with_some_records_held_is_complied_with_in_part(db, officer, tmp_path) -> None:
    """11 CCR §7022(f): the rest is deleted; only what the exception covers is kept."""
    view = open_request(db, officer, law="ccpa", rtype="deletion")
    kept = next(r.record_id for r in view.records if r.source == "CRM" and r.link == "strong")
    review.exclude_awaiting(db, officer, view.id, "not the requester")
    with db.transaction() as s:
        erasure.place_hold(s, [kept], hold_ref="LH-2", reason="case 2", until=None)
    work.fulfil(db, officer, view.id, tmp_path / "out")
    dsr.advance(db, officer, view.id, "review")
    view = dsr.advance(db, officer, view.id, "completed")
    assert (view.status, view.outcome) == ("completed", "complied_in_part")


def test_a_manifestly_unfounded_request_is_refused_with_the_reasons_recorded(
    db, admin, officer
) -> None:
    """GDPR Art. 12(5): the controller may refuse to act, and bears the burden of demonstrating
    that the request is manifestly unfounded or excessive, so the reasons are required."""
    view = open_request(db, officer, law="gdpr", received=TODAY)
    assert view.excessive_options == ["fee", "refuse"]
    with pytest.raises(WorkflowError, match="burden of demonstrating"):
        law_steps.decide_manifestly_unfounded(db, officer, view.id, "refuse", "  ")
    with pytest.raises(WorkflowError, match="choose: fee, refuse"):
        law_steps.decide_manifestly_unfounded(db, officer, view.id, "ignore", "x")
    dsr.advance(db, officer, view.id, "review")
    reasons = "Fifth identical request this month, each answered in full."
    view = law_steps.decide_manifestly_unfounded(db, officer, view.id, "refuse", reasons)
    assert (view.status, view.denial_reason) == ("denied", "manifestly_unfounded_or_excessive")
    assert view.denial_text == reasons
    [event] = _events(db, admin, view.id, "dsr.excessive")
    assert event.details["decision"] == "refuse" and event.details["reasons"] == reasons
    assert "Art. 12(5)" in event.details["citation"]


def test_a_uk_fee_for_an_excessive_request_moves_the_start_when_paid(db, officer) -> None:
    """UK GDPR Art. 12A(2)(c): the period runs from when the fee is paid."""
    received = D(2026, 7, 1)
    view = dsr.create_request(
        db,
        officer,
        dsr.Intake("access", "uk-gdpr", received, emails=("u@example.co.uk",), name="U"),
    )
    # The day of receipt is day one: 1 Aug 2026 is a Saturday, so 3 Aug.
    assert view.due_on == D(2026, 8, 3)
    view = law_steps.decide_manifestly_unfounded(
        db, officer, view.id, "fee", "Repeated request for the same copy", today=D(2026, 7, 3)
    )
    assert [c.kind for c in view.clock] == ["start", "fee_requested"]
    view = law_steps.clock_event(db, officer, view.id, "fee-paid", D(2026, 7, 10))
    assert view.due_on == D(2026, 8, 10)  # a month from the payment (a Monday)


def test_uk_identity_and_clarification_events_follow_article_12a(db, officer) -> None:
    """UK GDPR Art. 12A(2)(b): the period starts when identity information asked for arrives;
    Art. 12A(5): asking for clarification of an access request stops the clock until it comes,
    both days left out."""
    view = dsr.create_request(
        db,
        officer,
        dsr.Intake("access", "uk-gdpr", D(2026, 7, 1), emails=("u@example.co.uk",), name="U"),
    )
    view = law_steps.clock_event(db, officer, view.id, "identity-requested", D(2026, 7, 2))
    view = law_steps.clock_event(db, officer, view.id, "identity-received", D(2026, 7, 6))
    assert view.due_on == D(2026, 8, 6)  # a month from 6 Jul, the day of receipt counted
    view = law_steps.clock_event(db, officer, view.id, "clarification-requested", D(2026, 7, 10))
    view = law_steps.clock_event(db, officer, view.id, "clarification-received", D(2026, 7, 14))
    assert view.due_on == D(2026, 8, 11)  # 10 to 14 Jul, both days, not counted: 5 days
    with pytest.raises(ValidationError, match="use one of: identity-requested"):
        law_steps.clock_event(db, officer, view.id, "fee-waived", D(2026, 7, 15))


def test_a_uk_complaint_is_acknowledged_within_30_days(db, admin, officer) -> None:
    """DPA 2018 s.164A(3) (in force 19 Jun 2026): acknowledge a complaint within 30 days
    beginning with the day it is received."""
    view = dsr.create_request(
        db,
        officer,
        dsr.Intake("complaint", "uk-gdpr", D(2026, 7, 1), emails=("c@example.co.uk",), name="C"),
    )
    assert view.acknowledge_by == D(2026, 7, 30)
    law_steps.acknowledge(db, officer, view.id, D(2026, 7, 3), how="e-mail")
    [event] = _events(db, admin, view.id, "dsr.acknowledge")
    assert event.details["on_time"] is True and event.details["acknowledge_by"] == "2026-07-30"
    with pytest.raises(ValidationError, match="before the request was received"):
        law_steps.acknowledge(db, officer, view.id, D(2026, 6, 1))
    [year] = metrics_by_law(db, officer, 2026, 2026, D(2026, 12, 31))
    [uk] = [t for t in year.timeliness if t.law == "uk-gdpr"]
    [row] = [r for r in uk.rows if r.request_type == "complaint"]
    assert (row.acknowledged_on_time, row.acknowledged_late) == (1, 0)


@pytest.mark.parametrize("law", ["vcdpa", "cpa", "ctdpa"])
def test_a_denied_appeal_says_how_to_contact_the_attorney_general(
    db, officer, tmp_path, law
) -> None:
    """Va. Code §59.1-577(C), C.R.S. 6-1-1306(3), Conn. Gen. Stat. §42-518(d): when an appeal is
    denied, the answer says how to contact the Attorney General to submit a complaint."""
    from pypdf import PdfReader

    from console.services.requests.letters import write_letter

    view = dsr.create_request(
        db,
        officer,
        dsr.Intake("appeal", law, TODAY, emails=("appeal@example.com",), name="Ann Appeal"),
    )
    assert "refusal_upheld" in view.denial_reasons
    dsr.deny(db, officer, view.id, "refusal_upheld", "The exemption still applies.")
    letter = write_letter(db, officer, view.id, "denial", tmp_path / f"{law}.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(letter.path).pages).split())
    assert "Attorney General" in text


@pytest.mark.parametrize(
    ("law", "received", "due"),
    [
        # CAN-SPAM, 15 U.S.C. §7704(a)(4): 10 business days (Fri 2 Oct 2026 -> Fri 16 Oct 2026,
        # Columbus Day 12 Oct a federal holiday -> Mon 19 Oct).
        ("ccpa", D(2026, 10, 2), D(2026, 10, 19)),
        # CASL s.11(3): 10 business days (Fri 2 Oct 2026 -> Fri 16 Oct; Thanksgiving, Mon 12 Oct,
        # is a holiday under the Interpretation Act s.35 -> Mon 19 Oct).
        ("pipeda", D(2026, 10, 2), D(2026, 10, 19)),
    ],
)
def test_a_marketing_e_mail_opt_out_gets_ten_business_days(db, officer, law, received, due) -> None:
    view = dsr.create_request(
        db, officer, dsr.Intake("opt-out-marketing", law, received, emails=("m@example.com",))
    )
    assert view.due_on == due
