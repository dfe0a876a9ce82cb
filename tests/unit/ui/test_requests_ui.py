"""Driving the Requests page, the New Request dialog, the detail view and the Dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from console.domain.permissions import Role
from console.services import policy
from console.services.context import Actor
from console.services.requests import lifecycle as dsr
from console.store.db import Database
from console.ui.dialogs import Ask
from console.ui.pages.base import UiContext
from console.ui.pages.dashboard_page import DashboardPage
from console.ui.pages.new_request_dialog import NewRequestDialog
from console.ui.pages.request_detail import DetailAsk
from console.ui.pages.requests_page import RequestsPage
from console.ui.runner import Runner
from console.ui.widgets import CHIP_ROLE

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


def test_the_list_sorts_by_due_date_filters_and_marks_overdue_in_words_and_red(
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
    assert page.model.data(overdue, CHIP_ROLE) == "danger"  # a red chip that says "overdue"
    assert page.model.data(page.model.index(0, 3), CHIP_ROLE) == "info"
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


def _world(db, officer, tmp_path: Path, rtype: str):
    """A CRM with Jane in it and a request of `rtype` for her, in progress with her record found."""
    from console.importers.mapping import Mapping
    from console.services.records import imports, sources
    from console.services.requests import fulfil as work

    sources.add_source(db, officer, "CRM", "crm")
    crm = tmp_path / "crm.csv"
    crm.write_text("Customer ID,Email,Name\nC-100,jane@example.com,Jane Doe\n", encoding="utf-8")
    mapping = Mapping.from_json(
        {
            "columns": {
                "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
                "Email": {"identifier": "email", "category": "contact.email"},
                "Name": {"identifier": "name", "category": "contact.name"},
            },
            "record_key": ["Customer ID"],
        },
        source_name="CRM",
    )
    assert imports.run_import(db, officer, crm, "CRM", mapping).rows_imported == 1
    view = _new(db, officer, TODAY, rtype=rtype)
    view = dsr.verify_identity(
        db, officer, view.id, "login", "SSO-1", expected_version=view.version
    )
    assert work.find_records(db, officer, view.id).strong == 1
    return dsr.get_request(db, officer, view.id)


def _detail(qtbot, ctx, request_id: int):
    from console.ui.pages.request_detail import RequestDetail

    detail = RequestDetail(ctx)
    qtbot.addWidget(detail)
    detail.show()
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        detail.load(request_id)
    return detail


def test_a_task_is_added_and_marked_done_from_the_tasks_tab(
    qtbot, ctx, db, officer, monkeypatch, tmp_path: Path
) -> None:
    from console.ui.pages.request_dialogs import AddTaskDialog, TaskAnswer

    view = _world(db, officer, tmp_path, "deletion")
    detail = _detail(qtbot, ctx, view.id)
    add = detail.task_buttons["add_task"]
    assert add.isEnabled() and not detail.task_buttons["task_done"].isEnabled()
    offered: list[tuple[list[str], list[str]]] = []
    due = TODAY + dt.timedelta(days=7)

    def answer(cls, parent, sources, users, due_on):
        offered.append((list(sources), list(users)))
        return TaskAnswer("CRM", "delete", "olivia", due)

    monkeypatch.setattr(AddTaskDialog, "ask", classmethod(answer))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert offered[0][0][0] == "CRM" and "olivia" in offered[0][1]
    [task] = detail.view.tasks
    assert (task.source, task.action, task.assignee, task.due_on, task.status) == (
        "CRM",
        "delete",
        "olivia",
        due,
        "open",
    )
    assert detail.tasks_table.rowCount() == 1
    detail.tasks_table.selectRow(0)
    done = detail.task_buttons["task_done"]
    assert done.isEnabled()
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(done, Qt.MouseButton.LeftButton)
    assert detail.view.tasks[0].status == "done" and detail.view.tasks[0].done_by == "olivia"
    assert detail.tasks_table.item(0, 5).text() == "Done"
    actions = [e.action for e in detail.view.timeline]
    assert "dsr.task.add" in actions and "dsr.task.status" in actions

    detail.tasks_table.selectRow(0)
    monkeypatch.setattr(
        Ask, "choose", staticmethod(lambda parent, title, label, items, current=0: "skipped")
    )
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.task_buttons["task_status"], Qt.MouseButton.LeftButton)
    assert detail.view.tasks[0].status == "skipped"


def test_a_correction_is_fulfilled_through_the_dialog(
    qtbot, ctx, db, officer, monkeypatch, tmp_path: Path
) -> None:
    from console.services import audit
    from console.services.records import search as records
    from console.ui.pages.request_dialogs import CorrectionDialog

    view = _world(db, officer, tmp_path, "correction")
    [attached] = view.records
    detail = _detail(qtbot, ctx, view.id)
    assert detail.buttons["fulfil"].isEnabled()
    shown: list[dict[str, str | None]] = []

    def answer(cls, parent, rows):
        # The real dialog lists the rows' columns and builds the corrections from them.
        dlg = cls(rows, parent)
        shown.append(dict(rows[0].values))
        dlg.column_box.setCurrentIndex(dlg.column_box.findText("Name"))
        dlg.value_edit.setText("Jane Smith")
        dlg.add_correction()
        return dlg.corrections

    monkeypatch.setattr(CorrectionDialog, "ask", classmethod(answer))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["fulfil"], Qt.MouseButton.LeftButton)
    assert shown[0]["Name"] == "Jane Doe"
    [row] = records.records_by_id(db, officer, [attached.record_id])
    assert row.values["Name"] == "Jane Smith"
    assert detail.view.records[0].outcome == "corrected"
    events = audit.list_events(db, officer)
    corrected = [e for e in events if e.action == "records.correct"]
    assert corrected and str(corrected[-1].object_id) == str(attached.record_id)
    fulfilled = [e for e in events if e.action == "dsr.fulfil"][-1]
    assert fulfilled.details["corrected"] == [attached.record_id]


def test_the_dialog_offers_only_the_types_the_chosen_law_gives(qtbot) -> None:
    """The request-type registry is the one source: GDPR gives no opt-out of sale; the CCPA gives
    the right to limit (11 CCR §7027); the US state laws give appeals (e.g. Va. Code
    §59.1-577(C))."""
    dlg = NewRequestDialog(today=TODAY)
    qtbot.addWidget(dlg)
    dlg.show()

    def offered() -> list[str]:
        return [dlg.type_box.itemData(i) for i in range(dlg.type_box.count())]

    dlg.law_box.setCurrentIndex(dlg.law_box.findData("gdpr"))
    assert "opt-out-sale" not in offered() and "access" in offered()
    dlg.type_box.setCurrentIndex(dlg.type_box.findData("deletion"))
    dlg.law_box.setCurrentIndex(dlg.law_box.findData("ccpa"))
    assert "limit-spi" in offered() and dlg.type_box.currentData() == "deletion"
    dlg.type_box.setCurrentIndex(dlg.type_box.findData("opt-out-sale"))
    assert "15 business days" in dlg.type_help.text()
    assert "may not be required" in dlg.type_help.text()
    dlg.law_box.setCurrentIndex(dlg.law_box.findData("vcdpa"))
    assert "appeal" in offered() and dlg.type_box.itemText(offered().index("appeal")) == (
        "Appeal of a refused request"
    )


def test_the_deny_dialog_lists_only_the_grounds_of_the_requests_law(
    qtbot, ctx, db, officer, monkeypatch
) -> None:
    """A GDPR request is never denied as 'not a consumer' (a CCPA notion): the dialog does not
    offer it; an opt-out of sale has no identity step to offer (11 CCR §7026(d))."""
    gdpr = dsr.create_request(
        db,
        officer,
        dsr.Intake("access", "gdpr", TODAY, emails=("jane@example.com",), country="DE"),
    )
    opt_out = dsr.create_request(
        db, officer, dsr.Intake("opt-out-sale", "ccpa", TODAY, emails=("bob@example.com",))
    )
    page = RequestsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000):
        page.refresh()
    detail = page.detail
    detail.show_view(dsr.get_request(db, officer, opt_out.id))
    assert not detail.buttons["verify"].isEnabled() and detail.buttons["advance"].isEnabled()
    detail.show_view(dsr.get_request(db, officer, gdpr.id))
    offered: list[list[str]] = []

    def choose(parent, title, label, items, current=0):
        offered.append(list(items))
        return "Identity not verified"

    monkeypatch.setattr(Ask, "choose", staticmethod(choose))
    monkeypatch.setattr(DetailAsk, "text", staticmethod(lambda *a, **k: "No reply"))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["deny"], Qt.MouseButton.LeftButton)
    assert "Not a consumer under this law" not in offered[0]
    assert "Restricted by Union or national law" in offered[0]
    assert detail.view.status == "denied" and detail.view.denial_reason == "identity_not_verified"


def test_a_uk_request_records_what_the_clock_waits_for_and_an_excessive_refusal(
    qtbot, ctx, db, officer, monkeypatch
) -> None:
    """UK GDPR Art. 12A(2)(b): identity asked for; GDPR Art. 12(5): refusal with reasons."""
    view = dsr.create_request(
        db, officer, dsr.Intake("access", "uk-gdpr", TODAY, emails=("u@example.co.uk",))
    )
    page = RequestsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000):
        page.refresh()
    detail = page.detail
    detail.show_view(dsr.get_request(db, officer, view.id))
    assert detail.buttons["clock_event"].isEnabled() and detail.buttons["excessive"].isEnabled()
    monkeypatch.setattr(
        Ask, "choose", staticmethod(lambda parent, title, label, items, current=0: items[0])
    )
    answers = iter([TODAY.isoformat(), "Third copy of the same file this month."])
    monkeypatch.setattr(DetailAsk, "text", staticmethod(lambda *a, **k: next(answers)))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["clock_event"], Qt.MouseButton.LeftButton)
    assert [c.kind for c in detail.view.clock] == ["start", "identity_requested"]
    monkeypatch.setattr(
        Ask, "choose", staticmethod(lambda parent, title, label, items, current=0: items[-1])
    )
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["excessive"], Qt.MouseButton.LeftButton)
    assert detail.view.status == "denied"
    assert detail.view.denial_text == "Third copy of the same file this month."


def test_a_uk_complaint_is_acknowledged_from_the_detail_page(
    qtbot, ctx, db, officer, admin, monkeypatch
) -> None:
    """DPA 2018 s.164A(3): acknowledge a complaint within 30 days beginning with its receipt."""
    from console.services import audit

    received = dt.date(2026, 7, 1)
    view = dsr.create_request(
        db, officer, dsr.Intake("complaint", "uk-gdpr", received, emails=("c@example.co.uk",))
    )
    page = RequestsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.ids_loaded, timeout=10_000):
        page.refresh()
    detail = page.detail
    detail.show_view(dsr.get_request(db, officer, view.id))
    assert detail.buttons["acknowledge"].isEnabled()
    answers = iter(["2026-07-03", "e-mail"])
    monkeypatch.setattr(DetailAsk, "text", staticmethod(lambda *a, **k: next(answers)))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.buttons["acknowledge"], Qt.MouseButton.LeftButton)
    [event] = [
        e
        for e in audit.list_events(
            db, admin, audit.EventFilter(object_type="dsr_request", object_id=str(view.id))
        )
        if e.action == "dsr.acknowledge"
    ]
    assert event.details["on"] == "2026-07-03" and event.details["on_time"] is True
