"""Dashboard: tiles (open, overdue, due in 7 days, legal deadlines, median days to close), charts
of open requests by status and type and of requests received per week, and the overdue and
due-soon lists."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.domain.labels import label
from console.domain.workflow import DsrStatus
from console.services.requests import metrics as m
from console.services.requests import overview
from console.services.requests.presenter import days_text
from console.ui import theme
from console.ui.charts import BarChart, WeekChart
from console.ui.pages.base import Page, UiContext, heading
from console.ui.plain import plain_label
from console.ui.text import day, number
from console.ui.widgets import empty_state
from console.wording import plural

__all__ = ["DashboardPage", "WeekChart"]


class Tile(QFrame):
    """One figure with what it counts underneath."""

    def __init__(self, key: str, caption: str) -> None:
        super().__init__()
        self.setObjectName(f"tile_{key}")
        theme.set_role(self, "tile")
        layout = QVBoxLayout(self)
        theme.space(layout, margins=2, spacing=0)
        self.value = plain_label("–")
        theme.set_role(self.value, "tile-value")
        self.caption = plain_label(caption)
        self.caption.setWordWrap(True)
        theme.set_role(self.caption, "tile-label")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setMinimumWidth(16 * theme.SPACE)

    def show_value(self, value: str, *, tone: str = "", detail: str = "") -> None:
        self.value.setText(value)
        self.setProperty("tone", tone)
        self.style().unpolish(self)
        self.style().polish(self)
        said = f"{self.caption.text()}: {value}" + (f" ({detail})" if detail else "")
        self.setAccessibleName(said)
        self.setToolTip(detail)


class DashboardPage(Page):
    title = "Dashboard"
    loaded = Signal(object)  # m.Dashboard
    open_request = Signal(int)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.data: m.Dashboard | None = None
        self.overview: overview.Overview | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        theme.space(layout, margins=2, spacing=2)
        layout.addWidget(heading("Dashboard"))
        self.summary_label = plain_label("")
        self.summary_label.setObjectName("summary")
        theme.set_role(self.summary_label, "muted")
        layout.addWidget(self.summary_label)

        tiles = QGridLayout()
        tiles.setSpacing(2 * theme.SPACE)
        self.tiles = {
            "open": Tile("open", "Open requests"),
            "overdue": Tile("overdue", "Overdue"),
            "due_soon": Tile("due_soon", "Due in the next 7 days"),
            "legal": Tile("legal", "Legal deadlines within 7 days"),
            "median": Tile("median", "Median days to close (last 12 months)"),
        }
        for i, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, 0, i)
        layout.addLayout(tiles)

        charts = QHBoxLayout()
        charts.setSpacing(2 * theme.SPACE)
        self.status_chart = BarChart(
            "Open requests by status", "No open requests: nothing waits on you."
        )
        self.type_chart = BarChart("Open requests by type", "No open requests.")
        for title, chart in (
            ("Open by status", self.status_chart),
            ("Open by type", self.type_chart),
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(chart)
            charts.addWidget(box, 1)
        layout.addLayout(charts)

        chart_box = QGroupBox("Requests received per week")
        self.chart = WeekChart()
        QVBoxLayout(chart_box).addWidget(self.chart)
        layout.addWidget(chart_box)

        lists = QHBoxLayout()
        lists.setSpacing(2 * theme.SPACE)
        self.overdue_list = QListWidget()
        self.overdue_list.setObjectName("overdue")
        self.overdue_list.setAccessibleName("Overdue requests")
        self.soon_list = QListWidget()
        self.soon_list.setObjectName("due_soon")
        self.soon_list.setAccessibleName("Requests due in the next 7 days")
        for title, w, empty in (
            ("Overdue", self.overdue_list, "Nothing is overdue."),
            (
                "Due in the next 7 days",
                self.soon_list,
                "Nothing is due this week. New requests appear here as their deadlines near.",
            ),
        ):
            w.setMinimumHeight(16 * theme.SPACE)
            empty_state(w, empty)
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(w)
            lists.addWidget(box, 1)
        layout.addLayout(lists, 1)
        for lst in (self.overdue_list, self.soon_list):
            lst.itemActivated.connect(self._activated)

    def refresh(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        self.ctx.runner.submit(
            lambda: (m.dashboard(db, actor), overview.overview(db, actor)), self._show_both
        )

    def _show_both(self, result: tuple[m.Dashboard, overview.Overview]) -> None:
        d, o = result
        self.overview = o
        self.show_data(d)

    def show_data(self, d: m.Dashboard) -> None:
        self.data = d
        o = self.overview
        self.summary_label.setText(
            f"{d.open_total:,} open · {d.overdue_total:,} overdue · "
            f"{d.due_soon_total:,} due in the next 7 days · as of {day(d.today)}"
        )
        self.tiles["open"].show_value(number(d.open_total))
        self.tiles["overdue"].show_value(
            number(d.overdue_total), tone="danger" if d.overdue_total else ""
        )
        self.tiles["due_soon"].show_value(
            number(d.due_soon_total), tone="warn" if d.due_soon_total else ""
        )
        legal = o.legal_deadlines if o is not None else None
        self.tiles["legal"].show_value(
            "–" if legal is None else number(legal),
            tone="warn" if legal else "",
            detail="" if legal is not None else "Not shown to your role",
        )
        median = o.median_days_to_close if o is not None else None
        self.tiles["median"].show_value(
            "–" if median is None else number(median, 0 if median == int(median) else 1),
            detail=(
                f"over {plural(o.closed_counted, 'closed request')}"
                if o is not None and o.closed_counted
                else "No request closed in the last 12 months"
            ),
        )
        self.status_chart.set_bars([(DsrStatus(s).label, n) for s, n in d.open_by_status.items()])
        self.type_chart.set_bars([(label("request_type", t), n) for t, n in d.open_by_type.items()])
        self._rows(self.overdue_list, d.overdue, d.today, d.overdue_total)
        self._rows(self.soon_list, d.due_soon, d.today, d.due_soon_total)
        self.chart.set_weeks(d.weeks)
        self.loaded.emit(d)

    @staticmethod
    def _rows(lst: QListWidget, rows: list[m.RequestRow], today: dt.date, total: int) -> None:
        lst.clear()
        for r in rows:
            left = r.days_left(today)
            when = days_text(left) if left is not None else "paused"
            item = QListWidgetItem(
                f"Request {r.id} · {label('request_type', r.request_type)} "
                f"({label('law', r.law)}) · due {day(r.due_on)}, {when}"
            )
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            if left is not None and left < 0:
                item.setForeground(QColor(theme.colour("danger-text")))
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
