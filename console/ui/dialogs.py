"""Small modal dialogs behind `ask()`-style functions that tests replace (no modal loop in tests).

Every message box shows its text as plain text: messages carry file names, user names and
values from imported files, and Qt would otherwise render any of them that looks like HTML.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

_Button = QMessageBox.StandardButton


def plain_message(
    icon: QMessageBox.Icon,
    parent: QWidget | None,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton = _Button.Ok,
) -> QMessageBox.StandardButton:
    """A modal message box whose text is never interpreted as HTML."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return QMessageBox.StandardButton(box.exec())


class Ask:
    """Every question the window asks the user goes through here, so a test can answer it."""

    @staticmethod
    def confirm(parent: QWidget | None, title: str, text: str) -> bool:
        answer = plain_message(
            QMessageBox.Icon.Question, parent, title, text, _Button.Yes | _Button.No
        )
        return answer == _Button.Yes

    @staticmethod
    def info(parent: QWidget | None, title: str, text: str) -> None:
        plain_message(QMessageBox.Icon.Information, parent, title, text)

    @staticmethod
    def error(parent: QWidget | None, title: str, text: str) -> None:
        plain_message(QMessageBox.Icon.Warning, parent, title, text)

    @staticmethod
    def fatal(parent: QWidget | None, title: str, text: str) -> None:
        plain_message(QMessageBox.Icon.Critical, parent, title, text)

    @staticmethod
    def choose(parent: QWidget | None, title: str, label: str, items: list[str], current: int = 0
               ) -> str | None:
        # QInputDialog's label would render HTML: a label naming data is escaped by its caller
        # (console.ui.plain.escaped); the items of a combo box are always plain text.
        value, ok = QInputDialog.getItem(parent, title, label, items, current, False)
        return value if ok else None
