"""The columnar parse of console/importers/columnar.py written with PyArrow, for the comparison in
docs/benchmarks.md ("Columnar parsing: Polars or PyArrow"). The same steps and the same rules:
bulk rules in pyarrow.compute, every value they cannot settle through the console's own function
once per distinct value. Run through bench/columnar.py; its output is checked against Polars'.
"""

from __future__ import annotations

import array
import hashlib
import json
from collections.abc import Callable
from functools import partial
from operator import methodcaller
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from console.domain import identifiers as ids
from console.importers.column_normalise import EMAIL_RE, IPV4_RE, SPACE, SPACE_RUN
from console.importers.errors import RowProblem
from console.importers.mapping import Mapping
from console.importers.pipeline import TimestampParser
from console.importers.readers import open_table
from console.store.search_backend import tokens

_WS = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
_SEP = r"[\x00-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F]+"
_ISO = (
    r"^(?P<d>[12][0-9]{3}-[0-9]{2}-[0-9]{2})(?:[T ](?P<h>[01][0-9]|2[0-3]):(?P<m>[0-5][0-9]):"
    r"(?P<s>[0-5][0-9])(?:\.(?P<f>[0-9]{1,6}))?(?:(?P<z>Z)|(?P<sg>[+-])(?P<oh>[01][0-9]|2[0-3]):"
    r"(?P<om>[0-5][0-9]))?)?$"
)
_digest8 = partial(hashlib.blake2b, digest_size=8)
_NULL = pa.scalar(None, pa.string())
_STRING = pa.string()


class Cache(dict[tuple[str, str], Any]):
    def results(self, scope: str, values: list[str], fn: Callable[[str], Any]) -> list[Any]:
        out = []
        for v in values:
            key = (scope, v)
            if key not in self:
                self[key] = fn(v)
            out.append(self[key])
        return out


def settle(
    raw: pa.Array,
    decided: Any,
    fast: Any,
    slow: Callable[[str], Any],
    cache: Cache,
    scope: str,
    dtype: pa.DataType = _STRING,
) -> pa.Array:
    decided = pc.fill_null(decided, False)
    pending = pc.unique(pc.filter(raw, pc.and_(pc.invert(decided), pc.is_valid(raw))))
    if len(pending) == 0:
        return pc.if_else(decided, fast, pa.scalar(None, dtype))
    answers = pa.array(cache.results(scope, pending.to_pylist(), slow), dtype)
    slow_values = pc.take(answers, pc.index_in(raw, value_set=pending))
    return pc.if_else(decided, fast, slow_values)


def _ascii(raw: pa.Array) -> Any:
    return pc.string_is_ascii(raw)


def email(raw: pa.Array, cache: Cache, region: str) -> pa.Array:
    text = pc.utf8_lower(pc.utf8_trim(raw, _WS))
    local = pc.struct_field(pc.extract_regex(text, r"^(?P<l>[^@]*)@"), "l")
    ok = pc.and_(
        pc.and_(_ascii(raw), pc.match_substring_regex(text, EMAIL_RE)),
        pc.and_(
            pc.match_substring_regex(text, r"^[^@]{1,64}@"),
            pc.less_equal(pc.binary_length(text), 254),
        ),
    )
    placeholder = pc.or_(
        pc.is_in(text, pa.array(sorted(ids.PLACEHOLDER_EMAILS))),
        pc.is_in(local, pa.array(sorted(ids.PLACEHOLDER_EMAIL_LOCAL_PARTS))),
    )
    return settle(raw, ok, pc.if_else(placeholder, _NULL, text), ids.normalise_email, cache, "e")


def _folded(raw: Any) -> Any:
    return pc.utf8_trim(pc.replace_substring_regex(pc.utf8_lower(raw), SPACE_RUN, " "), " ")


def name(raw: pa.Array, cache: Cache, region: str) -> pa.Array:
    folded = _folded(raw)
    bad = pc.or_(
        pc.is_in(folded, pa.array(sorted(ids.PLACEHOLDER_VALUES | ids.PLACEHOLDER_NAMES))),
        pc.invert(pc.match_substring_regex(folded, "[a-z]")),
    )
    return settle(raw, _ascii(raw), pc.if_else(bad, _NULL, folded), ids.normalise_name, cache, "n")


def ip(raw: pa.Array, cache: Cache, region: str) -> pa.Array:
    bad = pc.or_(
        pc.starts_with(raw, "127."), pc.is_in(raw, pa.array(["0.0.0.0", "255.255.255.255"]))
    )
    return settle(
        raw,
        pc.match_substring_regex(raw, IPV4_RE),
        pc.if_else(bad, _NULL, raw),
        ids.normalise_ip,
        cache,
        "i",
    )


