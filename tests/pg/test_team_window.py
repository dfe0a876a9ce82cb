"""The window in team mode: the sign-in dialog connects as the person signing in, and whoever
unlocks the window works over their own connection, with their own role."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from console.domain.permissions import Role
from console.services import signin
from console.services.accounts import SIGN_IN_REFUSED
from console.ui.login import LoginDialog
from console.ui.main_window import MainWindow
from console.ui.pages.base import UiContext
from console.ui.runner import Runner
from tests.fixtures import PASSWORD, TeamServer

pytestmark = pytest.mark.gui


@pytest.fixture
def runner(qtbot):
    r = Runner()
    yield r
    r.wait()


def test_signing_in_connects_as_that_database_role_and_unlocking_switches_connection(
    qtbot, team_server: TeamServer, runner: Runner
) -> None:
    admin_db, ada, _ = team_server.set_up()
    _, aud = team_server.desk_user(ada, admin_db, Role.AUDITOR, "aud")
    # The site configuration names the server, not the user: each person signs in.
    shared = team_server.desk_url

    def sign_in(name: str, password: str):
        database, actor = signin.connect(shared, name, password)
        team_server.track(database)
        return database, actor

    dlg = LoginDialog(None, runner, sign_in=sign_in, where="PostgreSQL: test")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.user_edit.setText("nobody-" + team_server.prefix)
    dlg.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(dlg.failed, timeout=10_000):
        qtbot.keyClick(dlg.password_edit, Qt.Key.Key_Return)
    assert dlg.error_label.text() == SIGN_IN_REFUSED
    dlg.user_edit.setText(ada.name)
    dlg.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(dlg.signed_in, timeout=10_000) as signed:
        qtbot.keyClick(dlg.password_edit, Qt.Key.Key_Return)
    assert signed.args[0].name == ada.name and dlg.database is not None
    assert dlg.database.url.username == ada.name

    window = MainWindow(UiContext(dlg.database, runner, signed.args[0], sign_in))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.locked):
        window.lock()
    lock = window._lock_dialog
    assert lock is not None
    lock.user_edit.setText(aud.name)
    lock.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        qtbot.keyClick(lock.password_edit, Qt.Key.Key_Return)
    assert window.ctx.db.url.username == aud.name and window.ctx.actor.role is Role.AUDITOR
    assert not window.page("Admin").add_button.isEnabled()
