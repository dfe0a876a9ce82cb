"""Sign-in, first-admin set-up and password-change dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console import APP_NAME
from console.errors import ConsoleError
from console.services import accounts
from console.services.context import Actor
from console.store.db import Database
from console.ui import theme
from console.ui.pages.base import SignIn
from console.ui.plain import plain_label
from console.ui.runner import Runner


class _FormDialog(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.intro = plain_label(intro)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error_label = plain_label("")
        self.error_label.setObjectName("error")
        theme.set_role(self.error_label, "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _line(self, label: str, *, secret: bool = False, name: str = "") -> QLineEdit:
        edit = QLineEdit()
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setObjectName(name)
        self.form.addRow(label, edit)
        return edit

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)

    def _submit(self) -> None:  # pragma: no cover - overridden
        raise AssertionError


class LoginDialog(_FormDialog):
    """Asks for user name and password; emits signed_in with the Actor on success.

    `database` is then the database to work on as that user: the same one, or in team mode a
    connection of the user's own. Locked (the idle lock), it is prefilled with who locked it,
    but anyone may sign in: the window then reloads for them.
    """

    signed_in = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        db: Database | None,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        locked_user: str | None = None,
        sign_in: SignIn | None = None,
        where: str = "",
    ) -> None:
        """db None: nothing is open yet (team mode: the server must know who connects first);
        sign_in then opens it, and `where` describes it."""
        intro = (
            f"The console is locked. Sign in again as {locked_user}, or as yourself."
            if locked_user
            else f"Sign in to {APP_NAME}."
        )
        super().__init__(f"{APP_NAME} — sign in", intro, parent)
        self.db = db
        self.database = db
        self.runner = runner
        self.locked_user = locked_user
        self._sign_in = sign_in or self._with_console_password
        self.user_edit = self._line("&User name", name="user")
        self.password_edit = self._line("&Password", secret=True, name="password")
        self.form.addRow("", plain_label(f"Database: {db.describe() if db else where}"))
        if locked_user:
            self.user_edit.setText(locked_user)
            self.password_edit.setFocus()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")

    def _with_console_password(self, name: str, password: str) -> tuple[Database, Actor]:
        assert self.db is not None
        return self.db, accounts.authenticate(self.db, name, password)

    def _submit(self) -> None:
        name, password = self.user_edit.text().strip(), self.password_edit.text()
        if not name or not password:
            self.show_error("Enter your user name and password.")
            return
        self._set_busy(True)
        self.runner.submit(lambda: self._sign_in(name, password), self._ok, self._fail)

    def _ok(self, result: tuple[Database, Actor]) -> None:
        self._set_busy(False)
        self.database, actor = result
        self.password_edit.clear()
        self.signed_in.emit(actor)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self.password_edit.setFocus()
        message = str(exc) if isinstance(exc, ConsoleError) else "Sign-in failed."
        self.show_error(message)
        self.failed.emit(message)


class FirstAdminDialog(_FormDialog):
    """On an empty database: create the first administrator account."""

    created = Signal(object)

    def __init__(self, db: Database, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(
            f"{APP_NAME} — first administrator",
            f"This database ({db.describe()}) has no accounts yet. Create the first administrator.",
            parent,
        )
        self.db, self.runner = db, runner
        self.user_edit = self._line("&User name", name="user")
        self.full_name_edit = self._line("&Full name", name="full_name")
        self.password_edit = self._line("&Password (12+ characters)", secret=True, name="password")
        self.repeat_edit = self._line("&Repeat password", secret=True, name="repeat")

    def _submit(self) -> None:
        if self.password_edit.text() != self.repeat_edit.text():
            self.show_error("The two passwords differ.")
            return
        name, full, pw = (
            self.user_edit.text(),
            self.full_name_edit.text(),
            self.password_edit.text(),
        )

        def work() -> Actor:
            from console.services import policy

            actor = accounts.bootstrap_admin(self.db, name, pw, full_name=full)
            policy.ensure_default_pack(self.db, actor)
            return actor

        self._set_busy(True)
        self.runner.submit(work, self._ok, self._fail)

    def _ok(self, actor: Actor) -> None:
        self._set_busy(False)
        self.created.emit(actor)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_error(str(exc))


class ChangePasswordDialog(_FormDialog):
    """Change one's own password (required after a one-time password)."""

    changed = Signal()

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        required: bool = False,
    ) -> None:
        intro = (
            "Your password was set by an administrator: choose your own now."
            if required
            else "Change your password."
        )
        super().__init__(f"{APP_NAME} — change password", intro, parent)
        self.db, self.runner, self.actor = db, runner, actor
        self.old_edit = self._line("&Current password", secret=True, name="old")
        self.new_edit = self._line("&New password (12+ characters)", secret=True, name="new")
        self.repeat_edit = self._line("&Repeat new password", secret=True, name="repeat")
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _submit(self) -> None:
        if self.new_edit.text() != self.repeat_edit.text():
            self.show_error("The two new passwords differ.")
            return
        old, new = self.old_edit.text(), self.new_edit.text()
        self._set_busy(True)
        self.runner.submit(
            lambda: accounts.change_own_password(self.db, self.actor, old, new),
            self._ok,
            self._fail,
        )

    def _ok(self, _result: object) -> None:
        self._set_busy(False)
        self.changed.emit()
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.show_error(str(exc))