def ident(raw: pa.Array, cache: Cache, region: str) -> pa.Array:
    plain = pc.and_(
        pc.and_(_ascii(raw), pc.invert(pc.match_substring_regex(raw, SPACE))),
        pc.invert(pc.match_substring(raw, "@")),
    )
    bad = pc.and_(
        pc.less_equal(pc.utf8_length(raw), ids.LONGEST_ID_PLACEHOLDER),
        pc.is_in(pc.utf8_lower(raw), pa.array(sorted(ids.PLACEHOLDER_VALUES))),
    )
    return settle(raw, plain, pc.if_else(bad, _NULL, raw), ids.normalise_id, cache, "d")


def phone(raw: pa.Array, cache: Cache, region: str) -> pa.Array:
    compact = pc.replace_substring_regex(raw, r"[ \-().]", "")
    shapes = [
        pc.if_else(
            pc.match_substring_regex(compact, r"^\+1[0-9]{10}$"),
            pc.utf8_slice_codeunits(compact, 2),
            _NULL,
        )
    ]
    if region in ids.NANP_REGIONS:
        shapes.append(pc.if_else(pc.match_substring_regex(compact, r"^[0-9]{10}$"), compact, _NULL))
        shapes.append(
            pc.if_else(
                pc.match_substring_regex(compact, r"^1[0-9]{10}$"),
                pc.utf8_slice_codeunits(compact, 1),
                _NULL,
            )
        )
    number = pc.coalesce(*shapes)
    empty = pc.equal(compact, "")
    nanp = pc.match_substring_regex(number, "^[2-9]")
    bad = pc.or_(empty, pc.is_in(number, pa.array(sorted(ids.NANP_PLACEHOLDER_NUMBERS))))
    fast = pc.if_else(bad, _NULL, pc.binary_join_element_wise("+1", number, ""))
    return settle(
        raw,
        pc.or_(empty, nanp),
        fast,
        lambda v: ids.normalise_phone(v, default_region=region),
        cache,
        "p" + region,
    )


def timestamps(raw: pa.Array, cache: Cache, parse: TimestampParser) -> pa.Array:
    g = pc.extract_regex(raw, _ISO)

    def f(field: str, default: str = "") -> Any:
        # Arrow gives "" for an optional group that did not match.
        value = pc.struct_field(g, field)
        return pc.if_else(pc.equal(value, ""), default, value) if default else value

    naive_text = pc.binary_join_element_wise(
        f("d"), " ", f("h", "00"), ":", f("m", "00"), ":", f("s", "00"), ""
    )
    naive = pc.strptime(naive_text, format="%Y-%m-%d %H:%M:%S", unit="us", error_is_null=True)
    micros = pc.cast(pc.utf8_rpad(f("f", "0"), 6, "0"), pa.int64())
    sign = pc.if_else(pc.equal(f("sg"), "-"), -1, 1)
    minutes = pc.fill_null(
        pc.multiply(
            sign,
            pc.add(
                pc.multiply(pc.cast(f("oh", "0"), pa.int64()), 60),
                pc.cast(f("om", "0"), pa.int64()),
            ),
        ),
        0,
    )
    shift = pc.subtract(micros, pc.multiply(minutes, 60_000_000))
    utc = pc.cast(pc.add(pc.cast(naive, pa.int64()), shift), pa.timestamp("us", "UTC"))
    return settle(raw, pc.is_valid(naive), utc, parse, cache, "t", pa.timestamp("us", "UTC"))


def digest64(texts: Any) -> pa.Array:
    data = pc.cast(texts, pa.binary()).to_pylist()
    joined = b"".join(map(methodcaller("digest"), map(_digest8, data)))
    numbers = array.array("q")
    numbers.frombytes(joined)
    numbers.byteswap()
    return pa.array(numbers, pa.int64())


def _json(col: pa.Array, cache: Cache) -> Any:
    quoted = pc.binary_join_element_wise('"', col, '"', "")
    needs = pc.match_substring_regex(col, r'[\x00-\x1F"\\]')
    if pc.any(needs).as_py():
        distinct = pc.unique(pc.filter(col, needs))
        enc = pa.array(cache.results("j", distinct.to_pylist(), _dumps), pa.string())
        quoted = pc.if_else(
            pc.fill_null(needs, False), pc.take(enc, pc.index_in(col, value_set=distinct)), quoted
        )
    return pc.fill_null(quoted, "null")


NORMALISERS = {"email": email, "phone": phone, "name": name, "ip": ip}


