"""Identifier kinds and their normalisation, so one person's values compare equal across sources.

Pure functions: no I/O. ``normalise`` returns None for anything that must never link records.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import sys
import unicodedata
from collections.abc import Callable

import phonenumbers

from console.errors import ValidationError

EMAIL = "email"
PHONE = "phone"
NAME = "name"
POSTAL_ADDRESS = "postal_address"
IP = "ip"
COOKIE_ID = "cookie_id"
DEVICE_ID = "device_id"
CUSTOMER_ID = "customer_id"
ACCOUNT_ID = "account_id"
ORDER_ID = "order_id"
OTHER_PREFIX = "other:"

KINDS: tuple[str, ...] = (
    EMAIL,
    PHONE,
    NAME,
    POSTAL_ADDRESS,
    IP,
    COOKIE_ID,
    DEVICE_ID,
    CUSTOMER_ID,
    ACCOUNT_ID,
    ORDER_ID,
)
STRONG_KINDS = frozenset({EMAIL, PHONE, COOKIE_ID, DEVICE_ID, CUSTOMER_ID, ACCOUNT_ID})
WEAK_KINDS = frozenset({NAME, POSTAL_ADDRESS, IP, ORDER_ID})
ID_KINDS: tuple[str, ...] = (COOKIE_ID, DEVICE_ID, CUSTOMER_ID, ACCOUNT_ID, ORDER_ID)

# Values that people and systems type when they have nothing to type. Compared after normalisation
# (case- and space-folded), so each entry is written in its folded form.
PLACEHOLDER_VALUES = frozenset(
    {
        "",
        "-",
        "--",
        "---",
        ".",
        "?",
        "0",
        "n/a",
        "n.a.",
        "na",
        "none",
        "null",
        "nil",
        "undefined",
        "unknown",
        "not available",
        "not provided",
        "not applicable",
        "no data",
        "blank",
        "empty",
        "test",
        "xxx",
        "tbd",
        "#n/a",
        "00000000-0000-0000-0000-000000000000",
    }
)
PLACEHOLDER_EMAILS = frozenset(
    {
        "test@test.com",
        "test@example.com",
        "example@example.com",
        "email@example.com",
        "user@example.com",
        "someone@example.com",
        "noemail@noemail.com",
        "none@none.com",
        "no@email.com",
        "a@a.com",
        "x@x.com",
    }
)
# Local parts that never belong to a person, whatever the domain.
PLACEHOLDER_EMAIL_LOCAL_PARTS = frozenset(
    {
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "mailer-daemon",
        "postmaster",
        "none",
        "null",
        "unknown",
        "noemail",
        "nomail",
        "n/a",
        "na",
    }
)
# Digit runs that forms accept when a caller refuses to give a number.
PLACEHOLDER_DIGIT_RUNS = ("0123456789", "1234567890", "9876543210", "123456789", "987654321")
PLACEHOLDER_NAMES = frozenset({"test test", "test user", "no name", "name", "first last", "x x"})

# The everyday shape (ASCII, already well formed), matched in one go; the rest takes the long path.
_FAST_EMAIL_RE = re.compile(
    r"(?=[^@]{1,64}@)[a-z0-9_%+'\-]+(?:\.[a-z0-9_%+'\-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_NANP_PLACEHOLDERS = frozenset(
    national
    for national in (
        *(digit * 10 for digit in "0123456789"),
        *(run for run in PLACEHOLDER_DIGIT_RUNS if len(run) == 10),
        *(run + d for run in PLACEHOLDER_DIGIT_RUNS if len(run) == 9 for d in "0123456789"),
        *(d + run for run in PLACEHOLDER_DIGIT_RUNS if len(run) == 9 for d in "0123456789"),
    )
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_RE = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_ALNUM_RE = re.compile(r"[^\W_]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_LONGEST_PLACEHOLDER = max(map(len, PLACEHOLDER_VALUES)) + 8  # room for surrounding spaces
_PLACEHOLDER_RUNS = frozenset(PLACEHOLDER_DIGIT_RUNS)
_EMAIL_LOCAL_RE = re.compile(r"[^\s@<>()\[\]\\,;:\"]{1,64}")
_DOMAIN_LABEL_RE = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_PHONE_SEPARATORS = str.maketrans("", "", " -.()/\u00a0")
_NAMESPACE_RE = re.compile(r"[a-z0-9][a-z0-9_.\-]{0,63}")
_NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(1, ()))
# The columnar normalisers (console.importers.column_normalise) settle the same everyday shapes
# in bulk and must agree with the functions here value for value, so they read the same sets.
NANP_REGIONS = _NANP_REGIONS
NANP_PLACEHOLDER_NUMBERS = _NANP_PLACEHOLDERS
LONGEST_ID_PLACEHOLDER = _LONGEST_PLACEHOLDER
_ADDRESS_PUNCTUATION = str.maketrans({",": " ", ".": " ", "#": " ", ";": " "})


def parse_kind(text: str) -> str:
    """The canonical identifier kind for ``text`` (case-insensitive), or ValidationError."""
    kind = text.strip().lower()
    if kind in KINDS:
        return kind
    # A kind may also be written as people read it: "Customer ID", "IP address", "E-mail".
    by_label = _KIND_BY_LABEL.get(" ".join(kind.split()))
    if by_label is not None:
        return by_label
    if kind.startswith(OTHER_PREFIX):
        namespace = kind[len(OTHER_PREFIX) :]
        if _NAMESPACE_RE.fullmatch(namespace):
            return kind
        raise ValidationError(
            f'Identifier kind "{text}": the namespace after "other:" must be 1–64 letters, '
            "digits, '_', '.' or '-', starting with a letter or digit."
        )
    raise ValidationError(
        f'Unknown identifier kind "{text}"; expected one of {", ".join(KINDS)} or other:NAMESPACE.'
    )


# One label per kind, wherever a person reads it (production indexes, letters, the window).
KIND_LABELS: dict[str, str] = {
    EMAIL: "E-mail",
    PHONE: "Phone",
    NAME: "Name",
    POSTAL_ADDRESS: "Postal address",
    IP: "IP address",
    COOKIE_ID: "Cookie ID",
    DEVICE_ID: "Device ID",
    CUSTOMER_ID: "Customer ID",
    ACCOUNT_ID: "Account ID",
    ORDER_ID: "Order ID",
}


_KIND_BY_LABEL = {
    **{label.lower(): kind for kind, label in KIND_LABELS.items()},
    **{kind.replace("_", " "): kind for kind in KIND_LABELS},
    "ip": IP,
    "mail": EMAIL,
}


def kind_label(kind: str) -> str:
    if kind.startswith(OTHER_PREFIX):
        return f"Identifier ({kind[len(OTHER_PREFIX) :]})"
    return KIND_LABELS.get(kind, kind)


def is_strong(kind: str) -> bool:
    """Whether a shared value of this kind links two records to one subject."""
    return kind in STRONG_KINDS or kind.startswith(OTHER_PREFIX)


def normaliser(kind: str, *, default_region: str = "US") -> Callable[[str], str | None]:
    """The normalising function for one kind, bound once per column so the per-row path is lean."""
    kind = parse_kind(kind)
    if kind == EMAIL:
        return normalise_email
    if kind == PHONE:
        region = default_region.upper()
        return functools.partial(normalise_phone, default_region=region)
    if kind == NAME:
        return normalise_name
    if kind == POSTAL_ADDRESS:
        return normalise_postal_address
    if kind == IP:
        return normalise_ip
    return normalise_id


def normalise(kind: str, raw: str, *, default_region: str = "US") -> str | None:
    """``raw`` in the form that compares equal across sources; None if it is no identifier."""
    return normaliser(kind, default_region=default_region)(raw)


def normalise_email(raw: str) -> str | None:
    text = raw.strip()
    if text.isascii():
        email = text.lower()
        if _FAST_EMAIL_RE.fullmatch(email) and len(email) <= 254:
            local = email[: email.index("@")]
            if email in PLACEHOLDER_EMAILS or local in PLACEHOLDER_EMAIL_LOCAL_PARTS:
                return None
            return email
    if text[:7].lower() == "mailto:":
        text = text[7:]
    if text[:1] == "<" and text[-1:] == ">":
        text = text[1:-1].strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return None
    # The local part is case-sensitive by the RFC, but no mailbox provider we meet treats it so,
    # and people type it in any case; folding it is what makes the same person match.
    local = unicodedata.normalize("NFC", local).lower()
    if not _EMAIL_LOCAL_RE.fullmatch(local) or local[0] == "." or local[-1] == ".":
        return None
    ascii_domain = _ascii_domain(domain)
    if ascii_domain is None:
        return None
    email = f"{local}@{ascii_domain}"
    if len(email) > 254 or email in PLACEHOLDER_EMAILS or local in PLACEHOLDER_EMAIL_LOCAL_PARTS:
        return None
    return email


def _ascii_domain(domain: str) -> str | None:
    domain = domain.rstrip(".")
    if domain.isascii():
        domain = domain.lower()
    else:
        try:
            # IDNA 2003 (the stdlib codec) also case-folds and NFKC-maps, so every spelling of an
            # internationalised domain ends in the one punycode form.
            domain = domain.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253:
        return None
    if not all(_DOMAIN_LABEL_RE.fullmatch(label) for label in labels):
        return None
    tld = labels[-1]
    if not (tld.isalpha() or tld.startswith("xn--")):
        return None
    return domain


def normalise_phone(raw: str, *, default_region: str = "US") -> str | None:
    """E.164, or None when the number is not a possible full number (or is a placeholder)."""
    # Chained replace is several times faster than translate() for the usual separators.
    compact = raw.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    compact = compact.replace(".", "")
    if not compact:
        return None
    national = _nanp_fast_path(compact, default_region)
    if national is not None:
        return None if national in _NANP_PLACEHOLDERS else "+1" + national
    return _parse_phone(compact.translate(_PHONE_SEPARATORS), default_region)


def _nanp_fast_path(compact: str, region: str) -> str | None:
    # phonenumbers.parse costs ~30 µs; this covers the commonest shapes of a North American
    # export exactly as phonenumbers would (tests compare the two), and leaves the rest to it.
    # Returns the 10-digit national number; area codes start with 2-9, anything else is unusual
    # enough to leave to phonenumbers' own national-prefix rules.
    if not compact.isascii():
        return None
    if compact[0] == "+":
        national = compact[2:]
        if compact[1:2] != "1" or len(national) != 10 or not national.isdigit():
            return None
    elif region in _NANP_REGIONS and compact.isdigit():
        if len(compact) == 10:
            national = compact
        elif len(compact) == 11 and compact[0] == "1":
            national = compact[1:]
        else:
            return None
    else:
        return None
    return national if national[0] in "23456789" else None


@functools.lru_cache(maxsize=65536)
def _parse_phone(compact: str, region: str) -> str | None:
    if not compact:
        return None
    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException:
        return None
    # "Possible" (right length for the country) rather than "valid" (a range in phonenumbers'
    # metadata): newly allocated ranges and fictional 555-01xx numbers still link, and an upgrade
    # of phonenumbers cannot silently change which stored records match.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None if _is_placeholder_number(e164) else e164


def _is_placeholder_number(e164: str) -> bool:
    digits = e164[1:]
    if digits[0] == "1":
        national = digits[1:]
    else:
        length = next(
            (n for n in (1, 2, 3) if int(digits[:n]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE),
            0,
        )
        national = digits[length:]
    if national.count(national[0]) == len(national):
        return True
    # The number is one of the runs, give or take one digit typed before or after it.
    runs = _PLACEHOLDER_RUNS
    return national in runs or national[1:] in runs or national[:-1] in runs


@functools.cache
def _combining_marks() -> re.Pattern[str]:
    # Built on first use (a scan of all code points, ~0.1 s) rather than at import.
    marks = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    return re.compile("[" + "".join(re.escape(m) for m in marks) + "]+")


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    # Loop to a fixed point: casefold can create decomposable letters and NFKD can create
    # upper-case ones, and a normalised value must not change when normalised again.
    strip_marks = _combining_marks().sub
    while True:
        folded = " ".join(strip_marks("", unicodedata.normalize("NFKD", text.casefold())).split())
        if folded == text:
            return folded
        text = folded


def normalise_name(raw: str) -> str | None:
    folded = " ".join(raw.casefold().split()) if raw.isascii() else _fold(raw)
    if folded in PLACEHOLDER_VALUES or folded in PLACEHOLDER_NAMES or not _LETTER_RE.search(folded):
        return None
    return folded


def normalise_postal_address(raw: str) -> str | None:
    # Fold before stripping punctuation: NFKD turns compatibility forms ("․", "，") into the
    # punctuation stripped here, and a second normalisation must find nothing left to strip.
    text = raw if raw.isascii() else _fold(raw)
    folded = " ".join(text.translate(_ADDRESS_PUNCTUATION).casefold().split())
    if folded in PLACEHOLDER_VALUES or not _ALNUM_RE.search(folded):
        return None
    return folded


def normalise_ip(raw: str) -> str | None:
    text = raw.strip()
    if _IPV4_RE.fullmatch(text):
        # Dotted-quad IPv4 as written is already canonical; ipaddress costs ~5 µs for the same.
        if text.startswith("127.") or text in ("0.0.0.0", "255.255.255.255"):  # noqa: S104
            return None
        return text
    if text[:1] == "[" and text[-1:] == "]":
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or address.is_loopback or str(address) == "255.255.255.255":
        return None
    return str(address)


def normalise_id(raw: str) -> str | None:
    """Cookie, device, customer, account, order and other:* IDs: trimmed, case kept."""
    # Case is kept because these come from systems that treat them as case-sensitive (base64
    # cookie values, device IDs): folding could merge two different people on a strong identifier.
    text = raw.strip()
    if len(text) <= _LONGEST_PLACEHOLDER:
        folded = text.casefold()
        if folded in PLACEHOLDER_VALUES or " ".join(folded.split()) in PLACEHOLDER_VALUES:
            return None
    if "@" in text and text.casefold() in PLACEHOLDER_EMAILS:
        return None  # "test@test.com" as a login or customer id is no one either
    return text


_PHONE_LIKE_RE = re.compile(r"(?:tel:)?\+?[\d\s().\-/]{7,24}(?:\s*(?:x|ext\.?)\s*\d{1,6})?", re.I)
_WORDS_RE = re.compile(r"[^\W\d_][^\W\d_'\-. ]*(?:[\s'\-.]+[^\W\d_]+)*\.?")


def _is_placeholder_email(text: str) -> bool:
    folded = text.strip().lower()
    local = folded.partition("@")[0]
    return "@" in folded and (
        folded in PLACEHOLDER_EMAILS or local in PLACEHOLDER_EMAIL_LOCAL_PARTS
    )


def guess_query(text: str, default_region: str = "US") -> list[tuple[str, str]]:
    """What a free search string could be, as (kind, normalised value) pairs, likeliest first."""
    query = text.strip()
    found: list[tuple[str, str]] = []

    def add(kind: str, value: str | None) -> None:
        if value is not None and (kind, value) not in found:
            found.append((kind, value))

    if not query:
        return found
    if "@" in query:
        add(EMAIL, normalise_email(query))
    add(IP, normalise_ip(query))
    if _PHONE_LIKE_RE.fullmatch(query) and sum(c.isdigit() for c in query) >= 7:
        add(PHONE, normalise_phone(query, default_region=default_region))
    if "@" not in query and _WORDS_RE.fullmatch(query):
        add(NAME, normalise_name(query))
    elif "@" not in query and " " in query and any(c.isalpha() for c in query):
        add(POSTAL_ADDRESS, normalise_postal_address(query))
    if _is_placeholder_email(query):
        return found
    if not found or (" " not in query and any(c.isdigit() for c in query)):
        # An opaque token: any ID kind could hold it, and IDs keep their case.
        value = normalise_id(query)
        for kind in ID_KINDS:
            add(kind, value)
    if " " in query or "," in query or ";" in query:
        for token in re.split(r"[\s,;]+", query):
            if "@" in token:
                add(EMAIL, normalise_email(token))
            elif token.count(".") == 3 or token.count(":") >= 2:
                add(IP, normalise_ip(token))
    return found
