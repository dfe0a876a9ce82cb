"""What the records services share: the regions identifiers are read in, stored times made aware."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.store.records_models import Source


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
@overload
def aware(moment: datetime | None) -> datetime | None: ...
def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def regions(s: Session) -> list[str]:
    """Every default region in use, so identifiers typed without a country match any source."""
    found = list(s.execute(select(Source.default_region).distinct()).scalars())
    return sorted(set(found) | {"US"})
