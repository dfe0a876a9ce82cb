"""The My work page and assigning from the request detail, driven offscreen."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from console.domain.permissions import Role
from console.services.requests import lifecycle as dsr
from console.ui.dialogs import Ask
from console.ui.main_window import MainWindow
from console.ui.pages.base import UiContext
from console.ui.pages.my_work_page import MyWorkPage
from console.ui.pages.requests_page import RequestsPage
from console.ui.runner import Runner


@pytest.fixture
def officer(make_user):
    return make_user(Role.PRIVACY_OFFICER, "olivia")


@pytest.fixture
def window(qtbot, db, officer):
    runner = Runner()
    win = MainWindow(UiContext(db, runner, officer))
    qtbot.addWidget(win)
    win.show()
    yield win
    runner.wait()


def _request(db, officer, received: date) -> int:
    intake = dsr.Intake("access", "gdpr", received, emails=("ana@example.com",), name="Ana")
    return dsr.create_request(db, officer, intake, today=received).id


def test_an_officer_lands_on_an_empty_my_work_that_says_what_to_do(qtbot, window) -> None:
    page = window.stack.currentWidget()
    assert isinstance(page, MyWorkPage)
    qtbot.waitUntil(lambda: page.empty_label.isVisible(), timeout=10_000)
    assert "Nothing is assigned to you" in page.empty_label.text()
    assert page.table.rowCount() == 0


def test_assigning_from_the_detail_puts_the_request_on_my_work_and_opens_it(
    qtbot, window, db, officer, monkeypatch
) -> None:
    rid = _request(db, officer, date(2026, 11, 20))
    requests: RequestsPage = window.show_page("Requests")
    requests.open_request(rid)
    detail = requests.detail
    qtbot.waitUntil(lambda: detail.view is not None and detail.view.id == rid, timeout=10_000)
    assert "not assigned" in detail.clock_label.text()
    offered: list[list[str]] = []

    def choose(parent, title, label, items, current=0):
        offered.append(items)
        return "olivia"

    monkeypatch.setattr(Ask, "choose", staticmethod(choose))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["assign"], Qt.MouseButton.LeftButton)
    assert offered == [["Nobody (unassigned)", "admin", "olivia"]]
    assert detail.view.assignee == "olivia" and "assigned to olivia" in detail.clock_label.text()

    page: MyWorkPage = window.show_page("My work")
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
    assert page.table.item(0, 0).text() == f"Request {rid}"
    assert page.table.item(0, 5).text() == "Verify the requester's identity"
    assert "1 open item assigned to you" in page.summary_label.text()
    page.table.selectRow(0)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is requests
    qtbot.waitUntil(lambda: detail.view is not None and detail.view.id == rid, timeout=10_000)
