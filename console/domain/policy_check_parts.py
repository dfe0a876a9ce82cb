"""What the policy health checks share: a finding's states and result, and how a check names and
quotes what the pack says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from console.domain.policy import CookieClass, PolicyPack, Right
from console.errors import ConsoleError

OK = "ok"
MISSING = "missing"
ASSUMED = "assumed"
PARTIAL = "partial"
WRONG = "wrong"
NOT_APPLICABLE = "not_applicable"

NOTHING = "Nothing."


OK = "ok"
MISSING = "missing"
ASSUMED = "assumed"
PARTIAL = "partial"
WRONG = "wrong"
NOT_APPLICABLE = "not_applicable"

NOTHING = "Nothing."


@dataclass(frozen=True)
class Result:
    status: str
    says: str = NOTHING
    # Specifics to add to the rule's advice, e.g. which purposes lack a legal basis.
    detail: str = ""
    # Pack fields the finding is about, for the reader who fixes the pack.
    fields: tuple[str, ...] = ()
    # Where the law makes the severity depend on the facts (11 CCR §7014: only if SPI is used).
    severity: str | None = None


Check = Callable[[PolicyPack, dt.date], Result]


def assumed(text: str | None) -> bool:
    """The pack's label for a value the statement does not give (data/policy/README.md)."""
    return text is not None and text.strip().lower().startswith("organisation default")


def quote(text: str, ref: str | None = None) -> str:
    return f'"{text}"' + (f" ({ref})" if ref else "")


class Labelled(Protocol):
    @property
    def label(self) -> str: ...


def called_by_label(pack: PolicyPack, kind: str, ids: Iterable[str]) -> list[str]:
    """The pack's labels for ids of one list (a finding names entries as people know them)."""
    lookups: dict[str, Callable[[str], Labelled]] = {
        "category": pack.category,
        "purpose": pack.purpose,
        "recipient": pack.recipient,
        "source_kind": pack.source_kind,
        "right": pack.right,
    }
    look = lookups[kind]
    out = []
    for item in ids:
        try:
            out.append(look(item).label)
        except ConsoleError:  # a right the pack does not list ("non-discrimination", "limit")
            out.append(item.replace("-", " ").capitalize())
    return out


def name_list(items: Iterable[str], limit: int = 8) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def sharing_classes(pack: PolicyPack) -> tuple[CookieClass, ...]:
    """Cookie classes that share data for cross-context behavioural advertising (§1798.140(ah)):
    as the pack says, else third-party cookies used for marketing."""
    return tuple(
        c
        for c in pack.cookie_classes
        if c.shares_for_advertising
        or (c.shares_for_advertising is None and "third" in c.parties and "marketing" in c.purposes)
    )


def right_of(pack: PolicyPack, right_id: str) -> Right | None:
    return next((r for r in pack.rights if r.id == right_id), None)


def stated_rights(pack: PolicyPack, wanted: Iterable[str]) -> tuple[list[str], list[str]]:
    stated: list[str] = []
    missing: list[str] = []
    for right_id in wanted:
        right = right_of(pack, right_id)
        (stated if right is not None and right.statement_ref else missing).append(right_id)
    return stated, missing


def disclosed_text(pack: PolicyPack, name: str) -> str | None:
    found = getattr(pack.disclosures, name, None) if pack.disclosures else None
    return found if isinstance(found, str) else None
