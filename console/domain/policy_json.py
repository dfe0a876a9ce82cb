"""Reading and writing policy packs as JSON: strict checking of decoded values against the pack's
dataclasses (every complaint names the exact field path), and the plain form used for the digest.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import types
import typing
from datetime import date
from typing import Any, Literal, TypeVar, cast

ID_RE = re.compile(r"[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*")
# date.fromisoformat alone would also take "20190702" and week dates; packs spell dates one way.
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Invalid(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class JsonObject(dict[str, Any]):
    """A JSON object that remembers repeated keys, which json.loads would silently collapse."""

    duplicate_keys: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> JsonObject:
        obj = cls(pairs)
        if len(obj) != len(pairs):
            keys = [key for key, _ in pairs]
            obj.duplicate_keys = tuple(key for key in obj if keys.count(key) > 1)
        return obj


def no_constant(name: str) -> None:
    raise Invalid("", f"not valid JSON: {name} is not a number")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _json_type(value: object) -> str:
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string")):
        if isinstance(value, kind):
            return name
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    hints = typing.get_type_hints(cls)
    return tuple(
        (
            f.name,
            hints[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    )


_T = TypeVar("_T")


def build(cls: type[_T], obj: object, path: str) -> _T:
    if not isinstance(obj, dict):
        raise Invalid(path, f"expected an object, got {_json_type(obj)}")
    duplicates = getattr(obj, "duplicate_keys", ())
    if duplicates:
        raise Invalid(_join(path, duplicates[0]), "appears more than once in the same object")
    fields = _fields(cast(type, cls))
    names = [name for name, _, _ in fields]
    for key in obj:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise Invalid(_join(path, key), f"unknown field{hint}")
    values: dict[str, Any] = {}
    for name, tp, required in fields:
        where = _join(path, name)
        if name not in obj:
            if required:
                raise Invalid(where, "required field is missing")
            continue
        value = _convert(tp, obj[name], where)
        if required and value == ():
            raise Invalid(where, "must not be empty")
        if name in ("id", "pack_id") and not ID_RE.fullmatch(value):
            raise Invalid(
                where, f'"{value}" is not a valid id (lower-case letters, digits, ".", "_", "-")'
            )
        values[name] = value
    built = cls(**values)
    for name, reason in getattr(built, "_problems", lambda: ())():
        raise Invalid(_join(path, name), reason)
    return built


def _convert(tp: Any, value: object, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = (arg for arg in typing.get_args(tp) if arg is not type(None))
        return _convert(inner, value, path)
    if origin is Literal:
        choices = typing.get_args(tp)
        if not isinstance(value, str) or value not in choices:
            shown = f'"{value}"' if isinstance(value, str) else _json_type(value)
            raise Invalid(path, f"{shown} is not one of: {', '.join(choices)}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise Invalid(path, f"expected an array, got {_json_type(value)}")
        item_type = typing.get_args(tp)[0]
        items = tuple(_convert(item_type, v, f"{path}[{i}]") for i, v in enumerate(value))
        _check_unique(items, path)
        return items
    if dataclasses.is_dataclass(tp):
        return build(cast(type[Any], tp), value, path)
    if tp is str:
        if not isinstance(value, str):
            raise Invalid(path, f"expected a string, got {_json_type(value)}")
        if not value.strip():
            raise Invalid(path, "must not be blank")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise Invalid(path, f"expected true or false, got {_json_type(value)}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(path, f"expected an integer, got {_json_type(value)}")
        return value
    if tp is date:
        if not isinstance(value, str):
            raise Invalid(path, f"expected a date string, got {_json_type(value)}")
        try:
            if not _DATE_RE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid(path, f'"{value}" is not a date in the form YYYY-MM-DD') from None
    raise TypeError(f"policy pack field type {tp!r} has no JSON form")  # a bug in this module


def _check_unique(items: tuple[Any, ...], path: str) -> None:
    seen: set[object] = set()
    for i, item in enumerate(items):
        key = getattr(item, "id", item)
        if key in seen:
            where = f"{path}[{i}].id" if hasattr(item, "id") else f"{path}[{i}]"
            raise Invalid(where, f'duplicate id "{key}"' if hasattr(item, "id") else "repeated")
        seen.add(key)


def check_refs(value: object, targets: dict[str, frozenset[str]], path: str) -> None:
    if isinstance(value, tuple):
        for i, item in enumerate(value):
            check_refs(item, targets, f"{path}[{i}]")
        return
    if not dataclasses.is_dataclass(value):
        return
    for f in dataclasses.fields(value):
        where = _join(path, f.name)
        current = getattr(value, f.name)
        target = f.metadata.get("ref")
        if target is None:
            check_refs(current, targets, where)
            continue
        wanted = current if isinstance(current, tuple) else (current,)
        for i, ref in enumerate(wanted):
            if ref not in targets[target]:
                at = f"{where}[{i}]" if isinstance(current, tuple) else where
                raise Invalid(at, f'unknown {target.replace("_", " ")} id "{ref}"')


def to_plain(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.metadata.get("omit_unset") and getattr(value, f.name) == f.default)
        }
    if isinstance(value, tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
