"""Test set-up shared by every test: headless Qt, markers by folder, and the databases under test."""

from __future__ import annotations

import os

# Before anything imports Qt: every widget test runs without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep per-user files of the test run away from the developer's real ones.
os.environ.setdefault("CONSOLE_TESTING", "1")

import pytest

pytest_plugins = ["tests.fixtures"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path)
        if "/tests/unit/ui/" in path or "/tests/gui/" in path:
            item.add_marker(pytest.mark.gui)
        if "/tests/pg/" in path:
            item.add_marker(pytest.mark.pg)
