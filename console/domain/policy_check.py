"""The policy health check: what the statement behind a policy pack lacks, or only assumes, against
GDPR Art. 13/14, the CCPA (§1798.100, §1798.130, 11 CCR §7011 and §7025) and the US state laws.

The checklist is data (data/policy-check/checklist.json), each rule with its citation; the tests it
names are in `policy_checks`. The report is plain values, ready for the command line, the Policy
page and the PDF/XLSX exports.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.domain.policy import PolicyPack
from console.domain.policy_checks import CHECKS, NOT_APPLICABLE, OK, Result
from console.errors import ConsoleError
from console.paths import data_path

FORMAT = 1
SEVERITIES = ("high", "medium", "low")
SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
STATUS_LABELS = {
    "missing": "Not in the statement",
    "assumed": "Only assumed by the pack",
    "partial": "Partly in the statement",
    "wrong": "Contrary to the law",
}


class ChecklistError(ConsoleError):
    """The checklist file is malformed; the message names the file and the exact field."""


@dataclass(frozen=True)
class Rule:
    id: str
    law: str
    element: str
    citation: str
    severity: str
    check: str
    add: str
    review: str | None = None
    applies_from: dt.date | None = None


@dataclass(frozen=True)
class Checklist:
    laws: Mapping[str, str]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Finding:
    """One element the statement lacks or only assumes, with what it says and what to add."""

    rule_id: str
    law: str
    law_label: str
    element: str
    severity: str
    status: str
    citation: str
    says: str
    add: str
    # Why a lawyer should confirm the citation first (wording recalled, secondary source).
    review: str | None = None
    pack_fields: tuple[str, ...] = ()

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class HealthReport:
    pack_id: str
    pack_version: str
    effective_date: dt.date
    checked_on: dt.date
    findings: tuple[Finding, ...]
    passed: tuple[str, ...]
    not_applicable: tuple[str, ...]

    def counts(self) -> Mapping[str, int]:
        """Findings per severity, every severity present (for summaries)."""
        found = Counter(f.severity for f in self.findings)
        return {s: found[s] for s in SEVERITIES}

    def finding(self, rule_id: str) -> Finding | None:
        return next((f for f in self.findings if f.rule_id == rule_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (for `policy check --json`)."""
        return {
            "pack_id": self.pack_id,
            "pack_version": self.pack_version,
            "effective_date": self.effective_date.isoformat(),
            "checked_on": self.checked_on.isoformat(),
            "counts": dict(self.counts()),
            "findings": [
                {
                    "rule": f.rule_id,
                    "law": f.law,
                    "element": f.element,
                    "severity": f.severity,
                    "status": f.status,
                    "citation": f.citation,
                    "says": f.says,
                    "add": f.add,
                    "needs_legal_review": f.review is not None,
                    "pack_fields": list(f.pack_fields),
                }
                for f in self.findings
            ],
            "passed": list(self.passed),
            "not_applicable": list(self.not_applicable),
        }


# --- the checklist file ---------------------------------------------------------------------------

_RULE_KEYS = frozenset(
    {"id", "law", "element", "citation", "severity", "check", "add", "review", "applies_from"}
)


def _fail(source: str, where: str, problem: str) -> ChecklistError:
    return ChecklistError(f"{source}: field '{where}' {problem}")


