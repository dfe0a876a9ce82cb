"""The services read the time from the acting user's clock: a test can fix it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from console.domain.permissions import Role
from console.services.context import FixedClock
from console.services.legal import intake as legal
from console.services.legal import review as legal_review
from console.services.legal.model import LegalIntake

AT = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def test_a_legal_request_is_stamped_and_decided_at_the_clocks_time(db, make_user) -> None:
    lawyer = replace(make_user(Role.LEGAL, "leo"), clock=FixedClock(AT))
    intake = LegalIntake(
        process_type="subpoena",
        agency="County Sheriff",
        country="us",
        received_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        description="Account records",
    )
    detail = legal.create_request(db, lawyer, intake)
    assert detail.updated_at == AT
    legal_review.set_checklist(db, lawyer, detail.id, "authority", True)
    checked = legal.get(db, lawyer, detail.id)
    assert checked.updated_at == AT
