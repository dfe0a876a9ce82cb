"""Column mappings (which column holds which identifier, category or role) and their proposal."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.domain import identifiers as ids
from console.errors import ValidationError
from console.importers.errors import ImportFileError, MappingError

ROLES = frozenset({"collected_at"})
CATEGORIES = (
    "contact.name",
    "contact.email",
    "contact.phone",
    "contact.postal_address",
    "professional.employer",
    "professional.job_role",
    "professional.interests",
    "preferences.contact",
    "preferences.language",
    "preferences.marketing",
    "transaction.purchase_history",
    "transaction.order",
    "transaction.billing",
    "transaction.payment",
    "transaction.amount",
    "transaction.support",
    "technical.device",
    "technical.browser",
    "technical.ip_address",
    "technical.cookie_id",
    "technical.pages_visited",
    "technical.visit_time",
    "account.customer_id",
    "account.account_id",
    "inference.interests",
)
# Category ids come from the policy pack, which another organisation can replace: only their shape
# is checked here, membership is the import service's business.
_CATEGORY_RE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
MAX_MAPPING_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    identifier: str | None = None
    category: str | None = None
    role: str | None = None


@dataclass(slots=True)
class Mapping:
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    record_key: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, obj: Any, *, source_name: str) -> Mapping:
        """A mapping from its JSON form (DESIGN.md); MappingError names what is wrong where."""

        def fail(reason: str) -> MappingError:
            return MappingError(f"{source_name}: {reason}")

        if not isinstance(obj, dict):
            raise fail('the mapping must be a JSON object with "columns".')
        unknown = set(obj) - {"columns", "record_key"}
        if unknown:
            raise fail(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}.")
        raw_columns = obj.get("columns")
        if not isinstance(raw_columns, dict):
            raise fail('"columns" must be an object of column name → {identifier, category, role}.')
        columns: dict[str, ColumnSpec] = {}
        for column, spec in raw_columns.items():
            columns[column] = _spec_from_json(column, spec, fail)
        record_key = obj.get("record_key", [])
        if not isinstance(record_key, list) or not all(isinstance(k, str) for k in record_key):
            raise fail('"record_key" must be a list of column names.')
        mapping = cls(columns, list(record_key))
        roles = [c for c, s in columns.items() if s.role == "collected_at"]
        if len(roles) > 1:
            raise fail(f'only one column can have role "collected_at"; {len(roles)} do.')
        return mapping

    def categories(self) -> dict[str, str]:
        """The data category of each column that has one."""
        return {c: spec.category for c, spec in self.columns.items() if spec.category is not None}

    def to_json(self) -> dict[str, Any]:
        columns: dict[str, dict[str, str]] = {}
        for column, spec in self.columns.items():
            entry = {}
            if spec.identifier is not None:
                entry["identifier"] = spec.identifier
            if spec.category is not None:
                entry["category"] = spec.category
            if spec.role is not None:
                entry["role"] = spec.role
            columns[column] = entry
        return {"columns": columns, "record_key": list(self.record_key)}

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        path = Path(path)
        try:
            if path.stat().st_size > MAX_MAPPING_BYTES:
                raise MappingError(f"{path.name}: a mapping file is at most 1 MB.")
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise MappingError(
                f"{path.name}: the mapping file cannot be read ({exc.strerror})."
            ) from exc
        except UnicodeDecodeError as exc:
            raise MappingError(f"{path.name}: the mapping file is not UTF-8 text.") from exc
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MappingError(
                f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno})."
            ) from exc
        except ValueError:  # Python reads integers of at most 4,300 digits
            raise MappingError(f"{path.name}: a number in it has more than 4,300 digits.") from None
        return cls.from_json(obj, source_name=path.name)

    def save(self, path: str | Path) -> None:
        """Write atomically, so a crash never leaves half a mapping behind."""
        path = Path(path)
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".mapping-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @property
    def collected_at_column(self) -> str | None:
        return next((c for c, s in self.columns.items() if s.role == "collected_at"), None)


def _spec_from_json(column: Any, spec: Any, fail: Any) -> ColumnSpec:
    if not isinstance(column, str) or not column:
        raise fail("column names must be non-empty strings.")
    if not isinstance(spec, dict):
        raise fail(f'column "{column}": expected an object with identifier, category or role.')
    unknown = set(spec) - {"identifier", "category", "role"}
    if unknown:
        raise fail(f'column "{column}": unknown key(s) {", ".join(sorted(map(str, unknown)))}.')
    identifier, category, role = spec.get("identifier"), spec.get("category"), spec.get("role")
    for key, value in (("identifier", identifier), ("category", category), ("role", role)):
        if value is not None and not isinstance(value, str):
            raise fail(f'column "{column}": "{key}" must be a string.')
    if identifier is not None:
        try:
            identifier = ids.parse_kind(identifier)
        except ValidationError as exc:
            raise fail(f'column "{column}": {exc.message}') from exc
    if category is not None and not _CATEGORY_RE.fullmatch(category):
        raise fail(f'column "{column}": "{category}" is not a category id like "contact.email".')
    if role is not None and role not in ROLES:
        raise fail(
            f'column "{column}": unknown role "{role}"; expected {", ".join(sorted(ROLES))}.'
        )
    return ColumnSpec(identifier, category, role)


def validate(mapping: Mapping, headers: Sequence[str], *, file_name: str) -> None:
    """ImportFileError naming the first mapped or key column that the file does not have."""
    present = set(headers)
    for column in [*mapping.columns, *mapping.record_key]:
        if column not in present:
            shown = ", ".join(f'"{h}"' for h in list(headers)[:20])
            more = ", …" if len(headers) > 20 else ""
            raise ImportFileError(
                file_name,
                f"the mapping names this column but the file has no such column "
                f"(its columns are {shown}{more}).",
                column=column,
            )


# ---- proposal --------------------------------------------------------------------------------

# (pattern on the folded header, identifier, category, role), first match wins: specific before
# general ("email opt in" is a preference, not an address).
_HEADER_RULES: list[tuple[str, str | None, str | None, str | None]] = [
    (
        r"(e ?mail|newsletter|marketing|sms) ?(opt|consent|subscri|unsubscri|permission)",
        None,
        "preferences.marketing",
        None,
    ),
    (
        r"opt ?(in|out)|unsubscri|do not (call|email|contact)|consent",
        None,
        "preferences.marketing",
        None,
    ),
    (r"preferred (channel|contact)|contact (preference|method)", None, "preferences.contact", None),
    (
        r"(created|collected|captured|recorded|signup|sign up|registered|registration|submitted|"
        r"received|joined|signed up|enrolled)( at| on| date| time|$)|"
        r"^(timestamp|event time|date|datetime|created|member since)\b",
        None,
        None,
        "collected_at",
    ),
    (
        r"\b(visit|session|last seen|page view|hit)( time| date| start| timestamp)",
        None,
        "technical.visit_time",
        None,
    ),
    (r"e ?mail", ids.EMAIL, "contact.email", None),
    (r"phone|mobile|cell|tel(ephone)?\b|msisdn|fax|whatsapp", ids.PHONE, "contact.phone", None),
    (
        r"\b(ip|ipv4|ipv6|ip ?addr(ess)?|remote addr|client ip|x forwarded for)\b",
        ids.IP,
        "technical.ip_address",
        None,
    ),
    (
        r"^ga$|^gid$|^fbp$|cookie|visitor id|anonymous id|ga client id|client id ga",
        ids.COOKIE_ID,
        "technical.cookie_id",
        None,
    ),
    (
        r"device id|idfa|gaid|advertising id|android id|udid|imei",
        ids.DEVICE_ID,
        "technical.device",
        None,
    ),
    (
        r"customer (id|no|num|number|ref|reference)|cust ?(id|no)|client (id|no|number)",
        ids.CUSTOMER_ID,
        "account.customer_id",
        None,
    ),
    (
        r"account (id|no|num|number)|acct|user ?(id|name)|username|login|member (id|no)|"
        r"subscriber id",
        ids.ACCOUNT_ID,
        "account.account_id",
        None,
    ),
    (
        r"order (id|no|num|number|ref)|invoice (id|no|number)|transaction id|receipt",
        ids.ORDER_ID,
        "transaction.order",
        None,
    ),
    (r"(company|employer|organi[sz]ation|business) ?(name)?$", None, "professional.employer", None),
    (r"job|position|occupation|^title$|^role$", None, "professional.job_role", None),
    (
        r"(street|billing|shipping|mailing|postal|home|postal)? ?address( line ?\d)?$|^street",
        ids.POSTAL_ADDRESS,
        "contact.postal_address",
        None,
    ),
    (
        r"^(city|town|zip|zip code|postcode|post code|postal code|state|province|county|"
        r"country|region)$",
        None,
        "contact.postal_address",
        None,
    ),
    (
        r"(first|last|given|family|middle|full|customer|contact|card ?holder|card|billing|shipping|"
        r"recipient|display) ?name|^name$|surname|forename",
        ids.NAME,
        "contact.name",
        None,
    ),
    (r"amount|total|price|revenue|spend|cost|value", None, "transaction.amount", None),
    (r"card|payment|iban|bank|bic|swift|last ?4", None, "transaction.payment", None),
    (r"billing|invoice|tax", None, "transaction.billing", None),
    (r"order|purchase|product|sku|item|basket|cart", None, "transaction.purchase_history", None),
    (r"ticket|support|case|complaint|issue", None, "transaction.support", None),
    (r"segment|propensity|predicted|affinity|inferred|score", None, "inference.interests", None),
    (r"interest|topic|hobb", None, "professional.interests", None),
    (r"language|locale|lang$", None, "preferences.language", None),
    (r"user agent|browser", None, "technical.browser", None),
    (r"device|^os$|platform|operating system|model", None, "technical.device", None),
    (r"url|page|path|referr?er|landing", None, "technical.pages_visited", None),
]
_COMPILED_RULES = [(re.compile(p), i, c, r) for p, i, c, r in _HEADER_RULES]
# Dates about the person or the contract, never when the record was collected ("Date of birth"
# starts like "Date", and its values look like any other date).
_NOT_COLLECTED_RE = re.compile(
    r"birth|\bdob\b|\bd o b\b|\bborn\b|expir|valid (until|to|through)|\bdue\b|deadline|"
    r"renewal|anniversary|\bend(s|ed)?\b|until|updated|modified|changed|deleted|last (seen|login)"
)
_RECORD_KEY_HEADERS = frozenset({"id", "uuid", "record id", "row id", "key", "record key"})
_EMAIL_VALUE_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_FORMAT_RE = re.compile(r"\+|\d[\s.\-]\d|\(\d")
_UUID_RE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)
_GA_RE = re.compile(r"(GA\d\.\d\.)?\d{5,12}\.\d{9,10}")
_BOOLEANISH = frozenset({"yes", "no", "true", "false", "y", "n", "1", "0", "granted", "denied"})
_SHARE = 0.8


def fold_header(header: str) -> str:
    """ "Customer E-mail (UTC)" → "customer e mail utc": what the rules match against."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", header)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", spaced.casefold()).split())


