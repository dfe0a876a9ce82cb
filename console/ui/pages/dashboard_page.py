"""Dashboard: what is overdue and due this week, open requests by status and type, and a chart of
requests received per week (drawn with QPainter: no chart library needed)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.labels import label
from console.domain.workflow import DsrStatus
from console.services.requests import metrics as m
from console.services.requests.model import REQUEST_TYPES
from console.services.requests.presenter import days_text
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label


class WeekChart(QWidget):
    """Bars of requests received per week, newest on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weeks: list[tuple[dt.date, int]] = []
        self.setMinimumHeight(160)
        self.setAccessibleName("Requests received per week")

    def sizeHint(self) -> QSize:
        return QSize(600, 180)

    def set_weeks(self, weeks: list[tuple[dt.date, int]]) -> None:
        self.weeks = weeks
        total = sum(n for _, n in weeks)
        self.setToolTip(f"{total} requests in the last {len(weeks)} weeks")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            area = QRectF(self.rect()).adjusted(30, 10, -10, -22)
            p.setPen(self.palette().text().color())
            p.drawLine(area.bottomLeft(), area.bottomRight())
            if not self.weeks:
                p.drawText(area, Qt.AlignmentFlag.AlignCenter, "No requests yet")
                return
            top = max(n for _, n in self.weeks) or 1
            p.drawText(QRectF(0, area.top() - 6, 28, 14), Qt.AlignmentFlag.AlignRight, str(top))
            step = area.width() / len(self.weeks)
            bar = QColor("#3f6fb5")
            for i, (monday, n) in enumerate(self.weeks):
                h = area.height() * n / top
                x = area.left() + i * step
                p.fillRect(QRectF(x + step * 0.15, area.bottom() - h, step * 0.7, h), bar)
                if i % 4 == 0 or i == len(self.weeks) - 1:
                    p.drawText(
                        QRectF(x - 10, area.bottom() + 4, step + 40, 16),
                        Qt.AlignmentFlag.AlignLeft,
                        monday.strftime("%d %b"),
                    )
        finally:
            p.end()


class DashboardPage(Page):
    title = "Dashboard"
    loaded = Signal(object)  # m.Dashboard
    open_request = Signal(int)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.data: m.Dashboard | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Dashboard"))
        self.summary_label = plain_label("")
        self.summary_label.setObjectName("summary")
        layout.addWidget(self.summary_label)
        grid = QGridLayout()
        self.overdue_list = QListWidget()
        self.overdue_list.setObjectName("overdue")
        self.soon_list = QListWidget()
        self.soon_list.setObjectName("due_soon")
        self.status_list = QListWidget()
        self.status_list.setObjectName("by_status")
        self.type_list = QListWidget()
        self.type_list.setObjectName("by_type")
        for i, (title, w) in enumerate(
            (
                ("Overdue", self.overdue_list),
                ("Due in the next 7 days", self.soon_list),
                ("Open by status", self.status_list),
                ("Open by type", self.type_list),
            )
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(w)
            grid.addWidget(box, i // 2, i % 2)
        layout.addLayout(grid, 1)
        chart_box = QGroupBox("Requests received per week")
        self.chart = WeekChart()
        QVBoxLayout(chart_box).addWidget(self.chart)
        layout.addWidget(chart_box)
        for lst in (self.overdue_list, self.soon_list):
            lst.itemActivated.connect(self._activated)

    def refresh(self) -> None:
        self.ctx.runner.submit(lambda: m.dashboard(self.ctx.db, self.ctx.actor), self.show_data)

    def show_data(self, d: m.Dashboard) -> None:
        self.data = d
        self.summary_label.setText(
            f"{d.open_total:,} open · {d.overdue_total:,} overdue · "
            f"{d.due_soon_total:,} due in the next 7 days"
        )
        self._rows(self.overdue_list, d.overdue, d.today, d.overdue_total)
        self._rows(self.soon_list, d.due_soon, d.today, d.due_soon_total)
        self.status_list.clear()
        for status, n in d.open_by_status.items():
            self.status_list.addItem(f"{DsrStatus(status).label}: {n:,}")
        self.type_list.clear()
        for rtype, n in d.open_by_type.items():
            self.type_list.addItem(f"{REQUEST_TYPES.get(rtype, rtype)}: {n:,}")
        self.chart.set_weeks(d.weeks)
        self.loaded.emit(d)

    @staticmethod
    def _rows(lst: QListWidget, rows: list[m.RequestRow], today: dt.date, total: int) -> None:
        lst.clear()
        for r in rows:
            left = r.days_left(today)
            when = days_text(left) if left is not None else "paused"
            item = QListWidgetItem(
                f"Request {r.id}  {label('request_type', r.request_type)} "
                f"({label('law', r.law)}) — due {r.due_on}, {when}"
            )
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            if left is not None and left < 0:
                item.setForeground(QColor("#b00020"))
            lst.addItem(item)
        if total > len(rows):
            lst.addItem(f"… and {total - len(rows):,} more (see Requests)")

    def _activated(self, item: QListWidgetItem) -> None:
        rid = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(rid, int):
            self.open_request.emit(rid)
            window = self.window()
            if hasattr(window, "show_page"):  # inside the main window: go to the request
                window.show_page("Requests").open_request(rid)
