"""Data is shown as text, never as markup: labels, tooltips and messages that may carry a name,
a file name or a value from an imported file.

Qt guesses whether a string is rich text (Qt.AutoText) and renders anything that looks like HTML:
an <img width=4000> in a requester's name inflated a label to 4530×4003 px. Every label that can
show data is made with plain_label(); a label that needs markup escapes its data with escape().
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows its text exactly as it is, whatever it contains."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def escape(text: object) -> str:
    """Data to put inside a rich-text string (a label that also has <b> of its own)."""
    return html.escape(str(text), quote=False)


def tip(text: str) -> str:
    """A tooltip that shows text exactly: tooltips have no text format of their own."""
    # Qt's guess looks only at the first line; any "<" or "&" anywhere is escaped instead.
    if "<" not in text and "&" not in text and not QtGui.mightBeRichText(text):
        return text
    return "<qt>" + escape(text).replace("\n", "<br>") + "</qt>"
