"""Table columns for the PDF renderer: how wide each column is, how cells are written, and long
digests shortened (the XLSX keeps them whole)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime

from reportlab.pdfbase import pdfmetrics

from console.reports import document as d
from console.reports.fonts import BOLD, REGULAR

CELL_SIZE = 7.5
CELL_PAD = 3

_LONG_HEX = re.compile(r"(?<![0-9A-Fa-f])([0-9a-f]{12})[0-9a-f]{20,}(?![0-9A-Fa-f])")
HASH_NOTE = (
    "Hashes are shortened to their first 12 characters here; the XLSX export of this report "
    "holds them in full."
)


def shorten_hashes(text: str) -> str:
    """'3f2a…' for every run of 32 or more lowercase hex digits (a digest), else the text as is."""
    return _LONG_HEX.sub(lambda m: m.group(1) + "…", text)


def formatter(kind: d.ColumnKind) -> Callable[[object], str]:
    def fmt(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return d.utc_naive(value).strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if kind == "float" and isinstance(value, int | float):
            return f"{value:,.2f}"
        return str(value)

    return fmt


def column_shares(columns: Sequence[d.Column], width: float) -> list[float]:
    """Shares of the width by the columns' declared sizes (a table with no rows to measure)."""
    defaults = {"text": 18.0, "int": 7.0, "float": 9.0, "date": 10.0, "datetime": 16.0}
    shares = [c.width or defaults[c.kind] for c in columns]
    total = sum(shares)
    return [width * s / total for s in shares]


WIDTH_SAMPLE_ROWS = 200  # rows measured for the column widths (the rest stream past unmeasured)
_MEASURED_CHARS = 300  # a longer cell wraps anyway: measuring more changes nothing


def _text_width(text: str, face: str) -> float:
    return float(pdfmetrics.stringWidth(text[:_MEASURED_CHARS], face, CELL_SIZE))


def content_widths(
    headers: Sequence[str],
    sample: Sequence[Sequence[str]],
    width: float,
    kinds: Sequence[d.ColumnKind] | None = None,
) -> list[float]:
    """Column widths from what the columns hold.

    Each column gets at least its widest header word (so headers wrap only between words) and
    its widest unbreakable cell word, up to a third of the page; numbers and dates never wrap.
    The width left over is shared fairly: columns that want little get all they want (one line
    for most of their rows), and the wide text columns share the rest.
    """
    pad = 2 * CELL_PAD + 1
    ncols = len(headers)
    floor, want = [], []
    for i, header in enumerate(headers):
        head_word = max((_text_width(w, BOLD) for w in header.split()), default=0.0)
        cells = [row[i] for row in sample]
        natural = sorted(
            _text_width(line, REGULAR) for c in cells for line in (c.splitlines() or [""])
        )
        if kinds is not None and kinds[i] != "text":
            least = natural[-1] if natural else 0.0  # a number or a date is never broken
        else:
            cell_word = max(
                (_text_width(w, REGULAR) for c in cells for w in c.split()), default=0.0
            )
            least = min(cell_word, width / 3)
        # The width most rows fit on one line in (the 90th percentile, not the one outlier).
        typical = natural[int(len(natural) * 0.9)] if natural else 0.0
        floor.append(max(head_word, least) + pad)
        want.append(max(floor[-1], typical + pad))
    total_floor = sum(floor)
    if total_floor >= width:  # not even the words fit: shrink everything alike (rare)
        return [width * f / total_floor for f in floor]
    alloc = list(floor)
    left = width - total_floor
    active = [i for i in range(ncols) if want[i] > alloc[i]]
    while active and left > 0.01:
        share = left / len(active)
        satisfied = [i for i in active if want[i] - alloc[i] <= share]
        if not satisfied:
            for i in active:
                alloc[i] += share
            left = 0.0
            break
        for i in satisfied:
            left -= want[i] - alloc[i]
            alloc[i] = want[i]
        active = [i for i in active if i not in satisfied]
    if left > 0.01:  # every column has all it wants: spread the rest
        alloc = [a + left / ncols for a in alloc]
    return alloc
