"""A request as it comes in: what was asked (Intake), what the law gives for it, and the checks
that run before anything is stored (the window checks as you type, the service again on save)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from console.domain import deadlines, identifiers, request_types
from console.domain.permissions import Permission
from console.errors import ValidationError
from console.services.context import Actor
from console.services.requests.model import (
    CHANNELS,
    DENIAL_REASONS,
    LAWS,
    REQUEST_TYPES,
    RequestView,
    duplicates_in,
)
from console.services.requests.read import get_request
from console.store.db import Database

__all__ = [
    "CHANNELS",
    "DENIAL_REASONS",
    "LAWS",
    "REQUEST_TYPES",
    "RequestView",
    "get_request",
]


def find_duplicates(db: Database, actor: Actor, intake: Intake) -> list[int]:
    """Ids of open requests of the same type for the same person (shown before saving)."""
    actor.require(Permission.VIEW_DSR)
    region = phone_region(intake.law, intake.country)
    norms = [n for k, v in intake.identifiers() if (n := normalised(k, v, region))]
    with db.read() as s:
        return duplicates_in(s, intake.request_type, norms)


# --- intake ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    request_type: str
    law: str
    received_on: dt.date
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    customer_ids: tuple[str, ...] = ()
    name: str = ""
    address: str = ""
    channel: str = "email"
    country: str | None = None
    notes: str = ""

    def identifiers(self) -> list[tuple[str, str]]:
        return [
            *(("email", e) for e in self.emails),
            *(("phone", p) for p in self.phones),
            *(("customer_id", c) for c in self.customer_ids),
        ]


def types_for(law: str, on: dt.date | None = None) -> list[tuple[str, str]]:
    """The request types the law gives on `on` (now, without a date), with their labels: what
    the New Request dialog offers for the law chosen (the registry's order)."""
    reg = request_types.registry()
    return [(t, reg.type_label(t)) for t in reg.law(law).types_on(on)]


def type_description(law: str, request_type: str, on: dt.date | None = None) -> str:
    """One line on what the law gives for the type: the right, its clock and verification."""
    reg = request_types.registry()
    try:
        rule = reg.entry(law, request_type, on)
    except request_types.RegistryError as e:
        return str(e)
    period = rule.clock.period
    unit = period.unit.value.replace("_", " ")
    return (
        f"{reg.types[request_type].description} Answer within {period.amount} {unit}"
        f" ({rule.clock.citation.text.split(':')[0]}). {rule.verification.mode.label}."
    )


def phone_region(law: str, country: str | None) -> str:
    """The region a phone number without +country code is read in: the law's own calendar."""
    try:
        return deadlines.calendar_for(law, country=country).country
    except deadlines.DeadlineError:
        return "US"


def email_problem(text: str) -> str | None:
    """Why an email address is not usable, or None (the New Request dialog asks as you type)."""
    if not text.strip():
        return None
    if identifiers.normalise_email(text) is None:
        return "Not an email address (or a placeholder such as test@test.com)."
    return None


def phone_problem(text: str, region: str = "US") -> str | None:
    if not text.strip():
        return None
    try:
        phone = identifiers.normalise_phone(text, default_region=region)
    except IndexError:  # identifiers.normalise_phone("+") fails; reported to the lead
        phone = None
    if phone is None:
        return f"Not a phone number (read in region {region}; start with + for another country)."
    return None


def date_problem(text: str, today: dt.date | None = None) -> str | None:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return "A date like 2026-01-31."
    if day > (today or dt.date.today()):
        return "The received date cannot be in the future."
    return None


def normalised(kind: str, value: str, region: str) -> str | None:
    norm = identifiers.normalise(kind, value, default_region=region)
    return f"{kind}:{norm}" if norm else None


def check_intake(intake: Intake, today: dt.date | None = None) -> None:
    """Refuse an intake that cannot be logged; the message names the field."""
    if intake.request_type not in REQUEST_TYPES:
        raise ValidationError(
            f"Request type '{intake.request_type}' is unknown; use one of: "
            + ", ".join(REQUEST_TYPES)
        )
    if intake.law not in LAWS:
        raise ValidationError(f"Law '{intake.law}' is unknown; use one of: {', '.join(LAWS)}")
    try:
        request_types.registry().entry(intake.law, intake.request_type, intake.received_on)
    except request_types.PairNotHeld as e:
        raise ValidationError(str(e)) from None
    if intake.channel not in CHANNELS:
        raise ValidationError(
            f"Channel '{intake.channel}' is unknown; use one of: {', '.join(CHANNELS)}"
        )
    if intake.received_on > (today or dt.date.today()):
        raise ValidationError("Received date: it cannot be in the future.")
    if not intake.identifiers():
        raise ValidationError("Requester: give at least one email, phone or customer ID.")
    region = phone_region(intake.law, intake.country)
    for n, email in enumerate(intake.emails, start=1):
        if email_problem(email):
            raise ValidationError(f"Email {n}: not a usable email address.")
    for n, phone in enumerate(intake.phones, start=1):
        if phone_problem(phone, region):
            raise ValidationError(f"Phone {n}: not a phone number (region {region}).")
    if intake.country:
        deadlines.calendar_for(intake.law, country=intake.country)
