"""Driving the request's Records tab: review possible matches, fulfil, redact, write letters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from console.services import audit
from console.services.context import Actor
from console.services.reporting import catalogue as reports
from console.services.requests import review
from console.store.db import Database
from console.ui.dialogs import Ask
from console.ui.pages.base import UiContext
from console.ui.pages.request_detail import DetailAsk, RequestDetail
from console.ui.pages.request_records import AWAITING_BRUSH, ReviewAsk
from console.ui.runner import Runner
from tests.unit.services.review_data import ZOE_EMAIL, open_request, record_of, review_world


@pytest.fixture
def runner(qtbot) -> Iterator[Runner]:
    r = Runner()
    yield r
    r.wait()


@pytest.fixture
def officer(db: Database, admin: Actor, make_user, tmp_path: Path) -> Actor:
    return review_world(db, admin, make_user, tmp_path)


@pytest.fixture
def detail(qtbot, db, officer, runner) -> RequestDetail:
    view = open_request(db, officer)
    page = RequestDetail(UiContext(db, runner, officer))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.load(view.id)
    return page


def _row_of(detail: RequestDetail, record_id: int) -> int:
    assert detail.view is not None
    return next(i for i, r in enumerate(detail.view.records) if r.record_id == record_id)


def test_the_records_tab_shows_link_via_and_review_state(qtbot, detail) -> None:
    tab = detail.records_tab
    view = detail.view
    zoe = _row_of(detail, record_of(view, "CRM", "possible"))
    cells = [tab.table.item(zoe, c).text() for c in range(tab.table.columnCount())]
    assert cells[3:6] == ["Possible match", "IP address: 203.0.113.7", "Awaiting review"]
    assert tab.table.item(zoe, 0).background() == AWAITING_BRUSH
    strong = _row_of(detail, record_of(view, "CRM", "strong"))
    assert tab.table.item(strong, 5).text() == "Confirmed"
    assert tab.table.item(strong, 7).text() == "strong link"
    assert "1 record awaits review" in tab.awaiting_label.text()
    title = detail.tabs.tabText(detail.tabs.indexOf(tab))
    assert title == "Rec&ords (1 awaiting review)"


def test_confirm_and_exclude_a_selection_from_the_tab(qtbot, detail, db, officer, monkeypatch):
    tab = detail.records_tab
    zoe = record_of(detail.view, "CRM", "possible")
    tab.table.selectRow(_row_of(detail, zoe))
    assert tab.buttons["confirm"].isEnabled() and tab.buttons["exclude"].isEnabled()
    asked: list[str] = []

    def note(parent, title, label):
        asked.append(label)
        return "The requester told us this is her office computer"

    monkeypatch.setattr(ReviewAsk, "note", staticmethod(note))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(tab.buttons["confirm"], Qt.MouseButton.LeftButton)
    assert "possible match" in asked[0]
    row = _row_of(detail, zoe)
    assert tab.table.item(row, 5).text() == "Confirmed"
    assert tab.table.item(row, 6).text() == "The requester told us this is her office computer"
    assert tab.awaiting_label.text() == ""

    tab.table.selectRow(row)
    monkeypatch.setattr(ReviewAsk, "note", staticmethod(lambda *a: "Second look: a colleague's"))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(tab.buttons["exclude"], Qt.MouseButton.LeftButton)
    assert tab.table.item(_row_of(detail, zoe), 5).text() == "Excluded"
    actions = [
        e.action
        for e in audit.list_events(
            db, officer, audit.EventFilter(object_type="dsr_request", object_id=str(detail.view.id))
        )
    ]
    assert actions.count("dsr.record.confirm") == 1 and actions.count("dsr.record.exclude") == 1


def test_fulfil_offers_to_exclude_all_awaiting_review_then_fulfils(
    qtbot, detail, db, officer, monkeypatch, tmp_path
) -> None:
    offered: list[list[str]] = []

    def choose(parent, title, label, items, current=0):
        offered.append(list(items))
        assert "1 record awaits review" in label
        return items[1]

    monkeypatch.setattr(Ask, "choose", staticmethod(choose))
    monkeypatch.setattr(DetailAsk, "text", staticmethod(lambda *a, **k: "Shared office IP only"))
    monkeypatch.setattr(DetailAsk, "out_dir", staticmethod(lambda parent: tmp_path / "out"))
    detail.show_view(detail.view)  # enable fulfil from a fresh view
    with qtbot.waitSignal(detail.loaded, timeout=20_000):
        qtbot.mouseClick(detail.buttons["fulfil"], Qt.MouseButton.LeftButton)
    assert offered[0] == ["Review them on the Records tab", "Exclude all awaiting review…"]
    rows = {r.record_id: r for r in review.review_rows(db, officer, detail.view.id)}
    assert rows[record_of(detail.view, "CRM", "possible")].review == "excluded"
    files = sorted((tmp_path / "out").glob("*.pdf")) + sorted((tmp_path / "out").glob("*.zip"))
    assert len(files) == 2 and all(ZOE_EMAIL.encode() not in f.read_bytes() for f in files)


def test_choosing_to_review_first_writes_nothing_and_shows_the_records(
    qtbot, detail, monkeypatch, tmp_path
) -> None:
    monkeypatch.setattr(Ask, "choose", staticmethod(lambda parent, t, label, items, c=0: items[0]))
    monkeypatch.setattr(DetailAsk, "out_dir", staticmethod(lambda parent: tmp_path / "out"))
    detail.tabs.setCurrentIndex(0)
    qtbot.mouseClick(detail.buttons["fulfil"], Qt.MouseButton.LeftButton)
    assert detail.tabs.currentWidget() is detail.records_tab
    assert not (tmp_path / "out").exists()


def test_a_confirmed_records_field_is_redacted_from_the_tab(
    qtbot, detail, db, officer, monkeypatch
):
    from console.services.requests.redaction import redactions

    tab = detail.records_tab
    ticket = record_of(detail.view, "Support", "strong")
    tab.table.selectRow(_row_of(detail, ticket))
    assert tab.buttons["redact"].isEnabled()
    monkeypatch.setattr(
        Ask, "choose", staticmethod(lambda parent, title, label, items, current=0: "Message")
    )
    monkeypatch.setattr(ReviewAsk, "note", staticmethod(lambda *a: "It names another customer"))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(tab.buttons["redact"], Qt.MouseButton.LeftButton)
    [done] = redactions(db, officer, detail.view.id)
    assert (done.record_id, done.column, done.reason) == (
        ticket,
        "Message",
        "It names another customer",
    )


def test_the_letters_button_writes_a_verifiable_letter(
    qtbot, detail, db, admin, monkeypatch, tmp_path
) -> None:
    offered: list[list[str]] = []

    def choose(parent, title, label, items, current=0):
        offered.append(list(items))
        return "Acknowledgement"

    monkeypatch.setattr(Ask, "choose", staticmethod(choose))
    monkeypatch.setattr(DetailAsk, "save_pdf", staticmethod(lambda parent, name: tmp_path / name))
    told: list[str] = []
    monkeypatch.setattr(Ask, "info", staticmethod(lambda parent, title, text: told.append(text)))
    with qtbot.waitSignal(detail.loaded, timeout=20_000):
        qtbot.mouseClick(detail.buttons["letters"], Qt.MouseButton.LeftButton)
    assert offered[0] == ["Acknowledgement", "Extension notice", "Refusal", "Completion"]
    letter = tmp_path / f"DSR-{detail.view.id}-ack.pdf"
    assert letter.exists() and str(letter) in told[0]
    assert reports.verify_report(db, admin, letter).ok
