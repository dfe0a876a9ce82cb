"""Identifier normalisation: tables of real-world spellings, placeholders, and properties."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from console.domain import identifiers as ids
from console.errors import ValidationError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Foo@Bar.com", "foo@bar.com"),
        ("  foo@bar.com \t", "foo@bar.com"),
        ("mailto:Foo@Bar.COM", "foo@bar.com"),
        ("<foo@bar.com>", "foo@bar.com"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("josé@Bücher.de", "josé@xn--bcher-kva.de"),
        ("jose@xn--bcher-kva.de", "jose@xn--bcher-kva.de"),
        ("ana@clientpay.com.", "ana@clientpay.com"),
        ("not an email", None),
        ("foo@bar", None),
        ("foo@@bar.com", None),
        ("foo bar@baz.com", None),
        (".foo@bar.com", None),
        ("foo@-bar.com", None),
        ("test@test.com", None),
        ("TEST@TEST.COM", None),
        ("example@example.com", None),
        ("noreply@clientpay.com", None),
        ("No-Reply@shop.example.org", None),
        ("n/a", None),
        ("", None),
    ],
)
def test_emails_are_normalised_or_refused(raw: str, expected: str | None) -> None:
    assert ids.normalise("email", raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(555) 010-1234", "US", "+15550101234"),
        ("555.010.1234", "US", "+15550101234"),
        ("1-555-010-1234", "US", "+15550101234"),
        ("+1 555 010 1234", "GB", "+15550101234"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "US", "+442079460958"),
        ("0151 234 5678", "DE", "+491512345678"),
        ("tel:+15550101234", "US", "+15550101234"),
        ("020 7946 0958", "US", None),
        ("555-0101", "US", None),
        ("0000000000", "US", None),
        ("111-111-1111", "US", None),
        ("123-456-7890", "US", None),
        ("+1 123 456 7890", "US", None),
        ("123456789", "US", None),
        ("not a phone", "US", None),
        ("n/a", "US", None),
        ("", "US", None),
    ],
)
def test_phone_numbers_become_e164_or_none(raw: str, region: str, expected: str | None) -> None:
    assert ids.normalise("phone", raw, default_region=region) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("name", "  Zoë   O'Brien ", "zoe o'brien"),
        ("name", "JÖRG MÜLLER", "jorg muller"),
        ("name", "Straße", "strasse"),
        ("name", "王小明", "王小明"),
        ("name", "ﬁona", "fiona"),
        ("name", "N/A", None),
        ("name", "12345", None),
        ("postal_address", "12 Main St., Apt #4", "12 main st apt 4"),
        ("postal_address", "Unknown", None),
        ("ip", " 192.168.001.1 ", None),
        ("ip", "192.168.1.1", "192.168.1.1"),
        ("ip", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("ip", "[2001:db8::1]", "2001:db8::1"),
        ("ip", "::ffff:203.0.113.9", "203.0.113.9"),
        ("ip", "127.0.0.1", None),
        ("ip", "0.0.0.0", None),
        ("ip", "::", None),
        ("ip", "999.1.1.1", None),
        ("cookie_id", " GA1.2.1234567890.1700000000 ", "GA1.2.1234567890.1700000000"),
        ("cookie_id", "AbC123", "AbC123"),
        ("device_id", "00000000-0000-0000-0000-000000000000", None),
        ("customer_id", "C-1001", "C-1001"),
        ("customer_id", "NULL", None),
        ("account_id", "-", None),
        ("account_id", " TEST@TEST.COM ", None),
        ("customer_id", "test@test.com", None),
        ("account_id", "ana@example.com", "ana@example.com"),
        ("order_id", "unknown", None),
        ("other:loyalty", " LX-77 ", "LX-77"),
    ],
)
def test_other_kinds_are_normalised_or_refused(kind: str, raw: str, expected: str | None) -> None:
    assert ids.normalise(kind, raw) == expected


def test_id_case_is_kept_so_distinct_cookies_never_merge() -> None:
    assert ids.normalise("cookie_id", "abc") != ids.normalise("cookie_id", "ABC")


@pytest.mark.parametrize(
    ("kind", "strong"),
    [
        ("email", True),
        ("phone", True),
        ("cookie_id", True),
        ("device_id", True),
        ("customer_id", True),
        ("account_id", True),
        ("other:loyalty", True),
        ("name", False),
        ("postal_address", False),
        ("ip", False),
        ("order_id", False),
    ],
)
def test_only_strong_kinds_link_records(kind: str, strong: bool) -> None:
    assert ids.is_strong(kind) is strong


def test_parse_kind_accepts_any_case_and_namespaces() -> None:
    assert ids.parse_kind(" Email ") == "email"
    assert ids.parse_kind("other:Loyalty_Card") == "other:loyalty_card"


@pytest.mark.parametrize("text", ["emial", "other:", "other:bad name", "", "other:-x"])
def test_parse_kind_refuses_unknown_kinds_clearly(text: str) -> None:
    with pytest.raises(ValidationError, match="kind"):
        ids.parse_kind(text)


def test_guess_query_reads_a_formatted_phone_number() -> None:
    assert ("phone", "+15550101234") in ids.guess_query("(555) 010-1234", "US")


def test_guess_query_reads_an_email_in_any_case() -> None:
    assert ids.guess_query("Foo@Bar.com", "US")[0] == ("email", "foo@bar.com")


def test_guess_query_reads_an_ip_address() -> None:
    assert ids.guess_query("2001:DB8::1", "US")[0] == ("ip", "2001:db8::1")


def test_guess_query_reads_a_name_without_guessing_ids() -> None:
    found = ids.guess_query("Zoë O'Brien", "US")
    assert found == [("name", "zoe o'brien")]


def test_guess_query_offers_an_opaque_token_as_every_id_kind() -> None:
    kinds = {kind for kind, value in ids.guess_query("C-1001", "US") if value == "C-1001"}
    assert kinds == set(ids.ID_KINDS)


def test_guess_query_of_a_placeholder_finds_nothing() -> None:
    assert ids.guess_query("test@test.com", "US") == []
    assert ids.guess_query("   ", "US") == []


# ---- properties ---------------------------------------------------------------------------

kinds = st.sampled_from([*ids.KINDS, "other:crm"])


@given(kind=kinds, raw=st.text(max_size=40))
@example(kind="postal_address", raw="0\u2024")  # NFKD made "0." of it, which normalised to None
def test_normalise_is_idempotent(kind: str, raw: str) -> None:
    once = ids.normalise(kind, raw)
    if once is not None:
        assert ids.normalise(kind, once) == once


local_parts = st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9]{1,8})?", fullmatch=True)
domains = st.from_regex(r"[a-z]{2,10}\.(com|org|de|co\.uk)", fullmatch=True)


@given(
    local=local_parts,
    domain=domains,
    upper=st.lists(st.booleans(), min_size=40, max_size=40),
    pad=st.sampled_from(["", " ", "\t", "  "]),
)
def test_email_normalisation_ignores_case_and_spacing(
    local: str, domain: str, upper: list[bool], pad: str
) -> None:
    email = f"{local}@{domain}"
    mixed = "".join(c.upper() if u else c for c, u in zip(email, upper, strict=False))
    assert ids.normalise("email", f"{pad}{mixed}{pad}") == ids.normalise("email", email)


nanp = st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True)


@given(
    number=nanp,
    style=st.sampled_from(
        [
            "{a}{b}{c}",
            "({a}) {b}-{c}",
            "{a}-{b}-{c}",
            "{a}.{b}.{c}",
            "+1 {a} {b} {c}",
            "1-{a}-{b}-{c}",
            "+1 ({a}) {b}-{c}",
            " {a} {b} {c} ",
        ]
    ),
)
def test_phone_normalisation_ignores_punctuation_and_spacing(number: str, style: str) -> None:
    text = style.format(a=number[:3], b=number[3:6], c=number[6:])
    assert ids.normalise("phone", text) == ids.normalise("phone", number)


@given(digits=st.from_regex(r"\+?1?[0-9]{10}", fullmatch=True))
def test_north_american_fast_path_agrees_with_phonenumbers(digits: str) -> None:
    fast = ids.normalise_phone(digits, default_region="US")
    try:
        number = phonenumbers.parse(digits, "US")
    except phonenumbers.NumberParseException:
        assert fast is None
        return
    possible = (
        phonenumbers.is_possible_number_with_reason(number)
        == phonenumbers.ValidationResult.IS_POSSIBLE
    )
    slow = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if fast is not None:
        assert possible
        assert fast == slow
    else:
        assert not possible or ids._is_placeholder_number(slow)


@pytest.mark.parametrize("raw", ["+", "+ ", "(+)", "+-"])
def test_a_lone_plus_sign_is_not_a_phone_number(raw: str) -> None:
    assert ids.normalise("phone", raw) is None
