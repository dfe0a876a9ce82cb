"""The New Request dialog: intake from any channel, checked as you type (email, phone, date)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from console.services.requests import intake as intake_rules
from console.services.requests import lifecycle as dsr
from console.ui import theme
from console.ui.plain import plain_label

_BAD = "border: 1px solid #b00020;"


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", ",").split(",") if p.strip())


class NewRequestDialog(QDialog):
    """Collects an Intake; OK is enabled only when every field is acceptable."""

    def __init__(self, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New data-subject request")
        self.today = today or dt.date.today()
        form = QFormLayout()
        # The law first: it decides which types there are (the request-type registry).
        self.law_box = QComboBox()
        for key, label in dsr.LAWS.items():
            self.law_box.addItem(label, key)
        self.type_box = QComboBox()
        self.type_help = plain_label("")
        self.type_help.setWordWrap(True)
        self.type_help.setObjectName("type_help")
        self.country_edit = QLineEdit()
        self.country_edit.setPlaceholderText("GDPR only: country for public holidays, e.g. DE")
        self.channel_box = QComboBox()
        for key, label in dsr.CHANNELS.items():
            self.channel_box.addItem(label, key)
        self.received_edit = QLineEdit(self.today.isoformat())
        self.received_edit.setPlaceholderText("YYYY-MM-DD")
        self.name_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("one or more, separated by commas")
        self.phone_edit = QLineEdit()
        self.customer_edit = QLineEdit()
        self.address_edit = QLineEdit()
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setFixedHeight(60)
        for label, widget in (
            ("&Law", self.law_box),
            ("&Type", self.type_box),
            ("", self.type_help),
            ("C&ountry", self.country_edit),
            ("&Channel", self.channel_box),
            ("&Received", self.received_edit),
            ("&Name", self.name_edit),
            ("&Email", self.email_edit),
            ("&Phone", self.phone_edit),
            ("C&ustomer IDs", self.customer_edit),
            ("&Address", self.address_edit),
            ("No&tes", self.notes_edit),
        ):
            form.addRow(label, widget)
            widget.setAccessibleName(label.replace("&", "") or "About the type")
        self.problem_label = plain_label("")
        self.problem_label.setObjectName("problems")
        theme.set_role(self.problem_label, "error")
        self.problem_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        for edit in (
            self.received_edit,
            self.email_edit,
            self.phone_edit,
            self.customer_edit,
            self.country_edit,
        ):
            edit.textChanged.connect(self.validate)
        self.law_box.currentIndexChanged.connect(self.offer_types)
        self.received_edit.textChanged.connect(self.offer_types)
        self.type_box.currentIndexChanged.connect(self.describe_type)
        self.offer_types()

    def _received(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.received_edit.text().strip())
        except ValueError:
            return None

    def offer_types(self) -> None:
        """Only the types the chosen law gives on the received date; the choice kept if it can."""
        law = str(self.law_box.currentData())
        kept = self.type_box.currentData()
        self.type_box.blockSignals(True)
        self.type_box.clear()
        for key, label in intake_rules.types_for(law, self._received()):
            self.type_box.addItem(label, key)
        self.type_box.setCurrentIndex(max(self.type_box.findData(kept), 0))
        self.type_box.blockSignals(False)
        self.describe_type()

    def describe_type(self) -> None:
        rtype = self.type_box.currentData()
        law = str(self.law_box.currentData())
        text = intake_rules.type_description(law, str(rtype), self._received()) if rtype else ""
        self.type_help.setText(text)
        self.validate()

    @property
    def ok_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def problems(self) -> dict[QLineEdit, str]:
        out: dict[QLineEdit, str] = {}
        if p := intake_rules.date_problem(self.received_edit.text(), self.today):
            out[self.received_edit] = f"Received: {p}"
        for email in _split(self.email_edit.text()):
            if p := intake_rules.email_problem(email):
                out[self.email_edit] = f"Email: {p}"
                break
        region = intake_rules.phone_region(
            str(self.law_box.currentData()), self.country_edit.text() or None
        )
        for phone in _split(self.phone_edit.text()):
            if p := intake_rules.phone_problem(phone, region):
                out[self.phone_edit] = f"Phone: {p}"
                break
        if not any(
            e.text().strip() for e in (self.email_edit, self.phone_edit, self.customer_edit)
        ):
            out.setdefault(self.email_edit, "Give at least one email, phone or customer ID.")
        return out

    def validate(self) -> bool:
        problems = self.problems()
        for edit in (self.received_edit, self.email_edit, self.phone_edit):
            edit.setStyleSheet(_BAD if edit in problems else "")
        self.problem_label.setText("\n".join(problems.values()))
        self.ok_button.setEnabled(not problems)
        return not problems

    def intake(self) -> dsr.Intake:
        return dsr.Intake(
            request_type=str(self.type_box.currentData()),
            law=str(self.law_box.currentData()),
            received_on=dt.date.fromisoformat(self.received_edit.text().strip()),
            emails=_split(self.email_edit.text()),
            phones=_split(self.phone_edit.text()),
            customer_ids=_split(self.customer_edit.text()),
            name=self.name_edit.text().strip(),
            address=self.address_edit.text().strip(),
            channel=str(self.channel_box.currentData()),
            country=self.country_edit.text().strip().upper() or None,
            notes=self.notes_edit.toPlainText().strip(),
        )

    def accept(self) -> None:
        if self.validate():
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None) -> dsr.Intake | None:
        """Show the dialog modally; tests replace this."""
        dlg = cls(parent)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            return dlg.intake()
        return None
