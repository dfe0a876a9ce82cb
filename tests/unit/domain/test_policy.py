"""Policy packs: the default pack carries the statement's facts; a bad pack names the field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from console.domain.policy import (
    PolicyError,
    PolicyPack,
    SecurityMeasure,
    Transfer,
    default_pack_path,
    load_default_pack,
    load_pack,
    pack_in_force,
    parse_pack,
)
from console.errors import ConsoleError

ORIGIN = "clientpay-2019-07-02.json"

REQUIRED_CATEGORY_IDS = {
    "contact.name",
    "contact.email",
    "contact.phone",
    "contact.postal_address",
    "professional.employer",
    "professional.job_role",
    "professional.interests",
    "professional.product_experience",
    "preferences.contact",
    "preferences.language",
    "preferences.marketing",
    "transaction.purchase_history",
    "transaction.order",
    "transaction.contract",
    "transaction.delivery",
    "transaction.support",
    "transaction.billing",
    "transaction.payment",
    "transaction.amount",
    "technical.device",
    "technical.browser",
    "technical.network_routing",
    "technical.pages_visited",
    "technical.visit_time",
    "technical.ip_address",
    "technical.cookie_id",
    "technical.domain",
    "technical.system_config",
    "technical.downloads",
    "technical.links_clicked",
    "account.customer_id",
    "account.account_id",
    "account.username",
    "inference.interests",
}
SOURCE_KINDS = [
    "web_form",
    "email",
    "phone",
    "in_person",
    "event",
    "cookie",
    "analytics",
    "survey",
    "social",
    "advertising",
    "inference",
    "crm",
    "transaction",
    "support",
    "marketing",
    "other",
]
PURPOSES = [
    "respond_to_inquiries",
    "transactions_billing",
    "customer_support",
    "marketing",
    "personalisation",
    "analytics",
    "product_development",
    "security",
    "fraud_prevention",
    "legal_requirements",
]
REQUEST_TYPES = {
    "access",
    "deletion",
    "correction",
    "portability",
    "opt-out-marketing",
    "opt-out-sale",
    "restriction",
    "objection",
    "withdraw-consent",
    "complaint",
}


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return load_default_pack()


@pytest.fixture
def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_pack_path().read_text(encoding="utf-8"))
    return data


def error_for(raw: dict[str, Any]) -> str:
    with pytest.raises(PolicyError) as caught:
        parse_pack(raw, origin=ORIGIN)
    return str(caught.value)


# --- the default pack carries the statement's facts --------------------------------------------


def test_default_pack_is_clientpays_statement_of_2019_07_02(pack: PolicyPack) -> None:
    assert pack.organisation.name == "ClientPay"
    assert pack.effective_date == date(2019, 7, 2)
    assert pack.pack_id == "clientpay-2019-07-02"
    assert "exercise" in pack.contact


def test_default_pack_has_every_category_that_mappings_rely_on(pack: PolicyPack) -> None:
    assert {c.id for c in pack.categories} >= REQUIRED_CATEGORY_IDS
    assert pack.category("contact.email").identifier_kind == "email"
    assert pack.category("technical.cookie_id").identifier_kind == "cookie_id"
    assert not any(c.sensitive for c in pack.categories)


def test_retention_periods_are_marked_as_organisation_defaults(pack: PolicyPack) -> None:
    # The statement says nothing about retention, so no period may pose as stated.
    for category in pack.categories:
        assert category.retention_basis is not None
        assert "organisation default" in category.retention_basis, category.id


def test_default_pack_has_the_sixteen_source_kinds_of_the_cli(pack: PolicyPack) -> None:
    assert [k.id for k in pack.source_kinds] == SOURCE_KINDS
    assert all(k.statement_ref for k in pack.source_kinds)


def test_default_pack_has_the_ten_purposes_of_the_statement(pack: PolicyPack) -> None:
    assert [p.id for p in pack.purposes] == PURPOSES
    billing = pack.purpose("transactions_billing").description
    for activity in ("accounting", "auditing", "reconciliation", "collection"):
        assert activity in billing


def test_every_category_has_a_purpose_and_a_source(pack: PolicyPack) -> None:
    for category in pack.categories:
        assert pack.purposes_for(category.id), category.id
        assert any(category.id in k.categories for k in pack.source_kinds), category.id


def test_recipients_include_law_enforcement_and_legal_process(pack: PolicyPack) -> None:
    kinds = {r.kind for r in pack.recipients}
    assert kinds == {
        "affiliate",
        "processor",
        "acquirer",
        "law_enforcement",
        "legal_process",
        "rights_defence",
        "third_party",  # advertising partners (Cal. Civ. Code §1798.140(ah))
    }
    assert pack.recipient("law_enforcement").disclosure_grounds == ("government_request",)
    assert pack.recipient("legal_process").disclosure_grounds == ("legal_process",)


def test_google_analytics_is_an_analytics_cookie_whose_data_goes_to_google(
    pack: PolicyPack,
) -> None:
    analytics = pack.cookie_class("analytics")
    assert analytics.providers == ("Google Analytics",)
    assert "transmitted to Google" in analytics.description
    assert pack.recipient(analytics.recipients[0]).label == "Google (Google Analytics)"
    assert {c.id for c in pack.cookie_classes} == {
        "necessary",
        "preferences",
        "analytics",
        "advertising",
    }


def test_cookie_policy_covers_durations_parties_consent_and_dnt(pack: PolicyPack) -> None:
    policy = pack.cookie_policy
    assert [d.id for d in policy.durations] == ["session", "fixed", "persistent"]
    assert [p.id for p in policy.parties] == ["first", "third"]
    assert pack.cookie_class("necessary").consent == "not_required"
    assert policy.honours_dnt is False


def test_web_beacons_read_the_cookie_number_and_page_view_time(pack: PolicyPack) -> None:
    beacons = pack.web_beacons
    assert beacons is not None
    assert "technical.cookie_id" in beacons.categories
    assert "HTML-formatted e-mails" in beacons.used_in


def test_rights_are_the_request_types_a_requester_can_use(pack: PolicyPack) -> None:
    assert {r.id for r in pack.rights} == REQUEST_TYPES
    assert "unsubscribe link" in pack.right("opt-out-marketing").how


def test_record_of_processing_entries_say_when_the_statement_is_silent(pack: PolicyPack) -> None:
    assert {d.id for d in pack.data_subject_categories} == {
        "website_visitors",
        "prospects",
        "customer_contacts",
        "event_attendees",
        "survey_participants",
        "social_media_contacts",
    }
    assert pack.transfers
    assert pack.security_measures
    entries: list[Transfer | SecurityMeasure] = [*pack.transfers, *pack.security_measures]
    for entry in entries:
        if entry.statement_ref is None:
            assert "organisation default" in entry.basis, entry.id


def test_what_the_statement_does_not_say_is_a_labelled_organisation_default(
    pack: PolicyPack,
) -> None:
    # The statement names no address, no authority and no automated decisions: the pack may only
    # carry them as organisation defaults, labelled so, and never as the statement's words.
    assert pack.organisation.email and "organisation default" in (
        pack.organisation.contact_basis or ""
    )
    assert "set the postal" not in pack.organisation.contact  # no note to staff in what is printed
    for authority in pack.authorities:
        assert "organisation default" in authority.basis and authority.statement_ref is None
    decisions = pack.automated_decisions
    assert decisions is not None and not decisions.decisions
    assert "organisation default" in decisions.basis and "no decision" in decisions.statement
    for recipient in pack.recipients:
        assert recipient.ccpa_disclosure and "organisation default" in (
            recipient.disclosure_basis or ""
        )
    for transfer in pack.transfers:  # printed to people: no provenance in the printed fields
        assert "not stated" not in transfer.destination + transfer.safeguard + transfer.description


def test_every_category_falls_in_a_ccpa_category(pack: PolicyPack) -> None:
    for category in pack.categories:
        assert (pack.ccpa_category_of(category.id) or "").startswith(
            (
                "Identifiers",
                "Commercial",
                "Professional",
                "Internet",
                "Inferences",
                "Customer records",
            )
        ), category.id
    assert pack.ccpa_category_of("technical.ip_address").startswith("Identifiers")


def test_looking_up_an_unknown_id_is_a_known_error(pack: PolicyPack) -> None:
    with pytest.raises(PolicyError, match=r'unknown category id "contact\.fax"') as caught:
        pack.category("contact.fax")
    assert isinstance(caught.value, ConsoleError)


def test_default_pack_is_loaded_once() -> None:
    assert load_default_pack() is load_default_pack()


# --- round trip and digest ------------------------------------------------------------------


def test_to_json_and_parse_round_trip_without_loss(pack: PolicyPack) -> None:
    again = parse_pack(json.loads(pack.to_json()), origin="round-trip")
    assert again == pack
    assert again.to_json() == pack.to_json()
    assert again.digest() == pack.digest()


def test_digest_ignores_key_order_and_omitted_defaults(raw: dict[str, Any]) -> None:
    omitted = copy.deepcopy(raw)
    del omitted["categories"][0]["examples"]
    reordered = dict(reversed(list(copy.deepcopy(raw).items())))
    reordered["categories"][0]["examples"] = []
    digest = parse_pack(omitted, origin=ORIGIN).digest()
    assert parse_pack(reordered, origin=ORIGIN).digest() == digest
    assert len(digest) == 64


def test_digest_changes_when_content_changes(raw: dict[str, Any]) -> None:
    before = parse_pack(raw, origin=ORIGIN).digest()
    raw["categories"][0]["label"] = "Full name"
    assert parse_pack(raw, origin=ORIGIN).digest() != before


def test_the_shipped_pack_keeps_its_digest_when_the_model_gains_optional_fields(
    pack: PolicyPack,
) -> None:
    """Packs are stored under their digest; fields added later are left out while unset.

    (The digest is that of the shipped pack 2019-07-02.3, which names authorities, automated
    decisions and contact details as organisation defaults, labels the customer and account ids,
    the people groups and 8 rights' how-to as such, and types advertising partners third parties.)"""
    assert pack.digest() == "27e6ceddd9bad722ffdddf8606e6fe0854d91279b053eb9cb32d4487388a9b71"
    assert "dpo_contact" not in pack.to_dict()["organisation"]
    assert "disclosures" not in pack.to_dict()


def test_statement_disclosures_are_optional_and_round_trip(raw: dict[str, Any]) -> None:
    """Absent means the statement does not say it; the health check reports it as missing."""
    before = parse_pack(raw, origin=ORIGIN)
    assert before.disclosures is None and before.cookie_policy.honours_gpc is None
    raw["organisation"]["dpo_contact"] = "dpo@example.com"
    raw["purposes"][0]["legal_basis_ref"] = "How we use your personal data"
    raw["cookie_policy"]["honours_gpc"] = True
    raw["recipients"][4]["kind"] = "processor"
    raw["disclosures"] = {"request_methods": ["privacy@example.com", "+1 800 555 0100"]}
    after = parse_pack(raw, origin=ORIGIN)
    assert after.organisation.dpo_contact == "dpo@example.com"
    assert after.disclosures is not None and len(after.disclosures.request_methods) == 2
    assert after.recipient("advertising_partners").kind == "processor"
    assert parse_pack(json.loads(after.to_json()), origin="again") == after
    assert after.digest() != before.digest()


def test_pack_in_force_is_the_latest_effective_on_the_day(raw: dict[str, Any]) -> None:
    old = parse_pack(raw, origin=ORIGIN)
    raw["effective_date"] = "2021-01-01"
    new = parse_pack(raw, origin=ORIGIN)
    assert pack_in_force([new, old], date(2020, 6, 1)) is old
    assert pack_in_force([old, new], date(2021, 1, 1)) is new
    assert pack_in_force([old, new], date(2019, 1, 1)) is None


# --- every kind of mistake names its field ------------------------------------------------------


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(raw: dict[str, Any]) -> None:
        target: Any = raw
        for step in path[:-1]:
            target = target[step]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return edit


_DELETE = object()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            _set(["categories", 0, "label"], _DELETE),
            "categories[0].label: required field is missing",
            id="missing-field",
        ),
        pytest.param(
            _set(["cookie_policy", "honours_dnt"], _DELETE),
            "cookie_policy.honours_dnt: required field is missing",
            id="missing-nested-field",
        ),
        pytest.param(
            _set(["categories", 2, "sensitive"], "no"),
            "categories[2].sensitive: expected true or false, got string",
            id="wrong-type-bool",
        ),
        pytest.param(
            _set(["categories", 0, "retention_days"], 1095.0),
            "categories[0].retention_days: expected an integer, got number",
            id="wrong-type-int",
        ),
        pytest.param(
            _set(["purposes", 1, "categories"], "contact.name"),
            "purposes[1].categories: expected an array, got string",
            id="wrong-type-array",
        ),
        pytest.param(
            _set(["source_kinds", 4, "categories", 1], 7),
            "source_kinds[4].categories[1]: expected a string, got integer",
            id="wrong-type-array-item",
        ),
        pytest.param(
            _set(["organisation"], ["ClientPay"]),
            "organisation: expected an object, got array",
            id="wrong-type-object",
        ),
        pytest.param(
            _set(["effective_date"], "2019-02-30"),
            'effective_date: "2019-02-30" is not a date in the form YYYY-MM-DD',
            id="impossible-date",
        ),
        pytest.param(
            _set(["effective_date"], "02/07/2019"),
            'effective_date: "02/07/2019" is not a date in the form YYYY-MM-DD',
            id="date-in-another-form",
        ),
        pytest.param(
            _set(["categories", 3, "id"], "contact.email"),
            'categories[3].id: duplicate id "contact.email"',
            id="duplicate-id",
        ),
        pytest.param(
            _set(["purposes", 0, "colour"], "blue"),
            "purposes[0].colour: unknown field",
            id="unknown-key",
        ),
        pytest.param(
            _set(["rights", 0, "lable"], "Access"),
            'rights[0].lable: unknown field (did you mean "label"?)',
            id="misspelt-key",
        ),
        pytest.param(
            _set(["purposes", 2, "categories", 0], "contact.fax"),
            'purposes[2].categories[0]: unknown category id "contact.fax"',
            id="dangling-purpose-category",
        ),
        pytest.param(
            _set(["source_kinds", 15, "categories", 1], "contact.fax"),
            'source_kinds[15].categories[1]: unknown category id "contact.fax"',
            id="dangling-source-kind-category",
        ),
        pytest.param(
            _set(["categories", 5, "group"], "hobbies"),
            'categories[5].group: unknown category group id "hobbies"',
            id="dangling-group",
        ),
        pytest.param(
            _set(["cookie_classes", 2, "recipients", 0], "bing"),
            'cookie_classes[2].recipients[0]: unknown recipient id "bing"',
            id="dangling-recipient",
        ),
        pytest.param(
            _set(["cookie_classes", 0, "durations", 0], "forever"),
            'cookie_classes[0].durations[0]: unknown cookie duration id "forever"',
            id="dangling-cookie-duration",
        ),
        pytest.param(
            _set(["recipients", 0, "kind"], "friend"),
            'recipients[0].kind: "friend" is not one of: affiliate, processor, acquirer, '
            "law_enforcement, legal_process, rights_defence, third_party",
            id="value-not-in-choices",
        ),
        pytest.param(
            _set(["source_kinds", 0, "categories"], []),
            "source_kinds[0].categories: must not be empty",
            id="empty-required-list",
        ),
        pytest.param(
            _set(["purposes", 0, "categories", 1], "contact.name"),
            "purposes[0].categories[1]: repeated",
            id="repeated-reference",
        ),
        pytest.param(
            _set(["title"], "  "),
            "title: must not be blank",
            id="blank-text",
        ),
        pytest.param(
            _set(["categories", 0, "id"], "Contact Name"),
            'categories[0].id: "Contact Name" is not a valid id '
            '(lower-case letters, digits, ".", "_", "-")',
            id="malformed-id",
        ),
        pytest.param(
            _set(["categories", 0, "retention_basis"], _DELETE),
            "categories[0].retention_basis: required when a retention period is set",
            id="retention-without-basis",
        ),
        pytest.param(
            _set(["categories", 0, "identifier_kind"], "fax"),
            'categories[0].identifier_kind: unknown identifier kind "fax"',
            id="unknown-identifier-kind",
        ),
        pytest.param(
            _set(["authorities", 0, "laws", 0], "hipaa"),
            'authorities[0].laws[0]: unknown law "hipaa" (laws: gdpr, uk-gdpr, ccpa, lgpd, '
            "pipeda, vcdpa, cpa, ctdpa)",
            id="authority-for-an-unknown-law",
        ),
        pytest.param(
            _set(["recipients", 3, "receives", 0], "contact.fax"),
            'recipients[3].receives[0]: unknown category id "contact.fax"',
            id="dangling-recipient-category",
        ),
        pytest.param(
            _set(["recipients", 4, "ccpa_disclosure"], "gift"),
            'recipients[4].ccpa_disclosure: "gift" is not one of: business_purpose, sharing, '
            "sale, on_event",
            id="unknown-ccpa-disclosure",
        ),
        pytest.param(
            _set(["format_version"], 2),
            "format_version: unsupported format version 2 (this console reads 1)",
            id="newer-format",
        ),
    ],
)
def test_a_bad_pack_is_refused_naming_the_exact_field(
    raw: dict[str, Any], edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    edit(raw)
    assert error_for(raw) == f"{ORIGIN}: {message}"


def test_an_error_carries_its_origin_and_path(raw: dict[str, Any]) -> None:
    raw["categories"][3]["id"] = "contact.email"
    with pytest.raises(PolicyError) as caught:
        parse_pack(raw, origin=ORIGIN)
    assert (caught.value.origin, caught.value.path) == (ORIGIN, "categories[3].id")


def test_a_pack_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"^other\.json: expected an object, got array$"):
        parse_pack([], origin="other.json")


