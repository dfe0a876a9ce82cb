"""Text policy: invisible characters become visible codes, truncation says how much it cut."""

from __future__ import annotations

import pytest

from console.reports.text import make_visible, truncate, truncation_marker


def test_control_characters_become_visible_codes_and_line_breaks_stay() -> None:
    assert make_visible("a\x00b\x1bc\td\ne\ufffe") == "a[U+0000]b[U+001B]c\td\ne[U+FFFE]"


@pytest.mark.parametrize("length", [101, 150, 1_000, 10_000, 100_000])
def test_truncated_text_fits_the_limit_and_counts_what_was_cut(length: int) -> None:
    cut = truncate("x" * length, 100)
    kept = cut.index("…")
    assert len(cut) <= 100
    assert cut == "x" * kept + truncation_marker(length - kept)


def test_text_within_the_limit_is_untouched() -> None:
    assert truncate("short", 100) == "short"
