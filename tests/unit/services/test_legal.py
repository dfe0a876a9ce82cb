"""Legal requests: intake, review and decision rights, NDO flags, holds that block erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from console.domain.permissions import Role
from console.errors import ConflictError, PermissionDenied, ValidationError
from console.services.context import Actor
from console.services.demo.legal import PEOPLE, import_sample_records
from console.services.legal import holds as legal_holds
from console.services.legal import intake as legal
from console.services.legal import ndo as legal_ndo
from console.services.legal import review as legal_review
from console.services.legal.documents import attach_document, read_document
from console.services.legal.model import IdentifierSpec, LegalError, LegalIntake
from console.services.records import erasure
from console.services.records import search as records
from console.store.db import Database

ANA_EMAIL = PEOPLE[0][1]


@pytest.fixture
def lawyer(make_user) -> Actor:
    return make_user(Role.LEGAL, "leo")


@pytest.fixture
def officer(make_user) -> Actor:
    return make_user(Role.PRIVACY_OFFICER, "olivia")


@pytest.fixture
def people(db: Database, officer: Actor, tmp_path: Path) -> None:
    import_sample_records(db, officer, tmp_path)


def _intake(**changes: object) -> LegalIntake:
    values: dict[str, object] = {
        "process_type": "subpoena",
        "agency": "County Sheriff",
        "country": "us",
        "received_at": datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
        "case_number": "24-CR-118",
        "identifiers": [IdentifierSpec("email", " Ana.Lima@Example.org ")],
        "categories": ["contact.email"],
    }
    values.update(changes)
    return LegalIntake(**values)  # type: ignore[arg-type]


def _ana_record_ids(db: Database, actor: Actor) -> list[int]:
    return sorted(
        r.record_id for r in records.find_subject(db, actor, [("email", ANA_EMAIL)]).records
    )


def test_intake_normalises_identifiers_and_sets_the_deadline(db, lawyer) -> None:
    detail = legal.create_request(db, lawyer, _intake(deadline_hours=None))
    assert detail.summary.ref == f"LR-{detail.id}" and detail.summary.country == "US"
    assert detail.identifiers == [IdentifierSpec("email", ANA_EMAIL)]
    assert detail.summary.due_at == datetime(2025, 3, 31, 9, 0, tzinfo=UTC)
    assert len(detail.checklist) >= 5 and not any(c.checked for c in detail.checklist)


def test_an_emergency_deadline_is_counted_in_hours(db, lawyer) -> None:
    detail = legal.create_request(db, lawyer, _intake(process_type="emergency", deadline_hours=6))
    assert detail.summary.due_at == datetime(2025, 3, 1, 15, 0, tzinfo=UTC)


def test_an_ip_identifier_keeps_its_time_range_and_others_refuse_one(db, lawyer) -> None:
    seen = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
    detail = legal.create_request(
        db, lawyer, _intake(identifiers=[IdentifierSpec("ip", "203.0.113.9", *seen)])
    )
    assert detail.identifiers[0].seen_from == seen[0]
    with pytest.raises(ValidationError, match="Only an IP address"):
        legal.create_request(
            db, lawyer, _intake(identifiers=[IdentifierSpec("email", ANA_EMAIL, *seen)])
        )


def test_the_served_document_is_kept_with_its_hash_and_checked_on_read(db, lawyer) -> None:
    detail = legal.create_request(
        db, lawyer, _intake(), document=("subpoena.pdf", b"%PDF-1.4 served", "application/pdf")
    )
    doc = detail.documents[0]
    info, content = read_document(db, lawyer, doc.id)
    assert content == b"%PDF-1.4 served" and info.sha256 == doc.sha256
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE legal_documents SET content = :c"), {"c": b"%PDF-1.4 forged"})
    with pytest.raises(LegalError, match="does not match the SHA-256"):
        read_document(db, lawyer, doc.id)


def test_only_the_legal_role_can_decide(db, lawyer, admin, officer) -> None:
    request_id = legal.create_request(db, lawyer, _intake()).id
    legal_review.assign(db, lawyer, request_id, lawyer.name)
    for someone in (admin, officer):
        with pytest.raises(PermissionDenied, match="decide legal requests"):
            legal_review.decide(db, someone, request_id, "reject", "Overbroad.")
    detail = legal_review.decide(db, lawyer, request_id, "reject", "Overbroad.")
    assert detail.summary.decision == "reject" and detail.decided_by == lawyer.name


def test_disclosing_needs_the_sufficiency_checklist_complete(db, lawyer) -> None:
    request_id = legal.create_request(db, lawyer, _intake()).id
    legal_review.assign(db, lawyer, request_id, lawyer.name)
    with pytest.raises(ValidationError, match="checklist has 6 open item"):
        legal_review.decide(db, lawyer, request_id, "produce", "Valid.")
    for entry in legal.get(db, lawyer, request_id).checklist:
        legal_review.set_checklist(db, lawyer, request_id, entry.key, True)
    assert (
        legal_review.decide(db, lawyer, request_id, "produce", "Valid.").summary.decision
        == "produce"
    )


def test_the_emergency_fast_path_records_its_justification(db, lawyer) -> None:
    request_id = legal.create_request(db, lawyer, _intake(process_type="emergency")).id
    with pytest.raises(ValidationError, match="why this is an emergency"):
        legal_review.emergency_decide(db, lawyer, request_id, "produce", "urgent")
    detail = legal_review.emergency_decide(
        db, lawyer, request_id, "produce", "Kidnapping in progress, victim's phone sought."
    )
    assert detail.summary.status.value == "decided"
    assert "Kidnapping" in detail.emergency_justification
    steps = [e.action for e in legal_review.timeline(db, lawyer, request_id)]
    assert steps == ["legal.create", "legal.decide"]
    other = legal.create_request(db, lawyer, _intake()).id
    with pytest.raises(ValidationError, match="Only an emergency"):
        legal_review.emergency_decide(db, lawyer, other, "produce", "Kidnapping in progress.")


def test_a_stale_save_is_refused_naming_who_changed_it(db, lawyer, make_user) -> None:
    other = make_user(Role.LEGAL, "lena")
    opened = legal.create_request(db, lawyer, _intake())
    legal.update_request(db, other, opened.id, opened.version, officer="Det. Cole")
    with pytest.raises(ConflictError, match="changed by lena"):
        legal.update_request(db, lawyer, opened.id, opened.version, officer="Det. R. Cole")


def test_a_preservation_hold_blocks_erasure_until_it_is_released(
    db, admin, lawyer, officer, people
) -> None:
    """Only a legal reviewer releases a hold: an admin is refused (releasing preserved evidence
    is a legal decision)."""
    ana = _ana_record_ids(db, officer)
    assert len(ana) == 3  # the CRM row and two payments linked by her customer id
    request_id = legal.create_request(db, lawyer, _intake(process_type="preservation")).id
    hold = legal_holds.place_hold(db, lawyer, request_id, start=date.today())
    assert hold.record_count == 3 and hold.until == date.today() + timedelta(days=90)

    with db.transaction() as s:
        refused = erasure.erase_records(s, officer, ana, reason="Art. 17", request_ref="DSR-1")
    assert refused.erased == [] and sorted(refused.held) == ana
    why = refused.held[ana[0]][0]
    assert why.startswith(f"Legal hold {hold.ref} (case 24-CR-118) until")
    assert hold.until.isoformat() in why
    assert legal_holds.hold_badges(db, officer, ana)[ana[0]].startswith("Legal hold: ")

    with pytest.raises(PermissionDenied, match="release legal holds"):
        legal_holds.release_hold(db, admin, hold.id, "Tidying up.")
    assert legal_holds.holds_for(db, lawyer, request_id)[0].active
    released = legal_holds.release_hold(db, lawyer, hold.id, "Case closed by the agency.")
    assert not released.active and released.released_by == "leo"
    with db.transaction() as s:
        done = erasure.erase_records(s, officer, ana, reason="Art. 17", request_ref="DSR-1")
    assert done.erased == ana and not done.held
    assert [e.action for e in legal_review.timeline(db, lawyer, request_id)][
        -1
    ] == "legal.hold_release"


def test_holds_remind_before_they_end_and_renew_by_ninety_days(db, lawyer, people) -> None:
    request_id = legal.create_request(db, lawyer, _intake(process_type="preservation")).id
    start = date.today() - timedelta(days=85)
    hold = legal_holds.place_hold(db, lawyer, request_id, start=start)
    assert [h.id for h in legal_holds.holds_expiring(db, lawyer, 7)] == [hold.id]
    assert legal_holds.holds_expiring(db, lawyer, 3) == []
    renewed = legal_holds.renew_hold(db, lawyer, hold.id)
    assert renewed.until == hold.until + timedelta(days=90) and renewed.renewals == 1
    assert renewed.record_count == 3
    assert legal_holds.holds_expiring(db, lawyer, 7) == []


def test_an_ndo_is_flagged_for_the_same_person_reached_through_linked_records(
    db, lawyer, officer, people
) -> None:
    # The order names only her customer id; the privacy officer only knows her e-mail address.
    ndo = legal.create_request(
        db,
        lawyer,
        _intake(
            identifiers=[IdentifierSpec("customer_id", PEOPLE[0][0])],
            ndo=True,
            ndo_until=date(2099, 5, 1),
        ),
    )
    flags = legal_ndo.ndo_flags_for_identifiers(db, officer, [("email", ANA_EMAIL)])
    assert flags == [
        f"Non-disclosure order on legal request {ndo.summary.ref} until 2099-05-01: "
        "do not notify this person"
    ]
    assert legal_ndo.ndo_flags_for_identifiers(db, officer, [("email", PEOPLE[1][1])]) == []
    legal_review.set_notice(db, lawyer, ndo.id, ndo=False, notice="notify")
    assert legal_ndo.ndo_flags_for_identifiers(db, officer, [("email", ANA_EMAIL)]) == []


def test_notice_cannot_be_given_while_an_ndo_is_in_force(db, lawyer) -> None:
    request_id = legal.create_request(db, lawyer, _intake(ndo=True)).id
    with pytest.raises(ValidationError, match="cannot be notified while a non-disclosure order"):
        legal_review.set_notice(db, lawyer, request_id, ndo=True, notice="notify")
    with pytest.raises(ValidationError, match="non-disclosure order is in force"):
        legal_review.record_notice_given(db, lawyer, request_id)
    legal_review.set_notice(db, lawyer, request_id, ndo=False, notice="notify")
    assert legal_review.record_notice_given(db, lawyer, request_id).notice_given_at is not None


def test_attaching_a_document_later_is_audited(db, lawyer) -> None:
    request_id = legal.create_request(db, lawyer, _intake()).id
    info = attach_document(db, lawyer, request_id, "C:\\scans\\order.pdf", b"order")
    assert info.filename == "order.pdf"
    actions = [e.action for e in legal_review.timeline(db, lawyer, request_id)]
    assert actions[-1] == "legal.document_attach"