def propose(
    headers: Sequence[str],
    sample_rows: Sequence[Sequence[str | None]],
    *,
    default_region: str = "US",
) -> Mapping:
    """A first mapping from header names, checked and completed by sampled values."""
    columns: dict[str, ColumnSpec] = {}
    record_key: list[str] = []
    has_collected_at = False
    for position, header in enumerate(headers):
        folded = fold_header(header)
        cells = (row[position] if position < len(row) else None for row in sample_rows)
        values = [cell.strip() for cell in cells if cell and cell.strip()]
        if folded in _RECORD_KEY_HEADERS and not record_key:
            record_key.append(header)
            continue
        spec = _by_header(folded)
        other_date = _NOT_COLLECTED_RE.search(folded) is not None
        if spec is not None and spec.role == "collected_at" and other_date:
            spec = None
        if spec is not None and spec.identifier == ids.COOKIE_ID and values:
            spec = _cookie_column(values)
        if spec is None or (spec.identifier is None and spec.role is None and values):
            by_value = _by_values(
                values, default_region, allow_collected_at=not (has_collected_at or other_date)
            )
            if by_value is not None:
                spec = by_value
        if spec is not None and spec.role == "collected_at":
            if has_collected_at:
                spec = None  # one collection time per record; later date columns stay unmapped
            has_collected_at = True
        if spec is not None and spec != ColumnSpec():
            columns[header] = spec
    return Mapping(columns, record_key)


