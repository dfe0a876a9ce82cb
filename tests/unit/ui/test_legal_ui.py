"""Driving the Legal page offscreen: intake, decision, hold and production through real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, Qt

from console.domain.permissions import Role
from console.services.context import Actor
from console.services.demo.legal import PEOPLE, import_sample_records
from console.services.legal import intake as legal
from console.services.legal import review as legal_review
from console.services.legal.model import IdentifierSpec, LegalIntake
from console.store.db import Database
from console.ui.pages.base import UiContext
from console.ui.pages.legal_detail import LegalDetailView
from console.ui.pages.legal_intake_dialog import LegalIntakeDialog, parse_identifiers
from console.ui.pages.legal_page import LegalPage
from console.ui.runner import Runner


@pytest.fixture
def runner(qtbot) -> Iterator[Runner]:
    r = Runner()
    yield r
    r.wait()


@pytest.fixture
def lawyer(make_user) -> Actor:
    return make_user(Role.LEGAL, "leo")


@pytest.fixture
def page(
    qtbot, db: Database, lawyer: Actor, runner: Runner, tmp_path: Path, make_user
) -> LegalPage:
    import_sample_records(db, make_user(Role.PRIVACY_OFFICER, "olivia"), tmp_path / "in")
    p = LegalPage(UiContext(db, runner, lawyer))
    qtbot.addWidget(p)
    p.show()
    with qtbot.waitSignal(p.list_loaded, timeout=10_000):
        p.refresh()
    return p


def _intake() -> LegalIntake:
    return LegalIntake(
        "subpoena",
        "County Sheriff",
        "US",
        datetime(2025, 3, 1, tzinfo=UTC),
        case_number="24-CR-118",
        # Ana's e-mail (her CRM row, no collection time) and customer id (her two payments).
        identifiers=[
            IdentifierSpec("email", PEOPLE[0][1]),
            IdentifierSpec("customer_id", "C-1001"),
        ],
        categories=["contact.email", "transaction.amount"],
    )


def test_the_intake_dialog_builds_an_intake_from_its_fields(qtbot) -> None:
    dlg = LegalIntakeDialog()
    qtbot.addWidget(dlg)
    dlg.type_box.setCurrentIndex(dlg.type_box.findData("emergency"))
    assert dlg.hours_spin.value() == 24
    qtbot.keyClicks(dlg.agency_edit, "Metropolitan Police")
    qtbot.keyClicks(dlg.country_edit, "gb")
    dlg.received_edit.setDateTime(QDateTime.fromSecsSinceEpoch(1_740_000_000))
    dlg.identifiers_edit.setPlainText(
        "phone: +44 20 7946 0018\nip: 203.0.113.9 2025-01-01T00:00/2025-01-02T00:00"
    )
    dlg.ndo_check.setChecked(True)
    qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dlg.result_value is not None
    intake, document = dlg.result_value
    assert intake.process_type == "emergency" and intake.deadline_hours == 24
    assert intake.identifiers[1].seen_to == datetime(2025, 1, 2, tzinfo=UTC)
    assert intake.ndo and intake.ndo_until is not None and document is None


def test_a_bad_identifier_line_is_shown_and_the_dialog_stays_open(qtbot) -> None:
    dlg = LegalIntakeDialog()
    qtbot.addWidget(dlg)
    dlg.agency_edit.setText("Police")
    dlg.country_edit.setText("DE")
    dlg.identifiers_edit.setPlainText("just an email")
    qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert "line 1" in dlg.error_label.text() and dlg.result_value is None
    assert parse_identifiers("email: a@example.org")[0].kind == "email"


def test_a_new_request_from_the_dialog_appears_in_the_list_and_opens(
    qtbot, page, monkeypatch, tmp_path
) -> None:
    document = ("order.pdf", b"%PDF-1.4 order", "application/pdf")
    monkeypatch.setattr(LegalIntakeDialog, "ask", classmethod(lambda cls, p: (_intake(), document)))
    with qtbot.waitSignal(page.detail.loaded, timeout=10_000):
        qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 0)) == page.detail.detail.summary.ref
    assert page.detail.documents_list.count() == 1
    page.detail.check_document()
    qtbot.waitUntil(lambda: "verified" in page.detail.document_label.text(), timeout=10_000)


def test_counsel_completes_the_checklist_and_decides(qtbot, page, db, lawyer) -> None:
    request_id = legal.create_request(db, lawyer, _intake()).id
    with qtbot.waitSignal(page.list_loaded, timeout=10_000):
        page.refresh()
    with qtbot.waitSignal(page.detail.loaded, timeout=10_000):
        page.table.selectRow(0)
    view: LegalDetailView = page.detail
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.mouseClick(view.assign_button, Qt.MouseButton.LeftButton)
    assert "leo" in view.counsel_label.text()
    view.decision_box.setCurrentIndex(view.decision_box.findData("produce"))
    view.reasons_edit.setPlainText("Valid subpoena.")
    qtbot.mouseClick(view.decide_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "checklist" in view.error_label.text(), timeout=10_000)
    for i in range(view.checklist.count()):
        view.checklist.item(i).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.mouseClick(view.decide_button, Qt.MouseButton.LeftButton)
    assert "Decided" in view.header.text()
    assert legal.get(db, lawyer, request_id).summary.decision == "produce"


def test_a_hold_and_a_production_from_the_detail(
    qtbot, page, db, lawyer, monkeypatch, tmp_path
) -> None:
    request_id = legal.create_request(db, lawyer, _intake()).id
    legal_review.assign(db, lawyer, request_id, "leo")
    for entry in legal.get(db, lawyer, request_id).checklist:
        legal_review.set_checklist(db, lawyer, request_id, entry.key, True)
    legal_review.decide(db, lawyer, request_id, "produce", "Valid.")
    with qtbot.waitSignal(page.list_loaded, timeout=10_000):
        page.refresh()
    with qtbot.waitSignal(page.detail.loaded, timeout=10_000):
        page.table.selectRow(0)
    view = page.detail
    assert view.candidates.count() == 3
    # The two payments are in scope and ticked; the CRM row has no collection time: legal decides.
    ticked = [view.candidates.item(i).checkState() == Qt.CheckState.Checked for i in range(3)]
    undated = next(i for i in range(3) if "legal decides" in view.candidates.item(i).text())
    assert ticked.count(True) == 2 and not ticked[undated]
    assert "Scope: E-mail address, Amount" in view.scope_label.text()
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.mouseClick(view.place_hold_button, Qt.MouseButton.LeftButton)
    assert "3 records" in view.holds_list.item(0).text()
    view.certifier_edit.setText("Cass Custodian")
    out = tmp_path / "productions"
    monkeypatch.setattr(LegalDetailView, "ask_folder", classmethod(lambda cls, p: str(out)))
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        qtbot.mouseClick(view.produce_button, Qt.MouseButton.LeftButton)
    assert "CP-000001–CP-000002 (2 records)" in view.production_label.text()
    assert view.disclosures_list.count() == 1 and "Produced" in view.header.text()
    assert len(list(out.iterdir())) == 1


def test_the_register_model_is_a_well_behaved_model(qtbot, qtmodeltester, page, db, lawyer) -> None:
    for _ in range(3):
        legal.create_request(db, lawyer, _intake())
    with qtbot.waitSignal(page.list_loaded, timeout=10_000):
        page.refresh()
    assert page.model.rowCount() == 3
    qtmodeltester.check(page.model)


def test_filters_narrow_the_list(qtbot, page, db, lawyer) -> None:
    legal.create_request(db, lawyer, _intake())
    other = LegalIntake(
        "court_order",
        "Amtsgericht",
        "DE",
        datetime(2025, 3, 2, tzinfo=UTC),
        description="An order.",
    )
    legal.create_request(db, lawyer, other)
    with qtbot.waitSignal(page.list_loaded, timeout=10_000):
        page.refresh()
    assert page.model.rowCount() == 2
    with qtbot.waitSignal(page.list_loaded, timeout=10_000):
        page.country_box.setCurrentIndex(page.country_box.findData("DE"))
    assert page.model.rowCount() == 1
    with qtbot.waitSignal(page.list_loaded, timeout=10_000):
        page.type_box.setCurrentIndex(page.type_box.findData("subpoena"))
    assert page.model.rowCount() == 0


def test_the_scope_is_set_in_the_window_and_going_beyond_it_needs_a_reason(
    qtbot, page, db, lawyer, monkeypatch, tmp_path
) -> None:
    request_id = legal.create_request(db, lawyer, _intake()).id
    legal_review.assign(db, lawyer, request_id, "leo")
    for entry in legal.get(db, lawyer, request_id).checklist:
        legal_review.set_checklist(db, lawyer, request_id, entry.key, True)
    with qtbot.waitSignal(page.list_loaded, timeout=10_000):
        page.refresh()
    with qtbot.waitSignal(page.detail.loaded, timeout=10_000):
        page.table.selectRow(0)
    view = page.detail
    view.scope_categories.setText("transaction.amount")
    view.scope_from.setText("2025-03-01")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.mouseClick(view.scope_button, Qt.MouseButton.LeftButton)
    detail = legal.get(db, lawyer, request_id)
    assert detail.categories == ["transaction.amount"] and str(detail.data_from) == "2025-03-01"
    legal_review.decide(db, lawyer, request_id, "produce", "Valid.")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.load(request_id)
    # The February payment is outside the range: ticking it without a reason is refused.
    early = next(
        i
        for i in range(view.candidates.count())
        if "outside the date range" in view.candidates.item(i).text()
    )
    view.candidates.item(early).setCheckState(Qt.CheckState.Checked)
    monkeypatch.setattr(LegalDetailView, "ask_folder", classmethod(lambda cls, p: str(tmp_path)))
    qtbot.mouseClick(view.produce_button, Qt.MouseButton.LeftButton)
    assert "beyond the request's scope" in view.error_label.text()
    assert not any(tmp_path.glob("LR-*"))


def test_an_admin_sees_the_hold_but_cannot_release_it(
    qtbot, db, lawyer, admin, runner, tmp_path
) -> None:
    """Releasing preserved evidence is a legal decision: the button is off for an admin (and the
    service refuses anyway); a legal reviewer's is on."""
    from datetime import date

    from console.services.legal import holds as legal_holds

    request_id = legal.create_request(db, lawyer, _intake()).id
    legal_holds.place_hold(db, lawyer, request_id, start=date.today())
    views = {}
    for who in (admin, lawyer):
        view = LegalDetailView(UiContext(db, runner, who))
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            view.load(request_id)
        views[who.name] = view
    assert not views[admin.name].release_button.isEnabled()
    assert "only a legal reviewer" in views[admin.name].release_button.toolTip()
    assert views["leo"].release_button.isEnabled()