def test_optional_sections_may_be_left_out(raw: dict[str, Any]) -> None:
    for name in ("web_beacons", "transfers", "security_measures", "commitments"):
        del raw[name]
    pack = parse_pack(raw, origin=ORIGIN)
    assert pack.web_beacons is None
    assert pack.transfers == ()


# --- files --------------------------------------------------------------------------------------


def test_load_pack_reads_a_file_with_a_byte_order_mark(tmp_path: Path, pack: PolicyPack) -> None:
    path = tmp_path / "acme-2024-01-01.json"
    path.write_text("\ufeff" + pack.to_json(), encoding="utf-8")
    assert load_pack(path) == pack


def test_invalid_json_is_reported_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "pack_id": "x",\n  "title": \n}\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"^broken\.json: not valid JSON: .* line 4 column 1$"):
        load_pack(path)


def test_a_key_written_twice_is_refused_not_silently_overwritten(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    text = json.dumps(raw).replace('"title": ', '"title": "First", "title": ', 1)
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"^twice\.json: title: appears more than once"):
        load_pack(path)


def test_a_missing_file_is_a_known_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"^absent\.json: cannot read the file"):
        load_pack(tmp_path / "absent.json")


def test_every_recipient_kind_has_one_label() -> None:
    """Pages and reports show labels, never the stored kind codes."""
    import typing

    from console.domain.policy import RECIPIENT_KIND_LABELS, RecipientKind

    assert set(RECIPIENT_KIND_LABELS) == set(typing.get_args(RecipientKind))
    assert RECIPIENT_KIND_LABELS["third_party"] == "Third party"
