"""Identifier normalisation over whole columns: the everyday shapes in bulk, the rest once each.

Each normaliser settles in Polars expressions the values whose result is certain from their shape
(ASCII e-mails already well formed, ASCII names, dotted-quad IPv4, North American phone numbers,
ASCII IDs without spaces, ISO 8601 times) and hands every other distinct value, once, to the same
function the row-by-row pipeline calls (console.domain.identifiers, TimestampParser). The bulk
rules only ever decide a value the per-value function would decide identically; the property test
in tests/unit/importers/test_columnar_equivalence.py holds them to that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl

from console.domain import identifiers as ids

# What str.split() and str.strip() treat as white space among ASCII characters.
_ASCII_SPACE_CHARS = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
SPACE_RUN = r"[\t\n\x0B\x0C\r\x1C-\x1F ]+"
SPACE = r"[\t\n\x0B\x0C\r\x1C-\x1F ]"
# identifiers._FAST_EMAIL_RE without its look-ahead (the local part's 1-64 characters are checked
# apart, as Polars' regex engine has no look-around).
EMAIL_RE = (
    r"^[a-z0-9_%+'\-]+(?:\.[a-z0-9_%+'\-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_RE = rf"^{_OCTET}(?:\.{_OCTET}){{3}}$"
# The ISO 8601 forms settled in bulk: date, or date and time to the second with an optional
# fraction (1-6 digits, as fromisoformat reads them) and offset. Years 1000-2999 only, so no
# offset can carry a time outside what datetime holds.
_ISO_RE = (
    r"^([12][0-9]{3}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,6}))?"
    r"(?:(Z)|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))?)?$"
)

# Values a file repeats (names, IPs, odd phone formats) are normalised once per file; a column of
# nothing but unusual, distinct values must not grow this without bound.
_CACHE_LIMIT = 200_000

Slow = Callable[[str], "str | None"]


class ValueCache:
    """Per-value results of the slow path, shared by every batch of one file."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], Any] = {}

    def results(self, scope: str, values: list[str], compute: Callable[[str], Any]) -> list[Any]:
        known = self._known
        if len(known) > _CACHE_LIMIT:
            known.clear()
        out = []
        for value in values:
            key = (scope, value)
            try:
                out.append(known[key])
            except KeyError:
                result = known[key] = compute(value)
                out.append(result)
        return out


def _is_ascii(raw: pl.Expr) -> pl.Expr:
    return raw.str.len_bytes() == raw.str.len_chars()


def _settle(
    raw: pl.Series,
    decided: pl.Expr,
    fast: pl.Expr,
    slow: Callable[[str], Any],
    cache: ValueCache,
    scope: str,
    dtype: pl.DataType | type[pl.DataType] = pl.String,
) -> pl.Series:
    """``fast`` where ``decided``, else ``slow`` once per distinct value (null stays null)."""
    frame = pl.DataFrame({"raw": raw}).with_columns(
        decided.fill_null(False).alias("decided"), fast.alias("fast")
    )
    pending = frame.filter(pl.col("raw").is_not_null() & ~pl.col("decided"))["raw"]
    if pending.is_empty():
        return frame.select(
            pl.when(pl.col("decided")).then(pl.col("fast")).otherwise(None).alias(raw.name)
        ).to_series()
    distinct = pending.unique().to_list()
    answers = cache.results(scope, distinct, slow)
    lookup = pl.DataFrame(
        {"raw": distinct, "slow": answers}, schema={"raw": pl.String, "slow": dtype}
    )
    return (
        frame.join(lookup, on="raw", how="left", maintain_order="left")
        .select(pl.when(pl.col("decided")).then(pl.col("fast")).otherwise(pl.col("slow")))
        .to_series()
        .alias(raw.name)
    )


def _email(raw: pl.Series, cache: ValueCache, region: str) -> pl.Series:
    del region
    r = pl.col("raw")
    text = r.str.strip_chars(_ASCII_SPACE_CHARS).str.to_lowercase()
    local = text.str.extract(r"^([^@]*)@", 1)
    ok = (
        _is_ascii(r)
        & text.str.contains(EMAIL_RE)
        & text.str.contains(r"^[^@]{1,64}@")
        & (text.str.len_bytes() <= 254)
    )
    placeholder = text.is_in(sorted(ids.PLACEHOLDER_EMAILS)) | local.is_in(
        sorted(ids.PLACEHOLDER_EMAIL_LOCAL_PARTS)
    )
    fast = pl.when(placeholder).then(None).otherwise(text)
    return _settle(raw, ok, fast, ids.normalise_email, cache, ids.EMAIL)


def _folded_ascii(text: pl.Expr) -> pl.Expr:
    # " ".join(text.casefold().split()) for ASCII text.
    return text.str.to_lowercase().str.replace_all(SPACE_RUN, " ").str.strip_chars(" ")


