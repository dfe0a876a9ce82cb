"""The request detail's words and actions, decided without Qt (the window and `dsr show` share them)."""

from __future__ import annotations

import datetime as dt

from console.domain import labels
from console.domain.permissions import Role
from console.services.requests import lifecycle as dsr
from console.services.requests import presenter

RECEIVED = dt.date(2026, 3, 2)


def _request(db, officer):
    intake = dsr.Intake("access", "ccpa", RECEIVED, emails=("ana@example.com",), name="Ana Lima")
    return dsr.create_request(db, officer, intake, today=RECEIVED)


def test_the_summary_reads_in_words_with_the_deadline_and_assignee(db, make_user) -> None:
    officer = make_user(Role.PRIVACY_OFFICER, "olivia")
    v = _request(db, officer)
    shown = presenter.present(v, officer, today=v.due_on - dt.timedelta(days=1))
    assert shown.title == f"Request {v.id} — Access under CCPA/CPRA — Received — Ana Lima"
    assert "1 day left" in shown.clock_line and "not assigned" in shown.clock_line
    assert f"acknowledge by {v.acknowledge_by}" in shown.clock_line
    on_the_day = presenter.present(v, officer, today=v.due_on)
    assert "due today" in on_the_day.clock_line
    late = presenter.present(v, officer, today=v.due_on + dt.timedelta(days=2))
    assert "OVERDUE by 2 days" in late.clock_line
    assert shown.summary().splitlines()[0] == shown.title
    rows = [*shown.timeline, *shown.clock, *shown.tasks]
    assert rows and all(labels.code_looking(str(c)) == [] for row in rows for c in row)


def test_actions_follow_the_status_and_the_users_role(db, make_user) -> None:
    officer = make_user(Role.PRIVACY_OFFICER, "olivia")
    auditor = make_user(Role.AUDITOR, "audrey")
    v = _request(db, officer)
    states = presenter.present(v, officer, RECEIVED).actions
    assert set(states) == set(presenter.ACTIONS)
    assert states["verify"] and states["assign"] and not states["fulfil"]
    assert not any(presenter.present(v, auditor, RECEIVED).actions.values())
    v = dsr.verify_identity(db, officer, v.id, "account login", "EV-1")
    states = presenter.present(v, officer, RECEIVED).actions
    assert states["find"] and states["fulfil"] and not states["verify"]
