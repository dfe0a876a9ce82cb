"""Text policy shared by the renderers: control characters made visible, visible truncation."""

from __future__ import annotations

import re

# C0/C1 controls (tab and newline are kept), non-characters and lone surrogates: XML 1.0 cannot
# carry most of them and a reader cannot see any of them, so they are shown as a code instead.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_CR = re.compile("\r\n?")


def _code(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


def make_visible(text: str) -> str:
    """Replace characters that XML or a reader cannot show with a visible [U+XXXX] code."""
    return _INVISIBLE.sub(_code, text)


def normalise_newlines(text: str) -> str:
    return _CR.sub("\n", text)


def has_invisible(text: str) -> bool:
    return _INVISIBLE.search(text) is not None


def truncation_marker(more: int) -> str:
    return f"… [truncated: {more:,} more characters]"


def truncate(text: str, limit: int) -> str:
    """Cut text to at most limit characters, ending with a marker that says how much was cut."""
    if len(text) <= limit:
        return text
    # The marker's own length depends on the count it prints: grow the kept part while it fits.
    keep = limit - len(truncation_marker(len(text)))
    while keep + 1 + len(truncation_marker(len(text) - keep - 1)) <= limit:
        keep += 1
    return text[:keep] + truncation_marker(len(text) - keep)
