"""Regenerate docs/reliability.md by running the reliability suite and collecting what it measured.

    python tools/reliability_report.py [--out docs/reliability.md] [-- extra pytest args]

Runs ``pytest tests/reliability`` with a JUnit XML report (outcomes, durations, xfail reasons) and
RELIABILITY_RESULTS pointing at a JSON-lines file that the tests append their measurements to
(see tests/reliability/conftest.py), then writes one table: scenario, how it is tested, result.
Exits with pytest's status, so a red suite never publishes a green page.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUITE = "tests/reliability"

# Test module → (scenario, what the tests prove). The order is the order of the table.
SCENARIOS: dict[str, tuple[str, str]] = {
    "test_crashes": (
        "Crashes (SIGKILL)",
        "a child importing a CSV, or exporting the audit trail as XLSX/PDF, is SIGKILLed at "
        "seeded random points; after each: PRAGMA integrity_check, no rows of the killed "
        "import, its batch shown as interrupted, the re-run completes; no partial report under "
        "its final name",
    ),
    "test_full_disk": (
        "Full disk",
        "a real tmpfs of a few hundred KB, filled up, under the very path that writes: export "
        "and backup onto it, import and audit verify into a database on it (today's automatic "
        "backup off, so the command's own path is measured): one line on stderr, exit 1, no "
        "traceback, no file left (not even a temporary one), tables unchanged",
    ),
    "test_damaged_db": (
        "Damaged database",
        "bytes flipped (seeded) in a copy of a real database, then opened and used",
    ),
    "test_hostile_files": (
        "Hostile files",
        "each file imported by the import service in a child: refused with a message naming "
        "the file, or bad rows rejected by row and column; CPU < 10 s, peak RSS < 1 GB",
    ),
    "test_properties": (
        "Property-based (hypothesis)",
        "identifier normalisation idempotent and format-insensitive; XLSX report → importer "
        "round trip of any Unicode text; any single changed byte of any audit event found by "
        "verify; pauses and extensions never move a due date earlier",
    ),
    "test_search_input": (
        "Search input",
        "every FTS5/PostgreSQL syntax character and operator, and random mixes of them, typed "
        "into records search on SQLite and PostgreSQL: results or none, never an error, never "
        "a record the words do not match",
    ),
    "test_permissions_matrix": (
        "Permissions",
        "every service function with an actor (found by introspection) called as every role "
        "and checked against MATRIX; each auditor call leaves the database unchanged but for "
        "audit events; personal-data exports refused without the right, audited with it",
    ),
    "test_secrets": (
        "Secrets and personal data",
        "a planted email, phone, name and password through failed sign-ins, bad imports and "
        "bad command lines: never in stderr or the log; a database crash logs no SQL parameters",
    ),
    "test_attacks_accounts": (
        "Attacks on accounts and the audit trail",
        "from a team desk's own PostgreSQL login (psql, bypassing the console): UPDATE users, "
        "TRUNCATE the trail, disable its triggers and delete events, skip triggers, SET ROLE "
        "to the owner; a report.export event with a made-up hash vouching for a forged file; "
        "a window left open after its user was demoted or disabled at another desk",
    ),
    "test_attacks": (
        "Attacks on files (issue 15)",
        "each attack of the issue tried again through the command line in a child: writing "
        "onto the database or an existing file, an export under a held write lock, file modes, "
        "an empty database file, /dev/zero as a document, a read-only disk (table below)",
    ),
    "test_plain_text": (
        "HTML in labels",
        "<img src=x width=4000> as requester, user, source, file, column, agency, officer, "
        "case and document names; every page, the detail views and the import dialog shown: "
        "every label with data is plain text (or escapes it), no widget grows, no tooltip "
        "renders it",
    ),
}
# A module the table does not know yet gets a row titled by its docstring's first line, so a
# new scenario shows up before anyone edits this file.

# The attacks table's order (the issue's); an attack not named here follows, in run order.
ATTACKS = [
    "database overwritten by an export",
    "notes.txt overwritten by an export",
    "file without its audit event (write lock held)",
    "files readable by every local user (0644)",
    "0-byte database recreated",
    "1 GB single-line file",
    "/dev/zero as a legal document",
    "full disk",
    "read-only database",
    "HTML in labels",
]


@dataclass
class Outcome:
    module: str
    name: str
    status: str  # passed, failed, error, skipped, xfailed, xpassed
    seconds: float
    reason: str = ""


@dataclass
class Scenario:
    key: str
    outcomes: list[Outcome] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)


def run_suite(junit: Path, results: Path, extra: list[str]) -> int:
    env = {**os.environ, "RELIABILITY_RESULTS": str(results)}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        SUITE,
        "-p",
        "no:cacheprovider",
        "-q",
        f"--junitxml={junit}",
        *extra,
    ]
    return subprocess.call(cmd, cwd=ROOT, env=env)  # noqa: S603 - our interpreter and suite


def read_junit(path: Path) -> list[Outcome]:
    out = []
    for case in ET.parse(path).iter("testcase"):  # noqa: S314 - our own pytest's output
        module = case.get("classname", "").rsplit(".", 1)[-1]
        status, reason = "passed", ""
        for child in case:
            if child.tag == "skipped":
                kind = child.get("type", "")
                status = "xfailed" if kind == "pytest.xfail" else "skipped"
                reason = child.get("message", "")
            elif child.tag in ("failure", "error"):
                status = "failed" if child.tag == "failure" else "error"
                reason = (
                    (child.get("message") or "").splitlines()[0][:200]
                    if child.get("message")
                    else ""
                )
        out.append(
            Outcome(module, case.get("name", ""), status, float(case.get("time", 0)), reason)
        )
    return out


def read_figures(path: Path) -> dict[str, list[dict[str, Any]]]:
    by_module: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not path.exists():
        return by_module
    for line in path.read_text("utf-8").splitlines():
        entry = json.loads(line)
        module = entry["test"].split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        by_module[module].append(entry)
    return by_module


def _merge(figures: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One dict per test id (a test may measure in several calls)."""
    merged: dict[str, dict[str, Any]] = {}
    for f in figures:
        merged.setdefault(f["test"], {}).update(f)
    return merged


