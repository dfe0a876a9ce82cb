"""The intake dialog of a legal request: what was served, by whom, for whom, and by when."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from console.domain import identifiers as ids
from console.domain import labels
from console.domain.legal import ProcessType
from console.errors import ConsoleError, ValidationError
from console.services.legal.documents import read_served_file
from console.services.legal.model import IdentifierSpec, LegalIntake
from console.ui import theme
from console.ui.plain import plain_label

Result = tuple[LegalIntake, tuple[str, bytes, str] | None]


def _qdate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _qdatetime(q: QDateTime) -> datetime:
    return datetime.fromtimestamp(q.toSecsSinceEpoch(), UTC)


def parse_identifiers(text: str) -> list[IdentifierSpec]:
    """One per line: 'kind: value', an IP optionally followed by 'FROM/TO' (ISO times)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        kind, sep, rest = line.partition(":")
        if not sep or not rest.strip():
            raise ValidationError(f"Identifier line {n}: write it as 'kind: value' (E-mail: …).")
        try:
            code = ids.parse_kind(kind)
        except ValidationError as exc:
            raise ValidationError(f"Identifier line {n}: {exc}") from None
        value, seen_from, seen_to = rest.strip(), None, None
        words = value.split()
        if code == ids.IP and len(words) == 2:
            value = words[0]
            start, _, end = words[1].partition("/")
            try:
                seen_from = datetime.fromisoformat(start).replace(tzinfo=UTC)
                seen_to = datetime.fromisoformat(end).replace(tzinfo=UTC) if end else None
            except ValueError:
                raise ValidationError(
                    f"Identifier line {n}: the time range is not FROM/TO in ISO format."
                ) from None
        out.append(IdentifierSpec(code, value, seen_from, seen_to))
    return out


class LegalIntakeDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New legal request")
        self.document: tuple[str, bytes, str] | None = None
        form = QFormLayout(self)
        self.type_box = QComboBox()
        for p in ProcessType:
            self.type_box.addItem(p.label, p.value)
        self.agency_edit = QLineEdit()
        self.officer_edit = QLineEdit()
        self.contact_edit = QLineEdit()
        self.country_edit = QLineEdit()
        self.country_edit.setMaxLength(2)
        self.country_edit.setPlaceholderText("US")
        self.jurisdiction_edit = QLineEdit()
        self.case_edit = QLineEdit()
        self.received_edit = QDateTimeEdit(QDateTime.currentDateTimeUtc())
        self.received_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.due_edit = QDateTimeEdit(QDateTime.currentDateTimeUtc().addDays(30))
        self.due_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.hours_spin = QSpinBox()
        self.hours_spin.setRange(0, 24 * 365)
        self.hours_spin.setSpecialValueText("use the date")
        self.identifiers_edit = QPlainTextEdit()
        self.identifiers_edit.setPlaceholderText(
            "E-mail: person@example.org\nPhone: +1 415 555 0101\n"
            "IP address: 203.0.113.9 2025-01-01T00:00/2025-01-02T00:00"
        )
        # The data categories sought, ticked by their labels (the policy pack's categories).
        self.categories_list = QListWidget()
        self.categories_list.setAccessibleName("Data categories sought")
        for code, text in sorted(labels.table("category").items(), key=lambda kv: kv[1]):
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.categories_list.addItem(item)
        self.categories_list.setMaximumHeight(120)
        self.description_edit = QPlainTextEdit()
        self.ndo_check = QCheckBox("A non-disclosure order accompanies it")
        self.ndo_until_edit = QDateEdit(QDate.currentDate().addYears(1))
        self.ndo_until_edit.setDisplayFormat("yyyy-MM-dd")
        self.document_label = plain_label("(none)")
        self.attach_button = QPushButton("&Attach document…")
        self.attach_button.clicked.connect(self._attach)
        doc_row = QHBoxLayout()
        doc_row.addWidget(self.document_label, 1)
        doc_row.addWidget(self.attach_button)
        self.error_label = plain_label("")
        theme.set_role(self.error_label, "error")
        self.error_label.setWordWrap(True)
        for label, widget in (
            ("Process &type", self.type_box),
            ("&Agency", self.agency_edit),
            ("&Officer", self.officer_edit),
            ("Contact", self.contact_edit),
            ("&Country (ISO)", self.country_edit),
            ("Jurisdiction", self.jurisdiction_edit),
            ("Case / docket", self.case_edit),
            ("Received (UTC)", self.received_edit),
            ("Deadline (UTC)", self.due_edit),
            ("…or in hours", self.hours_spin),
            ("&Identifiers", self.identifiers_edit),
            ("Data categories", self.categories_list),
            ("Description", self.description_edit),
            ("", self.ndo_check),
            ("NDO until", self.ndo_until_edit),
        ):
            form.addRow(label, widget)
        form.addRow("Document", doc_row)
        form.addRow(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.type_box.currentIndexChanged.connect(self._type_changed)
        self.result_value: Result | None = None

    def _type_changed(self) -> None:
        if (
            self.type_box.currentData() == ProcessType.EMERGENCY.value
            and not self.hours_spin.value()
        ):
            self.hours_spin.setValue(24)

    @classmethod
    def pick_file(cls, parent: QWidget | None) -> str:
        """The file dialog (tests replace it)."""
        name, _ = QFileDialog.getOpenFileName(parent, "Served document")
        return name

    def _attach(self) -> None:
        name = self.pick_file(self)
        if not name:
            return
        path = Path(name)
        try:
            content = read_served_file(path)
        except ConsoleError as exc:
            self.error_label.setText(str(exc))
            return
        media = "application/pdf" if path.suffix.lower() == ".pdf" else "application/octet-stream"
        self.document = (path.name, content, media)
        self.document_label.setText(f"{path.name} ({len(content):,} bytes)")

    def categories(self) -> list[str]:
        """The codes of the ticked categories."""
        out = []
        for i in range(self.categories_list.count()):
            item = self.categories_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def intake(self) -> LegalIntake:
        """The form as an intake (ValidationError for lines the service cannot read)."""
        hours = self.hours_spin.value() or None
        return LegalIntake(
            process_type=str(self.type_box.currentData()),
            agency=self.agency_edit.text(),
            country=self.country_edit.text(),
            received_at=_qdatetime(self.received_edit.dateTime()),
            officer=self.officer_edit.text(),
            contact=self.contact_edit.text(),
            jurisdiction=self.jurisdiction_edit.text(),
            case_number=self.case_edit.text(),
            due_at=None if hours else _qdatetime(self.due_edit.dateTime()),
            deadline_hours=hours,
            identifiers=parse_identifiers(self.identifiers_edit.toPlainText()),
            categories=self.categories(),
            description=self.description_edit.toPlainText(),
            ndo=self.ndo_check.isChecked(),
            ndo_until=_qdate(self.ndo_until_edit.date()) if self.ndo_check.isChecked() else None,
        )

    def _accept(self) -> None:
        try:
            self.result_value = (self.intake(), self.document)
        except ValidationError as exc:
            self.error_label.setText(str(exc))
            return
        if not self.agency_edit.text().strip() or len(self.country_edit.text().strip()) != 2:
            self.error_label.setText("The agency and a two-letter country code are required.")
            self.result_value = None
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None) -> Result | None:
        """Run the dialog; the intake and document, or None when cancelled (tests replace it)."""
        dlg = cls(parent)
        dlg.setWindowModality(Qt.WindowModality.ApplicationModal)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            return dlg.result_value
        return None
