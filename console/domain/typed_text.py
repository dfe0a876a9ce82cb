"""What the audit trail keeps of text a user typed (a search, an identifier, a corrected value):
the canonical message its keyed hash is taken of, so the same thing typed differently (case,
spacing, Unicode forms) gives the same hash, and an auditor's check finds it.
"""

from __future__ import annotations

import unicodedata


def query_message(text: str) -> str:
    """A search as typed: NFKC, case-folded, runs of white space as one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "query:" + " ".join(folded.split())


def identifier_message(kind: str, normalised: str) -> str:
    """An identifier after normalisation (console.domain.identifiers), with its kind."""
    return f"identifier:{kind}:{normalised}"


def value_message(value: str) -> str:
    """A stored value exactly as it is (a correction's before and after)."""
    return f"value:{value}"
