"""Letters to the requester, per law, read back from the PDF; audited and verifiable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from console.errors import ValidationError
from console.outfiles import OutputError as DeliveryError
from console.services import audit
from console.services.reporting import catalogue as reports
from console.services.requests import fulfil as work
from console.services.requests import lifecycle as dsr
from console.services.requests import review
from console.services.requests.letters import kinds_for, write_letter
from tests.unit.services.review_data import open_request, review_world

TODAY = dt.date.today()


@pytest.fixture
def officer(any_db, any_admin, any_make_user, tmp_path: Path):
    return review_world(any_db, any_admin, any_make_user, tmp_path)


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_a_ccpa_acknowledgement_is_audited_and_verifies_like_a_report(
    any_db, any_admin, officer, tmp_path
) -> None:
    view = open_request(any_db, officer, law="ccpa")
    result = write_letter(any_db, officer, view.id, "ack", tmp_path / "ack.pdf")
    text = _text(result.path)
    assert f"Its reference is DSR-{view.id}" in text and view.due_on.isoformat() in text
    assert "45 calendar days" in text and "11 CCR §7021(a)" in text
    assert "how we will process it" in text.lower()  # §7021(a): the verification process
    assert reports.verify_report(any_db, any_admin, result.path).ok
    [event] = [
        e
        for e in audit.list_events(
            any_db, any_admin, audit.EventFilter(object_type="dsr_request", object_id=str(view.id))
        )
        if e.action == "dsr.letter"
    ]
    assert event.details["kind"] == "ack" and event.details["sha256"] == result.sha256


def test_an_extension_notice_states_the_reason_and_the_new_date(any_db, officer, tmp_path) -> None:
    view = open_request(any_db, officer, law="gdpr")
    with pytest.raises(ValidationError, match="has not been extended: record the extension first"):
        write_letter(any_db, officer, view.id, "extension", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
    view = dsr.extend(any_db, officer, view.id, TODAY, "Your data is in seven systems.", TODAY)
    text = _text(write_letter(any_db, officer, view.id, "extension", tmp_path / "e.pdf").path)
    assert "Why we need more time: Your data is in seven systems." in text
    assert view.due_on.isoformat() in text and "GDPR Art. 12(3)" in text


def test_a_pipeda_extension_notice_names_the_right_to_complain_about_it(
    any_db, officer, tmp_path
) -> None:
    view = open_request(any_db, officer, law="pipeda")
    view = dsr.extend(any_db, officer, view.id, TODAY, "Archived systems", TODAY)
    text = _text(write_letter(any_db, officer, view.id, "extension", tmp_path / "e.pdf").path)
    assert "PIPEDA s. 8(4)" in text and "in respect of this extension" in text
    assert "Office of the Privacy Commissioner of Canada" in text


def test_a_gdpr_refusal_gives_reasons_the_authority_and_the_judicial_remedy(
    any_db, officer, tmp_path
) -> None:
    view = open_request(any_db, officer, law="gdpr")
    view = dsr.advance(any_db, officer, view.id, "review")
    dsr.deny(
        any_db,
        officer,
        view.id,
        "manifestly_unfounded_or_excessive",
        "This is the ninth identical request this month.",
    )
    text = _text(write_letter(any_db, officer, view.id, "denial", tmp_path / "d.pdf").path)
    assert "Manifestly unfounded or excessive. This is the ninth identical request" in text
    assert "Art. 12(5)(b)" in text and "GDPR Art. 12(4)" in text
    assert "Data Protection Commission (Ireland)" in text and "judicial remedy" in text


def test_a_ccpa_deletion_denial_gives_the_basis_and_the_exception(
    any_db, officer, tmp_path
) -> None:
    view = open_request(any_db, officer, law="ccpa", rtype="deletion")
    view = dsr.advance(any_db, officer, view.id, "review")
    dsr.deny(any_db, officer, view.id, "legal_obligation", "We must keep invoices for tax law.")
    text = _text(write_letter(any_db, officer, view.id, "denial", tmp_path / "d.pdf").path)
    assert (
        "The basis for our decision: Kept to meet a legal obligation. We must keep invoices" in text
    )
    assert "11 CCR §7022(f)" in text and "not use the information we keep" in text


@pytest.mark.parametrize(
    ("law", "where"),
    [
        ("vcdpa", "§59.1-577(B)(2) and (C)"),
        ("cpa", "§6-1-1306(2) and (3)"),
        ("ctdpa", "§42-518(c)(2) and (d)"),
    ],
)
def test_a_us_state_refusal_says_how_to_appeal(any_db, officer, tmp_path, law, where) -> None:
    view = dsr.create_request(
        any_db,
        officer,
        dsr.Intake(
            request_type="access",
            law=law,
            received_on=TODAY,
            emails=("ana@example.com",),
            name="Ana Example",
        ),
    )
    dsr.deny(any_db, officer, view.id, "identity_not_verified", "No proof of identity.")
    text = _text(write_letter(any_db, officer, view.id, "denial", tmp_path / "d.pdf").path)
    assert "To appeal, write to privacy@clientpay.example" in text and where in text
    assert "Attorney General" in text


def test_a_letter_kind_the_law_does_not_have_is_refused_naming_those_it_has(
    any_db, officer, tmp_path
) -> None:
    view = open_request(any_db, officer, law="lgpd")
    assert kinds_for(view) == ["ack", "denial", "completion"]
    with pytest.raises(ValidationError, match=r"LGPD gives no extension.*ack, denial, completion"):
        write_letter(any_db, officer, view.id, "extension", tmp_path / "x.pdf")
    assert list(tmp_path.glob("x.pdf*")) == []
    opt_out = open_request(any_db, officer, law="ccpa", rtype="opt-out-sale")
    assert "extension" not in kinds_for(opt_out)


def test_a_completion_letter_says_what_was_kept_without_naming_a_legal_matter(
    any_db, officer, tmp_path
) -> None:
    from console.services.records import erasure

    view = open_request(any_db, officer, law="gdpr", rtype="deletion")
    review.exclude_awaiting(any_db, officer, view.id, "not the requester")
    held = next(r.record_id for r in view.records if r.source == "CRM" and r.link == "strong")
    with any_db.transaction() as s:
        erasure.place_hold(s, [held], hold_ref="LH-9", reason="case 24-CR-118", until=None)
    with pytest.raises(ValidationError, match="not fulfilled yet"):
        write_letter(any_db, officer, view.id, "completion", tmp_path / "c.pdf")
    work.fulfil(any_db, officer, view.id, tmp_path / "out")
    text = _text(write_letter(any_db, officer, view.id, "completion", tmp_path / "c.pdf").path)
    assert "We erased 1 entry" in text and "We must keep 1 entry" in text
    assert "LH-9" not in text and "24-CR-118" not in text and "hold" not in text.lower()


def test_a_letter_never_overwrites_a_file_unless_forced(any_db, officer, tmp_path) -> None:
    view = open_request(any_db, officer, law="ccpa")
    target = tmp_path / "ack.pdf"
    target.write_bytes(b"a letter someone else wrote")
    with pytest.raises(DeliveryError, match="already exists"):
        write_letter(any_db, officer, view.id, "ack", target)
    assert target.read_bytes() == b"a letter someone else wrote"
    write_letter(any_db, officer, view.id, "ack", target, force=True)
    assert target.read_bytes().startswith(b"%PDF")
