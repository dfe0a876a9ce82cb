"""The window's look: the style sheet in resources/style with light or dark colours chosen from the
system, the bundled fonts (CJK included) registered so any name renders, and the 8 px spacing scale.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QLabel, QLayout, QWidget

from console.paths import resource_path

log = logging.getLogger("ui")

SPACE = 8  # the spacing unit: margins and gaps are multiples of it (half a unit for tight rows)

LIGHT: dict[str, str] = {
    "window": "#f4f6f9",
    "surface": "#ffffff",
    "text": "#1b2430",
    "muted": "#4d5766",
    "border": "#d6dbe2",
    "field-border": "#8a94a3",
    "focus": "#2f5fa7",
    "accent": "#2f5fa7",
    "accent-text": "#ffffff",
    "sidebar": "#e9edf2",
    "hover": "#dde3ea",
    "selected": "#cfdff5",
    "selected-text": "#13233b",
    "header": "#eef1f5",
    "alternate": "#f7f9fb",
    "neutral-bg": "#e6eaef",
    "neutral-text": "#2b3442",
    "info-bg": "#dde9fa",
    "info-text": "#1b4580",
    "ok-bg": "#dcf1e3",
    "ok-text": "#1a5c32",
    "warn-bg": "#fcefd2",
    "warn-text": "#6e4300",
    "danger-bg": "#fbe0e0",
    "danger-text": "#962020",
    "danger-edge": "#c62828",
    "warn-edge": "#d08a00",
    "chart-1": "#3f6fb5",
    "chart-2": "#5f9e8f",
}
DARK: dict[str, str] = {
    "window": "#1b1f25",
    "surface": "#242a32",
    "text": "#e7eaef",
    "muted": "#aeb7c4",
    "border": "#38404b",
    "field-border": "#6b7583",
    "focus": "#8ab4f8",
    "accent": "#2f63b8",
    "accent-text": "#ffffff",
    "sidebar": "#161a1f",
    "hover": "#2c333d",
    "selected": "#2e4260",
    "selected-text": "#eef3fb",
    "header": "#2a3139",
    "alternate": "#283038",
    "neutral-bg": "#37404b",
    "neutral-text": "#e7eaef",
    "info-bg": "#1d3454",
    "info-text": "#bcd5fb",
    "ok-bg": "#1b3b28",
    "ok-text": "#b5e3c4",
    "warn-bg": "#46330f",
    "warn-text": "#ffd98f",
    "danger-bg": "#4b1e1e",
    "danger-text": "#ffc4c4",
    "danger-edge": "#ef6b6b",
    "warn-edge": "#e0a526",
    "chart-1": "#7fa8e8",
    "chart-2": "#7cc3b1",
}
TONES = ("neutral", "info", "ok", "warn", "danger")
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "wqy-microhei.ttc")
CJK_FAMILY = "WenQuanYi Micro Hei"


class _State(QObject):
    dark = False
    colours: dict[str, str] = LIGHT


_state = _State()


def colours() -> dict[str, str]:
    """The colours in force (light or dark)."""
    return _state.colours


def colour(token: str) -> QColor:
    return QColor(_state.colours[token])


def is_dark() -> bool:
    return _state.dark


@lru_cache(maxsize=1)
def _template() -> str:
    return resource_path("style", "console.qss").read_text(encoding="utf-8")


def style_sheet(palette: dict[str, str]) -> str:
    """The style sheet with the palette's colours in place of its @tokens."""
    sheet = re.sub(r"/\*.*?\*/", "", _template(), flags=re.S)
    sheet = sheet.replace("@icons", resource_path("icons").as_posix())
    sheet = sheet.replace("@scheme", "dark" if palette is DARK else "light")
    for token in sorted(palette, key=len, reverse=True):
        sheet = sheet.replace(f"@{token}", palette[token])
    left = re.findall(r"(?<![\w/])@[a-z][a-z0-9-]*", sheet)
    if left:
        raise ValueError(f"the style sheet names colours the theme lacks: {sorted(set(left))}")
    return sheet


def _system_is_dark(app: QGuiApplication) -> bool:
    scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def _palette(c: dict[str, str]) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    for r, token in (
        (role.Window, "window"),
        (role.WindowText, "text"),
        (role.Base, "surface"),
        (role.AlternateBase, "alternate"),
        (role.Text, "text"),
        (role.Button, "surface"),
        (role.ButtonText, "text"),
        (role.Highlight, "selected"),
        (role.HighlightedText, "selected-text"),
        (role.ToolTipBase, "surface"),
        (role.ToolTipText, "text"),
        (role.PlaceholderText, "muted"),
        (role.Link, "focus"),
    ):
        p.setColor(r, QColor(c[token]))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, QColor(c["muted"]))
    return p


def register_fonts() -> list[str]:
    """The bundled fonts for the window, so Chinese, Arabic or Cyrillic names never show as boxes."""
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", name)))
        if font_id < 0:
            log.warning("could not load the bundled font %s", name)
            continue
        families += QFontDatabase.applicationFontFamilies(font_id)
    return families


_applied = False


def apply(app: QApplication, *, dark: bool | None = None) -> None:
    """Style the application (again when the system switches between light and dark)."""
    global _applied
    if not _applied:
        register_fonts()
        font = QFont(app.font())
        # The system's own face first; the bundled faces fill in the scripts it lacks.
        font.setFamilies([font.family(), "DejaVu Sans", CJK_FAMILY])
        app.setFont(font)
        app.setStyle("Fusion")  # the same metrics everywhere, so the style sheet fits every OS
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply(app))
        _applied = True
    _state.dark = _system_is_dark(app) if dark is None else dark
    _state.colours = DARK if _state.dark else LIGHT
    app.setPalette(_palette(_state.colours))
    app.setStyleSheet(style_sheet(_state.colours))
    _icon.cache_clear()


def ensure_applied() -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and not _applied:
        apply(app)


# -- small building blocks --------------------------------------------------------------------


def set_role(widget: QWidget, role: str) -> QWidget:
    """Give a widget a style role from the sheet (heading, muted, empty, error, ok, tile...)."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    return widget


def space(layout: QLayout, *, margins: int = 2, spacing: int = 1) -> QLayout:
    """Margins and spacing in units of the 8 px scale."""
    layout.setContentsMargins(*(margins * SPACE,) * 4)
    layout.setSpacing(spacing * SPACE)
    return layout


def make_chip(label: QLabel, text: str, tone: str) -> QLabel:
    """A status chip: the text says it, the colour only repeats it."""
    if tone not in TONES:
        raise ValueError(f"unknown tone {tone!r}")
    label.setText(text)
    label.setProperty("chip", tone)
    label.setAccessibleName(text)
    label.style().unpolish(label)
    label.style().polish(label)
    return label


@lru_cache(maxsize=64)
def _icon(name: str, colour_hex: str) -> QIcon:
    svg = resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")
    svg = svg.replace("#000000", colour_hex)
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode()))
    icon = QIcon()
    for size in (20, 40):
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        renderer.render(p)
        p.end()
        icon.addPixmap(pm)
    return icon


def icon(name: str) -> QIcon:
    """A line icon from resources/icons drawn in the text colour in force (empty if missing)."""
    if not resource_path("icons", f"{name}.svg").exists():
        return QIcon()
    return _icon(name, _state.colours["text"])


# -- contrast (WCAG 2.x) ---------------------------------------------------------------------


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    q = QColor(hex_colour)
    return 0.2126 * _linear(q.red()) + 0.7152 * _linear(q.green()) + 0.0722 * _linear(q.blue())


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