def _text(source: str, obj: Mapping[str, Any], name: str, where: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value.strip():
        problem = "is missing" if value is None else "must be a non-empty string"
        if name == "citation" and value is None:
            problem = "is missing: every rule must cite its legal source"
        raise _fail(source, f"{where}.{name}", problem)
    return value


def parse_checklist(data: object, *, source: str = "checklist.json") -> Checklist:
    """Check and build the checklist; a rule without a citation, or naming a test this build does
    not have, is refused with the exact field."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _fail(source, "format", f"must be {FORMAT} (the only format this build reads)")
    laws = data.get("laws")
    if not isinstance(laws, dict) or not all(isinstance(v, str) for v in laws.values()):
        raise _fail(source, "laws", "must map each law to its label")
    items = data.get("rules")
    if not isinstance(items, list) or not items:
        raise _fail(source, "rules", "must list at least one rule")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"rules[{i}]"
        if not isinstance(item, dict):
            raise _fail(source, where, "must be an object")
        for key in item:
            if key not in _RULE_KEYS:
                raise _fail(
                    source, f"{where}.{key}", f"is not one of: {', '.join(sorted(_RULE_KEYS))}"
                )
        rule_id = _text(source, item, "id", where)
        if rule_id in seen:
            raise _fail(source, f"{where}.id", f"'{rule_id}' is used twice")
        seen.add(rule_id)
        law = _text(source, item, "law", where)
        if law not in laws:
            raise _fail(source, f"{where}.law", f"'{law}' is not one of: {', '.join(laws)}")
        severity = _text(source, item, "severity", where)
        if severity not in SEVERITIES:
            raise _fail(source, f"{where}.severity", f"must be one of: {', '.join(SEVERITIES)}")
        check = _text(source, item, "check", where)
        if check not in CHECKS:
            raise _fail(source, f"{where}.check", f"'{check}' is not a check this build knows")
        applies_from = None
        if item.get("applies_from") is not None:
            try:
                applies_from = dt.date.fromisoformat(str(item["applies_from"]))
            except ValueError:
                raise _fail(
                    source, f"{where}.applies_from", "must be a date written YYYY-MM-DD"
                ) from None
        review = item.get("review")
        rules.append(
            Rule(
                id=rule_id,
                law=law,
                element=_text(source, item, "element", where),
                citation=_text(source, item, "citation", where),
                severity=severity,
                check=check,
                add=_text(source, item, "add", where),
                review=_text(source, item, "review", where) if review is not None else None,
                applies_from=applies_from,
            )
        )
    return Checklist(laws=dict(laws), rules=tuple(rules))


def load_checklist(path: Path) -> Checklist:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ChecklistError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ChecklistError(f"{path.name}: is not valid JSON ({exc})") from exc
    return parse_checklist(data, source=path.name)


def checklist_path() -> Path:
    return data_path("policy-check", "checklist.json")


@functools.cache
def default_checklist() -> Checklist:
    """The bundled checklist, read once per process (also inside a frozen build)."""
    return load_checklist(checklist_path())


# --- the check ------------------------------------------------------------------------------------


def _finding(rule: Rule, label: str, result: Result) -> Finding:
    add = rule.add
    if result.detail:
        add += " " + result.detail + ("" if result.detail.endswith(".") else ".")
    return Finding(
        rule_id=rule.id,
        law=rule.law,
        law_label=label,
        element=rule.element,
        severity=result.severity or rule.severity,
        status=result.status,
        citation=rule.citation,
        says=result.says,
        add=add.strip(),
        review=rule.review,
        pack_fields=result.fields,
    )


def check_pack(pack: PolicyPack, on: dt.date, checklist: Checklist | None = None) -> HealthReport:
    """Every element the pack's statement lacks or only assumes on `on`, high severity first."""
    rules = checklist or default_checklist()
    findings: list[Finding] = []
    passed: list[str] = []
    not_applicable: list[str] = []
    for rule in rules.rules:
        if rule.applies_from is not None and on < rule.applies_from:
            not_applicable.append(rule.id)
            continue
        result = CHECKS[rule.check](pack, on)
        if result.status == OK:
            passed.append(rule.id)
        elif result.status == NOT_APPLICABLE:
            not_applicable.append(rule.id)
        else:
            findings.append(_finding(rule, rules.laws[rule.law], result))
    findings.sort(key=lambda f: SEVERITIES.index(f.severity))
    return HealthReport(
        pack_id=pack.pack_id,
        pack_version=pack.version,
        effective_date=pack.effective_date,
        checked_on=on,
        findings=tuple(findings),
        passed=tuple(passed),
        not_applicable=tuple(not_applicable),
    )
