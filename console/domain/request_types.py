"""The registry of request types per law, from data/requests/registry.json: which requests each law
gives, and for each its clock, acknowledgement, extension, pauses, verification, denial reasons and
letters, every rule with its citation. The clock, the workflow, the metrics, the command line and
the window all read this one source.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from console.domain.registry_file import load_registry, parse_registry
from console.domain.registry_model import (
    AttorneyGeneral,
    Citation,
    DenialReason,
    LawEntry,
    LetterRule,
    PairNotHeld,
    Registry,
    RegistryError,
    RegistryFileError,
    RequestTypeEntry,
    VerificationMode,
)
from console.paths import data_path

__all__ = [
    "AttorneyGeneral",
    "Citation",
    "DenialReason",
    "LawEntry",
    "LetterRule",
    "PairNotHeld",
    "Registry",
    "RegistryError",
    "RegistryFileError",
    "RequestTypeEntry",
    "VerificationMode",
    "attorney_general",
    "denial_reason",
    "entry",
    "load_registry",
    "parse_registry",
    "registry",
    "registry_path",
]


def registry_path() -> Path:
    return data_path("requests", "registry.json")


@functools.cache
def registry() -> Registry:
    """The bundled registry, read and checked once per process (also inside a frozen build)."""
    return load_registry(registry_path())


def entry(law: str, request_type: str, on: dt.date | None = None) -> RequestTypeEntry:
    """The rule for a new request received on `on`; PairNotHeld names the pairs the law holds."""
    return registry().entry(law, request_type, on)


def denial_reason(
    law: str, request_type: str, code: str, on: dt.date | None = None
) -> DenialReason:
    """The reason, when the law allows it for the type; else RegistryError naming those it allows."""
    rule = registry().entry(law, request_type, on)
    found = rule.denial_reasons.get(code)
    if found is not None:
        return found
    reg = registry()
    label = reg.type_label(request_type).lower()
    article = "an" if label[:1] in "aeiou" else "a"
    if not rule.denial_reasons:
        raise RegistryError(
            f"{article.capitalize()} {label} request under {reg.law_label(law)} cannot be denied:"
            f" the law gives no ground to refuse it ({rule.citation.text})"
        )
    allowed = ", ".join(f"{c} ({r.label})" for c, r in rule.denial_reasons.items())
    raise RegistryError(
        f"'{code}' is not a ground to deny {article} {label} request under"
        f" {reg.law_label(law)}; the grounds it allows: {allowed}"
    )


def attorney_general(law: str) -> AttorneyGeneral | None:
    """How to contact the Attorney General, for the appeal letters of the US state laws."""
    return registry().law(law).attorney_general