def parse(path: Path, mapping: Mapping, batch_rows: int = 50_000) -> Any:
    """Yield (rows table, identifiers table, problems) per batch."""
    cache = Cache()
    parser = TimestampParser("US")
    with open_table(path) as reader:
        headers = reader.headers
        numbers: list[int] = []
        rows: list[Any] = []
        problems: list[RowProblem] = []
        for item in reader:
            if isinstance(item, RowProblem):
                problems.append(item)
                continue
            numbers.append(item[0])
            rows.append(item[1])
            if len(rows) >= batch_rows:
                yield _batch(headers, mapping, numbers, rows, cache, parser), problems
                numbers, rows, problems = [], [], []
        if rows:
            yield _batch(headers, mapping, numbers, rows, cache, parser), problems


def _batch(
    headers: list[str],
    mapping: Mapping,
    numbers: list[int],
    rows: list[Any],
    cache: Cache,
    parser: TimestampParser,
) -> tuple[pa.Table, pa.Table]:
    cols = {
        h: pa.array(c, pa.string()) for h, c in zip(headers, zip(*rows, strict=True), strict=True)
    }
    n = len(rows)
    index = pa.array(range(n), pa.uint32())
    parts = []
    for column, spec in mapping.columns.items():
        if spec.identifier is None:
            continue
        raw = cols[column]
        value = NORMALISERS.get(spec.identifier, ident)(raw, cache, "US")
        keep = pc.is_valid(value)
        v = pc.filter(value, keep)
        key = digest64(pc.binary_join_element_wise(spec.identifier + ":", v, ""))
        parts.append(
            pa.table(
                {
                    "row": pc.filter(index, keep),
                    "column": pa.array([column] * len(v), pa.string()),
                    "kind": pa.array([spec.identifier] * len(v), pa.string()),
                    "value": v,
                    "original": pc.filter(raw, keep),
                    "key": key,
                }
            )
        )
    found = pa.concat_tables(parts)
    found = found.take(pc.sort_indices(found, [("row", "ascending")]))
    collected = (
        timestamps(cols[mapping.collected_at_column], cache, parser)
        if mapping.collected_at_column
        else pa.nulls(n, pa.timestamp("us", "UTC"))
    )
    pieces: list[Any] = []
    for position, h in enumerate(headers):
        pieces += [("{" if position == 0 else ", ") + _dumps(h) + ": ", _json(cols[h], cache)]
    values_json = pc.binary_join_element_wise(*pieces, "}", "")
    prepared = []
    for h in headers:
        col = cols[h]
        lowered = pc.utf8_lower(col)
        wide = pc.invert(pc.string_is_ascii(col))
        if pc.any(wide).as_py():
            distinct = pc.unique(pc.filter(col, wide))
            tok = pa.array(cache.results("k", distinct.to_pylist(), lambda v: " ".join(tokens(v))))
            lowered = pc.if_else(
                pc.fill_null(wide, False),
                pc.take(tok, pc.index_in(col, value_set=distinct)),
                lowered,
            )
        prepared.append(lowered)
    joined = pc.utf8_trim(
        pc.replace_substring_regex(
            pc.binary_join_element_wise(*prepared, " ", null_handling="skip"), _SEP, " "
        ),
        " ",
    )
    has_value = pc.is_valid(pc.coalesce(*cols.values()))
    search = pc.if_else(has_value, pc.binary_join_element_wise(" ", joined, " ", ""), "")
    if mapping.record_key:
        key_json = pc.binary_join_element_wise(
            "[",
            pc.binary_join_element_wise(*[_json(cols[c], cache) for c in mapping.record_key], ", "),
            "]",
            "",
        )
        has_key = pc.is_valid(pc.coalesce(*[cols[c] for c in mapping.record_key]))
        dedupe_text = pc.if_else(has_key, key_json, values_json)
    else:
        dedupe_text = values_json
    present = [pc.is_valid(cols[c]) for c, s in mapping.columns.items() if s.category]
    frags = [
        pc.if_else(pc.is_valid(cols[c]), f"{_dumps(c)}: {_dumps(s.category)}", _NULL)
        for c, s in mapping.columns.items()
        if s.category
    ]
    if frags:
        every = present[0]
        for p in present[1:]:
            every = pc.and_(every, p)
        partial_json = pc.binary_join_element_wise(
            "{", pc.binary_join_element_wise(*frags, ", ", null_handling="skip"), "}", ""
        )
        categories = pc.if_else(every, "", partial_json)
    else:
        categories = pa.array([""] * n)
    table = pa.table(
        {
            "row_number": pa.array(numbers, pa.int64()),
            "collected_at": collected,
            "dedupe_key": digest64(dedupe_text),
            "values_json": values_json,
            "categories_json": categories,
            "search_text": search,
        }
    )
    return table, found
