"""The registry of request types per law: every rule cited, pairs the law lacks refused by name,
verification, denial reasons and letters per law, and a file that names its exact faulty field."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from console.domain import request_types
from console.domain.request_types import (
    PairNotHeld,
    RegistryError,
    RegistryFileError,
    VerificationMode,
    denial_reason,
    entry,
    load_registry,
    parse_registry,
    registry,
    registry_path,
)
from console.errors import ConsoleError

D = dt.date


def _bundled() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(registry_path().read_text(encoding="utf-8"))
    return data


# --- what the registry holds ------------------------------------------------------------------

# The matrix of the legal memo (§2): the request types each law gives.
HELD = {
    "gdpr": {
        "access",
        "deletion",
        "correction",
        "portability",
        "opt-out-marketing",
        "restriction",
        "objection",
        "withdraw-consent",
        "complaint",
    },
    "uk-gdpr": {
        "access",
        "deletion",
        "correction",
        "portability",
        "opt-out-marketing",
        "restriction",
        "objection",
        "withdraw-consent",
        "complaint",
    },
    "ccpa": {
        "access",
        "deletion",
        "correction",
        "portability",
        "opt-out-sale",
        "limit-spi",
        "opt-out-marketing",
    },
    "vcdpa": {
        "access",
        "deletion",
        "correction",
        "portability",
        "opt-out-sale",
        "opt-out-marketing",
        "withdraw-consent",
        "appeal",
    },
    "cpa": {
        "access",
        "deletion",
        "correction",
        "portability",
        "opt-out-sale",
        "opt-out-marketing",
        "withdraw-consent",
        "appeal",
    },
    "ctdpa": {
        "access",
        "deletion",
        "correction",
        "portability",
        "opt-out-sale",
        "opt-out-marketing",
        "withdraw-consent",
        "appeal",
    },
    "lgpd": {
        "access",
        "deletion",
        "correction",
        "portability",
        "opt-out-marketing",
        "restriction",
        "objection",
        "withdraw-consent",
        "complaint",
    },
    "pipeda": {
        "access",
        "deletion",
        "correction",
        "opt-out-marketing",
        "withdraw-consent",
        "complaint",
    },
}


@pytest.mark.parametrize("law", sorted(HELD))
def test_each_law_holds_exactly_the_request_types_it_gives(law: str) -> None:
    assert set(registry().law(law).types_on(D(2026, 12, 4))) == HELD[law]


def test_every_rule_of_every_pair_cites_its_source() -> None:
    for law, rules in registry().laws.items():
        for versions in rules.entries.values():
            for e in versions:
                for part, citation in e.parts():
                    assert citation.text.strip(), (law, e.request_type, part)


def test_asking_for_a_pair_the_law_does_not_hold_names_the_pairs_it_does() -> None:
    """The CCPA gives no right to restriction: refused, with what to use and what it holds."""
    with pytest.raises(PairNotHeld) as caught:
        entry("ccpa", "restriction")
    message = str(caught.value)
    assert "gives no restriction request" in message
    assert "log it as 'limit-spi'" in message
    assert (
        "Under ccpa the registry holds: access, deletion, correction, portability,"
        " opt-out-sale, limit-spi, opt-out-marketing" in message
    )
    assert isinstance(caught.value, ConsoleError)


def test_unknown_laws_and_types_are_refused_naming_the_known_ones() -> None:
    with pytest.raises(RegistryError, match="Unknown law 'hipaa'; known laws: gdpr, uk-gdpr"):
        entry("hipaa", "access")
    with pytest.raises(RegistryError, match="Unknown request type 'audit'; known types: access"):
        entry("gdpr", "audit")


def test_a_stored_request_of_a_pair_the_law_lacks_keeps_a_clock_marked_not_a_right() -> None:
    rule = registry().rule_for("ccpa", "restriction", D(2024, 6, 3))
    assert not rule.recognised and not rule.statutory
    assert rule.citation.text.startswith("Not a request type of the CCPA/CPRA")
    assert rule.denial_reasons == {}


def test_the_ccpa_limit_request_exists_from_the_cpra_operative_date() -> None:
    """Cal. Civ. Code §1798.121 (CPRA), operative 1 Jan 2023."""
    assert not registry().holds("ccpa", "limit-spi", D(2022, 12, 31))
    assert entry("ccpa", "limit-spi", D(2023, 1, 1)).clock.period.amount == 15


def test_labels_come_from_the_registry_one_per_code() -> None:
    reg = registry()
    assert reg.type_label("limit-spi") == "Limit use of sensitive personal information"
    assert reg.type_label("appeal") == "Appeal of a refused request"
    assert reg.law_label("ccpa") == "CCPA/CPRA"
    assert reg.reason_label("legal_claims") == "Needed for legal claims (legal hold)"
    # Codes stored by earlier builds keep their labels, but are no ground for a new denial.
    assert reg.reason_label("exemption") == "Exemption applies" and reg.reasons["other"].legacy


# --- verification -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("law", "rtype", "mode", "cites"),
    [
        ("ccpa", "opt-out-sale", "forbidden", "§7026(d)"),
        ("ccpa", "limit-spi", "forbidden", "§7027(d)-(e)"),
        ("ccpa", "access", "required", "§1798.130(a)(2)(A)"),
        ("ccpa", "opt-out-marketing", "forbidden", "16 CFR 316.5"),
        ("ctdpa", "opt-out-sale", "forbidden", "§42-518(c)(4)"),
        ("vcdpa", "opt-out-sale", "optional", "§59.1-577(A)"),
        ("cpa", "opt-out-sale", "optional", "§6-1-1306(2)(d)"),
        ("cpa", "access", "required", "§6-1-1306(2)(d)"),
        ("pipeda", "opt-out-marketing", "forbidden", "CASL s.11(3)"),
        ("gdpr", "access", "optional", "Art. 12(6)"),
    ],
)
def test_verification_is_required_optional_or_forbidden_per_law(
    law: str, rtype: str, mode: str, cites: str
) -> None:
    verification = entry(law, rtype, D(2026, 12, 4)).verification
    assert verification.mode is VerificationMode(mode)
    assert cites in verification.citation.text


# --- denial reasons -----------------------------------------------------------------------------


def test_not_a_consumer_is_a_ccpa_ground_and_never_a_gdpr_one() -> None:
    """Cal. Civ. Code §1798.140(i) defines 'consumer'; the GDPR has no such notion."""
    assert "§1798.140(i)" in denial_reason("ccpa", "access", "not_a_consumer").citation.text
    with pytest.raises(RegistryError, match="'not_a_consumer' is not a ground to deny an access"):
        denial_reason("gdpr", "access", "not_a_consumer")


@pytest.mark.parametrize(
    ("law", "allowed", "cites"),
    [
        ("gdpr", True, "Art. 12(5)"),
        ("uk-gdpr", True, "Art. 12(5)"),
        ("ccpa", True, "§1798.145(h)(3)"),
        ("vcdpa", True, "§59.1-577(B)(3)"),
        ("ctdpa", True, "§42-518(c)(3)"),
        ("cpa", False, ""),
        ("lgpd", False, ""),
        ("pipeda", False, ""),
    ],
)
def test_manifestly_unfounded_or_excessive_is_a_decision_where_the_law_allows_it(
    law: str, allowed: bool, cites: str
) -> None:
    rule = entry(law, "access", D(2026, 12, 4))
    if not allowed:
        assert rule.excessive is None
        assert "manifestly_unfounded_or_excessive" not in rule.denial_reasons
        return
    assert rule.excessive is not None and cites in rule.excessive.citation.text
    assert rule.excessive.options == ("fee", "refuse")
    assert "burden" in rule.excessive.citation.text
    refusal = rule.denial_reasons["manifestly_unfounded_or_excessive"]
    assert refusal.citation == rule.excessive.citation


def test_a_marketing_opt_out_under_can_spam_cannot_be_denied_and_has_no_denial_letter() -> None:
    """15 U.S.C. §7704(a)(4) and 16 CFR 316.5 allow no condition beyond the address."""
    rule = entry("ccpa", "opt-out-marketing")
    assert rule.denial_reasons == {} and "denial" not in rule.letters
    with pytest.raises(RegistryError, match="cannot be denied: the law gives no ground"):
        denial_reason("ccpa", "opt-out-marketing", "other")


def test_a_ccpa_opt_out_can_be_denied_only_as_fraudulent_not_for_identity() -> None:
    """11 CCR §7026(d)-(e): no verifiable request; a documented fraud belief is the ground."""
    reasons = entry("ccpa", "opt-out-sale").denial_reasons
    assert "request_fraudulent" in reasons and "identity_not_verified" not in reasons


def test_ccpa_deletion_exceptions_are_the_eight_of_section_1798_105_d() -> None:
    reasons = entry("ccpa", "deletion").denial_reasons
    cited = sorted(
        r.citation.text
        for r in reasons.values()
        if r.citation.text.startswith("Cal. Civ. Code §1798.105(d)")
    )
    assert [c[: len("Cal. Civ. Code §1798.105(d)(1)")] for c in cited] == [
        f"Cal. Civ. Code §1798.105(d)({n})" for n in range(1, 9)
    ]


@pytest.mark.parametrize(
    ("law", "cites"),
    [
        ("gdpr", "Art. 17(3)(e)"),
        ("uk-gdpr", "Sch 2 para 5(3)"),
        ("ccpa", "§1798.145(a)(1)(E)"),
        ("vcdpa", "§59.1-582"),
        ("cpa", "§6-1-1304(3)"),
        ("ctdpa", "§42-517"),
        ("lgpd", "Art. 7 VI"),
        ("pipeda", "s.8(8)"),
    ],
)
def test_each_law_names_the_ground_for_a_deletion_where_every_record_is_held(
    law: str, cites: str
) -> None:
    rules = registry().law(law)
    assert rules.held_records_reason == "legal_claims"
    reason = entry(law, "deletion").denial_reasons["legal_claims"]
    assert cites in reason.citation.text


# --- letters ------------------------------------------------------------------------------------


def test_a_ccpa_deletion_denial_says_what_section_7022_f_requires() -> None:
    letter = entry("ccpa", "deletion").letters["denial"]
    assert letter.must_say == (
        "detailed_basis",
        "retained_data_use_limited",
        "offer_opt_out",
        "record_kept",
    )
    assert "§7022(f)" in letter.citation.text


@pytest.mark.parametrize("law", ["vcdpa", "ctdpa"])
def test_a_denied_appeal_gives_the_attorney_general_contact(law: str) -> None:
    """Va. Code §59.1-577(C); Conn. Gen. Stat. §42-518(d): only when the appeal is denied."""
    rule = entry(law, "appeal")
    assert "attorney_general_contact" in rule.letters["denial"].must_say
    assert "attorney_general_contact" not in rule.letters["completion"].must_say
    assert rule.clock.period.amount == 60 and rule.extension is None
    ag = request_types.attorney_general(law)
    assert ag is not None and "Attorney General" in ag.text and ag.citation.needs_review


def test_a_colorado_appeal_gives_the_attorney_general_contact_whatever_the_outcome() -> None:
    """C.R.S. §6-1-1306(3)(d)."""
    rule = entry("cpa", "appeal")
    assert "attorney_general_contact" in rule.letters["completion"].must_say
    assert "attorney_general_contact" in rule.letters["denial"].must_say
    assert (rule.clock.period.amount, rule.extension and rule.extension.period.amount) == (45, 60)


def test_letters_follow_the_rule_no_acknowledgement_or_extension_letter_where_there_is_none() -> (
    None
):
    assert set(entry("ccpa", "access").letters) == {"ack", "extension", "denial", "completion"}
    assert entry("ccpa", "access").letters["ack"].must_say == (
        "verification_process",
        "expected_response_date",
    )
    assert set(entry("ccpa", "opt-out-sale").letters) == {"denial", "completion"}


def test_a_uk_refusal_names_the_complaint_to_the_controller_from_19_june_2026() -> None:
    """DPA 2018 s.164A and s.165 (SI 2026/82 reg 3)."""
    before = entry("uk-gdpr", "access", D(2026, 6, 18)).letters["denial"]
    after = entry("uk-gdpr", "access", D(2026, 6, 19)).letters["denial"]
    assert "complaint_to_controller" not in before.must_say
    assert "complaint_to_controller" in after.must_say and "s.165" in after.citation.text


def test_uk_complaints_are_acknowledged_within_30_days_only_from_19_june_2026() -> None:
    """DPA 2018 s.164A(3), in force 19 Jun 2026 (SI 2026/82 reg 3)."""
    assert entry("uk-gdpr", "complaint", D(2026, 6, 18)).acknowledge is None
    ack = entry("uk-gdpr", "complaint", D(2026, 6, 19)).acknowledge
    assert ack is not None and ack.period.amount == 30 and "s.164A(3)" in ack.citation.text
    assert not entry("uk-gdpr", "complaint", D(2026, 6, 19)).clock.statutory


def test_periods_the_law_does_not_set_are_marked_organisation_defaults() -> None:
    """LGPD Art. 18 §5 and PIPEDA s.8(3) set periods only for some requests (memo §0.9)."""
    assert entry("lgpd", "access").statutory and not entry("lgpd", "deletion").statutory
    assert entry("pipeda", "access").statutory and not entry("pipeda", "deletion").statutory
    assert entry("gdpr", "withdraw-consent").clock.citation.text.startswith("Organisation default")


def test_entries_whose_wording_was_not_read_in_an_official_copy_are_marked_for_review() -> None:
    flagged = dict(registry().needing_review())
    assert any(k.startswith("ccpa/opt-out-sale") and k.endswith(": clock") for k in flagged)
    assert not entry("ccpa", "access").acknowledge.citation.needs_review  # type: ignore[union-attr]


# --- the file -----------------------------------------------------------------------------------


def _broken(edit: Any) -> dict[str, Any]:
    data = copy.deepcopy(_bundled())
    edit(data)
    return data


def _types(d: dict[str, Any], law: str) -> dict[str, Any]:
    types: dict[str, Any] = d["laws"][law]["types"]
    return types


@pytest.mark.parametrize(
    ("edit", "field", "problem"),
    [
        (
            lambda d: d["laws"]["gdpr"]["defaults"]["clock"].pop("source"),
            "laws.gdpr.defaults.clock.source",
            "every rule must cite its legal source",
        ),
        (
            lambda d: _types(d, "ccpa")["limit-spi"].pop("source"),
            "laws.ccpa.types.limit-spi.source",
            "every rule must cite its legal source",
        ),
        (
            lambda d: d["laws"]["gdpr"]["denial_reasons"]["legal_claims"].pop("source"),
            "laws.gdpr.denial_reasons.legal_claims.source",
            "every rule must cite",
        ),
        (
            lambda d: d["laws"]["ccpa"]["defaults"]["letters"]["denial"].pop("source"),
            "laws.ccpa.defaults.letters.denial.source",
            "every rule must cite",
        ),
        (
            lambda d: d["laws"]["vcdpa"]["attorney_general"].pop("source"),
            "laws.vcdpa.attorney_general.source",
            "every rule must cite",
        ),
        (
            lambda d: d["laws"]["ccpa"]["defaults"]["clock"].update(unit="weeks"),
            "laws.ccpa.defaults.clock.unit",
            "must be one of",
        ),
        (
            lambda d: d["laws"]["lgpd"]["defaults"]["clock"].update(amount=True),
            "laws.lgpd.defaults.clock.amount",
            "at least 1",
        ),
        (
            lambda d: d["laws"]["gdpr"]["defaults"]["extension"].update(max_times=0),
            "laws.gdpr.defaults.extension.max_times",
            "at least 1",
        ),
        (
            lambda d: _types(d, "ccpa")["opt-out-sale"]["clock"].update(amount=-15),
            "laws.ccpa.types.opt-out-sale.clock.amount",
            "at least 1",
        ),
        (
            lambda d: _types(d, "ccpa").update({"audit": {"source": "x"}}),
            "laws.ccpa.types.audit",
            "is not one of the listed request_types",
        ),
        (
            lambda d: d["laws"]["gdpr"]["defaults"].update(grace={}),
            "laws.gdpr.defaults.grace",
            "is not one of",
        ),
        (
            lambda d: d["laws"]["gdpr"]["defaults"]["pause"].update(reasons=[]),
            "laws.gdpr.defaults.pause.reasons",
            "non-empty",
        ),
        (
            lambda d: d["laws"]["vcdpa"]["calendar"].update(country="XX"),
            "laws.vcdpa.calendar.country",
            "has no holiday calendar",
        ),
        (
            lambda d: d["laws"]["cpa"]["calendar"].update(subdivision="ZZ"),
            "laws.cpa.calendar.subdivision",
            "is not a part of US",
        ),
        (
            lambda d: d["laws"]["ctdpa"]["calendar"].update(weekend=["saturday"]),
            "laws.ctdpa.calendar.weekend",
            "must be a list of",
        ),
        (
            lambda d: _types(d, "ccpa")["opt-out-sale"].update(acknowledge={"amount": 3}),
            "laws.ccpa.types.opt-out-sale.acknowledge.unit",
            "is missing",
        ),
        (lambda d: d["laws"]["uk-gdpr"].pop("name"), "laws.uk-gdpr.name", "is missing"),
        (lambda d: d.update(format=2), "format", "must be 1"),
        (
            lambda d: _types(d, "cpa")["opt-out-sale"]["verification"].update(mode="sometimes"),
            "laws.cpa.types.opt-out-sale.verification.mode",
            "required, optional, forbidden",
        ),
        (
            lambda d: d["laws"]["uk-gdpr"]["defaults"][2].update(effective_from="2026-06-01"),
            "laws.uk-gdpr.defaults[2].effective_from",
            "overlaps an earlier version",
        ),
        (
            lambda d: d["laws"]["uk-gdpr"]["defaults"][2].update(effective_from="2026-07-01"),
            "laws.uk-gdpr.defaults[2].effective_from",
            "the day after the previous version ends",
        ),
        (
            lambda d: d["laws"]["gdpr"]["denial_reasons"].update(
                not_a_thing={"types": "*", "source": "x"}
            ),
            "laws.gdpr.denial_reasons.not_a_thing",
            "is not one of the listed denial_reasons",
        ),
        (
            lambda d: d["laws"]["gdpr"]["denial_reasons"].update(
                other={"types": "*", "source": "x"}
            ),
            "laws.gdpr.denial_reasons.other",
            "legacy codes are for stored requests only",
        ),
        (
            lambda d: d["laws"]["gdpr"]["defaults"]["letters"]["denial"].update(must_say=["charm"]),
            "laws.gdpr.defaults.letters.denial.must_say[0]",
            "'charm' is not one of",
        ),
        (
            lambda d: d["laws"]["ccpa"]["defaults"]["letters"].pop("ack"),
            "laws.ccpa.types.portability.letters.ack",
            "has this letter",
        ),
        (
            lambda d: d["laws"]["ccpa"]["not_held"].update(access={"use": None, "source": "x"}),
            "laws.ccpa.not_held.access",
            "is a type ccpa holds",
        ),
        (
            lambda d: d["laws"]["ccpa"].update(held_records_reason="charm"),
            "laws.ccpa.held_records_reason",
            "is not one of ccpa's denial_reasons",
        ),
    ],
)
def test_a_broken_registry_names_the_file_and_the_exact_field(
    edit: Any, field: str, problem: str
) -> None:
    with pytest.raises(RegistryFileError) as caught:
        parse_registry(_broken(edit), source="registry.json")
    message = str(caught.value)
    assert message.startswith(f"registry.json: field '{field}'"), message
    assert re.search(re.escape(problem), message), message


def test_a_registry_that_is_not_json_or_missing_is_a_known_error(tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RegistryFileError, match=r"registry\.json: is not valid JSON"):
        load_registry(path)
    with pytest.raises(RegistryFileError, match="cannot be read"):
        load_registry(tmp_path / "missing.json")


def test_the_registry_is_found_inside_a_frozen_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen build unpacks data/ under sys._MEIPASS; the one resource finder looks there."""
    bundle = tmp_path / "bundle"
    (bundle / "data" / "requests").mkdir(parents=True)
    shutil.copy(registry_path(), bundle / "data" / "requests" / "registry.json")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert registry_path() == bundle / "data" / "requests" / "registry.json"
    registry.cache_clear()
    try:
        assert registry().law_label("ccpa") == "CCPA/CPRA"
    finally:
        registry.cache_clear()
