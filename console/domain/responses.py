"""What the console says to a requester under each law: the access package's parts and the letter
templates, kept as data in data/responses/<law>.json so a lawyer can read and change them.

A template is text with $placeholders (string.Template). The placeholders a template may use are
fixed here; a misspelt one is an error when the file is read, never a "$nmae" in a letter.
"""

from __future__ import annotations

import functools
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.errors import ConsoleError
from console.paths import data_path

FORMAT_VERSION = 1
LETTER_KINDS = ("ack", "extension", "denial", "completion")
LETTER_LABELS = {
    "ack": "Acknowledgement",
    "extension": "Extension notice",
    "denial": "Refusal",
    "completion": "Completion",
}
# The parts an access package can have; the console builds each from the request's confirmed
# records and the policy pack in force, the law's file says which appear, in what order, and why.
PART_KINDS = (
    "confirmation",  # that we process data about the person, and how much we found
    "copy",  # the data itself, by source and category, with labels
    "categories",  # the categories of personal data concerned
    "ccpa_categories",  # the same, by the CCPA's statutory categories, collected in 12 months
    "purposes",
    "recipients",  # recipients or categories of recipient, and actual disclosures
    "ccpa_disclosures",  # sold / shared / disclosed for a business purpose, in 12 months
    "transfers",  # third countries and safeguards
    "retention",
    "sources",  # this person's actual sources
    "automated",  # automated decision-making, stated even when there is none
    "rights",
    "complaint",  # the authority to complain to, with contact details
    "appeal",  # the US states' appeal process
    "providing_data",  # LGPD Art. 18 VIII
    "redactions",  # what was left out to protect others, and why
)
# Every placeholder any template may use (filled by console.services.requests.letters and
# console.services.requests.access).
FIELDS = frozenset(
    {
        "organisation",
        "office",
        "contact",
        "name",
        "reference",
        "received",
        "due",
        "original_due",
        "ack_by",
        "request_type",
        "law",
        "today",
        "extension_reason",
        "denial_reason",
        "denial_text",
        "authority",
        "outcome",
        "sources",
        "records",
        "categories",
        "appeal_contact",
    }
)


class ResponsesError(ConsoleError):
    """A law's response file cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    when: Mapping[str, str]  # facts that must hold for the paragraph to appear ({} : always)

    def applies(self, facts: Mapping[str, str]) -> bool:
        return all(facts.get(key) == value for key, value in self.when.items())


@dataclass(frozen=True)
class Part:
    kind: str
    heading: str
    cite: str
    paragraphs: tuple[Paragraph, ...] = ()


@dataclass(frozen=True)
class Letter:
    kind: str
    title: str
    cite: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class LawResponses:
    law: str
    name: str  # "GDPR", "CCPA/CPRA": how the law is named in titles
    access_title: str
    access_intro: tuple[Paragraph, ...]
    parts: tuple[Part, ...]
    letters: Mapping[str, Letter]

    def part(self, kind: str) -> Part | None:
        return next((p for p in self.parts if p.kind == kind), None)


def fill(template: str, values: Mapping[str, str]) -> str:
    """A template with its placeholders filled (every placeholder is known: checked on load)."""
    return string.Template(template).substitute(values)


def render(
    paragraphs: tuple[Paragraph, ...], values: Mapping[str, str], facts: Mapping[str, str]
) -> list[str]:
    return [fill(p.text, values) for p in paragraphs if p.applies(facts)]


class _Reader:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> ResponsesError:
        return ResponsesError(f"{self.origin}: {where}: {problem}")

    def obj(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected an object")
        return value

    def text(self, obj: Mapping[str, Any], key: str, where: str) -> str:
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "required text is missing")
        return self.template(value, f"{where}.{key}")

    def template(self, value: str, where: str) -> str:
        for m in string.Template.pattern.finditer(value):
            if m.group("invalid") is not None:
                raise self.fail(where, "a $ that starts no placeholder (write $$ for a dollar)")
            name = m.group("named") or m.group("braced")
            if name is not None and name not in FIELDS:
                raise self.fail(where, f'unknown placeholder "${name}"')
        return value

    def paragraphs(self, value: object, where: str) -> tuple[Paragraph, ...]:
        if not isinstance(value, list):
            raise self.fail(where, "expected a list of paragraphs")
        out = []
        for i, item in enumerate(value):
            at = f"{where}[{i}]"
            if isinstance(item, str):
                out.append(Paragraph(self.template(item, at), {}))
                continue
            obj = self.obj(item, at)
            when = obj.get("when", {})
            if not isinstance(when, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in when.items()
            ):
                raise self.fail(f"{at}.when", "expected an object of text facts")
            out.append(Paragraph(self.text(obj, "text", at), dict(when)))
        return tuple(out)


def parse_responses(data: object, *, origin: str) -> LawResponses:
    r = _Reader(origin)
    top = r.obj(data, "(top)")
    if top.get("format_version") != FORMAT_VERSION:
        raise r.fail("format_version", f"expected {FORMAT_VERSION}")
    law = r.text(top, "law", "(top)")
    access = r.obj(top.get("access"), "access")
    parts = []
    seen: set[str] = set()
    for i, item in enumerate(access.get("parts") or []):
        at = f"access.parts[{i}]"
        obj = r.obj(item, at)
        kind = r.text(obj, "kind", at)
        if kind not in PART_KINDS:
            raise r.fail(f"{at}.kind", f'unknown part "{kind}" (parts: {", ".join(PART_KINDS)})')
        if kind in seen:
            raise r.fail(f"{at}.kind", f'part "{kind}" appears twice')
        seen.add(kind)
        parts.append(
            Part(
                kind,
                r.text(obj, "heading", at),
                r.text(obj, "cite", at),
                r.paragraphs(obj.get("text", []), f"{at}.text"),
            )
        )
    for needed in ("confirmation", "copy"):
        if needed not in seen:
            raise r.fail("access.parts", f'the "{needed}" part is required')
    letters = {}
    for kind, item in r.obj(top.get("letters"), "letters").items():
        at = f"letters.{kind}"
        if kind not in LETTER_KINDS:
            raise r.fail(at, f'unknown letter "{kind}" (letters: {", ".join(LETTER_KINDS)})')
        obj = r.obj(item, at)
        letters[kind] = Letter(
            kind,
            r.text(obj, "title", at),
            r.text(obj, "cite", at),
            r.paragraphs(obj.get("paragraphs"), f"{at}.paragraphs"),
        )
    return LawResponses(
        law=law,
        name=r.text(top, "name", "(top)"),
        access_title=r.text(access, "title", "access"),
        access_intro=r.paragraphs(access.get("intro", []), "access.intro"),
        parts=tuple(parts),
        letters=letters,
    )


def load_responses(path: Path) -> LawResponses:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResponsesError(f"{path.name}: cannot read the file: {exc.strerror}") from None
    except ValueError as exc:
        raise ResponsesError(f"{path.name}: not valid JSON: {exc}") from None
    return parse_responses(data, origin=path.name)


@functools.cache
def for_law(law: str) -> LawResponses:
    """The bundled responses for a law (`dsr new --law`)."""
    path = data_path("responses", f"{law}.json")
    if not path.exists():
        raise ResponsesError(f"No responses are defined for the law '{law}' ({path.name}).")
    found = load_responses(path)
    if found.law != law:
        raise ResponsesError(f"{path.name}: law: says '{found.law}', expected '{law}'")
    return found