def _counts(outcomes: list[Outcome]) -> str:
    tally: dict[str, int] = defaultdict(int)
    for o in outcomes:
        tally[o.status] += 1
    return ", ".join(f"{n} {s}" for s, n in sorted(tally.items()))


def _test_ids(s: Scenario) -> str:
    names = sorted({o.name.split("[")[0] for o in s.outcomes})
    return "<br>".join(f"`{s.key}::{n}`" for n in names)


def summarise(s: Scenario) -> str:
    m = _merge(s.figures)
    parts: list[str] = []
    if s.key == "test_crashes":
        for f in m.values():
            if "rows" in f:
                parts.append(
                    f"import of {f['rows']:,} rows killed {f['kills']}× (full run "
                    f"{f['full_import_s']} s): {f['rows_left_by_killed_imports']} rows left, "
                    f"{f['interrupted_batches_shown']} batches shown interrupted, re-run completed"
                )
            elif "audit_events" in f:
                parts.append(
                    f"{f['scenario'].split()[-2]} export of {f['audit_events']:,} events killed "
                    f"{f['kills']}× (full run {f['full_export_s']} s): {f['absent']} left no "
                    f"file, {f['complete']} had already finished (whole, verified), 0 partial; "
                    f"{f['temp_files_left']} hidden .part temp files left behind"
                )
    elif s.key == "test_hostile_files":
        cases = [f for f in m.values() if "case" in f]
        if cases:
            cpu = max(f["cpu_seconds"] for f in cases)
            rss = max(f["peak_rss_mb"] for f in cases)
            parts.append(
                f"{len(cases)} files; worst CPU {cpu} s, worst peak RSS {rss} MB "
                "(per-file table below)"
            )
    elif s.key == "test_damaged_db":
        for f in m.values():
            outcomes = ", ".join(f"{k}: {v}" for k, v in f.get("outcomes", {}).items())
            parts.append(f"{f['scenario']}: {f['flips']} flips → {outcomes}")
    elif s.key == "test_full_disk":
        for f in m.values():
            what = f["scenario"].split(": ", 1)[1]
            detail = (f.get("message") or "").removeprefix("privacy-console: ")
            parts.append(
                f"{what}{' ' + f['format'] if 'format' in f else ''} ({f.get('where', '')} "
                f"full): “{detail}”"
            )
    elif s.key == "test_permissions_matrix":
        auditor = [f for f in m.values() if f.get("scenario") == "auditor is read-only"]
        if auditor:
            changed = [f["function"] for f in auditor if f["changed"]]
            parts.append(
                f"{len(auditor)} service functions called as auditor; changed the "
                f"database: {', '.join(changed) or 'none'}"
            )
    elif s.key == "test_secrets":
        for f in m.values():
            parts.append(f"{f['runs']} hostile runs; leaks: {len(f['leaks'])}")
    elif s.key == "test_attacks_accounts":
        parts += _attack_lines(m.values())
    elif s.key in ("test_attacks", "test_plain_text"):
        attacks = list(dict.fromkeys(f["attack"] for f in m.values() if "attack" in f))
        if attacks:
            parts.append(f"{len(attacks)} attacks: {', '.join(attacks)} (table below)")
    gaps = [o for o in s.outcomes if o.status in ("xfailed", "failed", "error")]
    parts.append(f"tests: {_counts(s.outcomes)} in {sum(o.seconds for o in s.outcomes):.0f} s")
    if gaps:
        parts.append(f"open findings: {sum(1 for o in gaps if o.status == 'xfailed')} (see below)")
    return "<br>".join(_cell(p) for p in parts)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: data may hold | and markup (the HTML-in-labels test)."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def attacks_table(scenarios: list[Scenario]) -> list[str]:
    """One row per attack (figures with an "attack" key, from any module), in run order."""
    by_attack: dict[str, list[dict[str, Any]]] = {}
    for s in scenarios:
        for f in s.figures:
            if "attack" in f:
                by_attack.setdefault(f["attack"], []).append({**f, "module": s.key})
    if not by_attack:
        return []
    rank = {name: i for i, name in enumerate(ATTACKS)}
    by_attack = dict(sorted(by_attack.items(), key=lambda kv: rank.get(kv[0], len(rank))))
    status = {(s.key, o.name): o.status for s in scenarios for o in s.outcomes}
    lines = [
        "### Attacks, one by one",
        "",
        "Each attack the issue found, tried again; what the user gets now, as measured.",
        "",
        "| Attack | Tests | Result | What happens now |",
        "| --- | --- | --- | --- |",
    ]
    for attack, figures in by_attack.items():
        tests = sorted(
            {f"`{f['module']}::{f['test'].split('::')[-1].split('[')[0]}`" for f in figures}
        )
        outcomes = sorted(
            {status.get((f["module"], f["test"].split("::")[-1]), "?") for f in figures}
        )
        results = "<br>".join(_cell(str(f.get("result", ""))) for f in figures)
        lines.append(
            f"| {_cell(attack)} | {'<br>'.join(tests)} | {', '.join(outcomes)} | {results} |"
        )
    return [*lines, ""]


