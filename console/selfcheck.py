"""`--self-check`: prove an installation works on a throwaway database, then exit 0 (or 1 saying why)."""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from console.wording import plural

log = logging.getLogger("cli")


def run_self_check() -> int:
    from console.services import accounts, audit, policy
    from console.store.db import open_database

    steps: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="console-selfcheck-") as tmp:
            folder = Path(tmp)
            db = open_database(f"sqlite:///{folder / 'check.db'}")
            steps.append("database created and migrated")
            admin = accounts.bootstrap_admin(db, "selfcheck", "self-check-password-1")
            policy.ensure_default_pack(db, admin)
            steps.append("policy pack loaded")
            result = audit.verify(db, admin)
            if not result.ok or result.events_checked < 2:
                raise RuntimeError(f"audit chain check failed: {result.summary()}")
            steps.append(f"audit chain verified ({plural(result.events_checked, 'event')})")
            for fmt in _render_checks(db, admin, folder):
                steps.append(fmt)
            steps.append(_columnar_check(db, admin, folder))
            db.dispose()
            steps.append(_widget_check())
    except Exception as exc:  # the point is to report any failure, whatever it is
        log.exception("self-check failed")
        sys.stderr.write(f"self-check FAILED after: {'; '.join(steps) or 'nothing'}: {exc}\n")
        return 1
    sys.stdout.write("self-check passed: " + "; ".join(steps) + "\n")
    return 0


def _render_checks(db: object, admin: object, folder: Path) -> list[str]:
    """Render a one-page PDF and an XLSX (fonts, reportlab, openpyxl all bundled) and verify them."""
    from datetime import UTC, datetime

    from console import __version__, config
    from console.reports import Column, Document, ReportMeta, Section, Table, export, verify_file

    cfg = config.load()
    meta = ReportMeta(
        organisation=str(cfg["organisation"]),
        report_name="self-check",
        title="Installation self-check",
        parameters={},
        generated_by="selfcheck",
        generated_at=datetime.now(UTC),
        app_version=__version__,
        classification=str(cfg["classification"]),
    )
    rows = [
        ("Latin", "Zoë Łukasiewicz"),
        ("CJK", "王小明"),
        ("Arabic", "عربي"),
        ("Greek", "Ελλάδα"),
    ]
    doc = Document(
        meta, (Section("Scripts", (Table("Names", (Column("Script"), Column("Sample")), rows),)),)
    )
    done = []
    for fmt in ("pdf", "xlsx"):
        result = export(doc, folder / f"check.{fmt}", fmt)
        check = verify_file(result.path)
        if not check.ok:
            raise RuntimeError(f"{fmt} report does not verify: {check.reason}")
        if fmt == "pdf" and result.pages != 1:
            raise RuntimeError(f"the PDF should have one page, it has {result.pages}")
        done.append(f"{fmt.upper()} report rendered and verified")
    return done


def _columnar_check(db: Any, admin: Any, folder: Path) -> str:
    """The columnar parser (Polars, a native library) loads and parses a small CSV correctly, and
    the import writes it: the records are found by an identifier."""
    from console.importers.columnar import parse_columnar
    from console.importers.mapping import ColumnSpec, Mapping
    from console.services.records import imports, sources
    from console.services.records import search as records

    path = folder / "check.csv"
    path.write_text(
        "Email,Name,Phone\n Zoë@Example.COM ,Zoë Łukasiewicz,(212) 555-0123\nn/a,王小明,\n",
        encoding="utf-8",
    )
    mapping = Mapping(
        {
            "Email": ColumnSpec("email", "contact.email"),
            "Name": ColumnSpec("name", "contact.name"),
            "Phone": ColumnSpec("phone", "contact.phone"),
        }
    )
    with parse_columnar(path, mapping) as table:
        batches = list(table)
    found = sorted(v for b in batches for v in b.identifiers["value"].to_list())
    expected = sorted(["zoë@example.com", "zoe łukasiewicz", "+12125550123", "王小明"])
    if found != expected:
        raise RuntimeError(f"the columnar parser found {found}, expected {expected}")
    sources.add_source(db, admin, "Self-check", "crm")
    result = imports.run_import(db, admin, path, "Self-check", mapping)
    if result.status != "completed" or result.rows_imported != 2:
        raise RuntimeError(f"the check import did not complete: {result.message}")
    if len(records.lookup(db, admin, "phone", "+1 212 555 0123")) != 1:
        raise RuntimeError("the imported record is not found by its phone number")
    return "columnar parse and import checked"


def _widget_check() -> str:
    """Qt loads and builds a dialog (a frozen build missing a Qt plugin fails here, not at a desk)."""
    from console.ui.settings_dialog import self_check_widgets

    return self_check_widgets()
