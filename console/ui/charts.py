"""Charts drawn with QPainter: bars by category and columns per week.

Drawn here rather than with QtCharts: QtCharts ships only in PySide6-Addons (about 150 MB more
to install and tens of MB more in the frozen build) for three simple charts that take under
200 lines; these follow the style sheet's colours, light or dark, and say their values as text.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from console.ui import theme
from console.ui.text import short_day
from console.wording import plural


def _say(pairs: list[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {n:,}" for label, n in pairs)


class BarChart(QWidget):
    """Horizontal bars, one per category, each with its label on the left and its count at the end."""

    def __init__(self, name: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, int]] = []
        self.empty_text = empty_text
        self.setAccessibleName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_bars(self, bars: list[tuple[str, int]]) -> None:
        self.bars = bars
        self.setAccessibleDescription(_say(bars) or self.empty_text)
        self.setToolTip(_say(bars) or self.empty_text)
        self.updateGeometry()
        self.update()

    def _row(self) -> int:
        return self.fontMetrics().height() + theme.SPACE

    def sizeHint(self) -> QSize:
        return QSize(320, max(3, len(self.bars)) * self._row() + theme.SPACE)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, max(2, min(len(self.bars), 4)) * self._row())

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            fm = QFontMetrics(self.font())
            if not self.bars or not any(n for _, n in self.bars):
                p.setPen(theme.colour("muted"))
                p.drawText(
                    QRectF(self.rect()),
                    Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                    self.empty_text,
                )
                return
            label_w = min(
                max(fm.horizontalAdvance(lbl) for lbl, _ in self.bars) + 4, self.width() // 2
            )
            value_w = max(fm.horizontalAdvance(f"{n:,}") for _, n in self.bars) + theme.SPACE
            left = label_w + theme.SPACE
            room = max(self.width() - left - value_w - theme.SPACE, 1)
            top = max(n for _, n in self.bars) or 1
            row = self._row()
            bar_h = fm.height() - 2
            for i, (label, n) in enumerate(self.bars):
                y = theme.SPACE / 2 + i * row
                p.setPen(theme.colour("text"))
                text = fm.elidedText(label, Qt.TextElideMode.ElideRight, label_w)
                p.drawText(
                    QRectF(0, y, label_w, row),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
                w = room * n / top
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(theme.colour("chart-1"))
                p.drawRoundedRect(QRectF(left, y + (row - bar_h) / 2, max(w, 2), bar_h), 3, 3)
                p.setPen(theme.colour("text"))
                p.drawText(
                    QRectF(left + w + theme.SPACE / 2, y, value_w, row),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{n:,}",
                )
        finally:
            p.end()


class WeekChart(QWidget):
    """Columns of requests received per week, newest on the right; week labels never overlap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weeks: list[tuple[dt.date, int]] = []
        self.setMinimumHeight(18 * theme.SPACE)
        self.setAccessibleName("Requests received per week")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(600, 22 * theme.SPACE)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, 18 * theme.SPACE)

    def set_weeks(self, weeks: list[tuple[dt.date, int]]) -> None:
        self.weeks = weeks
        total = sum(n for _, n in weeks)
        said = f"{plural(total, 'request')} in the last {plural(len(weeks), 'week')}"
        self.setToolTip(said)
        self.setAccessibleDescription(said)
        self.update()

    def label_every(self, width: float | None = None) -> int:
        """Label every n-th week so that no two labels overlap at the chart's width."""
        if not self.weeks:
            return 1
        fm = self.fontMetrics()
        label_w = max(fm.horizontalAdvance(short_day(m)) for m, _ in self.weeks) + theme.SPACE
        step = (width if width is not None else self._area().width()) / len(self.weeks)
        n = 1
        while n * step < label_w and n < len(self.weeks):
            n += 1
        return n

    def _area(self) -> QRectF:
        fm = self.fontMetrics()
        axis_w = fm.horizontalAdvance("0000") + theme.SPACE
        return QRectF(self.rect()).adjusted(axis_w, theme.SPACE, -theme.SPACE, -(fm.height() + 6))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            area = self._area()
            fm = self.fontMetrics()
            p.setPen(theme.colour("border"))
            p.drawLine(area.bottomLeft(), area.bottomRight())
            if not self.weeks or not any(n for _, n in self.weeks):
                p.setPen(theme.colour("muted"))
                p.drawText(
                    area,
                    Qt.AlignmentFlag.AlignCenter,
                    "No requests received yet: log one on the Requests page.",
                )
                return
            top = max(n for _, n in self.weeks) or 1
            p.setPen(theme.colour("muted"))
            p.drawText(
                QRectF(0, area.top() - fm.height() / 2, area.left() - 4, fm.height()),
                Qt.AlignmentFlag.AlignRight,
                f"{top:,}",
            )
            p.drawText(
                QRectF(0, area.bottom() - fm.height() / 2, area.left() - 4, fm.height()),
                Qt.AlignmentFlag.AlignRight,
                "0",
            )
            step = area.width() / len(self.weeks)
            every = self.label_every(area.width())
            last = len(self.weeks) - 1
            for i, (monday, n) in enumerate(self.weeks):
                h = area.height() * n / top
                x = area.left() + i * step
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(theme.colour("chart-1"))
                p.drawRect(QRectF(x + step * 0.15, area.bottom() - h, step * 0.7, h))
                # Labels counted back from the newest week, so this week is always named.
                if (last - i) % every == 0:
                    p.setPen(theme.colour("muted"))
                    text = short_day(monday)
                    w = fm.horizontalAdvance(text)
                    cx = min(max(x + step / 2 - w / 2, area.left()), area.right() - w)
                    p.drawText(
                        QRectF(cx, area.bottom() + 3, w + 2, fm.height()),
                        Qt.AlignmentFlag.AlignLeft,
                        text,
                    )
        finally:
            p.end()
