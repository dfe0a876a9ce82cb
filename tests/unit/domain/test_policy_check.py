"""The policy health check: what ClientPay's 2019 statement lacks or only assumes against GDPR
Art. 13/14 and the CCPA (§1798.100, §1798.130, 11 CCR §7011, §7025), each finding cited."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from console.domain.policy import PolicyPack, default_pack_path, load_default_pack, parse_pack
from console.domain.policy_check import (
    ChecklistError,
    HealthReport,
    check_pack,
    checklist_path,
    parse_checklist,
)

ON = dt.date(2026, 12, 4)


@pytest.fixture(scope="module")
def report() -> HealthReport:
    return check_pack(load_default_pack(), ON)


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_pack_path().read_text(encoding="utf-8"))
    return data


# --- the six findings issue 16 requires for the shipped pack ---------------------------------------


def test_no_retention_periods_in_the_statement(report: HealthReport) -> None:
    """GDPR Art. 13(2)(a); Cal. Civ. Code §1798.100(a)(3): the pack's periods are only assumed."""
    for rule in ("G7", "C8"):
        finding = report.finding(rule)
        assert finding is not None and finding.severity == "high"
        assert finding.status == "assumed"
        assert "organisation default" in finding.says
    assert "Art. 13(2)(a)" in report.finding("G7").citation  # type: ignore[union-attr]
    assert "§1798.100(a)(3)" in report.finding("C8").citation  # type: ignore[union-attr]


def test_no_legal_bases_in_the_statement(report: HealthReport) -> None:
    """GDPR Art. 13(1)(c): the pack's legal bases are hints; the statement names none."""
    finding = report.finding("G3")
    assert finding is not None and (finding.severity, finding.status) == ("high", "missing")
    assert "10 purposes are listed; 10 name no legal basis" in finding.says
    assert "Respond to inquiries" in finding.add  # purposes by their labels, not ids


def test_no_dpo_or_rights_contact(report: HealthReport) -> None:
    """GDPR Art. 13(1)(a)-(b); Cal. Civ. Code §1798.130(a)(1) and 11 CCR §7011(e)(3)."""
    assert report.finding("G2") is not None
    contact = report.finding("G1")
    assert contact is not None and "No postal address, e-mail address or telephone" in contact.says
    methods = report.finding("C10")
    assert methods is not None and methods.severity == "high" and methods.status == "missing"
    assert "§1798.130(a)(1)" in methods.citation


def test_no_transfer_safeguards(report: HealthReport) -> None:
    """GDPR Art. 13(1)(f) and 46: the group and Google transfers carry only assumed safeguards."""
    finding = report.finding("G6")
    assert finding is not None and (finding.severity, finding.status) == ("high", "assumed")
    assert "transmitted to Google" in finding.says
    assert "standard contractual clauses" in finding.add


def test_do_not_track_and_gpc_are_not_honoured_against_section_7025(report: HealthReport) -> None:
    """11 CCR §7025(b)-(c): a business that shares must treat an opt-out preference signal as an
    opt-out; the statement refuses browser signals."""
    finding = report.finding("C12")
    assert finding is not None and (finding.severity, finding.status) == ("high", "wrong")
    assert "§7025(b)-(c)" in finding.citation
    assert "do not respond to browser Do Not Track" in finding.says
    assert "Nothing on Global Privacy Control" in finding.says


def test_advertising_cookies_are_not_disclosed_as_sharing(report: HealthReport) -> None:
    """Cal. Civ. Code §1798.140(ah) and §1798.130(a)(5)(C): retargeting cookies are sharing."""
    finding = report.finding("C5")
    assert finding is not None and (finding.severity, finding.status) == ("high", "wrong")
    assert "§1798.140(ah)" in finding.citation
    assert "third-party partners to show ClientPay ads" in finding.says
    assert "does not sell, rent, lease or disclose" in finding.says
    assert "Cookie identifier" in finding.add  # categories by their labels, not ids
    assert report.finding("C3") is not None and report.finding("C11") is not None


# --- the rest of the checklist --------------------------------------------------------------------


def test_findings_come_high_severity_first_with_citations_and_advice(report: HealthReport) -> None:
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=("high", "medium", "low").index)
    assert all(f.citation and f.add and f.says for f in report.findings)
    assert report.counts()["high"] >= 10


def test_a_seven_year_old_statement_fails_the_twelve_month_update_rule(
    report: HealthReport,
) -> None:
    """Cal. Civ. Code §1798.130(a)(5): update at least once every 12 months."""
    finding = report.finding("C15")
    assert finding is not None and finding.status == "wrong"
    assert "Last modified: 2019-07-02" in finding.says and "7 years" in finding.add
    fresh = check_pack(load_default_pack(), dt.date(2020, 1, 2))
    assert fresh.finding("C15") is None and "C15" in fresh.passed


def test_the_uk_complaint_to_controller_line_is_checked_from_19_june_2026() -> None:
    """UK GDPR Art. 13(2)(ca) and DPA 2018 s.164A, in force 19 Jun 2026."""
    before = check_pack(load_default_pack(), dt.date(2026, 6, 18))
    after = check_pack(load_default_pack(), dt.date(2026, 6, 19))
    assert before.finding("G10-UK") is None and "G10-UK" in before.not_applicable
    finding = after.finding("G10-UK")
    assert finding is not None and finding.review is not None


