"""What every page shares: the session context (database, runner, signed-in user) and refresh."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from console.services.context import Actor
from console.store.db import Database
from console.ui.plain import plain_label
from console.ui.runner import Runner

# (user name, password) -> the database to work on as that user, and the signed-in user.
SignIn = Callable[[str, str], tuple[Database, Actor]]


@dataclass
class UiContext:
    db: Database
    runner: Runner
    actor: Actor
    # How this window signs someone in (team mode: a connection of their own to the server);
    # None: the console checks the password on db.
    sign_in: SignIn | None = None


class Page(QWidget):
    """A page of the main window. `refresh()` reloads from the database when the page is shown."""

    title = "Page"
    status_message = Signal(str)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx

    def refresh(self) -> None:
        """Reload what the page shows; called when it becomes visible."""


def heading(text: str) -> QLabel:
    label = plain_label(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label
