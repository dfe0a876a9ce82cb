"""Driving the real window offscreen: sign-in, navigation, accounts, audit verification."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from console.domain.permissions import Role
from console.services import accounts, audit, policy
from console.services.context import Actor
from console.store.db import Database
from console.ui.dialogs import Ask
from console.ui.login import LoginDialog
from console.ui.main_window import MainWindow
from console.ui.pages.admin_page import AddUserDialog
from console.ui.pages.base import UiContext
from console.ui.runner import Runner
from tests.fixtures import PASSWORD


@pytest.fixture
def runner(qtbot) -> Iterator[Runner]:
    r = Runner()
    yield r
    r.wait()


@pytest.fixture
def window(qtbot, db: Database, admin: Actor, runner: Runner) -> MainWindow:
    policy.ensure_default_pack(db, admin)
    win = MainWindow(UiContext(db, runner, admin))
    qtbot.addWidget(win)
    win.show()
    return win


def test_signing_in_with_the_right_password_emits_the_user(qtbot, db, admin, runner) -> None:
    dlg = LoginDialog(db, runner)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.user_edit, "admin")
    qtbot.keyClicks(dlg.password_edit, PASSWORD)
    with qtbot.waitSignal(dlg.signed_in, timeout=10_000) as blocker:
        qtbot.keyClick(dlg.password_edit, Qt.Key.Key_Return)
    assert blocker.args[0].name == "admin"


def test_a_wrong_password_shows_a_message_and_stays_open(qtbot, db, admin, runner) -> None:
    dlg = LoginDialog(db, runner)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.user_edit.setText("admin")
    dlg.password_edit.setText("not my password")
    with qtbot.waitSignal(dlg.failed, timeout=10_000):
        qtbot.keyClick(dlg.password_edit, Qt.Key.Key_Return)
    assert "Wrong user name or password" in dlg.error_label.text()
    assert dlg.isVisible() and dlg.password_edit.text() == ""


def test_navigation_reaches_every_page_by_keyboard(qtbot, window: MainWindow) -> None:
    titles = [p.title for p in window.pages]
    assert titles[-3:] == ["Audit", "Policy", "Admin"]
    assert len(titles) <= 10  # Ctrl+1 … Ctrl+9 and Ctrl+0
    for i, title in enumerate(titles):
        key = Qt.Key(Qt.Key.Key_0 + (i + 1) % 10)
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.stack.currentWidget().title == title
    assert "SQLite" in window.db_label.text() and "admin" in window.user_label.text()


def test_the_policy_page_shows_the_statements_categories(qtbot, window: MainWindow) -> None:
    page = window.show_page("Policy")
    qtbot.waitUntil(lambda: page.pack is not None, timeout=10_000)
    tabs = [page.tabs.tabText(i).replace("&", "") for i in range(page.tabs.count())]
    assert tabs[:4] == ["Data categories", "Sources", "Purposes", "Recipients"]
    categories = page.tabs.widget(0)
    labels = {categories.item(r, 0).text() for r in range(categories.rowCount())}
    assert any("mail" in label.lower() for label in labels)


def test_adding_a_user_shows_the_one_time_password(
    qtbot, window: MainWindow, db, admin, monkeypatch
) -> None:
    page = window.show_page("Admin")
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
    monkeypatch.setattr(
        AddUserDialog,
        "ask",
        classmethod(lambda cls, parent: ("olivia", "Olivia O", "privacy_officer")),
    )
    shown: list[str] = []
    monkeypatch.setattr(Ask, "info", staticmethod(lambda parent, title, text: shown.append(text)))
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=10_000)
    assert "One-time password" in shown[0]
    otp = shown[0].strip().splitlines()[-1]
    assert accounts.authenticate(db, "olivia", otp).role is Role.PRIVACY_OFFICER


def test_verify_reports_an_intact_chain_then_a_tampered_one(
    qtbot, window: MainWindow, db: Database
) -> None:
    page = window.show_page("Audit")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=10_000)
    assert "intact" in page.result_label.text()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))
    page.last_result = None
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=10_000)
    assert "broken at event 1" in page.result_label.text()


def test_the_audit_table_model_is_a_well_behaved_model(qtbot, qtmodeltester, window) -> None:
    page = window.show_page("Audit")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    qtmodeltester.check(page.model)


def test_the_window_locks_and_the_same_user_unlocks_it_where_they_were(
    qtbot, window: MainWindow
) -> None:
    window.show_page("Audit")
    with qtbot.waitSignal(window.locked):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked and not window.centralWidget().isVisible()
    dlg = window._lock_dialog
    assert dlg is not None and dlg.user_edit.text() == "admin"
    pages = list(window.pages)
    dlg.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.keyClick(dlg.password_edit, Qt.Key.Key_Return)
    assert window.centralWidget().isVisible()
    assert window.pages == pages and window.stack.currentWidget().title == "Audit"


def _unlock_as(qtbot, window: MainWindow, name: str, password: str = PASSWORD) -> None:
    dlg = window._lock_dialog
    assert dlg is not None
    dlg.user_edit.setText(name)
    dlg.password_edit.setText(password)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.keyClick(dlg.password_edit, Qt.Key.Key_Return)


def test_whoever_unlocks_is_signed_in_and_the_window_reloads_for_their_role(
    qtbot, window: MainWindow, db: Database, admin: Actor
) -> None:
    accounts.add_user(db, admin, "aud", Role.AUDITOR)
    accounts.set_password_for_demo(db, "aud", PASSWORD)
    admin_page = window.page("Admin")
    assert admin_page.add_button.isEnabled()
    with qtbot.waitSignal(window.locked):
        window.lock()
    _unlock_as(qtbot, window, "aud")
    assert window.ctx.actor.name == "aud" and window.ctx.actor.role is Role.AUDITOR
    assert "aud (Auditor" in window.user_label.text() and "aud" in window.windowTitle()
    reloaded = window.page("Admin")
    assert reloaded is not admin_page and not reloaded.add_button.isEnabled()
    logins = [e for e in audit.list_events(db, admin) if e.action == "login"]
    assert logins[-1].actor == "aud"


def test_a_window_whose_user_is_demoted_elsewhere_locks_and_reopens_for_the_new_role(
    qtbot, db: Database, admin: Actor, runner: Runner, monkeypatch
) -> None:
    accounts.add_user(db, admin, "bob", Role.ADMIN)
    accounts.set_password_for_demo(db, "bob", PASSWORD)
    bob = accounts.authenticate(db, "bob", PASSWORD)
    window = MainWindow(UiContext(db, runner, bob))
    qtbot.addWidget(window)
    window.show()
    shown: list[str] = []
    monkeypatch.setattr(Ask, "error", staticmethod(lambda parent, title, text: shown.append(text)))
    page = window.show_page("Admin")
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=10_000)
    accounts.change_role(db, admin, bob.id or 0, Role.AUDITOR)  # at another desk
    with qtbot.waitSignal(window.locked, timeout=10_000):
        page.refresh()  # bob's next action
    assert window.is_locked
    _unlock_as(qtbot, window, "bob")
    assert window.ctx.actor.role is Role.AUDITOR
    assert not window.page("Admin").add_button.isEnabled()
    denied = audit.list_events(db, admin)
    assert any(e.action == "access.denied" and e.actor == "bob" for e in denied)


def test_the_window_locks_itself_after_the_idle_time(qtbot, window: MainWindow) -> None:
    window.set_idle_minutes(0.001)  # 60 ms
    with qtbot.waitSignal(window.locked, timeout=5_000):
        pass
    assert window.is_locked


def test_window_geometry_and_splitter_are_remembered(qtbot, db, admin, runner) -> None:
    first = MainWindow(UiContext(db, runner, admin))
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)  # inside the 800x600 offscreen screen, which restore clamps to
    first.splitter.setSizes([250, 450])
    size_at_close = first.size()
    first.close()
    second = MainWindow(UiContext(db, runner, admin))
    qtbot.addWidget(second)
    second.show()
    assert second.size() == size_at_close
    assert second.splitter.sizes()[0] == first.splitter.sizes()[0]
