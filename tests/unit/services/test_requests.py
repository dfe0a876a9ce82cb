"""Data-subject requests as services: intake, duplicates, the clock ledger, workflow, conflicts."""

from __future__ import annotations

import datetime as dt

import pytest

from console.domain.deadlines import ClockError
from console.domain.permissions import Role
from console.domain.workflow import DsrStatus, WorkflowError
from console.errors import ConflictError, PermissionDenied, ValidationError
from console.services import audit, policy
from console.services.context import Actor
from console.services.requests import lifecycle as dsr
from console.store.db import Database

D = dt.date


@pytest.fixture
def officer(db: Database, admin: Actor, make_user) -> Actor:
    policy.ensure_default_pack(db, admin)
    return make_user(Role.PRIVACY_OFFICER, "olivia")


def intake(**changes: object) -> dsr.Intake:
    values: dict[str, object] = {
        "request_type": "access",
        "law": "gdpr",
        "received_on": D(2024, 1, 31),
        "emails": ("Jane.Doe@Example.com",),
        "name": "Jane Doe",
        "channel": "email",
        "country": "DE",
    }
    values.update(changes)
    return dsr.Intake(**values)  # type: ignore[arg-type]


def test_a_gdpr_request_is_due_one_month_later_by_regulation_1182_71(db, officer) -> None:
    view = dsr.create_request(db, officer, intake(received_on=D(2024, 1, 31)))
    # 31 Jan 2024 + 1 month = 29 Feb 2024 (leap year, month's last day), a Thursday.
    assert view.due_on == D(2024, 2, 29) and view.status == "received"
    assert view.summary()["due_date"] == "2024-02-29" and "acknowledge_by" not in view.summary()
    assert view.policy_version is not None


def test_a_ccpa_request_has_an_acknowledgement_date_too(db, officer) -> None:
    view = dsr.create_request(
        db, officer, intake(law="ccpa", country=None, received_on=D(2024, 6, 3))
    )
    assert view.due_on == D(2024, 7, 18)  # 45 calendar days
    assert view.summary()["acknowledge_by"] == "2024-06-17"  # 10 business days


@pytest.mark.parametrize(
    ("law", "received", "entries", "due"),
    [
        # GDPR: paused 5 Feb -> resumed 12 Feb (7 days) moves 29 Feb to 7 Mar.
        (
            "gdpr",
            D(2024, 1, 31),
            [("pause", D(2024, 2, 5), "identity-verification"), ("resume", D(2024, 2, 12), "")],
            D(2024, 3, 7),
        ),
        # GDPR: extended by two months: 31 Jan + 3 months = 30 Apr 2024 (a Tuesday).
        ("gdpr", D(2024, 1, 31), [("extend", D(2024, 2, 20), "complex")], D(2024, 4, 30)),
        # CCPA: 45 + 45 days.
        ("ccpa", D(2024, 6, 3), [("extend", D(2024, 7, 1), "volume")], D(2024, 9, 1)),
        # UK GDPR: 30 Nov 2024 + 1 month = 30 Dec (Monday) ; paused 2 days -> 1 Jan holiday -> 2 Jan
        (
            "uk-gdpr",
            D(2024, 11, 30),
            [("pause", D(2024, 12, 2), "clarification"), ("resume", D(2024, 12, 4), "")],
            D(2025, 1, 2),
        ),
    ],
)
def test_the_due_date_follows_the_ledger_through_pauses_and_extensions(
    db, officer, law, received, entries, due
) -> None:
    view = dsr.create_request(
        db, officer, intake(law=law, received_on=received, country="DE" if law == "gdpr" else None)
    )
    for kind, at, reason in entries:
        if kind == "pause":
            view = dsr.pause(db, officer, view.id, at, reason, expected_version=view.version)
        elif kind == "resume":
            view = dsr.resume(db, officer, view.id, at, expected_version=view.version)
        else:
            view = dsr.extend(db, officer, view.id, at, reason, at, expected_version=view.version)
    assert view.due_on == due
    stored = dsr.get_request(db, officer, view.id)
    assert stored.due_on == due and stored.clock[0].kind == "start"
    assert len(stored.clock) == 1 + len(entries)


def test_a_paused_clock_freezes_days_left(db, officer) -> None:
    view = dsr.create_request(db, officer, intake(received_on=D(2024, 1, 31)))
    view = dsr.pause(db, officer, view.id, D(2024, 2, 19), "clarification")
    assert view.paused_since == D(2024, 2, 19)
    assert view.days_left(D(2024, 2, 25)) == view.days_left(D(2024, 3, 25)) == 10


