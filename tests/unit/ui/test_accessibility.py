"""Accessibility: every control on every page and dialog has a name a screen reader can say, Tab
moves in reading order, and every text colour of the style sheet has 4.5:1 contrast or more."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from console.services import policy
from console.services.records import sources
from console.ui import a11y, theme
from console.ui.import_dialog import ImportDialog
from console.ui.login import ChangePasswordDialog, FirstAdminDialog, LoginDialog
from console.ui.pages.admin_page import AddUserDialog
from console.ui.pages.legal_intake_dialog import LegalIntakeDialog
from console.ui.pages.new_request_dialog import NewRequestDialog
from console.ui.pages.request_dialogs import AddTaskDialog
from console.ui.pages.sources_page import AddSourceDialog
from console.ui.settings_dialog import SettingsDialog
from tests.unit.ui.conftest import settle

# -- names --------------------------------------------------------------------------------------


def test_every_control_on_every_page_has_a_name(qtbot, demo_window) -> None:
    for page in demo_window.pages:
        demo_window.show_page(page.title)
        settle(qtbot, demo_window)
        if page.title == "Legal":  # the detail's tabs are filled once a request is chosen
            with qtbot.waitSignal(page.detail.loaded, timeout=10_000):
                page.table.selectRow(0)
        if page.title == "Requests":
            with qtbot.waitSignal(page.detail.loaded, timeout=10_000):
                page.table.selectRow(0)
        assert a11y.controls(page), page.title
        assert a11y.unnamed(page) == [], page.title
    assert a11y.unnamed(demo_window) == []
    assert a11y.spoken_name(demo_window.nav) == "Pages"


def _dialogs(demo_window, demo_db, tmp_path: Path) -> list[QDialog]:
    ctx = demo_window.ctx
    runner = ctx.runner
    pack = policy.pack_in_force(demo_db, ctx.actor)
    crm = next(s for s in sources.list_sources(demo_db, ctx.actor) if s.name == "CRM")
    csv = tmp_path / "crm.csv"
    csv.write_text("Customer ID,Email\nC-1,jane@example.com\n", encoding="utf-8")
    return [
        LoginDialog(demo_db, runner),
        FirstAdminDialog(demo_db, runner),
        ChangePasswordDialog(demo_db, runner, ctx.actor),
        SettingsDialog(),
        ImportDialog(ctx, crm, csv, pack),
        AddTaskDialog(["CRM", "Payments"], ["officer"], None),
        LegalIntakeDialog(),
        AddSourceDialog(pack),
        AddUserDialog(),
        NewRequestDialog(),
    ]


def test_every_control_in_every_dialog_has_a_name(qtbot, demo_window, demo_db, tmp_path) -> None:
    for dialog in _dialogs(demo_window, demo_db, tmp_path):
        qtbot.addWidget(dialog)
        dialog.show()
        settle(qtbot, demo_window)
        assert a11y.unnamed(dialog) == [], type(dialog).__name__
        dialog.close()


# -- tab order ----------------------------------------------------------------------------------


def _tab_chain(root: QWidget) -> list[QWidget]:
    """The controls Tab visits in root, in order, starting from its first."""
    reachable = [
        w
        for w in a11y.controls(root)
        if w.isVisibleTo(root) and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]
    if not reachable:
        return []
    chain, w = [], reachable[0]
    for _ in range(10 * len(reachable)):
        if w in reachable and w not in chain:
            chain.append(w)
        w = w.nextInFocusChain()
        if w is reachable[0]:
            break
    return chain


def _reading_order_breaks(root: QWidget, chain: list[QWidget]) -> list[str]:
    """Controls Tab reaches before one that sits clearly above and to the left of them."""
    out = []
    for a, b in itertools.pairwise(chain):
        pa = a.mapTo(root, a.rect().topLeft())
        pb = b.mapTo(root, b.rect().topLeft())
        # Going back up a row is reading order only when it is a new column (a side panel).
        if pb.y() + 4 < pa.y() and pb.x() <= pa.x():
            out.append(f"{a11y.spoken_name(a)} -> {a11y.spoken_name(b)}")
    return out


@pytest.mark.parametrize(
    "make", [LegalIntakeDialog, NewRequestDialog, AddUserDialog, SettingsDialog]
)
def test_tab_follows_reading_order_in_dialogs(qtbot, make) -> None:
    dialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    chain = _tab_chain(dialog)
    assert len(chain) >= 2
    assert _reading_order_breaks(dialog, chain) == []


def test_tab_follows_reading_order_on_pages(qtbot, demo_window) -> None:
    demo_window.resize(1440, 900)
    for title in ("Requests", "Records", "Reports", "Audit", "Admin"):
        page = demo_window.show_page(title)
        settle(qtbot, demo_window)
        chain = _tab_chain(page)
        assert len(chain) >= 3, title
        assert _reading_order_breaks(page, chain) == [], title


# -- contrast -----------------------------------------------------------------------------------

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _pairs(sheet: str, palette: dict[str, str]) -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for every rule that sets a text colour; a rule
    without a background of its own is read on every surface it can sit on."""
    out = []
    for selector, body in _RULE.findall(sheet):
        props = dict(
            (k.strip(), v.strip()) for k, _, v in (p.partition(":") for p in body.split(";")) if v
        )
        colours = [props[k] for k in ("color", "selection-color") if k in props]
        if not colours:
            continue
        bg = props.get("background") or props.get("background-color")
        if "selection-color" in props:
            pairs = [
                (props.get("color"), [bg] if bg else [palette["surface"]]),
                (props["selection-color"], [props.get("selection-background-color")]),
            ]
        else:
            surfaces = [palette[k] for k in ("window", "surface", "sidebar", "header", "alternate")]
            pairs = [(props["color"], [bg] if bg else surfaces)]
        for fg, backgrounds in pairs:
            for back in backgrounds:
                if fg and back:
                    out.append((selector.strip(), fg, back))
    return out


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_text_colour_has_enough_contrast(name: str) -> None:
    palette = theme.LIGHT if name == "light" else theme.DARK
    pairs = _pairs(theme.style_sheet(palette), palette)
    assert len(pairs) > 20
    poor = [
        f"{sel}: {fg} on {bg} = {theme.contrast(fg, bg):.2f}"
        for sel, fg, bg in pairs
        if theme.contrast(fg, bg) < 4.5
    ]
    assert poor == []
    # What the window draws itself: chips, badges, charts' labels, list items that are overdue.
    for tone in theme.TONES:
        assert theme.contrast(palette[f"{tone}-text"], palette[f"{tone}-bg"]) >= 4.5, tone
    for back in ("surface", "window", "alternate"):
        assert theme.contrast(palette["danger-text"], palette[back]) >= 4.5
        assert theme.contrast(palette["muted"], palette[back]) >= 4.5


def test_contrast_is_computed_as_wcag_says() -> None:
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_the_checks_catch_an_unnamed_field_and_a_backwards_tab(qtbot) -> None:
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout

    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    first, second = QLineEdit(), QLineEdit()
    layout.addWidget(first)
    layout.addWidget(second)
    root.show()
    assert len(a11y.unnamed(root)) == 2
    first.setPlaceholderText("Name")
    a11y.name_from_context(root)
    assert a11y.spoken_name(first) == "Name" and len(a11y.unnamed(root)) == 1
    QWidget.setTabOrder(second, first)
    chain = _tab_chain(root)
    assert chain[0] is second or _reading_order_breaks(root, [second, first])
