"""Small modal dialogs behind `ask()`-style functions that tests replace (no modal loop in tests).

Every message box shows its text as plain text: messages carry file names, user names and
values from imported files, and Qt would otherwise render any of them that looks like HTML.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QLabel, QMessageBox, QWidget

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
    def choose(
        parent: QWidget | None, title: str, label: str, items: list[str], current: int = 0
    ) -> str | None:
        dialog = plain_input_dialog(parent, title, label)
        dialog.setComboBoxItems(items)
        dialog.setComboBoxEditable(False)
        if items:
            dialog.setTextValue(items[min(max(current, 0), len(items) - 1)])
        return dialog.textValue() if dialog.exec() == QDialog.DialogCode.Accepted else None


def plain_input_dialog(parent: QWidget | None, title: str, label: str) -> QInputDialog:
    """A QInputDialog whose label (which may name a user or a value) is plain text."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.sizeHint()  # makes the dialog build its label, to be made plain
    for child in dialog.findChildren(QLabel):
        child.setTextFormat(Qt.TextFormat.PlainText)
    return dialog