def test_a_law_without_pauses_refuses_one_and_the_ledger_is_unchanged(db, officer) -> None:
    view = dsr.create_request(
        db, officer, intake(law="ccpa", country=None, received_on=D(2024, 6, 3))
    )
    with pytest.raises(ClockError, match="does not allow the clock to be paused"):
        dsr.pause(db, officer, view.id, D(2024, 6, 5), "identity-verification")
    assert len(dsr.get_request(db, officer, view.id).clock) == 1


def test_a_second_extension_is_refused(db, officer) -> None:
    view = dsr.create_request(db, officer, intake())
    dsr.extend(db, officer, view.id, D(2024, 2, 10), "complex", D(2024, 2, 10))
    with pytest.raises(ClockError, match="no further extension"):
        dsr.extend(db, officer, view.id, D(2024, 2, 11), "more", D(2024, 2, 11))


def test_an_open_request_of_the_same_type_for_the_same_person_is_pointed_out(db, officer) -> None:
    first = dsr.create_request(db, officer, intake())
    other_type = dsr.create_request(db, officer, intake(request_type="deletion"))
    second = dsr.create_request(
        db, officer, intake(emails=("jane.doe@example.com ",), name="J. Doe")
    )
    assert second.duplicates == [first.id] and other_type.duplicates == []
    assert (
        dsr.find_duplicates(db, officer, intake(emails=(), phones=(), customer_ids=("X1",))) == []
    )


def test_intake_refuses_a_bad_email_and_a_future_date_naming_the_field(db, officer) -> None:
    with pytest.raises(ValidationError, match="Email 1"):
        dsr.create_request(db, officer, intake(emails=("not-an-email",)))
    with pytest.raises(ValidationError, match="Received date"):
        dsr.create_request(db, officer, intake(received_on=dt.date.today() + dt.timedelta(1)))
    with pytest.raises(ValidationError, match="at least one email"):
        dsr.create_request(db, officer, intake(emails=()))


def test_the_workflow_needs_verified_identity_and_refuses_illegal_moves(db, officer) -> None:
    """A CCPA request to know is a verifiable consumer request (11 CCR §7060, §7062)."""
    view = dsr.create_request(db, officer, intake(law="ccpa", country=None))
    with pytest.raises(WorkflowError, match="verify identity first"):
        dsr.advance(db, officer, view.id, DsrStatus.REVIEW)
    with pytest.raises(dsr.RequestError, match="identity was verified"):
        dsr.advance(db, officer, view.id, DsrStatus.IN_PROGRESS)
    view = dsr.advance(db, officer, view.id, DsrStatus.IDENTITY_VERIFICATION)
    with pytest.raises(dsr.RequestError, match="identity was verified"):
        dsr.advance(db, officer, view.id, DsrStatus.IN_PROGRESS)
    view = dsr.verify_identity(db, officer, view.id, "passport check", "EV-42")
    assert view.status == "in_progress" and view.identity_verified_by == "olivia"
    view = dsr.advance(db, officer, view.id, "review")
    view = dsr.advance(db, officer, view.id, "completed", today=D(2024, 2, 10))
    assert view.outcome == "complied" and view.closed_on == D(2024, 2, 10)
    view = dsr.advance(db, officer, view.id, "in_progress")  # reopen
    assert view.closed_on is None and view.outcome is None
    actions = [e.action for e in dsr.get_request(db, officer, view.id).timeline]
    assert actions[0] == "dsr.create" and "dsr.identity_verified" in actions


def test_a_gdpr_request_may_start_without_a_verification_step(db, officer) -> None:
    """GDPR Art. 12(6): further information is asked only on reasonable doubt about identity."""
    view = dsr.create_request(db, officer, intake())
    assert view.verification == "optional" and "in_progress" in view.allowed_next
    view = dsr.advance(db, officer, view.id, DsrStatus.IN_PROGRESS)
    assert view.status == "in_progress" and view.identity_verified_at is None


def test_an_opt_out_of_sale_is_worked_without_identity_verification(db, officer) -> None:
    """11 CCR §7026(d): a request to opt out of sale/sharing need not be a verifiable request."""
    view = dsr.create_request(
        db, officer, intake(law="ccpa", country=None, request_type="opt-out-sale")
    )
    assert view.verification == "forbidden"
    assert "identity_verification" not in view.allowed_next
    with pytest.raises(dsr.RequestError, match=r"§7026\(d\)"):
        dsr.verify_identity(db, officer, view.id, "ID document", "EV-1")
    with pytest.raises(WorkflowError, match=r"§7026\(d\)"):
        dsr.advance(db, officer, view.id, DsrStatus.IDENTITY_VERIFICATION)
    view = dsr.advance(db, officer, view.id, DsrStatus.IN_PROGRESS)
    assert view.status == "in_progress" and view.identity_verified_at is None


