"""No dead ends: the Legal review tab with a recorded decision, every report's parameters shown
and honoured, and the demo loaded again next to an old productions folder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from console.domain import labels
from console.services import accounts
from console.services.demo import seed as demo
from console.services.legal import intake as legal
from console.services.legal import read as legal_read
from console.services.reporting import catalogue as reports
from console.store.db import open_database
from console.ui.export_job import SaveAs
from console.ui.pages.legal_detail import LegalDetailView
from console.ui.pages.reports_page import ReportsPage
from tests.unit.ui.conftest import settle
from tests.unit.ui.test_legal_ui import _intake

# -- Legal review tab ----------------------------------------------------------------------------


def _open_legal(qtbot, window, ref: str) -> LegalDetailView:
    page = window.show_page("Legal")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    row = next(
        r for r in range(page.model.rowCount()) if page.model.data(page.model.index(r, 0)) == ref
    )
    with qtbot.waitSignal(page.detail.loaded, timeout=10_000):
        page.table.selectRow(row)
    return page.detail


def test_a_decided_request_shows_its_decision_read_only(qtbot, demo_window, demo_db) -> None:
    rejected = next(
        s
        for s in legal_read.list_requests(demo_db, demo_window.ctx.actor)
        if s.decision == "reject"
    )
    view = _open_legal(qtbot, demo_window, rejected.ref)
    assert view.decision_box.currentData() == "reject"
    assert not view.decision_box.isEnabled()
    assert view.reasons_edit.isReadOnly() and "Overbroad" in view.reasons_edit.toPlainText()
    assert not view.decide_button.isEnabled() and not view.emergency_button.isEnabled()
    said = view.decided_label.text()
    assert said.startswith("Decided by") and "Reject" in said and "Overbroad" in said
    assert "Decision: Reject." in view.facts_label.text()


def test_an_open_request_preselects_no_decision(qtbot, demo_window, demo_db) -> None:
    lawyer = accounts.authenticate(demo_db, "legal", demo.DEMO_PASSWORD)
    made = legal.create_request(demo_db, lawyer, _intake())
    view = _open_legal(qtbot, demo_window, made.summary.ref)
    assert view.decision_box.currentData() is None
    assert view.decision_box.isEnabled() and not view.decide_button.isEnabled()
    view.decision_box.setCurrentIndex(view.decision_box.findData("no_data"))
    assert view.decide_button.isEnabled()
    assert not view.reasons_edit.isReadOnly() and view.reasons_edit.toPlainText() == ""


# -- Reports page: a test per report ------------------------------------------------------------

VALUES = {
    "since": ("From", "2026-01-01"),
    "until": ("To", "2026-12-31"),
    "actor_name": ("User", "officer"),
    "action": ("What happened", "dsr"),
    "query": ("Query", "jane"),
    "source": ("Source", "CRM"),
    "category": ("Category", "contact.email"),
    "object_id": ("Id", "1"),
}


def _fill(page: ReportsPage, takes: tuple[str, ...]) -> None:
    for key in takes:
        value = VALUES[key][1]
        if key == "since":
            page.since_check.setChecked(True)
            page.since_edit.setDate(QDate.fromString(value, "yyyy-MM-dd"))
        elif key == "until":
            page.until_check.setChecked(True)
            page.until_edit.setDate(QDate.fromString(value, "yyyy-MM-dd"))
        elif key == "actor_name":
            page.actor_edit.setText(value)
        elif key == "action":
            page.action_box.setCurrentIndex(page.action_box.findData(value))
        elif key == "query":
            page.query_edit.setText(value)
        elif key == "source":
            page.source_box.setCurrentIndex(page.source_box.findData(value))
        elif key == "category":
            page.category_box.setCurrentIndex(page.category_box.findData(value))
        elif key == "object_id":
            page.id_edit.setValue(int(value))


@pytest.mark.parametrize("name", [s.name for s in reports.catalogue()])
def test_each_report_shows_only_its_parameters_and_honours_them(
    qtbot, demo_window, tmp_path: Path, monkeypatch, name: str
) -> None:
    page: ReportsPage = demo_window.show_page("Reports")
    settle(qtbot, demo_window)
    spec = next(s for s in page.specs if s.name == name)
    page.list.setCurrentRow(page.specs.index(spec))
    assert page.shown_params() == set(spec.takes)
    # A date is used only once its box is ticked, and an untaken field is never sent.
    page.since_check.setChecked(False)
    page.until_check.setChecked(False)
    before = page.params()
    assert before.since is None and before.until is None
    assert all(getattr(before, k) is None for k in VALUES if k not in spec.takes)
    _fill(page, spec.takes)
    params = page.params()
    for key in spec.takes:
        assert getattr(params, key) is not None, key
    page.format_box.setCurrentIndex(page.format_box.findData("xlsx"))
    target = tmp_path / f"{name}.xlsx"
    monkeypatch.setattr(SaveAs, "ask", staticmethod(lambda parent, suggested, fmt: target))
    with qtbot.waitSignal(page.exported, timeout=60_000) as blocker:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    manifest = json.loads(blocker.args[0].manifest_path.read_text(encoding="utf-8"))
    # The manifest names what was asked for in words (the action filter and category by label).
    shown = {
        **{VALUES[k][0]: VALUES[k][1] for k in spec.takes},
        **({"What happened": labels.action_filter("dsr")} if "action" in spec.takes else {}),
        **(
            {"Category": labels.label("category", "contact.email")}
            if "category" in spec.takes
            else {}
        ),
    }
    assert manifest["parameters"] == shown


def test_a_ticked_period_changes_what_the_register_holds(
    qtbot, demo_window, tmp_path: Path, monkeypatch
) -> None:
    page: ReportsPage = demo_window.show_page("Reports")
    page.list.setCurrentRow([s.name for s in page.specs].index("dsr-register"))
    page.format_box.setCurrentIndex(page.format_box.findData("xlsx"))
    counts = []
    for ticked, target in ((False, tmp_path / "all.xlsx"), (True, tmp_path / "future.xlsx")):
        page.since_check.setChecked(ticked)
        page.since_edit.setDate(QDate.currentDate().addYears(1))
        monkeypatch.setattr(SaveAs, "ask", staticmethod(lambda parent, s, f, t=target: t))
        with qtbot.waitSignal(page.exported, timeout=60_000) as blocker:
            qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        counts.append(sum(blocker.args[0].row_counts.values()))
    assert counts[0] > 0 and counts[1] == 0


def test_dates_not_ticked_cannot_be_edited(qtbot, demo_window) -> None:
    page: ReportsPage = demo_window.show_page("Reports")
    page.list.setCurrentRow([s.name for s in page.specs].index("ropa"))
    assert page.shown_params() == {"until"}
    assert page.until_check.text() == "Policy in force on"
    assert not page.until_edit.isEnabled()
    page.until_check.setChecked(True)
    assert page.until_edit.isEnabled()
    assert page.params().until == dt.date.today()


# -- demo again ----------------------------------------------------------------------------------


def test_the_demo_loads_again_next_to_an_old_productions_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for attempt in range(2):
        path = folder / "console.db"
        for leftover in folder.glob("console.db*"):
            leftover.unlink()
        db = open_database(f"sqlite:///{path}")
        try:
            summary = demo.load(db, None)
        finally:
            db.dispose()
        assert "12 legal requests, 1 production" in summary.text(), attempt
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("productions")) == [
        "productions",
        "productions-2",
    ]


def test_a_demo_that_fails_part_way_leaves_no_half_loaded_database(
    tmp_path: Path, monkeypatch
) -> None:
    from console.errors import ConsoleError

    def broken(db, actors):
        raise ConsoleError("the production folder cannot be written.")

    areas = [(area, broken if area == "demo_legal" else load) for area, load in demo.DEMO_AREAS]
    monkeypatch.setattr(demo, "DEMO_AREAS", areas)
    path = tmp_path / "data" / "console.db"
    path.parent.mkdir()
    db = open_database(f"sqlite:///{path}")
    with pytest.raises(ConsoleError, match="nothing half-loaded"):
        demo.load(db, None)
    assert not path.exists()
    monkeypatch.undo()
    db = open_database(f"sqlite:///{path}")
    try:
        assert "12 legal requests" in demo.load(db, None).text()
    finally:
        db.dispose()
