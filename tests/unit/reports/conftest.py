"""Sample report documents for the renderer and engine tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from console.reports import document as d

# One word per script the console must render; RTL ones are checked in visual order.
LTR_WORDS = ["Ü", "Łukasz", "Ελληνικά", "Кириллица", "王小明", "日本語", "한국어"]
RTL_WORDS = ["عربي", "עברית"]
CHAIN_HEAD = (4711, "9f" * 32)


def make_meta(**changes: object) -> d.ReportMeta:
    values: dict[str, object] = {
        "organisation": "ClientPay Ltd",
        "report_name": "dsr-register",
        "title": "DSR register",
        "parameters": {"From": "2024-01-01", "To": "2024-12-31", "Query": "王小明"},
        "generated_by": "officer.alice",
        "generated_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "app_version": "0.1.0",
        "classification": "Confidential — contains personal data",
        "chain_head": CHAIN_HEAD,
        "local_tz": "Europe/Berlin",
    }
    values.update(changes)
    return d.ReportMeta(**values)  # type: ignore[arg-type]


REGISTER_COLUMNS = [
    d.Column("ID", "int"),
    d.Column("Name"),
    d.Column("Notes"),
    d.Column("Received", "datetime"),
    d.Column("Due", "date"),
    d.Column("Amount", "float"),
]


def register_rows(count: int) -> Iterator[Sequence[object]]:
    """A one-shot generator, as the store hands rows over."""
    names = LTR_WORDS + RTL_WORDS
    start = datetime(2024, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    for i in range(count):
        yield (
            i + 1,
            names[i % len(names)],
            "note " * (i % 9),
            start + timedelta(hours=i),
            date(2024, 2, 1) + timedelta(days=i % 28),
            i * 1.25,
        )


@pytest.fixture
def meta() -> d.ReportMeta:
    return make_meta()


@pytest.fixture
def register() -> Callable[[int], d.Document]:
    def build(count: int) -> d.Document:
        return d.Document(
            make_meta(),
            [
                d.Section(
                    "Register",
                    [d.Table("Requests", REGISTER_COLUMNS, register_rows(count), note="End.")],
                )
            ],
        )

    return build
