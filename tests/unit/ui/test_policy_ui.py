"""The Policy page's health-check panel, driven offscreen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.domain.labels import code_looking
from console.services import policy, policy_health
from console.ui.pages.base import UiContext
from console.ui.pages.policy_page import PolicyPage
from console.ui.runner import Runner


@pytest.fixture
def runner(qtbot) -> Iterator[Runner]:
    r = Runner()
    yield r
    r.wait()


def test_the_policy_page_shows_the_health_check_of_the_pack_in_force(
    qtbot, db, admin, runner, tmp_path, monkeypatch
) -> None:
    """Each finding with its severity, citation, what the statement says and what to add
    (GDPR Art. 13/14, 11 CCR §7011 and §7025); the panel exports the internal report."""
    policy.ensure_default_pack(db, admin)
    page = PolicyPage(UiContext(db, runner, admin))
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.refresh()
    titles = [page.tabs.tabText(i).replace("&", "") for i in range(page.tabs.count())]
    assert "Health check" in titles
    report = policy_health.health_check(db, admin)
    panel = page.health
    assert panel.table.rowCount() == len(report.findings)
    shown = [
        panel.table.item(r, c).text()
        for r in range(panel.table.rowCount())
        for c in range(panel.table.columnCount())
    ]
    assert any(t.startswith("11 CCR §7025") for t in shown)
    assert "findings" in panel.summary_label.text()
    recipients = page.tabs.widget(titles.index("Recipients"))
    kinds = [recipients.item(r, 1).text() for r in range(recipients.rowCount())]
    assert "Third party" in kinds and "third_party" not in kinds
    assert code_looking(" ".join(kinds)) == []
    from console.ui.export_job import SaveAs

    out = tmp_path / "check.xlsx"
    monkeypatch.setattr(SaveAs, "ask", staticmethod(lambda parent, suggested, fmt: out))
    panel.export.format_box.setCurrentIndex(panel.export.format_box.findData("xlsx"))
    with qtbot.waitSignal(panel.export.runner.finished, timeout=20_000):
        panel.export.button.click()
    assert out.exists()