def _attack_lines(figures: Any) -> list[str]:
    lines = []
    for f in figures:
        if f.get("scenario") == "team desk":
            lines.append(
                f"{f['attack']}: refused (“{f['refused'][:90]}”); trail intact: {f['trail_intact']}"
            )
        elif f.get("scenario") == "forged report.export":
            verdict = "accepted" if f["accepted"] else "refused"
            lines.append(
                f"forged report.export ({f['database']}): {verdict} (“{f['message'][:110]}”)"
            )
        elif f.get("scenario") == "open window":
            lines.append(
                f"window of a user {f['change']} elsewhere ({f['database']}): "
                f"“{f['message'][:80]}”, recorded as {f['recorded']}"
            )
    return lines


def hostile_table(s: Scenario) -> list[str]:
    rows = [f for f in _merge(s.figures).values() if "case" in f]
    if not rows:
        return []
    status = {o.name: o.status for o in s.outcomes}
    lines = [
        "### Hostile files, one by one",
        "",
        "| File | Size | CPU s | Wall s | Peak RSS MB | Result | What the user is told |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for f in sorted(rows, key=lambda r: r["case"]):
        name = f["test"].split("::")[-1]
        msg = f.get("message", "")
        rejected = f.get("rejected") or []
        if rejected:
            msg += " — " + "; ".join(
                f"row {r}{f', column {c!r}' if c else ''}: {why}" for r, c, why in rejected[:2]
            )
        lines.append(
            f"| {f['case']} | {f['file_bytes']:,} | {f['cpu_seconds']} | {f['seconds']} | "
            f"{f['peak_rss_mb']} | {status.get(name, '?')} | {msg.replace('|', '/')[:220]} |"
        )
    return [*lines, ""]


def _docstring_title(module: str) -> str:
    path = ROOT / SUITE / f"{module}.py"
    try:
        doc = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or module
    except (OSError, SyntaxError):
        return module
    return doc.strip().splitlines()[0].rstrip(".")


def render(scenarios: list[Scenario], total_s: float, exit_code: int) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Reliability: proof under faults and hostile input",
        "",
        "Generated by `python tools/reliability_report.py` — do not edit by hand. Each row is a",
        "scenario of `tests/reliability/`, the tests that prove it, and what they measured on the",
        "run below. Known gaps are strict xfails: they fail the suite the day they are fixed, so",
        "this page cannot go stale silently.",
        "",
        f"Run: {now}; Python {platform.python_version()} on {platform.system()} "
        f"({os.cpu_count()} cores); whole suite {total_s:.0f} s; pytest exit {exit_code}.",
        "",
        "| Scenario | How it is tested (test ids) | Measured result |",
        "| --- | --- | --- |",
    ]
    for s in scenarios:
        title, how = SCENARIOS.get(s.key) or (_docstring_title(s.key), "")
        described = f"**{_cell(title)}** — {_cell(how)}" if how else f"**{_cell(title)}**"
        lines.append(f"| {described} | {_test_ids(s)} | {summarise(s)} |")
    lines.append("")
    for s in scenarios:
        if s.key == "test_hostile_files":
            lines += hostile_table(s)
    lines += attacks_table(scenarios)
    findings = [(s, o) for s in scenarios for o in s.outcomes if o.status != "passed"]
    lines += ["## Open findings", ""]
    if not findings:
        lines.append("None: every scenario passes.")
    for s, o in findings:
        lines.append(f"- `{s.key}::{o.name}` ({o.status}): {o.reason}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        junit, results = Path(tmp) / "junit.xml", Path(tmp) / "results.jsonl"
        start = time.monotonic()
        code = run_suite(junit, results, args.pytest_args)
        total = time.monotonic() - start
        if not junit.exists():
            print("pytest wrote no report; nothing regenerated", file=sys.stderr)
            return code or 1
        outcomes = read_junit(junit)
        figures = read_figures(results)
    scenarios = []
    unknown = sorted({o.module for o in outcomes} - set(SCENARIOS))
    for key in [*SCENARIOS, *unknown]:
        s = Scenario(key, [o for o in outcomes if o.module == key], figures.get(key, []))
        if s.outcomes:
            scenarios.append(s)
    args.out.write_text(render(scenarios, total, code), "utf-8")
    print(f"wrote {args.out} ({len(outcomes)} tests, {total:.0f} s)")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