def _by_header(folded: str) -> ColumnSpec | None:
    for pattern, identifier, category, role in _COMPILED_RULES:
        if pattern.search(folded):
            return ColumnSpec(identifier, category, role)
    return None


def _cookie_column(values: Sequence[str]) -> ColumnSpec:
    # A header that says "cookie" may hold the cookie's id, a consent flag or an expiry date.
    if _share(values, lambda v: v.casefold() in _BOOLEANISH) >= _SHARE:
        return ColumnSpec(None, "preferences.marketing", None)
    if _share(
        values, lambda v: looks_like_cookie(v) or (" " not in v and not _is_timestamp(v))
    ) >= (_SHARE):
        return ColumnSpec(ids.COOKIE_ID, "technical.cookie_id", None)
    return ColumnSpec(None, "technical.cookie_id", None)


def _share(values: Sequence[str], test: Any) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _by_values(
    values: Sequence[str], default_region: str, *, allow_collected_at: bool
) -> ColumnSpec | None:
    if len(values) < 1:
        return None
    if _share(values, _EMAIL_VALUE_RE.fullmatch) >= _SHARE:
        return ColumnSpec(ids.EMAIL, "contact.email", None)
    if _share(values, _is_ip) >= _SHARE:
        return ColumnSpec(ids.IP, "technical.ip_address", None)
    if allow_collected_at and _share(values, _is_timestamp) >= _SHARE:
        return ColumnSpec(None, None, "collected_at")
    # Plain digit runs are as often customer numbers as phone numbers; only formatted ones count.
    if (
        _share(values, lambda v: _PHONE_FORMAT_RE.search(v) is not None) >= _SHARE
        and _share(values, lambda v: ids.normalise_phone(v, default_region=default_region))
        >= _SHARE
    ):
        return ColumnSpec(ids.PHONE, "contact.phone", None)
    return None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_timestamp(value: str) -> bool:
    if len(value) < 10 or not value[:4].isdigit():
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def looks_like_cookie(value: str) -> bool:
    """UUIDs and Google Analytics client ids: the shapes cookie exports carry."""
    return bool(_UUID_RE.fullmatch(value) or _GA_RE.fullmatch(value))
