"""Assigning requests, and "My work": what is mine, soonest due first, with the next step."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from console.domain import labels
from console.domain.permissions import Role
from console.errors import NotFound, ValidationError
from console.services.legal import intake as legal
from console.services.legal import review as legal_review
from console.services.legal.model import IdentifierSpec, LegalIntake
from console.services.requests import lifecycle as dsr
from console.services.requests import my_work

TODAY = date(2026, 3, 2)


def _request(db, officer, received: date, law: str = "gdpr") -> int:
    intake = dsr.Intake("access", law, received, emails=("ana@example.com",), name="Ana")
    return dsr.create_request(db, officer, intake, today=received).id


def test_a_request_is_assigned_only_to_someone_who_may_work_on_it(db, admin, make_user) -> None:
    officer = make_user(Role.PRIVACY_OFFICER, "olivia")
    make_user(Role.AUDITOR, "audrey")
    rid = _request(db, officer, date(2026, 2, 20))
    view = dsr.assign(db, officer, rid, "olivia")
    assert view.assignee == "olivia"
    with pytest.raises(ValidationError, match=r"audrey' is auditor .* assign a privacy officer"):
        dsr.assign(db, officer, rid, "audrey")
    with pytest.raises(NotFound, match="No active user named 'nobody'"):
        dsr.assign(db, officer, rid, "nobody")
    assert dsr.assign(db, officer, rid, None).assignee is None


def test_my_work_lists_my_open_matters_soonest_due_first_with_the_next_step(
    db, admin, make_user
) -> None:
    officer = make_user(Role.PRIVACY_OFFICER, "olivia")
    other = make_user(Role.PRIVACY_OFFICER, "omar")
    later = _request(db, officer, date(2026, 2, 20))  # GDPR: one month
    sooner = _request(db, officer, date(2026, 1, 20))
    theirs = _request(db, officer, date(2026, 1, 10))
    for rid in (later, sooner):
        dsr.assign(db, officer, rid, "olivia")
    dsr.assign(db, officer, theirs, "omar")

    mine = my_work.my_work(db, officer, TODAY)
    assert [i.ref for i in mine] == [f"Request {sooner}", f"Request {later}"]
    first = mine[0]
    assert first.title == "Access request under GDPR" and first.status == "Received"
    assert first.next_action == "Verify the requester's identity"
    assert first.days_left == -10 and first.overdue and first.when() == "10 days overdue"
    assert mine[1].when() == f"{(mine[1].due_on - TODAY).days} days left"
    assert [i.id for i in my_work.my_work(db, other, TODAY)] == [theirs]
    for item in mine:
        for text in (item.title, item.status, item.next_action, item.when()):
            assert labels.code_looking(text) == []


def test_a_lawyer_sees_the_legal_matters_assigned_to_them(db, admin, make_user) -> None:
    lawyer = make_user(Role.LEGAL, "lena")
    intake = LegalIntake(
        process_type="subpoena",
        agency="County Sheriff",
        country="us",
        received_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        case_number="24-CR-118",
        identifiers=[IdentifierSpec("email", "ana@example.org")],
        categories=["contact.email"],
    )
    detail = legal.create_request(db, lawyer, intake)
    assert my_work.my_work(db, lawyer, TODAY) == []
    legal_review.assign(db, lawyer, detail.summary.id, "lena")
    (item,) = my_work.my_work(db, lawyer, TODAY)
    assert item.kind == "legal" and item.ref == detail.summary.ref
    assert item.title == "Subpoena from County Sheriff"
    assert item.status == "Under legal review"
    assert item.next_action == "Complete the checklist and decide"
