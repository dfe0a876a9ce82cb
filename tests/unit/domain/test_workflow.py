"""Request workflows: every allowed move works, every other one is refused with a reason."""

from __future__ import annotations

import itertools

import pytest

from console.domain.workflow import (
    DSR_TRANSITIONS,
    LEGAL_TRANSITIONS,
    DsrStatus,
    LegalStatus,
    WorkflowError,
    allowed_targets,
    can_transition,
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