def test_a_denial_needs_a_reason_from_the_list(db, officer) -> None:
    view = dsr.create_request(db, officer, intake())
    with pytest.raises(ValidationError, match="unknown"):
        dsr.deny(db, officer, view.id, "because")
    view = dsr.deny(db, officer, view.id, "identity_not_verified", "no reply to our ID request")
    assert view.status == "denied" and view.denial_reason == "identity_not_verified"


def test_a_gdpr_request_cannot_be_denied_as_not_a_consumer(db, officer) -> None:
    """'Not a consumer' is a CCPA notion (Cal. Civ. Code §1798.140(i)); GDPR Art. 12(4) and
    Art. 23 give the grounds a GDPR request may be refused on, and the registry lists them."""
    view = dsr.create_request(db, officer, intake())
    assert "not_a_consumer" not in view.denial_reasons
    assert "identity_not_verified" in view.denial_reasons
    with pytest.raises(WorkflowError, match=r"not a ground.*allowed: identity_not_verified"):
        dsr.deny(db, officer, view.id, "not_a_consumer", "")
    assert dsr.get_request(db, officer, view.id).status == "received"
    ccpa = dsr.create_request(db, officer, intake(law="ccpa", country=None, emails=("b@x.com",)))
    assert dsr.deny(db, officer, ccpa.id, "not_a_consumer", "").denial_reason == "not_a_consumer"


def test_a_pair_the_registry_does_not_hold_is_refused_naming_those_it_holds(db, officer) -> None:
    """The GDPR gives no opt-out of sale; a request logged under it would get an invented clock."""
    with pytest.raises(ValidationError, match=r"gdpr/opt-out-sale.*holds: access, deletion"):
        dsr.create_request(db, officer, intake(request_type="opt-out-sale"))
    with pytest.raises(ValidationError, match=r"gives no limit.*holds: .*opt-out-sale"):
        dsr.create_request(db, officer, intake(law="vcdpa", country=None, request_type="limit-spi"))


@pytest.mark.parametrize(
    ("law", "rtype", "received", "due"),
    [
        # 11 CCR §7027(g)(1): limit use of sensitive personal information, 15 business days.
        ("ccpa", "limit-spi", D(2026, 3, 2), D(2026, 3, 23)),
        # Va. Code §59.1-577(C): an appeal is decided within 60 days.
        ("vcdpa", "appeal", D(2026, 3, 2), D(2026, 5, 1)),
        # Conn. Gen. Stat. §42-518(d): 60 days.
        ("ctdpa", "appeal", D(2026, 3, 2), D(2026, 5, 1)),
        # C.R.S. 6-1-1306(3): 45 days (extendable by 60).
        ("cpa", "appeal", D(2026, 3, 2), D(2026, 4, 16)),
    ],
)
def test_the_new_request_types_are_offered_with_their_clocks(
    db, officer, law, rtype, received, due
) -> None:
    assert rtype in dsr.REQUEST_TYPES
    view = dsr.create_request(
        db, officer, intake(law=law, country=None, request_type=rtype, received_on=received)
    )
    assert view.due_on == due


def test_saving_over_someone_elses_change_names_who_changed_it(db, officer, make_user) -> None:
    other = make_user(Role.PRIVACY_OFFICER, "oscar")
    view = dsr.create_request(db, officer, intake())
    dsr.assign(db, other, view.id, "oscar", expected_version=view.version)
    with pytest.raises(ConflictError, match="changed by oscar"):
        dsr.advance(db, officer, view.id, "identity_verification", expected_version=view.version)


def test_an_auditor_can_read_but_not_log_requests(db, officer, make_user) -> None:
    auditor = make_user(Role.AUDITOR)
    view = dsr.create_request(db, officer, intake())
    assert dsr.get_request(db, auditor, view.id).id == view.id
    with pytest.raises(PermissionDenied):
        dsr.create_request(db, auditor, intake())


def test_every_change_is_in_the_verified_audit_trail(db, admin, officer) -> None:
    view = dsr.create_request(db, officer, intake())
    dsr.pause(db, officer, view.id, D(2024, 2, 2), "identity-verification")
    dsr.resume(db, officer, view.id, D(2024, 2, 4))
    actions = [
        e.action
        for e in audit.list_events(
            db, admin, audit.EventFilter(object_type="dsr_request", object_id=str(view.id))
        )
    ]
    assert actions == ["dsr.create", "dsr.clock.pause", "dsr.clock.resume"]
    assert audit.verify(db, admin).ok
