"""Request workflows: every allowed move works, every other one is refused with a reason."""

from __future__ import annotations

import itertools

import pytest

from console.domain.request_types import entry as _entry
from console.domain.workflow import (
    DSR_TRANSITIONS,
    LEGAL_TRANSITIONS,
    DsrStatus,
    LegalStatus,
    WorkflowError,
    allowed_targets,
    can_transition,
    decide_excessive,
    deletion_outcome,
    denial_ground,
    transition,
)
from console.errors import ConsoleError

D = DsrStatus
L = LegalStatus

DSR_PAIRS = list(itertools.product(DsrStatus, repeat=2))
LEGAL_PAIRS = list(itertools.product(LegalStatus, repeat=2))


def test_a_request_goes_from_received_to_completed_through_every_step() -> None:
    status = D.RECEIVED
    for step in (D.IDENTITY_VERIFICATION, D.IN_PROGRESS, D.REVIEW, D.COMPLETED):
        status = transition(status, step)
    assert status is D.COMPLETED


@pytest.mark.parametrize("closed", [D.COMPLETED, D.DENIED, D.WITHDRAWN])
def test_a_closed_request_can_be_reopened_into_progress(closed: DsrStatus) -> None:
    assert transition(closed, D.IN_PROGRESS) is D.IN_PROGRESS
    assert closed.is_finished


@pytest.mark.parametrize(
    "open_status", [D.RECEIVED, D.IDENTITY_VERIFICATION, D.IN_PROGRESS, D.REVIEW]
)
def test_an_open_request_can_be_withdrawn(open_status: DsrStatus) -> None:
    assert transition(open_status, D.WITHDRAWN) is D.WITHDRAWN
    assert not open_status.is_finished


@pytest.mark.parametrize(
    ("current", "target"), [pair for pair in DSR_PAIRS if pair[1] in DSR_TRANSITIONS[pair[0]]]
)
def test_every_allowed_request_move_succeeds(current: DsrStatus, target: DsrStatus) -> None:
    assert transition(current, target) is target
    assert can_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"), [pair for pair in DSR_PAIRS if pair[1] not in DSR_TRANSITIONS[pair[0]]]
)
def test_every_other_request_move_is_refused_with_a_reason(
    current: DsrStatus, target: DsrStatus
) -> None:
    assert not can_transition(current, target)
    with pytest.raises(WorkflowError) as caught:
        transition(current, target)
    assert str(caught.value).startswith(f"A request in '{current.label.lower()}'")


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (
            D.RECEIVED,
            D.COMPLETED,
            "A request in 'received' cannot be completed: verify identity first",
        ),
        (D.RECEIVED, D.IN_PROGRESS, "cannot be worked on: verify identity first"),
        (D.IN_PROGRESS, D.COMPLETED, "cannot be completed: send it to review first"),
        (D.IN_PROGRESS, D.DENIED, "a reviewer sees the denial"),
        (D.COMPLETED, D.DENIED, "A request in 'completed' cannot be denied: reopen it first"),
        (D.WITHDRAWN, D.REVIEW, "cannot go to review: reopen it first"),
        (D.REVIEW, D.REVIEW, "A request in 'in review' is already there"),
        (D.IN_PROGRESS, D.RECEIVED, "it can only go to 'in review', 'withdrawn'"),
    ],
)
def test_a_refused_request_move_says_what_to_do_instead(
    current: DsrStatus, target: DsrStatus, message: str
) -> None:
    with pytest.raises(WorkflowError, match=message):
        transition(current, target)


def test_identity_that_cannot_be_verified_ends_in_a_denial() -> None:
    assert transition(D.IDENTITY_VERIFICATION, D.DENIED) is D.DENIED


def test_a_reviewer_can_send_a_request_back_to_work() -> None:
    assert transition(D.REVIEW, D.IN_PROGRESS) is D.IN_PROGRESS


def test_a_legal_request_is_reviewed_decided_and_produced() -> None:
    status = L.RECEIVED
    for step in (L.UNDER_REVIEW, L.DECIDED, L.PRODUCING, L.PRODUCED):
        status = transition(status, step)
    assert status.is_finished


def test_a_decided_legal_request_can_be_closed_without_production() -> None:
    assert transition(L.DECIDED, L.CLOSED) is L.CLOSED
    assert allowed_targets(L.CLOSED) == frozenset()


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in LEGAL_PAIRS if pair[1] not in LEGAL_TRANSITIONS[pair[0]]],
)
def test_every_other_legal_move_is_refused_with_a_reason(
    current: LegalStatus, target: LegalStatus
) -> None:
    with pytest.raises(WorkflowError, match=f"^A legal request in '{current.label.lower()}'"):
        transition(current, target)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (
            L.RECEIVED,
            L.PRODUCING,
            "cannot go into production: it needs legal review and a decision",
        ),
        (L.UNDER_REVIEW, L.CLOSED, "record the decision first, even a refusal"),
        (L.DECIDED, L.PRODUCED, "start the production first"),
        (L.PRODUCED, L.CLOSED, "is closed and cannot change any more"),
    ],
)
def test_a_refused_legal_move_says_what_to_do_instead(
    current: LegalStatus, target: LegalStatus, message: str
) -> None:
    with pytest.raises(WorkflowError, match=message):
        transition(current, target)


