"""A person's access and deletion requests, from imported sources to proof in the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from console.domain.permissions import Role
from console.importers.mapping import Mapping
from console.outfiles import OutputExists
from console.services import audit, outgoing, policy
from console.services.context import Actor
from console.services.records import erasure, imports, sources
from console.services.records import search as records
from console.services.requests import fulfil as work
from console.services.requests import lifecycle as dsr
from console.store.db import Database

CRM_MAPPING_JSON = {
    "columns": {
        "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
        "Email": {"identifier": "email", "category": "contact.email"},
        "Name": {"identifier": "name", "category": "contact.name"},
        "Plan": {"category": "transaction.contract"},
    },
    "record_key": ["Customer ID"],
}
NEWSLETTER_MAPPING_JSON = {
    "columns": {
        "email": {"identifier": "email", "category": "contact.email"},
        "customer": {"identifier": "customer_id", "category": "account.customer_id"},
        "topic": {"category": "preferences.marketing"},
    },
    "record_key": ["email", "topic"],
}
CRM_MAPPING = Mapping.from_json(CRM_MAPPING_JSON, source_name="CRM")
NEWSLETTER_MAPPING = Mapping.from_json(NEWSLETTER_MAPPING_JSON, source_name="Newsletter")


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def world(db: Database, admin: Actor, make_user, tmp_path: Path) -> tuple[Actor, Path]:
    policy.ensure_default_pack(db, admin)
    officer = make_user(Role.PRIVACY_OFFICER, "olivia")
    sources.add_source(db, officer, "CRM", "crm")
    sources.add_source(db, officer, "Newsletter", "marketing")
    crm = _csv(
        tmp_path / "crm.csv",
        ["Customer ID", "Email", "Name", "Plan"],
        [
            ["C-100", "jane.doe@example.com", "Jane Doe", "Gold"],
            ["C-200", "bob@example.com", "Bob Roe", "Silver"],
        ],
    )
    # The newsletter knows Jane only by her customer id: reached through a shared strong id.
    news = _csv(
        tmp_path / "news.csv",
        ["email", "customer", "topic"],
        [
            ["jd-private@example.org", "C-100", "offers"],
            ["bob@example.com", "C-200", "news"],
        ],
    )
    assert imports.run_import(db, officer, crm, "CRM", CRM_MAPPING).rows_imported == 2
    assert (
        imports.run_import(db, officer, news, "Newsletter", NEWSLETTER_MAPPING).rows_imported == 2
    )
    return officer, tmp_path


def _open(db: Database, officer: Actor, rtype: str) -> dsr.RequestView:
    view = dsr.create_request(
        db,
        officer,
        dsr.Intake(
            request_type=rtype,
            law="gdpr",
            country="DE",
            received_on=dt.date.today(),
            emails=("Jane.Doe@example.com",),
            name="Jane Doe",
            channel="web_form",
        ),
    )
    view = dsr.verify_identity(
        db, officer, view.id, "account login", "SSO-1", expected_version=view.version
    )
    found = work.find_records(db, officer, view.id, expected_version=view.version)
    assert found.strong == 2 and found.newly_attached == 2
    return dsr.get_request(db, officer, view.id)


def test_access_then_deletion_for_one_person(db: Database, admin: Actor, world) -> None:
    officer, tmp = world
    access = _open(db, officer, "access")
    deletion = _open(db, officer, "deletion")
    assert {r.source for r in deletion.records} == {"CRM", "Newsletter"}

    # Access: the package (PDF, and a ZIP with JSON and CSV per source) holds both records and
    # the policy content in force when the request was received.
    result = work.fulfil(db, officer, access.id, tmp / "out", expected_version=access.version)
    names = sorted(p.name for p in result.files)
    assert names == [f"DSR-{access.id}-access-package.{x}" for x in ("pdf", "zip")]
    with zipfile.ZipFile(tmp / "out" / f"DSR-{access.id}-access-package.zip") as z:
        package = json.loads(z.read("personal-data.json"))
    assert {s["system"] for s in package["sources"]} == {"CRM", "Newsletter"}
    fields = [f for s in package["sources"] for e in s["entries"] for f in e["fields"]]
    assert {
        "field": "Email",
        "category": "E-mail address",
        "value": "jane.doe@example.com",
    } in fields
    assert package["privacy_statement"]["version"] and package["rights"] and package["recipients"]
    assert {"E-mail address", "Customer ID"} <= {c["category"] for c in package["categories"]}
    assert package["purposes"] and package["authority"]

    # Deletion: the CRM record is under a legal hold, so only the newsletter record goes.
    crm_id = next(r.record_id for r in deletion.records if r.source == "CRM")
    news_id = next(r.record_id for r in deletion.records if r.source == "Newsletter")
    with db.transaction() as s:
        erasure.place_hold(s, [crm_id], hold_ref="LH-7", reason="litigation", until=None)
    erased = work.fulfil(db, officer, deletion.id, tmp / "out")
    assert erased.erased == [news_id] and list(erased.held) == [crm_id]
    shown = dsr.get_request(db, officer, deletion.id)
    held = next(r for r in shown.records if r.record_id == crm_id)
    assert held.outcome == "held" and "LH-7" in held.outcome_detail
    assert next(r for r in shown.records if r.record_id == news_id).outcome == "erased"
    [row] = records.records_by_id(db, officer, [news_id])
    assert row.erased and "jd-private@example.org" not in json.dumps(row.values)

    dsr.advance(db, officer, deletion.id, "review")
    closed = dsr.advance(db, officer, deletion.id, "completed")
    assert closed.outcome == "complied_in_part"

    # A re-import of the newsletter (Jane re-added by a vendor) skips her suppressed identifiers.
    again = _csv(
        tmp / "news2.csv",
        ["email", "customer", "topic"],
        [
            ["jd-private@example.org", "C-100", "events"],
            ["new@example.com", "C-300", "news"],
        ],
    )
    result2 = imports.run_import(db, officer, again, "Newsletter", NEWSLETTER_MAPPING)
    assert result2.rows_suppressed == 1 and result2.rows_imported == 1

    # The trail holds every step and is intact.
    events = audit.list_events(db, admin, audit.EventFilter(object_type="dsr_request"))
    actions = {(e.object_id, e.action) for e in events}
    assert (str(deletion.id), "dsr.fulfil") in actions and (str(access.id), "dsr.fulfil") in actions
    assert (str(access.id), "dsr.package_file") in actions
    fulfil_access = next(
        e for e in events if e.action == "dsr.fulfil" and e.object_id == str(access.id)
    )
    assert set(fulfil_access.details["sha256"]) == set(names)
    assert audit.verify(db, admin).ok


def test_an_opt_out_is_passed_on_without_suppressing_later_imports(db: Database, world) -> None:
    """An opt-out only stops marketing (or sale/sharing): the systems concerned get a notice, and
    the person is not put on the import suppression list, which is for erased subjects (issue 16)."""
    officer, tmp = world
    view = _open(db, officer, "opt-out-marketing")
    result = work.fulfil(db, officer, view.id, tmp / "out")
    assert result.suppressed == 0 and result.opted_out >= 1
    assert result.files[0].suffix == ".csv"
    text = result.files[0].read_text("utf-8")
    assert f"DSR-{view.id}" in text and "Sending marketing messages" in text


def test_an_access_package_never_replaces_files_without_force_and_appears_after_its_events(
    db: Database, world, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer, tmp = world
    access = _open(db, officer, "access")
    out = tmp / "package"
    out.mkdir()
    mine = out / f"DSR-{access.id}-access-package.pdf"
    mine.write_text("a letter I am still writing", "utf-8")
    with pytest.raises(OutputExists):
        work.fulfil(db, officer, access.id, out)
    assert sorted(p.name for p in out.iterdir()) == [mine.name]  # nothing else, no temp file
    assert mine.read_text("utf-8") == "a letter I am still writing"
    assert dsr.get_request(db, officer, access.id).status == access.status
    # Every event (one per package file, and dsr.fulfil) is committed before a file appears.
    audit_service = audit
    seen: list[tuple[str, bool]] = []
    real = audit_service.record

    def record(session, actor, action, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Staged files are hidden (".name.….part"); a published one is not.
        seen.append((action, any(not p.name.startswith(".") for p in out.iterdir())))
        return real(session, actor, action, *args, **kwargs)

    mine.unlink()
    monkeypatch.setattr(audit_service, "record", record)
    monkeypatch.setattr(work, "record", record)
    monkeypatch.setattr(outgoing, "record", record)
    result = work.fulfil(db, officer, access.id, out)
    assert [a for a, _ in seen] == ["dsr.package_file", "dsr.package_file", "dsr.fulfil"]
    assert not any(existed for _, existed in seen)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [p.name for p in result.files]
        + [f"{p.name}.manifest.json" for p in result.files if p.suffix in (".pdf", ".zip")]
    )