def _name(raw: pl.Series, cache: ValueCache, region: str) -> pl.Series:
    del region
    r = pl.col("raw")
    folded = _folded_ascii(r)
    placeholders = sorted(ids.PLACEHOLDER_VALUES | ids.PLACEHOLDER_NAMES)
    unusable = folded.is_in(placeholders) | ~folded.str.contains("[a-z]")
    fast = pl.when(unusable).then(None).otherwise(folded)
    return _settle(raw, _is_ascii(r), fast, ids.normalise_name, cache, ids.NAME)


def _postal_address(raw: pl.Series, cache: ValueCache, region: str) -> pl.Series:
    del region
    r = pl.col("raw")
    folded = _folded_ascii(r.str.replace_all(r"[,.#;]", " "))
    unusable = folded.is_in(sorted(ids.PLACEHOLDER_VALUES)) | ~folded.str.contains("[a-z0-9]")
    fast = pl.when(unusable).then(None).otherwise(folded)
    return _settle(raw, _is_ascii(r), fast, ids.normalise_postal_address, cache, ids.POSTAL_ADDRESS)


def _ip(raw: pl.Series, cache: ValueCache, region: str) -> pl.Series:
    del region
    r = pl.col("raw")
    unusable = r.str.starts_with("127.") | r.is_in(["0.0.0.0", "255.255.255.255"])  # noqa: S104
    fast = pl.when(unusable).then(None).otherwise(r)
    return _settle(raw, r.str.contains(IPV4_RE), fast, ids.normalise_ip, cache, ids.IP)


def _id(raw: pl.Series, cache: ValueCache, region: str) -> pl.Series:
    del region
    r = pl.col("raw")
    plain = _is_ascii(r) & ~r.str.contains(SPACE) & ~r.str.contains("@", literal=True)
    placeholder = (r.str.len_chars() <= ids.LONGEST_ID_PLACEHOLDER) & r.str.to_lowercase().is_in(
        sorted(ids.PLACEHOLDER_VALUES)
    )
    fast = pl.when(placeholder).then(None).otherwise(r)
    return _settle(raw, plain, fast, ids.normalise_id, cache, "id")


def _phone(raw: pl.Series, cache: ValueCache, region: str) -> pl.Series:
    r = pl.col("raw")
    compact = r.str.replace_all(r"[ \-().]", "")
    # The shapes identifiers._nanp_fast_path settles; they exclude each other.
    shapes = [pl.when(compact.str.contains(r"^\+1[0-9]{10}$")).then(compact.str.slice(2))]
    if region in ids.NANP_REGIONS:
        shapes.append(pl.when(compact.str.contains(r"^[0-9]{10}$")).then(compact))
        shapes.append(pl.when(compact.str.contains(r"^1[0-9]{10}$")).then(compact.str.slice(1)))
    number = pl.coalesce(shapes)
    nanp = number.str.contains("^[2-9]")
    empty = compact == ""
    fast = (
        pl.when(empty | number.is_in(sorted(ids.NANP_PLACEHOLDER_NUMBERS)))
        .then(None)
        .otherwise(pl.lit("+1") + number)
    )

    def slow(value: str) -> str | None:
        return ids.normalise_phone(value, default_region=region)

    return _settle(raw, empty | nanp, fast, slow, cache, f"{ids.PHONE}:{region}")


_NORMALISERS: dict[str, Callable[[pl.Series, ValueCache, str], pl.Series]] = {
    ids.EMAIL: _email,
    ids.PHONE: _phone,
    ids.NAME: _name,
    ids.POSTAL_ADDRESS: _postal_address,
    ids.IP: _ip,
}


def normalise_column(
    kind: str, raw: pl.Series, cache: ValueCache, *, default_region: str = "US"
) -> pl.Series:
    """What identifiers.normalise(kind, value) gives for every value of ``raw`` (String)."""
    kind = ids.parse_kind(kind)
    return _NORMALISERS.get(kind, _id)(raw, cache, default_region.upper())


def timestamp_column(
    raw: pl.Series, cache: ValueCache, parse: Callable[[str], dt.datetime | None]
) -> pl.Series:
    """Collection times in UTC (Datetime, microseconds): ISO 8601 in bulk, the rest by ``parse``."""
    r = pl.col("raw")
    parts = r.str.extract_groups(_ISO_RE)
    field = parts.struct.field
    naive = pl.concat_str(
        field("1"),
        pl.lit(" "),
        field("2").fill_null("00"),
        pl.lit(":"),
        field("3").fill_null("00"),
        pl.lit(":"),
        field("4").fill_null("00"),
        pl.lit("."),
        field("5").fill_null("").str.pad_end(6, "0"),
    ).str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S%.f", strict=False)
    sign = pl.when(field("7") == "-").then(-1).otherwise(1)
    offset_minutes = sign * (
        field("8").cast(pl.Int64, strict=False) * 60 + field("9").cast(pl.Int64, strict=False)
    )
    utc = naive - pl.duration(minutes=offset_minutes.fill_null(0))
    fast = utc.dt.replace_time_zone("UTC")
    dtype = pl.Datetime("us", "UTC")
    return _settle(raw, naive.is_not_null(), fast, parse, cache, "collected_at", dtype)
