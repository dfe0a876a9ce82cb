"""Small wording rules shared by the window, the CLI and the reports (no Qt): plurals."""

from __future__ import annotations

_IRREGULAR = {"person": "people", "entry": "entries", "copy": "copies", "this": "these"}


def plural_word(n: int, word: str) -> str:
    """The word for n of it: 1 page, 2 pages, 0 pages; an irregular or -y word as English has it."""
    if n == 1:
        return word
    head, _, last = word.rpartition(" ")
    if last in _IRREGULAR:
        many = _IRREGULAR[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        many = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        many = last[:-1] + "ies"
    else:
        many = last + "s"
    return f"{head} {many}" if head else many


def plural(n: int, word: str) -> str:
    """'1 page', '2 pages', '1,204 records'."""
    return f"{n:,} {plural_word(n, word)}"
