"""Each report's definition sets its classification mark; a public report holds no personal data."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from console.domain.legal import HalfYear
from console.paths import data_path
from console.services.context import Actor
from console.services.demo import seed as demo
from console.services.demo.legal import PEOPLE as LEGAL_PEOPLE
from console.services.demo.requests import PEOPLE as REQUEST_PEOPLE
from console.services.legal import intake as legal
from console.services.legal import read as legal_read
from console.services.reporting import catalogue as reports
from console.store.db import Database


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _xlsx_text(path: Path) -> str:
    book = load_workbook(path, read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def _demo_people(db: Database, admin: Actor) -> set[str]:
    """Every name and e-mail address in the demo data: sources, requests and legal matters."""
    found = {p[0] for p in REQUEST_PEOPLE} | {p[1] for p in REQUEST_PEOPLE}
    found |= {p[1] for p in LEGAL_PEOPLE} | {p[2] for p in LEGAL_PEOPLE}
    for path in data_path("demo").iterdir():
        rows: list[dict[str, object]] = []
        if path.suffix == ".csv":
            text = path.read_text("utf-8-sig")
            rows = list(csv.DictReader(text.splitlines(), dialect=csv.Sniffer().sniff(text[:2000])))
        elif path.suffix == ".jsonl":
            rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        for row in rows:
            for key, value in row.items():
                if value and any(w in str(key).lower() for w in ("name", "mail")):
                    found.add(str(value).strip())
    for summary in legal_read.list_requests(db, admin):
        officer = legal.get(db, admin, summary.id).officer
        if officer:
            found.add(officer)
    return {f for f in found if len(f) > 3 and f.lower() not in ("none", "test", "n/a")}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def demo_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, Actor]]:
    """The full demo, loaded once per database (a SQLite file, then a PostgreSQL schema)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from console.services import accounts
    from console.store.db import open_database

    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    else:
        server = str(request.getfixturevalue("pg_server"))
        schema = f"t_{uuid.uuid4().hex[:12]}"
        engine = create_engine(server)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = (
            make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema},public"})
            .render_as_string(hide_password=False)
        )
    db = open_database(url)
    with pytest.MonkeyPatch.context() as patch:
        # The demo's production goes beside a SQLite file, else to the user's data folder:
        # a test keeps it in its own temporary folder.
        folder = tmp_path_factory.mktemp("productions")
        patch.setattr("console.services.demo.legal._production_folder", lambda _db: folder)
        demo.load(db, None)
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD)
    yield db, admin
    db.dispose()
    if schema is not None:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_no_demo_name_or_email_appears_in_the_public_transparency_report(demo_db, tmp_path) -> None:
    db, admin = demo_db
    people = _demo_people(db, admin)
    assert len(people) > 40  # the check below must have something to look for
    today = dt.date.today()
    for half in (HalfYear.of(today), HalfYear.of(today - dt.timedelta(days=183))):
        for fmt in ("pdf", "xlsx"):
            out = tmp_path / f"transparency-{half}.{fmt}"
            params = reports.ReportParams(since=half.start)
            reports.run_report(db, admin, "transparency", fmt, out, params)
            text = _pdf_text(out) if fmt == "pdf" else _xlsx_text(out)
            assert "Requests received" in text
            leaked = sorted(p for p in people if p in text)
            assert leaked == [], f"{out.name} names {leaked}"
            assert "admin" not in text.replace("administ", "")  # not even who made it


def test_the_mark_follows_the_report_definition(demo_db, tmp_path) -> None:
    db, admin = demo_db
    marks = {
        "transparency": "Public",
        "dsr-register": "Internal — not for publication",
        "ropa": "Internal — not for publication",
        "case-file": "Confidential — contains personal data",
    }
    for name, mark in marks.items():
        out = tmp_path / f"{name}.pdf"
        reports.run_report(db, admin, name, "pdf", out, reports.ReportParams(object_id=1))
        text = _pdf_text(out)
        assert mark in text, name
        others = set(marks.values()) - {mark}
        assert not any(o in text for o in others), name
        manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text("utf-8"))
        assert manifest["classification"] == mark


def test_every_report_that_holds_personal_data_is_confidential() -> None:
    levels = {s.name: s.classification for s in reports.catalogue()}
    assert levels["transparency"] == "public"
    for name in (
        "dsr-register",
        "dsr-metrics",
        "legal-register",
        "disclosure-log",
        "ropa",
        "cookie-register",
        "sources",
        "audit-trail",
        "policy-check",
    ):
        assert levels[name] == "internal", name
    for name in ("case-file", "access-package", "records"):
        assert levels[name] == "confidential", name
    with pytest.raises(ValueError, match="holds personal data: it must be confidential"):
        reports.ReportSpec(
            "leaky", "Leaky", "", lambda ctx: [], personal_data=True, classification="public"
        )
