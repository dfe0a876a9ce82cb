"""Admin page: accounts — add, disable/enable, reset password, change role."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Permission, Role
from console.services import accounts
from console.ui.dialogs import Ask
from console.ui.pages.base import Page, UiContext, heading
from console.ui.text import moment as text_moment
from console.ui.widgets import fit_columns
from console.wording import plural


class AddUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add user")
        form = QFormLayout(self)
        self.name_edit = QLineEdit()
        self.full_name_edit = QLineEdit()
        self.role_box = QComboBox()
        for role in Role:
            self.role_box.addItem(role.label, role.value)
        form.addRow("&User name", self.name_edit)
        form.addRow("&Full name", self.full_name_edit)
        form.addRow("&Role", self.role_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None) -> tuple[str, str, str] | None:
        """(name, full name, role) or None when cancelled. Tests replace this."""
        dlg = cls(parent)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.name_edit.text(), dlg.full_name_edit.text(), str(dlg.role_box.currentData())


class AdminPage(Page):
    title = "Admin"
    COLUMNS = ("User", "Full name", "Role", "Status", "Last sign-in", "Must change password")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Accounts"))
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Accounts")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # The full name takes the width left over; "Must change password" stays as wide as its
        # header instead of stretching empty across the page.
        fit_columns(self.table, stretch=1)
        self.table.setAlternatingRowColors(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("&Add user…")
        self.toggle_button = QPushButton("&Disable / enable")
        self.reset_button = QPushButton("&Reset password")
        self.role_button = QPushButton("Change &role…")
        for b in (self.add_button, self.toggle_button, self.reset_button, self.role_button):
            row.addWidget(b)
            b.setEnabled(ctx.actor.can(Permission.MANAGE_USERS))
        row.addStretch(1)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.add_user)
        self.toggle_button.clicked.connect(self.toggle_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.role_button.clicked.connect(self.change_role)
        self.users: list[accounts.UserInfo] = []

    def refresh(self) -> None:
        self.ctx.runner.submit(
            lambda: accounts.list_users(self.ctx.db, self.ctx.actor), self._loaded
        )

    def _loaded(self, users: list[accounts.UserInfo]) -> None:
        self.users = users
        self.table.setRowCount(len(users))
        for r, u in enumerate(users):
            values = (
                u.name,
                u.full_name,
                u.role.label,
                "active" if u.active else "disabled",
                text_moment(u.last_login_at) if u.last_login_at else "never",
                "yes" if u.must_change_password else "",
            )
            for c, v in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(v))
        self.status_message.emit(plural(len(users), "account"))

    def selected(self) -> accounts.UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def _run(self, work: object, done_text: str | None = None) -> None:
        def ok(result: object) -> None:
            if done_text:
                Ask.info(self, "Accounts", done_text.format(result=result))
            self.refresh()

        self.ctx.runner.submit(work, ok, lambda e: Ask.error(self, "Accounts", str(e)))  # type: ignore[arg-type]

    def add_user(self) -> None:
        answer = AddUserDialog.ask(self)
        if answer is None:
            return
        name, full, role = answer
        self._run(
            lambda: accounts.add_user(self.ctx.db, self.ctx.actor, name, role, full_name=full)[1],
            f"User '{name}' added. One-time password (shown once; they must change it at first "
            "sign-in):\n\n{result}",
        )

    def toggle_user(self) -> None:
        user = self.selected()
        if user is None:
            return
        verb = "disable" if user.active else "enable"
        if not Ask.confirm(self, "Accounts", f"{verb.capitalize()} the account '{user.name}'?"):
            return
        self._run(
            lambda: accounts.set_active(self.ctx.db, self.ctx.actor, user.id, not user.active)
        )

    def reset_password(self) -> None:
        user = self.selected()
        if user is None or not Ask.confirm(
            self, "Accounts", f"Give '{user.name}' a new one-time password?"
        ):
            return
        self._run(
            lambda: accounts.reset_password(self.ctx.db, self.ctx.actor, user.id),
            f"New one-time password for '{user.name}' (shown once):\n\n{{result}}",
        )

    def change_role(self) -> None:
        user = self.selected()
        if user is None:
            return
        labels = [r.label for r in Role]
        choice = Ask.choose(
            self, "Change role", f"Role for '{user.name}':", labels, labels.index(user.role.label)
        )
        if choice is None:
            return
        role = next(r for r in Role if r.label == choice)
        self._run(lambda: accounts.change_role(self.ctx.db, self.ctx.actor, user.id, role))
