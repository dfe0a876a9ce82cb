"""Small widgets the pages share: status chips in tables, empty states that
say what to do next, and tables sized to their content."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from console.ui import theme
from console.ui.plain import plain_label

CHIP_ROLE = Qt.ItemDataRole.UserRole + 20  # a cell's tone: neutral, info, ok, warn, danger

DSR_TONES = {
    "received": "info",
    "identity_verification": "warn",
    "in_progress": "info",
    "review": "info",
    "completed": "ok",
    "denied": "danger",
    "withdrawn": "neutral",
}
LEGAL_TONES = {
    "received": "info",
    "under_review": "warn",
    "preserving": "warn",
    "decided": "info",
    "producing": "info",
    "produced": "ok",
    "closed": "neutral",
}


class ChipDelegate(QStyledItemDelegate):
    """Draws a cell as a status chip: its text on a tinted pill (the text says it; the colour
    only repeats it). The model gives the tone in CHIP_ROLE."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        tone = index.data(CHIP_ROLE)
        if tone not in theme.TONES:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        fm = QFontMetrics(opt.font)
        w = min(fm.horizontalAdvance(text) + 2 * theme.SPACE, opt.rect.width() - theme.SPACE)
        h = fm.height() + 4
        r = QRectF(opt.rect.x() + theme.SPACE / 2, opt.rect.center().y() - h / 2 + 1, w, h)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.colour(f"{tone}-bg"))
        painter.drawRoundedRect(r, h / 2, h / 2)
        painter.setPen(theme.colour(f"{tone}-text"))
        painter.drawText(
            r,
            Qt.AlignmentFlag.AlignCenter,
            fm.elidedText(text, Qt.TextElideMode.ElideRight, int(w - theme.SPACE)),
        )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 2 * theme.SPACE, size.height() + 4)


class _EmptyWatch(QObject):
    def __init__(self, view: QAbstractItemView, label: QLabel) -> None:
        super().__init__(view)
        self.view = view
        self.label = label

    def update(self) -> None:
        try:
            model = self.view.model()
            empty = model is None or model.rowCount() == 0
            self.label.setVisible(empty and bool(self.label.text()))
            self._place()
        except RuntimeError:  # the view is being destroyed: nothing left to show
            return

    def _place(self) -> None:
        rect = self.view.viewport().rect()
        self.label.setGeometry(rect.adjusted(theme.SPACE, 2 * theme.SPACE, -theme.SPACE, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False


def empty_state(view: QAbstractItemView, text: str) -> QLabel:
    """A message over an empty list or table that says what to do next (hidden once rows come)."""
    label = plain_label(text, view.viewport())
    label.setObjectName("empty_state")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    theme.set_role(label, "empty")
    watch = _EmptyWatch(view, label)
    view.viewport().installEventFilter(watch)
    model = view.model()
    if model is not None:
        _connect(model, watch)
    watch.update()
    view.setProperty("_empty_watch", watch)
    return label


def _connect(model: QAbstractItemModel, watch: _EmptyWatch) -> None:
    for sig in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
        sig.connect(watch.update)


class _Filler(QObject):
    """Keeps one column as wide as what is left of the view's width, and never narrower than its
    content (a narrow window scrolls sideways instead of squeezing the other columns)."""

    def __init__(self, view: QTableView, column: int) -> None:
        super().__init__(view)
        self.view = view
        self.column = column

    def fit(self) -> None:
        try:
            header = self.view.horizontalHeader()
            others = sum(header.sectionSize(c) for c in range(header.count()) if c != self.column)
            least = max(
                self.view.sizeHintForColumn(self.column), header.sectionSizeHint(self.column)
            )
            header.resizeSection(self.column, max(least, self.view.viewport().width() - others))
        except RuntimeError:  # the view is being destroyed
            return

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False


def fit_columns(view: QTableView, stretch: int | None = None) -> None:
    """Columns as wide as their content; one column (or the last) takes the width left over."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
        return
    header.setStretchLastSection(False)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Interactive)
    filler = _Filler(view, stretch)
    view.viewport().installEventFilter(filler)
    model = view.model()
    if model is not None:
        for sig in (model.modelReset, model.rowsInserted, model.layoutChanged):
            sig.connect(filler.fit)
    header.sectionResized.connect(
        lambda index, _old, _new: filler.fit() if index != stretch else None
    )
    view.setProperty("_filler", filler)


def scrolled(page: QWidget) -> QScrollArea:
    """Content that scrolls when the window is short (1024x700) instead of squashing."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area
