"""The subject view: everything held about one person, grouped by source or by data category.

Strong links (a shared email, phone, cookie, device, customer or account id) and possible ones
(a shared name, address, IP or order id) are told apart, each with the identifiers that led to it;
identifiers that were not followed are listed with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from console.domain import identifiers as ids
from console.errors import ConsoleError, ValidationError
from console.services.records import search as records
from console.ui import theme
from console.ui.pages.base import UiContext
from console.ui.plain import plain_label
from console.ui.plain import tip as plain_tip
from console.ui.records_models import values_text
from console.wording import plural

BY_SOURCE, BY_CATEGORY = "source", "category"
STRONG_COLOUR = QColor("#1b5e20")
HOLD_COLOUR = QColor("#8a4b00")
POSSIBLE_COLOUR = QColor("#8a4b00")
_PHONEISH = re.compile(r"[+()\d][\d\s().\-/]{5,}")


def parse_identifiers(text: str) -> list[tuple[str, str]]:
    """ "ana@example.com; +1 555 0100; customer_id=C-7" → [(kind, value), ...].

    Entries are separated by ";" or new lines; each is KIND=VALUE (or KIND:VALUE, the kind by its
    code or its label: customer_id or Customer ID), an e-mail address, or a phone number.
    """
    out: list[tuple[str, str]] = []
    for raw in re.split(r"[;\n]", text):
        entry = raw.strip()
        if not entry:
            continue
        pair = _explicit(entry)
        if pair is None:
            if "@" in entry:
                pair = (ids.EMAIL, entry)
            elif _PHONEISH.fullmatch(entry):
                pair = (ids.PHONE, entry)
            else:
                raise ValidationError(
                    f'"{entry}" is not an e-mail address or a phone number; write the kind of '
                    "ID and its value, such as Customer ID=C-1001 (kinds: "
                    f"{', '.join(ids.KIND_LABELS.values())})."
                )
        if pair not in out:
            out.append(pair)
    return out


def _explicit(entry: str) -> tuple[str, str] | None:
    for sep in ("=", ":"):
        head, found, value = entry.partition(sep)
        if not found:
            continue
        if sep == ":" and head.strip().lower() == "other":  # other:NAMESPACE:VALUE
            namespace, found, value = value.partition(":")
            head = f"other:{namespace}"
            if not found:
                continue
        try:
            kind = ids.parse_kind(head.strip())
        except ValidationError:
            continue
        if value.strip():
            return kind, value.strip()
    return None


def identifiers_entry(pairs: Iterable[tuple[str, str]]) -> str:
    return "; ".join(f"{ids.KIND_LABELS.get(k, k)}={v}" for k, v in pairs)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _item(text: str, tip: str | None = None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    if tip:
        item.setToolTip(plain_tip(tip))
    return item


class SubjectView(QWidget):
    """Runs find_subject through the runner and shows the result as a tree."""

    found = Signal(object)
    COLUMNS = ("Found", "Link", "Via", "Hold", "Values")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: records.SubjectResult | None = None
        self.category_labels: dict[str, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        label = QLabel("Find a &person by:")
        self.identifiers_edit = QLineEdit()
        self.identifiers_edit.setPlaceholderText(
            "an e-mail, a phone number or an ID such as Customer ID=C-1001, separated by ;"
        )
        self.identifiers_edit.setAccessibleName("Identifiers of the person")
        label.setBuddy(self.identifiers_edit)
        self.find_button = QPushButton("&Find")
        self.group_box = QComboBox()
        self.group_box.setAccessibleName("Group by")
        self.group_box.addItem("Group by source", BY_SOURCE)
        self.group_box.addItem("Group by data category", BY_CATEGORY)
        row.addWidget(label)
        row.addWidget(self.identifiers_edit, 1)
        row.addWidget(self.find_button)
        row.addWidget(self.group_box)
        layout.addLayout(row)
        self.summary_label = plain_label("")
        self.summary_label.setObjectName("subject_summary")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.model = QStandardItemModel(0, len(self.COLUMNS))
        self.model.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Records of the person")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        layout.addWidget(self.tree, 1)
        self.not_followed_label = plain_label("")
        self.not_followed_label.setObjectName("not_followed")
        self.not_followed_label.setWordWrap(True)
        self.not_followed_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        layout.addWidget(self.not_followed_label)
        self.find_button.clicked.connect(self.look_up)
        self.identifiers_edit.returnPressed.connect(self.look_up)
        self.group_box.currentIndexChanged.connect(lambda _i: self._show())

    # -- running ----------------------------------------------------------------------------
    def find_pairs(self, pairs: list[tuple[str, str]]) -> None:
        """Look for the person holding these identifiers (from a selected record)."""
        self.identifiers_edit.setText(identifiers_entry(pairs))
        self._run(pairs, typed=False)  # stored identifiers: looked for as they are

    def look_up(self) -> None:
        """Look for the identifiers typed in the box (one no record can hold is refused)."""
        try:
            pairs = parse_identifiers(self.identifiers_edit.text())
        except ValidationError as exc:
            self._error(exc)
            return
        if not pairs:
            self._error(
                ValidationError(
                    "Type an e-mail, a phone number or an ID such as Customer ID=C-1001."
                )
            )
            return
        self._run(pairs, typed=True)

    def _run(self, pairs: list[tuple[str, str]], *, typed: bool) -> None:
        self.clear()  # the last person's records must not stand under the new search
        self.summary_label.setText("Searching…")
        db, actor = self.ctx.db, self.ctx.actor
        self.ctx.runner.submit(
            lambda: records.find_subject(db, actor, pairs, typed=typed), self._found, self._error
        )

    def _found(self, result: records.SubjectResult) -> None:
        self.result = result
        self._show()
        self.found.emit(result)

    def _error(self, exc: BaseException) -> None:
        message = (
            str(exc)
            if isinstance(exc, ConsoleError)
            else f"The search failed ({type(exc).__name__})."
        )
        self.clear()
        theme.set_role(self.summary_label, "error")
        self.summary_label.setText(message)
        self.found.emit(None)

    def clear(self) -> None:
        """Show no person (a new search started, or the last one failed)."""
        self.result = None
        self.model.removeRows(0, self.model.rowCount())
        theme.set_role(self.summary_label, "")
        self.summary_label.setText("")
        self.not_followed_label.setText("")

    # -- showing ----------------------------------------------------------------------------
    def group_by(self) -> str:
        return str(self.group_box.currentData())

    def _show(self) -> None:
        result = self.result
        self.model.removeRows(0, self.model.rowCount())
        if result is None:
            return
        strong = sum(1 for r in result.records if r.link == "strong")
        possible = len(result.records) - strong
        sources = len({r.source for r in result.records})
        theme.set_role(self.summary_label, "")
        if result.records:
            followed = result.identifiers_followed
            shown = ", ".join(followed[:6]) or "none"
            if len(followed) > 6:
                shown += f" and {len(followed) - 6} more"
            self.summary_label.setText(
                f"{_count(strong, 'record')} linked by a shared strong identifier and "
                f"{_count(possible, 'possible match', 'possible matches')}, in "
                f"{_count(sources, 'source')}. Followed: {shown}."
            )
        else:
            self.summary_label.setText("No records hold these identifiers.")
        if self.group_by() == BY_SOURCE:
            self._by_source(result.records)
        else:
            self._by_category(result.records)
        self.tree.expandAll()
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        self.tree.setColumnWidth(0, max(self.tree.columnWidth(0), 200))
        if result.not_followed:
            lines = [
                f"• {n.identifier} ({plural(n.record_count, 'record')}): {n.reason}"
                for n in result.not_followed
            ]
            self.not_followed_label.setText("Not followed:\n" + "\n".join(lines))
        else:
            self.not_followed_label.setText("")

    def _record_row(
        self, rec: records.SubjectRecord, title: str, values: dict[str, str | None]
    ) -> list[QStandardItem]:
        first = _item(title)
        first.setData(rec.record_id, Qt.ItemDataRole.UserRole)
        strong = rec.link == "strong"
        link = _item(
            "strong" if strong else "possible match",
            "Linked through a shared strong identifier"
            if strong
            else "Shares only a weak identifier (name, address, IP or order id): "
            "check before treating it as the same person",
        )
        link.setForeground(QBrush(STRONG_COLOUR if strong else POSSIBLE_COLOUR))
        if strong:
            font = QFont(link.font())
            font.setBold(True)
            link.setFont(font)
        via = ", ".join(rec.via)
        full = "\n".join(f"{k}: {v}" for k, v in values.items())
        hold = _item("On hold" if rec.held_by else "", "\n".join(rec.held_by) or None)
        if rec.held_by:  # an erasure worked from this view must see what it may not erase
            hold.setForeground(QBrush(HOLD_COLOUR))
        return [first, link, _item(via, via), hold, _item(values_text(values, 240), full)]

    def _group(self, title: str, count: int) -> QStandardItem:
        group = _item(f"{title} ({count})")
        font = QFont(group.font())
        font.setBold(True)
        group.setFont(font)
        return group

    def _by_source(self, found: list[records.SubjectRecord]) -> None:
        groups: dict[str, list[records.SubjectRecord]] = {}
        for rec in found:
            groups.setdefault(rec.source, []).append(rec)
        for source in sorted(groups):
            group = self._group(source, len(groups[source]))
            for rec in groups[source]:
                group.appendRow(self._record_row(rec, f"row {rec.row}", rec.values))
            self.model.appendRow([group, *(_item("") for _ in self.COLUMNS[1:])])

    def _by_category(self, found: list[records.SubjectRecord]) -> None:
        groups: dict[str, list[tuple[records.SubjectRecord, dict[str, str | None]]]] = {}
        for rec in found:
            per: dict[str, dict[str, str | None]] = {}
            for column, value in rec.values.items():
                category = rec.categories.get(column, "")
                per.setdefault(category, {})[column] = value
            for category, values in per.items():
                groups.setdefault(category, []).append((rec, values))
        order = sorted(groups, key=lambda c: (c == "", self.category_labels.get(c, c)))
        for category in order:
            title = self.category_labels.get(category, category) if category else "Not mapped"
            group = self._group(title, len(groups[category]))
            group.setToolTip(plain_tip(category))
            for rec, values in groups[category]:
                group.appendRow(self._record_row(rec, f"{rec.source}, row {rec.row}", values))
            self.model.appendRow([group, *(_item("") for _ in self.COLUMNS[1:])])

    def group_titles(self) -> list[str]:
        """The top-level groups as shown (for tests and screen readers)."""
        return [self.model.item(r, 0).text() for r in range(self.model.rowCount())]
