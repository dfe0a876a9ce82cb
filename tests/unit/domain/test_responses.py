"""The law response files: every law has one, every template uses only known placeholders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.domain import responses
from console.domain.policy import KNOWN_LAWS, load_default_pack
from console.domain.responses import ResponsesError, load_responses
from console.paths import data_path
from console.services.requests.model import LAWS


def test_every_law_a_request_can_name_has_responses_and_an_authority() -> None:
    assert set(KNOWN_LAWS) == set(LAWS)
    pack = load_default_pack()
    for law in LAWS:
        found = responses.for_law(law)
        assert found.law == law and found.part("confirmation") and found.part("copy")
        assert {"denial", "completion"} <= set(found.letters), law
        assert pack.authorities_for(law), law


def test_gdpr_and_uk_gdpr_packages_have_every_item_of_article_15() -> None:
    for law in ("gdpr", "uk-gdpr"):
        kinds = {p.kind for p in responses.for_law(law).parts}
        assert {
            "purposes",
            "categories",
            "recipients",
            "retention",
            "rights",
            "complaint",
            "sources",
            "automated",
            "transfers",
            "copy",
            "redactions",
        } <= kinds


def test_the_us_states_packages_and_refusals_carry_the_right_to_appeal() -> None:
    for law in ("vcdpa", "cpa", "ctdpa"):
        found = responses.for_law(law)
        assert found.part("appeal") is not None
        assert any("To appeal" in p.text for p in found.letters["denial"].paragraphs), law


def _file(tmp_path: Path, change) -> Path:
    raw = json.loads(data_path("responses", "gdpr.json").read_text("utf-8"))
    change(raw)
    path = tmp_path / "gdpr.json"
    path.write_text(json.dumps(raw), "utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda r: r["letters"]["ack"]["paragraphs"].append("Dear $nmae,"),
            r'gdpr.json: letters.ack.paragraphs\[\d+\]: unknown placeholder "\$nmae"',
        ),
        (
            lambda r: r["letters"]["ack"]["paragraphs"].append("It costs 5 $"),
            r"gdpr.json: letters.ack.paragraphs\[\d+\]: a \$ that starts no placeholder",
        ),
        (
            lambda r: r["access"]["parts"].append({"kind": "gossip", "heading": "x", "cite": "y"}),
            r'gdpr.json: access.parts\[\d+\].kind: unknown part "gossip"',
        ),
        (
            lambda r: r["letters"].update({"apology": r["letters"]["ack"]}),
            r'gdpr.json: letters.apology: unknown letter "apology"',
        ),
        (
            lambda r: r["access"].update(
                {"parts": [p for p in r["access"]["parts"] if p["kind"] != "copy"]}
            ),
            r'gdpr.json: access.parts: the "copy" part is required',
        ),
    ],
)
def test_a_bad_response_file_is_refused_naming_the_field(tmp_path, change, message) -> None:
    with pytest.raises(ResponsesError, match=message):
        load_responses(_file(tmp_path, change))