def test_every_status_has_a_label_and_a_row_in_its_table() -> None:
    for dsr in DsrStatus:
        assert dsr.label
        assert dsr in DSR_TRANSITIONS
    for legal in LegalStatus:
        assert legal.label
        assert legal in LEGAL_TRANSITIONS
    assert D.IDENTITY_VERIFICATION.label == "Verifying identity"
    assert D.IN_PROGRESS.value == "in_progress"


def test_reopening_never_jumps_straight_to_a_new_outcome() -> None:
    for closed in (D.COMPLETED, D.DENIED, D.WITHDRAWN):
        assert allowed_targets(closed) == frozenset({D.IN_PROGRESS})


def test_workflow_errors_are_known_errors_and_mixing_workflows_is_a_bug() -> None:
    assert issubclass(WorkflowError, ConsoleError)
    with pytest.raises(TypeError, match="different workflows"):
        transition(D.RECEIVED, L.UNDER_REVIEW)


# --- the workflow under the request's law (the registry of request types) -------------------------


def test_a_ccpa_opt_out_of_sale_is_worked_without_an_identity_step() -> None:
    """11 CCR §7026(d): a business shall not require a verifiable consumer request to opt out."""
    rule = _entry("ccpa", "opt-out-sale")
    assert transition(D.RECEIVED, D.IN_PROGRESS, rule) is D.IN_PROGRESS
    with pytest.raises(WorkflowError, match=r"identity may not be required .*§7026\(d\)"):
        transition(D.RECEIVED, D.IDENTITY_VERIFICATION, rule)
    assert D.IDENTITY_VERIFICATION not in allowed_targets(D.RECEIVED, rule)


def test_a_gdpr_request_may_start_without_an_identity_check_when_there_is_no_doubt() -> None:
    """GDPR Art. 12(6): identity information is asked for only on reasonable doubts."""
    rule = _entry("gdpr", "access")
    assert can_transition(D.RECEIVED, D.IN_PROGRESS, rule)
    assert can_transition(D.RECEIVED, D.IDENTITY_VERIFICATION, rule)


def test_a_ccpa_request_to_know_still_needs_its_identity_verified() -> None:
    """Cal. Civ. Code §1798.130(a)(2)(A): a verifiable consumer request."""
    rule = _entry("ccpa", "access")
    with pytest.raises(WorkflowError, match="verify identity first"):
        transition(D.RECEIVED, D.IN_PROGRESS, rule)


def test_a_denial_ground_must_be_one_the_law_allows_for_the_type() -> None:
    assert denial_ground(_entry("ccpa", "access"), "not_a_consumer").label.startswith(
        "Not a consumer"
    )
    with pytest.raises(
        WorkflowError,
        match="'not_a_consumer' is not a ground to deny an access request under gdpr; allowed: identity_not_verified",
    ):
        denial_ground(_entry("gdpr", "access"), "not_a_consumer")
    with pytest.raises(
        WorkflowError, match="no ground to deny an opt-out-marketing request under ccpa"
    ):
        denial_ground(_entry("ccpa", "opt-out-marketing"), "other")


def test_a_deletion_where_every_record_is_held_is_denied_on_an_exception() -> None:
    """11 CCR §7022(f): a denial, explained, with the exception relied on (legal claims,
    Cal. Civ. Code §1798.145(a)(1)(E)); not 'complied in part'."""
    rule = _entry("ccpa", "deletion")
    all_held = deletion_outcome(rule, found=3, held=3)
    assert all_held.outcome == "denied"
    assert all_held.denial_reason is not None and all_held.denial_reason.code == "legal_claims"
    assert "§1798.145(a)(1)(E)" in all_held.citation.text
    assert all_held.letter is not None and "detailed_basis" in all_held.letter.must_say
    some_held = deletion_outcome(rule, found=3, held=1)
    assert some_held.outcome == "complied_in_part" and some_held.letter is not None
    assert deletion_outcome(rule, found=3, held=0).outcome == "complied"
    assert deletion_outcome(_entry("gdpr", "deletion"), 2, 2).denial_reason.code == "legal_claims"  # type: ignore[union-attr]


def test_manifestly_unfounded_is_a_recorded_decision_not_a_request_type() -> None:
    """GDPR Art. 12(5): a reasonable fee or a refusal; the controller bears the burden of proof."""
    refusal = decide_excessive(
        _entry("gdpr", "access"), "refuse", "Twelfth identical request this month"
    )
    assert (
        refusal.denial_reason is not None
        and refusal.denial_reason.code == "manifestly_unfounded_or_excessive"
    )
    fee = decide_excessive(_entry("gdpr", "access"), "fee", "Repeated copies of the same file")
    assert not fee.fee_moves_start and fee.before_fee and "para 192" in fee.before_fee
    with pytest.raises(WorkflowError, match="bears the burden"):
        decide_excessive(_entry("gdpr", "access"), "refuse", "  ")
    with pytest.raises(WorkflowError, match="no 'manifestly unfounded or excessive' decision"):
        decide_excessive(_entry("cpa", "access"), "refuse", "many")


def test_a_uk_fee_for_an_excessive_request_moves_the_start_of_the_month() -> None:
    """UK GDPR Art. 12A(2)(c): the relevant time includes when the fee is paid."""
    assert decide_excessive(_entry("uk-gdpr", "access"), "fee", "Excessive").fee_moves_start
