"""Rules of legal and law-enforcement requests: process types, decisions, deadlines, holds, bands.

Pure Python: the services store and check; this module only knows the vocabulary and the sums.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from console.errors import ValidationError


class ProcessType(enum.StrEnum):
    SUBPOENA = "subpoena"
    COURT_ORDER = "court_order"
    SEARCH_WARRANT = "search_warrant"
    EMERGENCY = "emergency"
    PRESERVATION = "preservation"
    NATIONAL_SECURITY = "national_security"
    MLAT = "mlat"
    CIVIL_SUBPOENA = "civil_subpoena"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _PROCESS_LABELS[self]


_PROCESS_LABELS = {
    ProcessType.SUBPOENA: "Subpoena",
    ProcessType.COURT_ORDER: "Court order",
    ProcessType.SEARCH_WARRANT: "Search warrant",
    ProcessType.EMERGENCY: "Emergency disclosure",
    ProcessType.PRESERVATION: "Preservation request",
    ProcessType.NATIONAL_SECURITY: "National-security request",
    ProcessType.MLAT: "Foreign government / MLAT",
    ProcessType.CIVIL_SUBPOENA: "Civil subpoena",
    ProcessType.OTHER: "Other",
}


class Decision(enum.StrEnum):
    PRODUCE = "produce"
    PRODUCE_IN_PART = "produce_in_part"
    NO_DATA = "no_data"
    REJECT = "reject"
    CHALLENGE = "challenge"

    @property
    def label(self) -> str:
        return _DECISION_LABELS[self]

    @property
    def discloses(self) -> bool:
        return self in (Decision.PRODUCE, Decision.PRODUCE_IN_PART)


_DECISION_LABELS = {
    Decision.PRODUCE: "Produce",
    Decision.PRODUCE_IN_PART: "Produce in part / narrowed",
    Decision.NO_DATA: "No data found",
    Decision.REJECT: "Reject",
    Decision.CHALLENGE: "Challenge",
}


class NoticeDecision(enum.StrEnum):
    NOTIFY = "notify"
    DELAY_UNTIL = "delay_until"
    PROHIBITED = "prohibited"

    @property
    def label(self) -> str:
        return {
            "notify": "Notify the user",
            "delay_until": "Delay notice until",
            "prohibited": "Notice prohibited",
        }[self.value]


# Identifier kinds a legal request may specify (an IP comes with the time range it was seen in).
IDENTIFIER_KINDS = ("email", "phone", "customer_id", "cookie_id", "ip", "account_id", "device_id")

# The legal-sufficiency checklist every new request starts with (stored per request).
CHECKLIST = (
    ("authority", "Issued by an authority with jurisdiction over the company"),
    ("served", "Served on the correct legal entity by an accepted method"),
    ("specific", "Identifies the accounts or persons with specificity"),
    ("scope", "Data and date range sought are proportionate and lawful"),
    ("process_fits", "The type of process is sufficient for the data sought"),
    ("signed", "Signed, dated and not expired"),
)

HOLD_DAYS = 90
EMERGENCY_DEFAULT_HOURS = 24
DEFAULT_RESPONSE_DAYS = 30
PRODUCTION_PREFIX = "CP"
NATIONAL_SECURITY_BAND = 250

# The policy pack's disclosure grounds that each kind of process discloses under.
DISCLOSURE_GROUND = {
    ProcessType.SUBPOENA: "legal_process",
    ProcessType.COURT_ORDER: "legal_process",
    ProcessType.SEARCH_WARRANT: "legal_process",
    ProcessType.CIVIL_SUBPOENA: "legal_process",
    ProcessType.MLAT: "legal_process",
    ProcessType.EMERGENCY: "government_request",
    ProcessType.PRESERVATION: "government_request",
    ProcessType.NATIONAL_SECURITY: "government_request",
    ProcessType.OTHER: "government_request",
}


def parse_process_type(text: str) -> ProcessType:
    try:
        return ProcessType(text.strip().lower().replace("-", "_"))
    except ValueError:
        choices = ", ".join(p.value for p in ProcessType)
        raise ValidationError(f"Unknown process type '{text}'. Types: {choices}.") from None


def parse_decision(text: str) -> Decision:
    try:
        return Decision(text.strip().lower().replace("-", "_"))
    except ValueError:
        choices = ", ".join(d.value for d in Decision)
        raise ValidationError(f"Unknown decision '{text}'. Decisions: {choices}.") from None


def parse_notice(text: str) -> NoticeDecision:
    try:
        return NoticeDecision(text.strip().lower().replace("-", "_"))
    except ValueError:
        choices = ", ".join(n.value for n in NoticeDecision)
        raise ValidationError(f"Unknown notice decision '{text}'. Choices: {choices}.") from None


def response_due(
    received_at: datetime,
    process: ProcessType,
    *,
    due_at: datetime | None = None,
    hours: int | None = None,
) -> datetime:
    """The response deadline: as given, or hours after receipt, or the default for the type."""
    if due_at is not None and hours is not None:
        raise ValidationError("Give the response deadline as a date or as hours, not both.")
    if hours is not None:
        if hours <= 0:
            raise ValidationError("The response deadline in hours must be positive.")
        return received_at + timedelta(hours=hours)
    if due_at is not None:
        if due_at < received_at:
            raise ValidationError("The response deadline is before the request was received.")
        return due_at
    if process is ProcessType.EMERGENCY:
        return received_at + timedelta(hours=EMERGENCY_DEFAULT_HOURS)
    return received_at + timedelta(days=DEFAULT_RESPONSE_DAYS)


def production_number(n: int, prefix: str = PRODUCTION_PREFIX) -> str:
    return f"{prefix}-{n:06d}"


def request_ref(request_id: int) -> str:
    return f"LR-{request_id}"


def hold_ref(hold_id: int) -> str:
    return f"LH-{hold_id}"


def hold_until(start: date, days: int = HOLD_DAYS) -> date:
    if days <= 0:
        raise ValidationError("A hold must last at least one day.")
    return start + timedelta(days=days)


def hold_note(case_number: str, request: str) -> str:
    """The note the records store keeps with each held record (shown inside the hold's text)."""
    return f"case {case_number}" if case_number else f"legal request {request}"


def hold_reason(hold: str, case_number: str, until: date | None) -> str:
    """What a deletion request shows for a held record: the hold, the case, the end date."""
    case = f" (case {case_number})" if case_number else ""
    end = f" until {until.isoformat()}" if until else ""
    return f"Legal hold {hold}{case}{end}"


@dataclass(frozen=True)
class HalfYear:
    year: int
    half: int  # 1: January–June, 2: July–December

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        """'2025-H1' or '2025H2'."""
        cleaned = text.strip().upper().replace("-", "")
        try:
            year, half = int(cleaned[:4]), int(cleaned[-1])
            if len(cleaned) != 6 or cleaned[4] != "H" or half not in (1, 2):
                raise ValueError
        except ValueError:
            raise ValidationError(f"Not a half-year: '{text}' (write it as 2025-H1).") from None
        return cls(year, half)

    @classmethod
    def of(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        """The first day after the half-year."""
        return date(self.year, 7, 1) if self.half == 1 else date(self.year + 1, 1, 1)

    def __str__(self) -> str:
        return f"{self.year}-H{self.half}"


def band(count: int, width: int = NATIONAL_SECURITY_BAND) -> str:
    """National-security figures are only published in bands: 0–249, 250–499, ..."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    low = (count // width) * width
    return f"{low}–{low + width - 1}"


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0
