"""Benchmark: the statutory clock, the request-type registry, the per-law metrics and the policy
health check.

  .venv/bin/python bench/clock.py [--count 100000] [--source DIR]

`--source DIR` runs the clock part against another checkout (e.g. an export of main), so the cost
of the registry-driven clock can be set beside the rules-file one it replaced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _best(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cold_load(source: Path) -> float:
    """Seconds to import the clock and read its rules in a fresh process (what startup pays)."""
    code = (
        "import time; t = time.perf_counter();"
        "from console.domain import deadlines; deadlines.default_rules();"
        "print(time.perf_counter() - t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=source, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def clock(count: int) -> dict[str, float]:
    deadlines = importlib.import_module("console.domain.deadlines")
    book = deadlines.default_rules()
    rng = random.Random(7)
    laws = list(book.laws)
    types = list(book.request_types)
    cases = []
    for _ in range(count):
        law, rtype = rng.choice(laws), rng.choice(types)
        received = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        cases.append((law, rtype, received))
    ledgers = [(law, rtype, deadlines.Ledger().start(day)) for law, rtype, day in cases]

    def plain() -> None:
        for law, rtype, ledger in ledgers:
            deadlines.compute(law, rtype, ledger, country="DE" if law == "gdpr" else None)

    waits = []
    for law, rtype, day in cases[: count // 10]:
        if law in ("gdpr", "uk-gdpr") and rtype == "access":
            ledger = (
                deadlines.Ledger()
                .start(day)
                .pause(day + dt.timedelta(days=2), "clarification")
                .resume(day + dt.timedelta(days=5))
                .extend(day + dt.timedelta(days=6), "complex", day + dt.timedelta(days=6))
            )
            waits.append((law, ledger))

    def with_entries() -> None:
        for law, ledger in waits:
            deadlines.compute(law, "access", ledger, country="DE" if law == "gdpr" else None)

    plain_s = _best(plain, 3)
    entries_s = _best(with_entries, 3) if waits else 0.0
    return {
        "compute_us": plain_s / count * 1e6,
        "compute_with_entries_us": entries_s / max(1, len(waits)) * 1e6,
    }


def metrics_and_check(count: int) -> dict[str, float]:
    from console.domain.metrics import RequestFacts, ccpa_7102, timeliness
    from console.domain.policy import load_default_pack
    from console.domain.policy_check import check_pack
    from console.domain.request_types import registry

    reg = registry()
    rng = random.Random(11)
    laws, types = list(reg.laws), list(reg.types)
    facts = []
    for n in range(count):
        received = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 330))
        closed = received + dt.timedelta(days=rng.randint(1, 60))
        outcome = rng.choice(["complied", "complied_in_part", "denied", "withdrawn", None])
        facts.append(
            RequestFacts(
                n,
                rng.choice(laws),
                rng.choice(types),
                received,
                outcome=outcome,
                closed_on=closed if outcome else None,
                due_on=received + dt.timedelta(days=30),
                denial_reason="identity_not_verified" if outcome == "denied" else None,
            )
        )
    today = dt.date(2026, 12, 4)
    pack = load_default_pack()
    return {
        "ccpa_7102_s": _best(lambda: ccpa_7102(facts, 2026)),
        "timeliness_all_laws_s": _best(
            lambda: [timeliness(facts, law, 2026, today) for law in laws]
        ),
        "health_check_ms": _best(lambda: check_pack(pack, today), 20) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--source", type=Path, default=ROOT)
    args = parser.parse_args()
    source = args.source.resolve()
    sys.path.insert(0, str(source))
    print(f"source: {source}")
    print(f"cold import + rules read: {cold_load(source) * 1000:.0f} ms (median of 5 processes)")
    for name, value in clock(args.count).items():
        print(f"{name}: {value:.1f}")
    if source == ROOT:
        for name, value in metrics_and_check(args.count).items():
            print(f"{name}: {value:.3f}")


if __name__ == "__main__":
    main()
