"""What a report is: its parameters, the context its builder gets, its definition and level, and
the organisation and classification mark printed on every page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import select

from console.domain import labels
from console.domain.permissions import Permission
from console.errors import ConsoleError
from console.reports import Section
from console.services.context import Actor
from console.store.db import Database
from console.store.models import Setting

Format = Literal["pdf", "xlsx"]
# Each report's definition sets its level; the mark printed for a level is the site's to choose.
Classification = Literal["public", "internal", "confidential"]
CLASSIFICATION_KEYS: dict[str, str] = {
    "confidential": "classification",
    "internal": "classification_internal",
    "public": "classification_public",
}
CLASSIFICATION_LABELS: dict[str, str] = {
    "confidential": "Confidential (personal data)",
    "internal": "Internal",
    "public": "Public",
}
DEFAULT_CLASSIFICATION = "Confidential — contains personal data"


@dataclass(frozen=True)
class ReportParams:
    """What a user can ask of a report; each report says which of these it takes."""

    since: date | None = None
    until: date | None = None
    actor_name: str | None = None
    action: str | None = None
    query: str | None = None
    object_id: int | None = None
    source: str | None = None  # records: only this source (its name)
    category: str | None = None  # records: only this data category (its id)

    def shown(self) -> dict[str, str]:
        """The parameters as printed on the report and kept in the manifest and audit event."""
        out = {}
        if self.since:
            out["From"] = self.since.isoformat()
        if self.until:
            out["To"] = self.until.isoformat()
        if self.actor_name:
            out["User"] = self.actor_name
        if self.action:
            out["What happened"] = labels.action_filter(self.action)
        if self.query:
            out["Query"] = self.query
        if self.object_id is not None:
            out["Id"] = str(self.object_id)
        if self.source:
            out["Source"] = self.source
        if self.category:
            out["Category"] = labels.label("category", self.category)
        return out or {"Scope": "everything"}


@dataclass(frozen=True)
class BuildContext:
    db: Database
    actor: Actor
    params: ReportParams


Builder = Callable[[BuildContext], list[Section]]


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    description: str
    builder: Builder
    personal_data: bool = False  # exports of personal data need their own permission
    takes: tuple[str, ...] = ()  # which ReportParams fields apply: since, until, actor_name, ...
    requires: tuple[str, ...] = ()  # params that must be given (e.g. object_id for a case file)
    permission: Permission = Permission.EXPORT_REPORTS
    extra: dict[str, str] = field(default_factory=dict)
    # public: meant for publication and holds no personal data; internal: registers and metrics;
    # confidential: personal data. Unset means confidential: a forgotten level never leaks.
    classification: Classification = "confidential"

    def __post_init__(self) -> None:
        if self.personal_data and self.classification != "confidential":
            raise ValueError(f"report {self.name!r} holds personal data: it must be confidential")


def organisation_identity(db: Database, level: Classification = "confidential") -> tuple[str, str]:
    """(organisation name, classification mark for `level`) printed on every page.

    The site configuration wins when it sets them (admins preset or lock them there); otherwise
    the team's settings in the database; otherwise the built-in mark and the policy pack's
    organisation.
    """
    from console import config
    from console.domain.policy import load_default_pack

    loaded = config.load()
    cfg = {e.key: e for e in loaded.explain()}
    with db.read() as s:
        settings = {k: v for k, v in s.execute(select(Setting.key, Setting.value))}

    def pick(key: str, fallback: str) -> str:
        entry = cfg.get(key)
        if entry is not None and entry.source is not config.Source.BUILT_IN and entry.value:
            return str(entry.value)
        return settings.get(key) or fallback

    key = CLASSIFICATION_KEYS[level]
    return (
        pick("organisation", load_default_pack().organisation.name),
        pick(key, str(loaded[key])),
    )


class ReportParamsError(ConsoleError):
    """A report parameter cannot be understood."""


def parse_day(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportParamsError(f"{what} must be a date like 2026-01-31, not '{text}'.") from None
