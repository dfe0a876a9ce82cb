"""Driving the Requests page, the New Request dialog, the detail view and the Dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from console.domain.permissions import Role
from console.services import policy
from console.services import requests as dsr
from console.services.context import Actor
from console.store.db import Database
from console.ui.dialogs import Ask
from console.ui.pages.base import UiContext
from console.ui.pages.dashboard_page import DashboardPage
from console.ui.pages.new_request_dialog import NewRequestDialog
from console.ui.pages.request_detail import DetailAsk
from console.ui.pages.requests_page import RequestsPage
from console.ui.runner import Runner

TODAY = dt.date.today()


@pytest.fixture
def runner(qtbot) -> Iterator[Runner]:
    r = Runner()
    yield r
    r.wait()


@pytest.fixture
def officer(db: Database, admin: Actor, make_user) -> Actor:
    policy.ensure_default_pack(db, admin)
    return make_user(Role.PRIVACY_OFFICER, "olivia")


@pytest.fixture
def ctx(db: Database, officer: Actor, runner: Runner) -> UiContext:
    return UiContext(db, runner, officer)


def _new(db, officer, received: dt.date, rtype: str = "access", email: str = "jane@example.com"):
    return dsr.create_request(
        db,
        officer,
        dsr.Intake(request_type=rtype, law="ccpa", received_on=received, emails=(email,)),
    )


def test_the_dialog_validates_as_you_type_and_builds_the_intake(qtbot) -> None:
    dlg = NewRequestDialog(today=TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.ok_button.isEnabled()  # no identifier yet
    qtbot.keyClicks(dlg.email_edit, "jane@")
    assert not dlg.ok_button.isEnabled() and "Email" in dlg.problem_label.text()
    qtbot.keyClicks(dlg.email_edit, "example.com")
    assert dlg.ok_button.isEnabled() and dlg.problem_label.text() == ""
    qtbot.keyClicks(dlg.phone_edit, "12")
    assert not dlg.ok_button.isEnabled() and "Phone" in dlg.problem_label.text()
    dlg.phone_edit.clear()
    qtbot.keyClicks(dlg.phone_edit, "+1 415 555 2671")
    assert dlg.ok_button.isEnabled()
    dlg.received_edit.setText("2024-13-01")
    assert not dlg.ok_button.isEnabled() and "Received" in dlg.problem_label.text()
    dlg.received_edit.setText((TODAY + dt.timedelta(days=2)).isoformat())
    assert "future" in dlg.problem_label.text()
    dlg.received_edit.setText("2024-06-03")
    dlg.type_box.setCurrentIndex(dlg.type_box.findData("deletion"))
    dlg.law_box.setCurrentIndex(dlg.law_box.findData("ccpa"))
    intake = dlg.intake()
    assert (intake.request_type, intake.law, intake.received_on) == (
        "deletion",
        "ccpa",
        dt.date(2024, 6, 3),
    )
    assert intake.emails == ("jane@example.com",) and intake.phones == ("+1 415 555 2671",)


def test_logging_a_request_from_the_page_lists_it_and_shows_it(qtbot, ctx, monkeypatch) -> None:
    page = RequestsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    intake = dsr.Intake(
        request_type="access",
        law="gdpr",
        received_on=TODAY,
        emails=("jane@example.com",),
        country="DE",
    )
    monkeypatch.setattr(NewRequestDialog, "ask", classmethod(lambda cls, parent: intake))
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000):
        qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 1
    assert page.detail.view is not None and page.detail.view.request_type == "access"
    assert "due" in page.detail.clock_label.text()


def test_the_list_sorts_by_due_date_filters_and_marks_overdue_in_red(
    qtbot, qtmodeltester, ctx, db, officer
) -> None:
    old = _new(db, officer, TODAY - dt.timedelta(days=60))  # 45 days: overdue
    fresh = _new(db, officer, TODAY, rtype="deletion", email="bob@example.com")
    page = RequestsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000):
        page.refresh()
    qtmodeltester.check(page.model)
    assert [page.model.request_id(r) for r in range(2)] == [old.id, fresh.id]
    overdue = page.model.index(0, 6)
    assert "overdue" in page.model.data(overdue)
    brush = page.model.data(overdue, Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == "#b00020"
    page.model.sort(5, Qt.SortOrder.DescendingOrder)
    assert page.model.request_id(0) == fresh.id
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000) as blocker:
        page.type_box.setCurrentIndex(page.type_box.findData("deletion"))
    assert blocker.args == [1] and page.model.request_id(0) == fresh.id
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000) as blocker:
        page.type_box.setCurrentIndex(0)
        page.overdue_check.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    assert page.model.request_id(0) == old.id


def test_the_detail_page_verifies_identity_pauses_and_advances(
    qtbot, ctx, db, officer, monkeypatch, tmp_path: Path
) -> None:
    view = dsr.create_request(
        db,
        officer,
        dsr.Intake(
            request_type="access",
            law="gdpr",
            received_on=TODAY,
            emails=("jane@example.com",),
            country="DE",
        ),
    )
    page = RequestsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000):
        page.refresh()
    detail = page.detail
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        page.table.selectRow(0)
    assert detail.view is not None and detail.view.id == view.id
    assert detail.buttons["verify"].isEnabled() and not detail.buttons["find"].isEnabled()

    answers = iter(["passport seen", "EV-1"])
    monkeypatch.setattr(DetailAsk, "text", staticmethod(lambda *a, **k: next(answers)))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["verify"], Qt.MouseButton.LeftButton)
    assert detail.view.status == "in_progress" and detail.buttons["find"].isEnabled()

    monkeypatch.setattr(
        Ask,
        "choose",
        staticmethod(
            lambda parent, title, label, items, current=0: (
                "clarification" if "clarification" in items else items[0]
            )
        ),
    )
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["pause"], Qt.MouseButton.LeftButton)
    assert "paused" in detail.clock_label.text() and detail.buttons["resume"].isEnabled()
    assert detail.clock_table.rowCount() == 2

    # Someone else changes the request meanwhile: our next action is refused, naming them.
    other = dsr.assign(db, officer, view.id, "olivia")
    errors: list[str] = []
    monkeypatch.setattr(Ask, "error", staticmethod(lambda parent, title, text: errors.append(text)))
    with qtbot.waitSignal(detail.failed, timeout=10_000):
        qtbot.mouseClick(detail.buttons["resume"], Qt.MouseButton.LeftButton)
    assert "changed by olivia" in errors[0]
    detail.show_view(dsr.get_request(db, officer, other.id))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["advance"], Qt.MouseButton.LeftButton)  # -> first choice
    assert detail.view.status == "review" and detail.timeline.rowCount() >= 5


def test_the_dashboard_counts_and_charts_requests(qtbot, ctx, db, officer) -> None:
    _new(db, officer, TODAY - dt.timedelta(days=60))
    _new(db, officer, TODAY - dt.timedelta(days=40), email="bob@example.com")
    _new(db, officer, TODAY, rtype="deletion", email="carol@example.com")
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=10_000) as blocker:
        page.refresh()
    d = blocker.args[0]
    assert d.open_total == 3 and d.overdue_total == 1 and d.due_soon_total == 1
    assert page.overdue_list.count() == 1 and page.soon_list.count() == 1
    assert sum(n for _, n in page.chart.weeks) == 3
    assert "3 open" in page.summary_label.text()
    page.chart.grab()  # paints without warnings
