"""A batch's row texts built column-wise: the values as JSON, the search text, and 64-bit keys.

Each reproduces, byte for byte, what the row-by-row import writes today:
- ``values_json``: ``json.dumps(dict(zip(headers, values)), ensure_ascii=False)``;
- ``search_text``: console.store.search_backend.search_text of the row's values;
- keys: BLAKE2b-64 (big-endian, signed) of UTF-8 text, as records_models.identifier_key and
  import_rows' dedupe key compute them.
ASCII is handled in bulk; only values that need JSON escapes or Unicode folding go through Python,
once per distinct value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import partial
from operator import methodcaller

import polars as pl

from console.importers.column_normalise import ValueCache
from console.store.search_backend import tokens

_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
# Characters json.dumps escapes when ensure_ascii is off.
_NEEDS_ESCAPE = r'[\x00-\x1F"\\]'
_digest8 = partial(hashlib.blake2b, digest_size=8)
_finish = methodcaller("digest")


def _escaped(frame: pl.DataFrame, column: str, cache: ValueCache) -> pl.Expr:
    c = pl.col(column)
    plain = pl.when(c.is_null()).then(pl.lit("null")).otherwise(pl.lit('"') + c + pl.lit('"'))
    needs = frame[column].str.contains(_NEEDS_ESCAPE)
    if not needs.any():
        return plain
    distinct = frame[column].filter(needs).unique().to_list()
    encoded = cache.results("json", distinct, _dumps)
    lookup = dict(zip(distinct, encoded, strict=True))
    return (
        pl.when(c.str.contains(_NEEDS_ESCAPE))
        .then(c.replace_strict(lookup, default=None, return_dtype=pl.String))
        .otherwise(plain)
    )


def json_texts(frame: pl.DataFrame, cache: ValueCache) -> list[pl.Expr]:
    """One JSON text expression per column of ``frame`` (all String)."""
    return [_escaped(frame, column, cache) for column in frame.columns]


def json_object(headers: Sequence[str], values: Sequence[pl.Expr]) -> pl.Expr:
    """``{"header": value, ...}`` as json.dumps writes a dict (", " and ": " separators)."""
    pieces: list[pl.Expr] = []
    for position, (header, value) in enumerate(zip(headers, values, strict=True)):
        lead = "{" if position == 0 else ", "
        pieces += [pl.lit(f"{lead}{_dumps(header)}: "), value]
    pieces.append(pl.lit("}" if headers else "{}"))
    return pl.concat_str(pieces)


def json_list(values: Sequence[pl.Expr]) -> pl.Expr:
    """``[value, ...]`` as json.dumps writes a list."""
    return pl.concat_str([pl.lit("["), pl.concat_str(values, separator=", "), pl.lit("]")])


def _value_tokens(value: str) -> str:
    return " ".join(tokens(value))


# ASCII characters that are not token characters. Upper-case letters are not among them: ASCII
# values are lower-cased before, and a folded non-ASCII value can hold one ("ℌ" folds to "H").
_ASCII_SEPARATORS = r"[\x00-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F]+"


def search_text(frame: pl.DataFrame, cache: ValueCache) -> pl.Expr:
    """The search text, " tok tok ", of every row ("" without any value): search_backend.search_text.

    ASCII values are lower-cased; other values are replaced by their tokens (folded in Python,
    once per distinct value); then one pass over the joined row splits the ASCII runs.
    """
    if not frame.columns:
        return pl.lit("")
    prepared: list[pl.Expr] = []
    for column in frame.columns:
        series = frame[column]
        c = pl.col(column)
        lowered = c.str.to_lowercase()
        wide = series.str.len_bytes() != series.str.len_chars()
        if wide.any():
            distinct = series.filter(wide).unique().to_list()
            folded = dict(
                zip(distinct, cache.results("tokens", distinct, _value_tokens), strict=True)
            )
            lowered = (
                pl.when(c.str.len_bytes() != c.str.len_chars())
                .then(c.replace_strict(folded, default=None, return_dtype=pl.String))
                .otherwise(lowered)
            )
        prepared.append(lowered)
    has_value = pl.any_horizontal([pl.col(c).is_not_null() for c in frame.columns])
    joined = (
        pl.concat_str(prepared, separator=" ", ignore_nulls=True)
        .str.replace_all(_ASCII_SEPARATORS, " ")
        .str.strip_chars(" ")
    )
    return pl.when(has_value).then(pl.lit(" ") + joined + pl.lit(" ")).otherwise(pl.lit(""))


def digest64(texts: pl.Series) -> pl.Series:
    """BLAKE2b-64 of each text's UTF-8 bytes as a signed big-endian Int64 (null stays null)."""
    data = texts.cast(pl.Binary).to_list()
    if None in data:
        digests = [None if d is None else _digest8(d).digest() for d in data]
    else:
        digests = list(map(_finish, map(_digest8, data)))
    binary = pl.Series(texts.name, digests, dtype=pl.Binary)
    return binary.bin.reinterpret(dtype=pl.Int64, endianness="big")


def identifier_keys(kind: str, values: pl.Series) -> pl.Series:
    """records_models.identifier_key(kind, value) for every value, hashing each distinct once."""
    text = (pl.lit(f"{kind}:") + pl.col("v")).alias("t")
    distinct = values.unique()
    if len(distinct) * 2 > len(values):
        return digest64(pl.DataFrame({"v": values}).select(text).to_series()).alias("key")
    keys = digest64(pl.DataFrame({"v": distinct}).select(text).to_series())
    lookup = pl.DataFrame({"v": distinct, "key": keys})
    return (
        pl.DataFrame({"v": values})
        .join(lookup, on="v", how="left", maintain_order="left")
        .to_series(1)
        .alias("key")
    )
