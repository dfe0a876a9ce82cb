"""The legal detail's words, decided without Qt (the window and `legal show` share them)."""

from __future__ import annotations

from datetime import UTC, datetime

from console.domain import labels
from console.domain.permissions import Role
from console.services.legal import intake as legal
from console.services.legal import presenter
from console.services.legal import review as legal_review
from console.services.legal.model import IdentifierSpec, LegalIntake
from console.services.legal.scope import scope_of


def _intake() -> LegalIntake:
    return LegalIntake(
        process_type="subpoena",
        agency="County Sheriff",
        country="us",
        received_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        case_number="24-CR-118",
        identifiers=[IdentifierSpec("email", "ana@example.org")],
        categories=["contact.email"],
    )


def test_facts_decision_and_scope_read_in_words(db, make_user) -> None:
    lawyer = make_user(Role.LEGAL, "lena")
    detail = legal.create_request(db, lawyer, _intake())
    facts = presenter.facts(detail)
    assert "Identifiers: E-mail: ana@example.org" in facts
    assert "Categories sought: " + labels.label("category", "contact.email") in facts
    assert facts.endswith("Decision: —")
    assert presenter.decided_line(detail) == "No decision yet. Choose one and give the reasons."
    scope = presenter.scope_line(detail.summary.ref, scope_of(detail))
    assert labels.code_looking(facts + scope) == []

    legal_review.start_review(db, lawyer, detail.id)
    for key in [item.key for item in detail.checklist]:
        legal_review.set_checklist(db, lawyer, detail.id, key, True)
    decided = legal_review.decide(db, lawyer, detail.id, "reject", "Overbroad: no time limit.")
    assert presenter.decision_text(decided) == "Reject. Overbroad: no time limit."
    line = presenter.decided_line(decided)
    assert line.startswith("Decided by lena on ") and line.endswith(
        " UTC: Reject. Overbroad: no time limit."
    )