def test_the_shipped_pack_labels_what_the_statement_does_not_say(report: HealthReport) -> None:
    """data/policy/README.md step 4: the customer and account ids and the how-to of 8 of the 10
    rights are not in the statement, so they carry the organisation-default label (issue 16)."""
    assert report.finding("P1") is None and "P1" in report.passed
    pack = load_default_pack()
    for cid in ("account.customer_id", "account.account_id"):
        basis = next(c.basis for c in pack.categories if c.id == cid)
        assert basis is not None and basis.startswith("organisation default")
    labelled = [r.id for r in pack.rights if r.how_basis]
    assert len(labelled) == 8 and "opt-out-marketing" not in labelled


def test_pack_entries_without_a_reference_or_a_label_are_listed() -> None:
    raw = _raw()
    for category in raw["categories"]:
        category.pop("basis", None)
    for right in raw["rights"]:
        right.pop("how_basis", None)
    finding = check_pack(parse_pack(raw, origin="unlabelled.json"), ON).finding("P1")
    assert finding is not None and finding.status == "assumed"
    for field in (
        "categories.account.customer_id",
        "categories.account.account_id",
        "rights.access",
        "rights.portability",
        "rights.withdraw-consent",
    ):
        assert field in finding.pack_fields
    assert "rights.opt-out-marketing" not in finding.pack_fields


def test_advertising_partners_are_third_parties_not_processors(report: HealthReport) -> None:
    """11 CCR §7050(b) and Cal. Civ. Code §1798.140(ah): a provider of cross-context behavioural
    advertising is a third party; typed 'processor', it is reported."""
    assert report.finding("P2") is None
    pack = load_default_pack()
    assert pack.recipient("advertising_partners").kind == "third_party"
    assert all(
        "advertising_partners" not in t.recipients for t in pack.transfers if "processor" in t.id
    )
    raw = _raw()
    raw["recipients"][4]["kind"] = "processor"
    finding = check_pack(parse_pack(raw, origin="processor.json"), ON).finding("P2")
    assert finding is not None and finding.pack_fields == ("recipients[4].kind",)


def test_the_opt_out_right_keeps_the_statements_except_as_described(report: HealthReport) -> None:
    """'ClientPay does not sell…' must keep the statement's 'except as described': under the
    CPRA, third-party advertising cookies count as sharing (Cal. Civ. Code §1798.140(ah))."""
    right = next(r for r in load_default_pack().rights if r.id == "opt-out-sale")
    assert "except as the statement describes" in right.description
    assert "sharing" in right.description
    finding = report.finding("C5")  # the statement itself still does not disclose the sharing
    assert finding is not None and "Advertising cookies are not disclosed as sharing" in finding.add


def test_the_report_is_plain_json_ready_values(report: HealthReport) -> None:
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["pack_id"] == "clientpay-2019-07-02" and data["checked_on"] == "2026-12-04"
    first = data["findings"][0]
    assert set(first) >= {"rule", "law", "severity", "status", "citation", "says", "add"}


def _fixed_pack() -> PolicyPack:
    raw = _raw()
    raw["organisation"].update(
        postal_address="1 Example Street, Springfield",
        email="privacy@example.com",
        dpo_contact="dpo@example.com",
        statement_ref="Contact us",
    )
    for purpose in raw["purposes"]:
        purpose["legal_basis_ref"] = "How we use your personal data"
        purpose["legitimate_interest"] = "Running and promoting our business"
    for category in raw["categories"]:
        category["retention_basis"] = "privacy statement — retention table"
    for transfer in raw["transfers"]:
        transfer["basis"] = "privacy statement — international transfers"
    raw["recipients"][4]["kind"] = "third_party"
    raw["cookie_policy"].update(
        honours_gpc=True, gpc="We treat Global Privacy Control as an opt-out."
    )
    raw["disclosures"] = {
        "request_methods": ["privacy@example.com", "+1 800 555 0100"],
        "sale_or_sharing": "We share cookie ids with advertising partners.",
        "opt_out_link": "Do Not Sell or Share My Personal Information",
    }
    return parse_pack(raw, origin="fixed.json")


def test_a_statement_that_says_what_the_law_requires_passes_those_checks() -> None:
    fixed = check_pack(_fixed_pack(), dt.date(2019, 12, 1))
    for rule in ("G1", "G2", "G3", "G4", "G6", "G7", "C5", "C8", "C10", "C11", "C12", "P2"):
        assert fixed.finding(rule) is None, rule
        assert rule in fixed.passed


# --- the checklist file ---------------------------------------------------------------------------


def _checklist() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(checklist_path().read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["rules"][0].pop("citation"),
            "checklist.json: field 'rules[0].citation' is missing: every rule must cite its legal source",
        ),
        (
            lambda d: d["rules"][1].update(check="vibes"),
            "checklist.json: field 'rules[1].check' 'vibes' is not a check this build knows",
        ),
        (
            lambda d: d["rules"][2].update(severity="urgent"),
            "checklist.json: field 'rules[2].severity' must be one of: high, medium, low",
        ),
        (
            lambda d: d["rules"][3].update(law="hipaa"),
            "checklist.json: field 'rules[3].law' 'hipaa' is not one of",
        ),
        (
            lambda d: d["rules"][4].update(id="G1"),
            "checklist.json: field 'rules[4].id' 'G1' is used twice",
        ),
        (lambda d: d.update(format=9), "checklist.json: field 'format' must be 1"),
    ],
)
def test_a_broken_checklist_names_the_exact_field(edit: Any, message: str) -> None:
    data = copy.deepcopy(_checklist())
    edit(data)
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(data)
    assert str(caught.value).startswith(message)


def test_every_rule_of_the_bundled_checklist_cites_its_law() -> None:
    checklist = parse_checklist(_checklist())
    assert len(checklist.rules) >= 30
    assert all(rule.citation.strip() for rule in checklist.rules)
