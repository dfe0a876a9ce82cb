"""Report engine benchmark: exports beside bare reportlab/openpyxl baselines, and peak memory;
and an access package (PDF + ZIP) for a person with 1,000 records across 8 sources.

Run from the repository root:  .venv/bin/python bench/reports.py [--quick] [--access-package]
Writes its files under bench/out/ (ignored by git). Sized for a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.reports import Column, Document, ReportMeta, Section, Table, export  # noqa: E402
from console.reports.document import utc_naive  # noqa: E402

OUT = ROOT / "bench" / "out"
NAMES = [
    "Anna Müller",
    "Łukasz Nowak",
    "Γιώργος Παπαδόπουλος",
    "Иван Петров",
    "王小明",
    "佐藤花子",
    "김민준",
    "محمد علي",
    "דוד כהן",
    "John Smith",
]
STATUSES = ["received", "verifying", "in progress", "fulfilled", "denied", "extended"]


def rows(count: int, width: int) -> Iterator[Sequence[object]]:
    rnd = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(count):
        row: list[object] = [
            i + 1,
            f"user{i}@example.com",
            rnd.choice(NAMES),
            start + timedelta(minutes=17 * i),
            date(2024, 1, 1) + timedelta(days=i % 365),
            rnd.choice(STATUSES),
        ]
        if width > 6:
            row += [round(rnd.random() * 1000, 2), "Request logged by web form; identity pending"]
        yield row


def columns(width: int) -> list[Column]:
    cols = [
        Column("ID", "int"),
        Column("Email"),
        Column("Name"),
        Column("Received", "datetime"),
        Column("Due", "date"),
        Column("Status"),
    ]
    if width > 6:
        cols += [Column("Amount", "float"), Column("Notes")]
    return cols


def document(count: int, width: int) -> Document:
    meta = ReportMeta(
        organisation="ClientPay Ltd",
        report_name="dsr-register",
        title="DSR register",
        parameters={"From": "2024-01-01"},
        generated_by="bench",
        app_version="bench",
        generated_at=datetime(2024, 5, 1, tzinfo=UTC),
        classification="Confidential",
        chain_head=(1, "0" * 64),
    )
    return Document(
        meta, [Section("Register", [Table("Register", columns(width), rows(count, width))])]
    )


def bare_pdf(count: int, path: Path) -> None:
    """The least a correct report needs: embedded font, 50-row tables with a repeated header."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import SimpleDocTemplate
    from reportlab.platypus import Table as RLTable

    from console.paths import resource_path

    pdfmetrics.registerFont(TTFont("BenchSans", str(resource_path("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont("BenchCJK", str(resource_path("fonts", "wqy-microhei.ttc"))))
    doc = SimpleDocTemplate(str(path), pagesize=A4)
    header = [c.name for c in columns(6)]
    style = [
        ("FONT", (0, 0), (-1, -1), "BenchSans", 7.5),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ]
    story = []
    chunk: list[list[str]] = []

    def flush() -> None:
        story.append(
            RLTable(
                [header, *chunk], repeatRows=1, style=style, colWidths=[40, 110, 90, 90, 60, 60]
            )
        )
        chunk.clear()

    for row in rows(count, 6):
        chunk.append([str(v) for v in row])
        if len(chunk) == 50:
            flush()
    if chunk:
        flush()
    doc.build(story)


def bare_xlsx(count: int, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Register")
    ws.append([c.name for c in columns(8)])
    for row in rows(count, 8):
        ws.append([utc_naive(v) if isinstance(v, datetime) else v for v in row])
    wb.save(path)


def timed(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_rss_child(fmt: str, count: int, width: int) -> float:
    """Peak resident memory (MiB) of a fresh interpreter doing one export."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", fmt, str(count), str(width)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(out.stdout)["peak_mib"])


def child(fmt: str, count: int, width: int) -> None:
    export(document(count, width), OUT / f"mem-{count}.{fmt}", fmt)  # type: ignore[arg-type]
    # VmHWM, not ru_maxrss: Linux carries the parent's peak into ru_maxrss across fork and exec.
    status = Path("/proc/self/status").read_text()
    hwm_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"peak_mib": hwm_kib / 1024}))


ACCESS_SOURCES = 8
ACCESS_RECORDS = 1_000


def access_package_world(folder: Path) -> tuple[object, object, int]:
    """A SQLite database holding one person's 1,000 records in 8 sources, and her access request
    (GDPR) with every record found and confirmed: what `dsr fulfil` turns into PDF + ZIP."""
    import csv

    from console.domain.permissions import Role
    from console.importers.mapping import Mapping
    from console.services import accounts, policy
    from console.services.context import Actor
    from console.services.records import imports, sources
    from console.services.requests import fulfil as work
    from console.services.requests import lifecycle as dsr
    from console.store.db import open_database

    folder.mkdir(parents=True, exist_ok=True)
    db = open_database(f"sqlite:///{folder / 'bench.db'}")
    admin = accounts.bootstrap_admin(db, "admin", "correct horse battery staple")
    policy.ensure_default_pack(db, admin)
    info, _ = accounts.add_user(db, admin, "olivia", Role.PRIVACY_OFFICER)
    officer = Actor(info.id, info.name, info.role)
    mapping = Mapping.from_json(
        {
            "columns": {
                "Email": {"identifier": "email", "category": "contact.email"},
                "Name": {"identifier": "name", "category": "contact.name"},
                "Page": {"category": "technical.pages_visited"},
                "Amount": {"category": "transaction.amount"},
                "Note": {"category": "transaction.support"},
                "Seen": {"role": "collected_at"},
            }
        },
        source_name="bench",
    )
    per_source = ACCESS_RECORDS // ACCESS_SOURCES
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for s in range(ACCESS_SOURCES):
        name = f"System {s + 1}"
        sources.add_source(db, officer, name, "crm")
        path = folder / f"source-{s}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["Email", "Name", "Page", "Amount", "Note", "Seen"])
            for i in range(per_source):
                w.writerow(
                    [
                        "anna.mueller@example.de",
                        NAMES[i % len(NAMES)],
                        f"/page/{s}/{i}",
                        f"{(i * 7) % 500}.{i % 100:02d}",
                        f"Ticket {s}-{i}: Rückruf erbeten",
                        (start + timedelta(hours=s * 1000 + i)).isoformat(),
                    ]
                )
        imports.run_import(db, officer, path, name, mapping)
    view = dsr.create_request(
        db,
        officer,
        dsr.Intake(
            request_type="access",
            law="gdpr",
            country="DE",
            received_on=date.today(),
            emails=("anna.mueller@example.de",),
            name="Anna Müller",
        ),
    )
    dsr.verify_identity(db, officer, view.id, "ID document", "EV-1")
    found = work.find_records(db, officer, view.id)
    assert found.found == ACCESS_RECORDS and found.possible == 0, found
    return db, officer, view.id


def access_package(repeat: int) -> None:
    import shutil

    from console.services.requests.access_doc import deliver_package

    folder = OUT / "access-package"
    shutil.rmtree(folder, ignore_errors=True)
    db, officer, request_id = access_package_world(folder)
    times = []
    for run in range(repeat):
        out = folder / f"run-{run}"
        out.mkdir()
        begin = time.perf_counter()
        files = deliver_package(db, officer, request_id, out)  # type: ignore[arg-type]
        times.append(time.perf_counter() - begin)
    sizes = ", ".join(f"{f.path.suffix[1:].upper()} {f.size / 1024:.0f} KiB" for f in files)
    print(
        f"access package, {ACCESS_RECORDS:,} records in {ACCESS_SOURCES} sources (PDF + ZIP): "
        f"best {min(times):.2f} s, worst {max(times):.2f} s of {repeat} ({sizes})"
    )
    db.dispose()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows, one run each")
    parser.add_argument(
        "--access-package",
        action="store_true",
        help="only the access package figure (target < 5 s)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    if args.access_package:
        access_package(3 if args.quick else 5)
        return
    scale = 10 if args.quick else 1
    repeat = 1 if args.quick else 2
    pdf_rows, xlsx_rows = 10_000 // scale, 100_000 // scale

    engine_pdf = timed(lambda: export(document(pdf_rows, 6), OUT / "engine.pdf", "pdf"), repeat)
    base_pdf = timed(lambda: bare_pdf(pdf_rows, OUT / "bare.pdf"), repeat)
    engine_xlsx = timed(lambda: export(document(xlsx_rows, 8), OUT / "engine.xlsx", "xlsx"), repeat)
    base_xlsx = timed(lambda: bare_xlsx(xlsx_rows, OUT / "bare.xlsx"), repeat)

    print(f"{'case':44} {'engine s':>9} {'bare s':>8} {'ratio':>6}")
    print(
        f"{f'PDF  {pdf_rows:,} rows x 6 columns':44} {engine_pdf:9.2f} {base_pdf:8.2f} "
        f"{engine_pdf / base_pdf:6.2f}"
    )
    print(
        f"{f'XLSX {xlsx_rows:,} rows x 8 columns':44} {engine_xlsx:9.2f} {base_xlsx:8.2f} "
        f"{engine_xlsx / base_xlsx:6.2f}"
    )
    print()
    print("peak RSS of one XLSX export in a fresh process (8 columns):")
    for count in (xlsx_rows // 5, xlsx_rows):
        print(f"  {count:>9,} rows: {peak_rss_child('xlsx', count, 8):6.1f} MiB")
    print("peak RSS of one PDF export in a fresh process (6 columns):")
    for count in (pdf_rows // 5, pdf_rows):
        print(f"  {count:>9,} rows: {peak_rss_child('pdf', count, 6):6.1f} MiB")
    print()
    access_package(1 if args.quick else 3)


if __name__ == "__main__":
    main()
